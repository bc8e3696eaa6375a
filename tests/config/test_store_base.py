"""The caching and error policy every store inherits, over a scripted in-memory backend."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from proxy.config import SecretNaming
from proxy.config.locks import DistributedLock, ThreadLock
from proxy.config.stores import SecretStore, StoredVersion
from proxy.errors import ConfigStoreUnavailable, MissingSecretError
from proxy.secret_value import Secret
from support.fake_clock import FakeClock

NAMING = SecretNaming(instance_prefix="PSOXY_CONFLUENCE_CLOUD_", shared_prefix="SHARED_")


class ScriptedStore(SecretStore):
    """Backend whose values and failures the test sets; counts reads per key."""

    description = "scripted store"

    def __init__(self, clock: FakeClock) -> None:
        super().__init__(NAMING, clock=clock.now, sleep=clock.sleep)
        self.values: dict[str, str] = {}
        self.failures: dict[str, int] = {}
        self.reads: list[str] = []
        self.history: dict[str, list[str]] = {}

    def _read(self, key: str) -> str | None:
        self.reads.append(key)
        if self.failures.get(key, 0) > 0:
            self.failures[key] -= 1
            raise ConfigStoreUnavailable(f"{key} unavailable")
        return self.values.get(key)

    def _write(self, key: str, value: str) -> None:
        self.values[key] = value
        self.history.setdefault(key, []).append(value)

    def _versions(self, key: str, limit: int) -> Sequence[StoredVersion]:
        values = self.history.get(key, [])
        return [StoredVersion(version=str(i + 1), value=Secret(v)) for i, v in enumerate(values)][
            ::-1
        ]

    def _lock(self, key: str, ttl_seconds: float) -> DistributedLock:
        return ThreadLock(key, clock=lambda: 0.0)


@pytest.fixture
def store(clock: FakeClock) -> ScriptedStore:
    return ScriptedStore(clock)


def test_instance_value_wins_over_shared(store: ScriptedStore) -> None:
    store.values["PSOXY_CONFLUENCE_CLOUD_PSOXY_SALT"] = "instance"
    store.values["SHARED_PSOXY_SALT"] = "shared"

    assert store.get("PSOXY_SALT") == Secret("instance")


def test_shared_value_is_the_fallback(store: ScriptedStore) -> None:
    store.values["SHARED_PSOXY_SALT"] = "shared"

    assert store.get("PSOXY_SALT") == Secret("shared")
    assert store.reads == ["PSOXY_CONFLUENCE_CLOUD_PSOXY_SALT", "SHARED_PSOXY_SALT"]


def test_instance_values_are_cached_for_five_minutes(
    store: ScriptedStore, clock: FakeClock
) -> None:
    store.values["PSOXY_CONFLUENCE_CLOUD_CLIENT_ID"] = "one"
    assert store.get("CLIENT_ID") == Secret("one")
    store.values["PSOXY_CONFLUENCE_CLOUD_CLIENT_ID"] = "two"

    clock.advance(299)
    assert store.get("CLIENT_ID") == Secret("one")
    clock.advance(1)
    assert store.get("CLIENT_ID") == Secret("two")
    assert store.reads == ["PSOXY_CONFLUENCE_CLOUD_CLIENT_ID"] * 2


def test_shared_values_are_cached_for_twenty_minutes(
    store: ScriptedStore, clock: FakeClock
) -> None:
    store.values["SHARED_PSOXY_SALT"] = "one"
    assert store.get("PSOXY_SALT") == Secret("one")
    store.values["SHARED_PSOXY_SALT"] = "two"

    clock.advance(1199)
    assert store.get("PSOXY_SALT") == Secret("one")
    clock.advance(1)
    assert store.get("PSOXY_SALT") == Secret("two")


def test_absent_values_are_cached_too(store: ScriptedStore, clock: FakeClock) -> None:
    assert store.get("CLIENT_ID") is None
    store.values["PSOXY_CONFLUENCE_CLOUD_CLIENT_ID"] = "late"
    assert store.get("CLIENT_ID") is None
    assert len(store.reads) == 2  # instance + shared, once

    clock.advance(1200)
    assert store.get("CLIENT_ID") == Secret("late")


@pytest.mark.parametrize("placeholder", ["fill me", " fill me\n", "placeholder value - fill me"])
def test_fill_me_is_unset(store: ScriptedStore, placeholder: str) -> None:
    store.values["PSOXY_CONFLUENCE_CLOUD_REFRESH_TOKEN"] = placeholder

    assert store.get("REFRESH_TOKEN") is None
    with pytest.raises(MissingSecretError):
        store.require("REFRESH_TOKEN")


def test_missing_secret_is_named(store: ScriptedStore) -> None:
    with pytest.raises(MissingSecretError) as error:
        store.require("CLIENT_SECRET")

    assert error.value.message == (
        "CLIENT_SECRET is not set: no value for PSOXY_CONFLUENCE_CLOUD_CLIENT_SECRET or "
        "SHARED_CLIENT_SECRET in scripted store"
    )
    assert error.value.code == "CONFIGURATION_FAILURE"


def test_first_read_retries_transient_errors(store: ScriptedStore, clock: FakeClock) -> None:
    store.values["PSOXY_CONFLUENCE_CLOUD_CLIENT_ID"] = "id"
    store.failures["PSOXY_CONFLUENCE_CLOUD_CLIENT_ID"] = 2

    assert store.get("CLIENT_ID") == Secret("id")
    assert clock.sleeps == [0.5, 0.5]


def test_first_read_gives_up_after_three_attempts(store: ScriptedStore) -> None:
    store.failures["PSOXY_CONFLUENCE_CLOUD_CLIENT_ID"] = 3

    with pytest.raises(ConfigStoreUnavailable) as error:
        store.get("CLIENT_ID")

    assert error.value.status == 503
    assert store.reads == ["PSOXY_CONFLUENCE_CLOUD_CLIENT_ID"] * 3


def test_transient_errors_keep_the_last_good_value(store: ScriptedStore, clock: FakeClock) -> None:
    store.values["PSOXY_CONFLUENCE_CLOUD_CLIENT_ID"] = "good"
    assert store.get("CLIENT_ID") == Secret("good")
    clock.advance(300)
    store.failures["PSOXY_CONFLUENCE_CLOUD_CLIENT_ID"] = 3

    assert store.get("CLIENT_ID") == Secret("good")
    reads = len(store.reads)
    clock.advance(299)  # the kept value counts as fresh again
    assert store.get("CLIENT_ID") == Secret("good")
    assert len(store.reads) == reads


def test_a_value_that_reads_back_empty_is_kept(store: ScriptedStore, clock: FakeClock) -> None:
    store.values["PSOXY_CONFLUENCE_CLOUD_CLIENT_ID"] = "good"
    store.get("CLIENT_ID")
    del store.values["PSOXY_CONFLUENCE_CLOUD_CLIENT_ID"]
    clock.advance(300)

    assert store.get("CLIENT_ID") == Secret("good")


def test_get_fresh_bypasses_the_cache_and_refreshes_it(store: ScriptedStore) -> None:
    store.values["PSOXY_CONFLUENCE_CLOUD_REFRESH_TOKEN"] = "old"
    store.get("REFRESH_TOKEN")
    store.values["PSOXY_CONFLUENCE_CLOUD_REFRESH_TOKEN"] = "new"

    assert store.get_fresh("REFRESH_TOKEN") == Secret("new")
    assert store.get("REFRESH_TOKEN") == Secret("new")


def test_get_fresh_does_not_hide_transient_errors(store: ScriptedStore) -> None:
    store.values["PSOXY_CONFLUENCE_CLOUD_REFRESH_TOKEN"] = "old"
    store.get("REFRESH_TOKEN")
    store.failures["PSOXY_CONFLUENCE_CLOUD_REFRESH_TOKEN"] = 3

    with pytest.raises(ConfigStoreUnavailable):
        store.get_fresh("REFRESH_TOKEN")


def test_put_writes_the_instance_key_and_updates_the_cache(store: ScriptedStore) -> None:
    store.values["PSOXY_CONFLUENCE_CLOUD_REFRESH_TOKEN"] = "old"
    store.get("REFRESH_TOKEN")

    store.put("REFRESH_TOKEN", "new")

    assert store.values["PSOXY_CONFLUENCE_CLOUD_REFRESH_TOKEN"] == "new"
    reads = len(store.reads)
    assert store.get("REFRESH_TOKEN") == Secret("new")
    assert len(store.reads) == reads


def test_versions_are_newest_first_without_placeholders(store: ScriptedStore) -> None:
    for value in ["fill me", "a", "b", "c"]:
        store.put("ACCESS_TOKEN", value)

    versions = store.versions("ACCESS_TOKEN", limit=2)

    assert [(v.version, v.value.reveal()) for v in versions] == [("4", "c"), ("3", "b")]


def test_lock_is_named_in_the_instance_namespace(store: ScriptedStore) -> None:
    assert store.lock("OAUTH_REFRESH_TOKEN").name == "PSOXY_CONFLUENCE_CLOUD_OAUTH_REFRESH_TOKEN"


def test_forget_drops_cached_entries(store: ScriptedStore) -> None:
    store.values["PSOXY_CONFLUENCE_CLOUD_CLIENT_ID"] = "one"
    store.get("CLIENT_ID")
    store.values["PSOXY_CONFLUENCE_CLOUD_CLIENT_ID"] = "two"

    store.forget("CLIENT_ID")

    assert store.get("CLIENT_ID") == Secret("two")
