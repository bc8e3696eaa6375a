"""The Secrets Manager store against a real moto server over HTTP (lock in SSM)."""

from __future__ import annotations

import pytest

from proxy.config import SecretNaming
from proxy.config.stores._aws_secrets_manager import SecretsManagerStore
from proxy.errors import MissingSecretError
from proxy.secret_value import Secret
from support.fake_clock import FakeClock
from support.moto_server import MotoServer

NAMING = SecretNaming(instance_prefix="PSOXY_CONFLUENCE_CLOUD_", shared_prefix="")


def make_store(moto: MotoServer, clock: FakeClock) -> SecretsManagerStore:
    return SecretsManagerStore(
        NAMING, moto.secrets_manager(), ssm_client=moto.ssm(), clock=clock.now, sleep=clock.sleep
    )


def test_reads_instance_then_shared(moto: MotoServer, clock: FakeClock) -> None:
    sm = moto.secrets_manager()
    sm.create_secret(Name="PSOXY_SALT", SecretString="salt")
    sm.create_secret(Name="PSOXY_CONFLUENCE_CLOUD_CLIENT_SECRET", SecretString="cs")
    store = make_store(moto, clock)

    assert store.get("PSOXY_SALT") == Secret("salt")
    assert store.get("CLIENT_SECRET") == Secret("cs")


def test_fill_me_and_missing_are_unset(moto: MotoServer, clock: FakeClock) -> None:
    moto.secrets_manager().create_secret(
        Name="PSOXY_CONFLUENCE_CLOUD_REFRESH_TOKEN", SecretString="fill me"
    )
    store = make_store(moto, clock)

    assert store.get("REFRESH_TOKEN") is None
    with pytest.raises(MissingSecretError) as error:
        store.require("CLIENT_SECRET")
    assert error.value.message == (
        "CLIENT_SECRET is not set: no value for PSOXY_CONFLUENCE_CLOUD_CLIENT_SECRET or "
        "CLIENT_SECRET in AWS Secrets Manager"
    )


def test_put_creates_then_rotates_the_current_version(moto: MotoServer, clock: FakeClock) -> None:
    store = make_store(moto, clock)

    store.put("REFRESH_TOKEN", "rt-1")
    store.put("REFRESH_TOKEN", "rt-2")

    sm = moto.secrets_manager()
    assert sm.get_secret_value(SecretId="PSOXY_CONFLUENCE_CLOUD_REFRESH_TOKEN")["SecretString"] == (
        "rt-2"
    )
    assert (
        sm.get_secret_value(
            SecretId="PSOXY_CONFLUENCE_CLOUD_REFRESH_TOKEN", VersionStage="AWSPREVIOUS"
        )["SecretString"]
        == "rt-1"
    )


def test_versions_are_current_and_previous_newest_first(moto: MotoServer, clock: FakeClock) -> None:
    store = make_store(moto, clock)
    for n in range(1, 5):
        clock.advance(1)
        store.put("ACCESS_TOKEN", f"token-{n}")

    versions = store.versions("ACCESS_TOKEN")

    assert [v.value.reveal() for v in versions] == ["token-4", "token-3"]


def test_versions_of_a_missing_secret_are_empty(moto: MotoServer, clock: FakeClock) -> None:
    assert make_store(moto, clock).versions("ACCESS_TOKEN") == []


def test_the_refresh_lock_lives_in_ssm(moto: MotoServer, clock: FakeClock) -> None:
    lock = make_store(moto, clock).lock("OAUTH_REFRESH_TOKEN")

    lease = lock.try_acquire()

    assert lease is not None
    assert lock.name == "PSOXY_CONFLUENCE_CLOUD_OAUTH_REFRESH_TOKEN_lock"
    stored = moto.ssm().get_parameter(Name=lock.name)["Parameter"]["Value"]
    assert stored == lease.owner
    lock.release(lease)
