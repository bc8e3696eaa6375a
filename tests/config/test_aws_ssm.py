"""The SSM store and lock against a real moto server over HTTP."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime

import botocore.config
import pytest

from proxy.config import SecretNaming
from proxy.config.stores._aws_ssm import SsmParameterStore
from proxy.errors import ConfigStoreUnavailable, MissingSecretError
from proxy.secret_value import Secret
from support.fake_clock import FakeClock
from support.moto_server import MotoServer
from support.ssm_outage import DeleteOutage

NAMING = SecretNaming(instance_prefix="PSOXY_CONFLUENCE_CLOUD_", shared_prefix="")


def make_store(
    moto: MotoServer, clock: FakeClock, naming: SecretNaming = NAMING
) -> SsmParameterStore:
    return SsmParameterStore(
        naming, moto.ssm(), clock=clock.now, sleep=clock.sleep, rng=random.Random(7)
    )


def put(moto: MotoServer, name: str, value: str, kind: str = "SecureString") -> None:
    moto.ssm().put_parameter(Name=name, Value=value, Type=kind, Overwrite=True)  # type: ignore[arg-type]


def test_reads_secure_strings_instance_then_shared(moto: MotoServer, clock: FakeClock) -> None:
    put(moto, "PSOXY_SALT", "salt")
    put(moto, "PSOXY_CONFLUENCE_CLOUD_REFRESH_TOKEN", "rt-1")
    store = make_store(moto, clock)

    assert store.get("PSOXY_SALT") == Secret("salt")
    assert store.get("REFRESH_TOKEN") == Secret("rt-1")


def test_fill_me_is_unset(moto: MotoServer, clock: FakeClock) -> None:
    put(moto, "PSOXY_CONFLUENCE_CLOUD_REFRESH_TOKEN", "fill me")

    assert make_store(moto, clock).get("REFRESH_TOKEN") is None


def test_missing_parameter_is_named(moto: MotoServer, clock: FakeClock) -> None:
    with pytest.raises(MissingSecretError) as error:
        make_store(moto, clock).require("CLIENT_SECRET")

    assert error.value.message == (
        "CLIENT_SECRET is not set: no value for PSOXY_CONFLUENCE_CLOUD_CLIENT_SECRET or "
        "CLIENT_SECRET in AWS SSM Parameter Store"
    )


def test_hierarchical_prefixes_get_a_leading_slash(moto: MotoServer, clock: FakeClock) -> None:
    put(moto, "/psoxy/PSOXY_SALT", "salt")
    naming = SecretNaming(instance_prefix="psoxy/CONFLUENCE_", shared_prefix="psoxy/")
    store = make_store(moto, clock, naming)

    assert store.get("PSOXY_SALT") == Secret("salt")
    store.put("REFRESH_TOKEN", "rt")
    parameter = moto.ssm().get_parameter(
        Name="/psoxy/CONFLUENCE_REFRESH_TOKEN", WithDecryption=True
    )
    assert parameter["Parameter"]["Value"] == "rt"


def test_put_creates_secure_string_versions(moto: MotoServer, clock: FakeClock) -> None:
    store = make_store(moto, clock)

    store.put("REFRESH_TOKEN", "rt-1")
    store.put("REFRESH_TOKEN", "rt-2")

    parameter = moto.ssm().get_parameter(
        Name="PSOXY_CONFLUENCE_CLOUD_REFRESH_TOKEN", WithDecryption=True
    )["Parameter"]
    assert (parameter["Type"], parameter["Value"], parameter["Version"]) == (
        "SecureString",
        "rt-2",
        2,
    )


def test_versions_read_every_history_page_newest_first(moto: MotoServer, clock: FakeClock) -> None:
    store = make_store(moto, clock)
    put(moto, "PSOXY_CONFLUENCE_CLOUD_ACCESS_TOKEN", "fill me")
    for n in range(2, 61):
        store.put("ACCESS_TOKEN", f"token-{n}")

    versions = store.versions("ACCESS_TOKEN", limit=5)

    assert [(v.version, v.value.reveal()) for v in versions] == [
        (str(n), f"token-{n}") for n in range(60, 55, -1)
    ]
    assert all(v.created_at is not None for v in versions)


def test_versions_of_a_missing_parameter_are_empty(moto: MotoServer, clock: FakeClock) -> None:
    assert make_store(moto, clock).versions("ACCESS_TOKEN") == []


def test_unreachable_ssm_is_a_transient_store_error(clock: FakeClock) -> None:
    import boto3

    client = boto3.client(
        "ssm",
        endpoint_url="http://127.0.0.1:9",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=botocore.config.Config(retries={"max_attempts": 1}, connect_timeout=0.5),
    )
    store = SsmParameterStore(NAMING, client, clock=clock.now, sleep=clock.sleep)

    with pytest.raises(ConfigStoreUnavailable) as error:
        store.get("REFRESH_TOKEN")

    assert error.value.message == (
        "SSM read of PSOXY_CONFLUENCE_CLOUD_REFRESH_TOKEN failed (EndpointConnectionError)"
    )
    assert clock.sleeps == [0.5, 0.5]


# ---------------------------------------------------------------------------- the lock
LOCK_NAME = "PSOXY_CONFLUENCE_CLOUD_OAUTH_REFRESH_TOKEN_lock"


def lock_value(moto: MotoServer) -> str | None:
    try:
        return moto.ssm().get_parameter(Name=LOCK_NAME)["Parameter"]["Value"]
    except moto.ssm().exceptions.ParameterNotFound:
        return None


def test_lock_is_put_if_absent_and_owner_checked(moto: MotoServer, clock: FakeClock) -> None:
    first = make_store(moto, clock).lock("OAUTH_REFRESH_TOKEN")
    second = make_store(moto, clock).lock("OAUTH_REFRESH_TOKEN")

    lease = first.try_acquire()

    assert lease is not None
    assert first.name == LOCK_NAME
    assert lock_value(moto) == lease.owner
    assert re.fullmatch(r"locked_1760000000000_[0-9a-f]{32}", lease.owner)
    assert second.try_acquire() is None
    assert 0.1 <= clock.sleeps[0] < 0.3  # the read-back wait
    first.release(lease)
    assert lock_value(moto) is None
    assert second.try_acquire() is not None


def test_release_never_deletes_someone_elses_lock(moto: MotoServer, clock: FakeClock) -> None:
    lock = make_store(moto, clock).lock("OAUTH_REFRESH_TOKEN")
    lease = lock.try_acquire()
    assert lease is not None
    moto.ssm().put_parameter(Name=LOCK_NAME, Value="locked_1_other", Type="String", Overwrite=True)

    lock.release(lease)

    assert lock_value(moto) == "locked_1_other"


def test_a_stale_lock_is_removed_then_taken(moto: MotoServer) -> None:
    moto.ssm().put_parameter(Name=LOCK_NAME, Value="locked_1_dead", Type="String")
    clock = FakeClock(start=datetime.now(UTC).timestamp())
    lock = make_store(moto, clock).lock("OAUTH_REFRESH_TOKEN")

    assert lock.try_acquire() is None  # fresh: held
    assert lock_value(moto) == "locked_1_dead"

    clock.advance(121)
    assert lock.try_acquire() is None  # stale: removed, the next attempt may take it
    assert lock_value(moto) is None
    lease = lock.try_acquire()
    assert lease is not None
    assert lock_value(moto) == lease.owner


def outage_store(moto: MotoServer, clock: FakeClock, failures: int) -> SsmParameterStore:
    client = DeleteOutage(moto.ssm(), failures=failures)
    return SsmParameterStore(
        NAMING,
        client,  # type: ignore[arg-type]
        clock=clock.now,
        sleep=clock.sleep,
        rng=random.Random(7),
    )


def test_the_lock_value_names_its_owner_instance(moto: MotoServer, clock: FakeClock) -> None:
    lock = make_store(moto, clock).lock("OAUTH_REFRESH_TOKEN")
    first = lock.try_acquire()
    assert first is not None
    assert lock.release(first) is True
    clock.advance(5)
    second = lock.try_acquire()
    assert second is not None
    assert first.owner.rsplit("_", 1)[1] == second.owner.rsplit("_", 1)[1]
    assert first.owner != second.owner
    other = make_store(moto, clock).lock("OAUTH_REFRESH_TOKEN")
    assert lock.release(second) is True
    third = other.try_acquire()
    assert third is not None
    assert third.owner.rsplit("_", 1)[1] != first.owner.rsplit("_", 1)[1]


def test_after_a_failed_release_the_owner_takes_its_lock_back_others_wait(
    moto: MotoServer, clock: FakeClock
) -> None:
    lock = outage_store(moto, clock, failures=1).lock("OAUTH_REFRESH_TOKEN")
    other = make_store(moto, clock).lock("OAUTH_REFRESH_TOKEN")
    lease = lock.try_acquire()
    assert lease is not None

    assert lock.release(lease) is False  # the store is out: the lock stays behind
    assert lock_value(moto) == lease.owner

    assert other.try_acquire() is None  # another instance waits for the 120 s lifetime
    again = lock.try_acquire()  # the owner does not
    assert again is not None
    assert lock_value(moto) == again.owner
    assert lock.release(again) is True
    assert lock_value(moto) is None


def test_a_live_lease_is_never_taken_back(moto: MotoServer, clock: FakeClock) -> None:
    lock = make_store(moto, clock).lock("OAUTH_REFRESH_TOKEN")
    lease = lock.try_acquire()
    assert lease is not None
    assert lock.try_acquire() is None  # held by this very instance, not released: still held
    assert lock_value(moto) == lease.owner
