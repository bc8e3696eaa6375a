"""The GCP Secret Manager store and label lock: real client, in-process gRPC fake."""

from __future__ import annotations

import grpc
import pytest

from proxy.config import SecretNaming
from proxy.config.stores._crc32c import crc32c
from proxy.config.stores._gcp_secret_manager import GcpSecretManagerStore
from proxy.errors import ConfigStoreUnavailable, MissingSecretError
from proxy.secret_value import Secret
from support.fake_clock import FakeClock
from support.gcp_secret_manager_fake import PROJECT, FakeSecretManager

NAMING = SecretNaming(instance_prefix="PSOXY_CONFLUENCE_CLOUD_", shared_prefix="")
REFRESH = "PSOXY_CONFLUENCE_CLOUD_REFRESH_TOKEN"
LOCK = "PSOXY_CONFLUENCE_CLOUD_OAUTH_REFRESH_TOKEN"


def make_store(fake: FakeSecretManager, clock: FakeClock) -> GcpSecretManagerStore:
    return GcpSecretManagerStore(
        NAMING,
        fake.client(),
        project_id=PROJECT,
        clock=clock.now,
        sleep=clock.sleep,
        access_retry=None,
    )


def test_crc32c_check_value() -> None:
    assert crc32c(b"123456789") == 0xE3069283


def test_reads_latest_then_shared(gcp_fake: FakeSecretManager, clock: FakeClock) -> None:
    gcp_fake.put("PSOXY_SALT", "salt")
    gcp_fake.put(REFRESH, "rt-1")
    gcp_fake.put(REFRESH, "rt-2")
    store = make_store(gcp_fake, clock)

    assert store.get("PSOXY_SALT") == Secret("salt")
    assert store.get("REFRESH_TOKEN") == Secret("rt-2")


def test_reads_the_version_named_by_the_latest_version_label(
    gcp_fake: FakeSecretManager, clock: FakeClock
) -> None:
    gcp_fake.put(REFRESH, "rt-1")
    gcp_fake.put(REFRESH, "rt-2")
    gcp_fake.set_labels(REFRESH, {"latest-version": "1"})

    assert make_store(gcp_fake, clock).get("REFRESH_TOKEN") == Secret("rt-1")


def test_a_label_naming_a_destroyed_version_falls_back_to_latest(
    gcp_fake: FakeSecretManager, clock: FakeClock
) -> None:
    gcp_fake.put(REFRESH, "rt-1")
    gcp_fake.put(REFRESH, "rt-2")
    gcp_fake.set_labels(REFRESH, {"latest-version": "7"})

    assert make_store(gcp_fake, clock).get("REFRESH_TOKEN") == Secret("rt-2")


@pytest.mark.parametrize("placeholder", ["fill me", "placeholder value - fill me"])
def test_placeholders_are_unset(
    gcp_fake: FakeSecretManager, clock: FakeClock, placeholder: str
) -> None:
    gcp_fake.put(REFRESH, placeholder)

    assert make_store(gcp_fake, clock).get("REFRESH_TOKEN") is None


def test_empty_and_missing_secrets_are_named(gcp_fake: FakeSecretManager, clock: FakeClock) -> None:
    gcp_fake.create("PSOXY_CONFLUENCE_CLOUD_CLIENT_SECRET")  # created by Terraform, no version

    with pytest.raises(MissingSecretError) as error:
        make_store(gcp_fake, clock).require("CLIENT_SECRET")

    assert error.value.message == (
        "CLIENT_SECRET is not set: no value for PSOXY_CONFLUENCE_CLOUD_CLIENT_SECRET or "
        "CLIENT_SECRET in GCP Secret Manager"
    )


def test_put_adds_a_version_moves_the_label_and_destroys_older_ones(
    gcp_fake: FakeSecretManager, clock: FakeClock
) -> None:
    gcp_fake.create(REFRESH, labels={"terraform_managed_value": "false"})
    gcp_fake.put(REFRESH, "rt-1")
    store = make_store(gcp_fake, clock)

    store.put("REFRESH_TOKEN", "rt-2")
    store.put("REFRESH_TOKEN", "rt-3")

    assert gcp_fake.labels(REFRESH) == {"terraform_managed_value": "false", "latest-version": "3"}
    assert gcp_fake.version_states(REFRESH) == {1: "DESTROYED", 2: "DESTROYED", 3: "ENABLED"}
    assert make_store(gcp_fake, clock).get("REFRESH_TOKEN") == Secret("rt-3")


def test_the_label_never_moves_backwards(gcp_fake: FakeSecretManager, clock: FakeClock) -> None:
    gcp_fake.put(REFRESH, "rt-1")
    gcp_fake.set_labels(REFRESH, {"latest-version": "9"})

    make_store(gcp_fake, clock).put("REFRESH_TOKEN", "rt-2")

    assert gcp_fake.labels(REFRESH) == {"latest-version": "9"}


def test_put_retries_the_label_after_an_etag_conflict(
    gcp_fake: FakeSecretManager, clock: FakeClock
) -> None:
    gcp_fake.put(REFRESH, "rt-1")
    gcp_fake.fail("UpdateSecret", grpc.StatusCode.FAILED_PRECONDITION)

    make_store(gcp_fake, clock).put("REFRESH_TOKEN", "rt-2")

    assert gcp_fake.labels(REFRESH) == {"latest-version": "2"}


def test_a_failed_label_update_fails_the_write(
    gcp_fake: FakeSecretManager, clock: FakeClock
) -> None:
    gcp_fake.put(REFRESH, "rt-1")
    gcp_fake.fail("UpdateSecret", grpc.StatusCode.PERMISSION_DENIED)

    with pytest.raises(ConfigStoreUnavailable) as error:
        make_store(gcp_fake, clock).put("REFRESH_TOKEN", "rt-2")

    assert error.value.message == (
        f"Secret Manager label update of projects/{PROJECT}/secrets/{REFRESH} failed "
        "(PermissionDenied)"
    )


def test_writing_to_a_missing_secret_names_it(
    gcp_fake: FakeSecretManager, clock: FakeClock
) -> None:
    with pytest.raises(Exception) as error:
        make_store(gcp_fake, clock).put("ACCESS_TOKEN", "x")

    assert str(error.value) == (
        f"secret projects/{PROJECT}/secrets/PSOXY_CONFLUENCE_CLOUD_ACCESS_TOKEN does not exist; "
        "create it (Terraform does) before the proxy writes"
    )


def test_versions_are_the_enabled_ones_newest_first(
    gcp_fake: FakeSecretManager, clock: FakeClock
) -> None:
    for n in range(1, 4):
        gcp_fake.put("PSOXY_CONFLUENCE_CLOUD_ACCESS_TOKEN", f"token-{n}")

    versions = make_store(gcp_fake, clock).versions("ACCESS_TOKEN", limit=2)

    assert [(v.version, v.value.reveal()) for v in versions] == [("3", "token-3"), ("2", "token-2")]


def test_unavailable_backend_keeps_the_last_good_value(
    gcp_fake: FakeSecretManager, clock: FakeClock
) -> None:
    gcp_fake.put(REFRESH, "rt-1")
    store = make_store(gcp_fake, clock)
    assert store.get("REFRESH_TOKEN") == Secret("rt-1")
    clock.advance(300)
    gcp_fake.fail("GetSecret", grpc.StatusCode.UNAVAILABLE, times=3)

    assert store.get("REFRESH_TOKEN") == Secret("rt-1")
    assert clock.sleeps == [0.5, 0.5]


def test_unavailable_backend_without_a_known_value_is_transient(
    gcp_fake: FakeSecretManager, clock: FakeClock
) -> None:
    gcp_fake.put(REFRESH, "rt-1")
    gcp_fake.fail("AccessSecretVersion", grpc.StatusCode.UNAVAILABLE, times=3)

    with pytest.raises(ConfigStoreUnavailable) as error:
        make_store(gcp_fake, clock).get("REFRESH_TOKEN")

    assert error.value.message == (
        f"Secret Manager read of projects/{PROJECT}/secrets/{REFRESH} failed (ServiceUnavailable)"
    )


# ---------------------------------------------------------------------------- the lock
def test_label_lock_is_exclusive_and_owner_checked(
    gcp_fake: FakeSecretManager, clock: FakeClock
) -> None:
    gcp_fake.create(LOCK, labels={"keep": "me"})
    first = make_store(gcp_fake, clock).lock("OAUTH_REFRESH_TOKEN")
    second = make_store(gcp_fake, clock).lock("OAUTH_REFRESH_TOKEN")

    lease = first.try_acquire()

    assert lease is not None
    assert gcp_fake.labels(LOCK) == {
        "keep": "me",
        "locked": "1760000000000",
        "locked_by": lease.owner,
    }
    assert second.try_acquire() is None
    first.release(lease)
    assert gcp_fake.labels(LOCK) == {"keep": "me"}
    assert second.try_acquire() is not None


def test_a_stale_label_lock_is_taken_over(gcp_fake: FakeSecretManager, clock: FakeClock) -> None:
    gcp_fake.create(LOCK, labels={"locked": str(int(clock.now() * 1000)), "locked_by": "dead"})
    lock = make_store(gcp_fake, clock).lock("OAUTH_REFRESH_TOKEN")
    assert lock.try_acquire() is None

    clock.advance(121)
    lease = lock.try_acquire()

    assert lease is not None
    assert gcp_fake.labels(LOCK)["locked_by"] == lease.owner


def test_release_leaves_a_lock_taken_over_by_someone_else(
    gcp_fake: FakeSecretManager, clock: FakeClock
) -> None:
    gcp_fake.create(LOCK)
    lock = make_store(gcp_fake, clock).lock("OAUTH_REFRESH_TOKEN")
    lease = lock.try_acquire()
    assert lease is not None
    gcp_fake.set_labels(LOCK, {"locked": "1", "locked_by": "other"})

    lock.release(lease)

    assert gcp_fake.labels(LOCK) == {"locked": "1", "locked_by": "other"}


def test_concurrent_update_loses_the_lock_race(
    gcp_fake: FakeSecretManager, clock: FakeClock
) -> None:
    gcp_fake.create(LOCK)
    gcp_fake.fail("UpdateSecret", grpc.StatusCode.FAILED_PRECONDITION)

    assert make_store(gcp_fake, clock).lock("OAUTH_REFRESH_TOKEN").try_acquire() is None


def test_a_missing_lock_secret_is_named(gcp_fake: FakeSecretManager, clock: FakeClock) -> None:
    with pytest.raises(MissingSecretError) as error:
        make_store(gcp_fake, clock).lock("OAUTH_REFRESH_TOKEN").try_acquire()

    assert error.value.message == (
        f"lock secret projects/{PROJECT}/secrets/{LOCK} does not exist; create it (Terraform "
        "does) and grant the function's service account permission to update it"
    )
