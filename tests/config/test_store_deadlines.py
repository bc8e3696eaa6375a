"""Store calls within the request's deadline: per-call timeouts on GCP (real client, gRPC fake),
short botocore timeouts with standard retries on AWS."""

from __future__ import annotations

from typing import Any, cast

import pytest
from google.cloud.secretmanager_v1 import SecretManagerServiceClient

from proxy.config import SecretNaming
from proxy.config.locks._gcp_secret_label import LOCKED_BY, GcpSecretLabelLock
from proxy.config.stores._aws_clients import client_config
from proxy.config.stores._aws_secrets_manager import default_secrets_manager_client
from proxy.config.stores._aws_ssm import default_ssm_client
from proxy.config.stores._gcp_secret_manager import GcpSecretManagerStore
from proxy.deadline import MIN_WRAP_UP_CALL_SECONDS, WRAP_UP_SECONDS, Deadline, deadline_scope
from proxy.errors import DeadlineExceeded
from proxy.secret_value import Secret
from support.fake_clock import FakeClock
from support.gcp_secret_manager_fake import PROJECT, FakeSecretManager

NAMING = SecretNaming(instance_prefix="PSOXY_CONFLUENCE_CLOUD_", shared_prefix="")
REFRESH = "PSOXY_CONFLUENCE_CLOUD_REFRESH_TOKEN"
LOCK = "PSOXY_CONFLUENCE_CLOUD_OAUTH_REFRESH_TOKEN"
RPC_TIMEOUT = 10.0


class RecordingClient:
    """The real client; records the timeout (and retry) each RPC was given."""

    def __init__(self, client: SecretManagerServiceClient) -> None:
        self._client = client
        self.calls: list[tuple[str, Any, Any]] = []

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, kwargs.get("timeout"), kwargs.get("retry")))
            return method(*args, **kwargs)

        return call


@pytest.fixture
def recording(gcp_fake: FakeSecretManager) -> RecordingClient:
    return RecordingClient(gcp_fake.client())


def gcp_store(recording: RecordingClient, clock: FakeClock) -> GcpSecretManagerStore:
    # The production access retry (no `access_retry`): each call must end it at the deadline.
    return GcpSecretManagerStore(
        NAMING,
        cast(SecretManagerServiceClient, recording),
        project_id=PROJECT,
        clock=clock.now,
        sleep=clock.sleep,
        rpc_timeout=RPC_TIMEOUT,
    )


def test_gcp_reads_end_at_the_deadline(
    gcp_fake: FakeSecretManager, recording: RecordingClient, clock: FakeClock
) -> None:
    gcp_fake.put(REFRESH, "rt-1")

    with deadline_scope(Deadline.after(0.5)):
        value = gcp_store(recording, clock).get_fresh("REFRESH_TOKEN")

    assert value == Secret("rt-1")
    assert [name for name, _, _ in recording.calls] == ["get_secret", "access_secret_version"]
    assert all(0 < timeout <= 0.5 for _, timeout, _ in recording.calls)
    (_, _, retry) = recording.calls[-1]
    assert 0 < retry.timeout <= 0.5


def test_without_a_deadline_gcp_calls_keep_their_own_timeout(
    gcp_fake: FakeSecretManager, recording: RecordingClient, clock: FakeClock
) -> None:
    gcp_fake.put(REFRESH, "rt-1")

    gcp_store(recording, clock).get_fresh("REFRESH_TOKEN")

    assert {timeout for _, timeout, _ in recording.calls} == {RPC_TIMEOUT}


def test_a_passed_deadline_makes_no_gcp_read(recording: RecordingClient, clock: FakeClock) -> None:
    with deadline_scope(Deadline.after(0.0)), pytest.raises(DeadlineExceeded):
        gcp_store(recording, clock).get_fresh("REFRESH_TOKEN")

    assert recording.calls == []


def test_a_rotated_token_is_still_written_after_the_deadline_within_the_wrap_up(
    gcp_fake: FakeSecretManager, recording: RecordingClient, clock: FakeClock
) -> None:
    gcp_fake.create(REFRESH)

    with deadline_scope(Deadline.after(-1.0)):  # passed 1 s ago: 2 s of wrap-up left
        gcp_store(recording, clock).put("REFRESH_TOKEN", "rt-rotated")

    assert gcp_store(RecordingClient(gcp_fake.client()), clock).get_fresh(
        "REFRESH_TOKEN"
    ) == Secret("rt-rotated")
    assert recording.calls[0][0] == "add_secret_version"
    limit = WRAP_UP_SECONDS - 1.0
    assert all(MIN_WRAP_UP_CALL_SECONDS <= t <= limit for _, t, _ in recording.calls)


def test_the_gcp_lock_is_not_taken_past_the_deadline_but_is_always_released(
    gcp_fake: FakeSecretManager, recording: RecordingClient, clock: FakeClock
) -> None:
    gcp_fake.create(LOCK)
    lock = GcpSecretLabelLock(
        cast(SecretManagerServiceClient, recording),
        gcp_fake.path(LOCK),
        ttl_seconds=120,
        clock=clock.now,
        rpc_timeout=RPC_TIMEOUT,
    )
    lease = lock.try_acquire()
    assert lease is not None

    with deadline_scope(Deadline.after(-10.0)):  # deadline and wrap-up both over
        with pytest.raises(DeadlineExceeded):
            lock.try_acquire()
        lock.release(lease)

    assert LOCKED_BY not in gcp_fake.labels(LOCK)
    release_timeouts = [t for name, t, _ in recording.calls[-2:]]
    assert release_timeouts == [MIN_WRAP_UP_CALL_SECONDS, MIN_WRAP_UP_CALL_SECONDS]


@pytest.mark.parametrize("make_client", [default_ssm_client, default_secrets_manager_client])
def test_aws_clients_use_short_timeouts_and_standard_retries(make_client: Any) -> None:
    config = make_client("eu-west-1").meta.config

    assert (config.connect_timeout, config.read_timeout) == (2, 3)
    assert config.retries == {"mode": "standard", "total_max_attempts": 2}
    assert client_config().retries == config.retries
