"""The refresh-token flow of one or two instances over a real local secrets file and the
simulator's token endpoint, on a fake clock."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from proxy.auth import SourceAuth, UpstreamCredentials, build_source_auth
from proxy.errors import MissingSecretError, RefreshTokenRevoked, SourceAuthBusy, SourceAuthError
from proxy.simulator import AtlassianSimulator, SimResponse
from support.auth_backends import PREFIX
from support.auth_rig import FlakyStore, auth_settings
from support.fake_clock import FakeClock
from support.oauth_setup import CLIENT_ID, started_simulator

T0 = FakeClock().now()
AuthFactory = Callable[..., SourceAuth]


def stored(path: Path, name: str) -> str:
    return str(json.loads(path.read_text())[PREFIX + name])


def bearer(creds: UpstreamCredentials) -> str:
    scheme, _, token = creds.headers["Authorization"].partition(" ")
    assert scheme == "Bearer"
    return token


def initial_refresh_token(path: Path) -> str:
    return stored(path, "REFRESH_TOKEN")


def test_first_call_refreshes_once_and_persists_everything(
    make_auth: AuthFactory,
    store: FlakyStore,
    simulator: AtlassianSimulator,
    secrets_path: Path,
    clock: FakeClock,
) -> None:
    first_refresh_token = initial_refresh_token(secrets_path)
    auth = make_auth(store)

    creds = auth.credentials()

    access = bearer(creds)
    assert simulator.oauth.access_token_valid(access)
    assert simulator.oauth.token_exchanges == 1
    assert stored(secrets_path, "REFRESH_TOKEN") == simulator.oauth.family_head(first_refresh_token)
    assert stored(secrets_path, "REFRESH_TOKEN") != first_refresh_token
    assert stored(secrets_path, "ACCESS_TOKEN") == json.dumps(
        {"token": access, "expirationDate": int((T0 + 3600) * 1000)}, separators=(",", ":")
    )
    assert store.write_attempts == [PREFIX + "REFRESH_TOKEN", PREFIX + "ACCESS_TOKEN"]
    assert clock.sleeps == [0.0]  # no propagation allowance: this store is consistent
    assert creds.token_id.startswith("sha256:") and access not in repr(creds)


def test_the_token_is_reused_in_memory(
    make_auth: AuthFactory,
    store: FlakyStore,
    simulator: AtlassianSimulator,
    clock: FakeClock,
) -> None:
    auth = make_auth(store)
    first = auth.credentials()
    clock.advance(1800)

    second = auth.credentials()

    assert second == first
    assert simulator.oauth.token_exchanges == 1


def test_a_cold_instance_uses_the_shared_token(
    make_auth: AuthFactory,
    store: FlakyStore,
    secrets_path: Path,
    simulator: AtlassianSimulator,
    clock: FakeClock,
) -> None:
    first = make_auth(store).credentials()

    cold = make_auth(FlakyStore(secrets_path, clock)).credentials()

    assert cold == first
    assert simulator.oauth.token_exchanges == 1


def test_a_token_in_its_last_minute_is_refreshed(
    make_auth: AuthFactory,
    store: FlakyStore,
    simulator: AtlassianSimulator,
    clock: FakeClock,
) -> None:
    auth = make_auth(store)
    first = auth.credentials()
    clock.advance(3600 - 59)

    second = auth.credentials()

    assert second != first
    assert simulator.oauth.token_exchanges == 2


def test_after_a_401_the_rejected_token_is_never_served_again(
    make_auth: AuthFactory,
    store: FlakyStore,
    secrets_path: Path,
    simulator: AtlassianSimulator,
    clock: FakeClock,
) -> None:
    shared = make_auth(store).credentials()
    instance = make_auth(FlakyStore(secrets_path, clock))
    creds = instance.credentials()
    assert creds == shared  # picked up from the shared copy
    simulator.oauth.revoke_access_token(bearer(creds))

    instance.rejected(creds)
    fresh = instance.credentials()

    assert fresh.token_id != creds.token_id
    assert simulator.oauth.access_token_valid(bearer(fresh))
    assert simulator.oauth.token_exchanges == 2
    assert instance.credentials() == fresh


def test_invalid_grant_is_surfaced_and_not_retried(
    make_auth: AuthFactory, store: FlakyStore, simulator: AtlassianSimulator
) -> None:
    store.put("REFRESH_TOKEN", "revoked-by-atlassian")
    auth = make_auth(store)

    with pytest.raises(RefreshTokenRevoked) as error:
        auth.credentials()

    assert (error.value.status, error.value.code) == (500, "SOURCE_AUTH_INVALID_GRANT")
    assert error.value.message == (
        "the Atlassian refresh token was rejected (invalid_grant): its token family is revoked "
        "or expired. Re-run the OAuth setup (`proxy setup confluence`) and store the new refresh "
        "token in PSOXY_CONFLUENCE_CLOUD_REFRESH_TOKEN"
    )
    with pytest.raises(RefreshTokenRevoked):
        auth.credentials()
    assert simulator.oauth.token_exchanges == 1
    health = auth.health()
    assert health["lastRefreshError"] == "invalid_grant"
    assert health["warningMessages"] == [
        "The Atlassian refresh token was rejected (invalid_grant): re-run the OAuth setup "
        "(`proxy setup confluence`) and store the new refresh token in "
        "PSOXY_CONFLUENCE_CLOUD_REFRESH_TOKEN."
    ]

    store.put("REFRESH_TOKEN", simulator.oauth.issue_refresh_token(CLIENT_ID))  # re-consented
    assert simulator.oauth.access_token_valid(bearer(auth.credentials()))
    assert auth.health()["lastRefreshError"] is None


def test_fill_me_refresh_token_is_missing_and_named(
    make_auth: AuthFactory,
    store: FlakyStore,
    secrets_path: Path,
    simulator: AtlassianSimulator,
) -> None:
    store.put("REFRESH_TOKEN", "fill me")
    auth = make_auth(store)

    with pytest.raises(MissingSecretError) as error:
        auth.credentials()

    assert error.value.message == (
        "REFRESH_TOKEN is not set: no value for PSOXY_CONFLUENCE_CLOUD_REFRESH_TOKEN or "
        f"REFRESH_TOKEN in local secrets file {secrets_path}"
    )
    assert simulator.oauth.token_exchanges == 0
    health = auth.health()
    assert health["refreshTokenPresent"] is False
    assert health["missingConfigProperties"] == ["REFRESH_TOKEN"]


def test_missing_client_secret_is_named(
    make_auth: AuthFactory, store: FlakyStore, secrets_path: Path
) -> None:
    content = json.loads(secrets_path.read_text())
    del content[PREFIX + "CLIENT_SECRET"]
    secrets_path.write_text(json.dumps(content))

    with pytest.raises(MissingSecretError, match="CLIENT_SECRET is not set: no value for PSOXY_"):
        make_auth(store).credentials()


def test_healthy_facts_never_hold_values(make_auth: AuthFactory, store: FlakyStore) -> None:
    auth = make_auth(store)
    creds = auth.credentials()

    health = auth.health()

    assert health == {
        "strategy": "oauth2_refresh_token",
        "refreshTokenPresent": True,
        "lastRotation": "2025-10-09T08:53:20Z",
        "lastRefreshError": None,
        "rotatedRefreshTokenUnsaved": False,
        "tokenFamilyGrantedAt": None,  # the seed has no REFRESH_TOKEN_GRANTED_AT
        "tokenFamilyExpiresAt": None,
        "lastRefreshAt": "2025-10-09T08:53:20Z",  # this instance's refresh (local file: no times)
        "missingConfigProperties": [],
        "warningMessages": [],
    }
    assert bearer(creds) not in json.dumps(health)


def test_a_rotated_token_that_cannot_be_written_is_kept_and_saved_later(
    make_auth: AuthFactory,
    store: FlakyStore,
    secrets_path: Path,
    simulator: AtlassianSimulator,
    clock: FakeClock,
) -> None:
    original = initial_refresh_token(secrets_path)
    store.failing.add("REFRESH_TOKEN")
    auth = make_auth(store)

    creds = auth.credentials()

    assert simulator.oauth.access_token_valid(bearer(creds))
    assert stored(secrets_path, "REFRESH_TOKEN") == original
    assert clock.sleeps[:2] == [0.15, 0.15]
    assert store.write_attempts.count(PREFIX + "REFRESH_TOKEN") == 3
    health = auth.health()
    assert health["rotatedRefreshTokenUnsaved"] is True
    assert health["refreshTokenPresent"] is True
    assert health["warningMessages"] == [
        "A rotated refresh token could not be saved to PSOXY_CONFLUENCE_CLOUD_REFRESH_TOKEN; it "
        "is kept in memory and retried on every request. Fix write access to the secret store."
    ]

    auth.credentials()  # still failing: retried once more, still pending
    assert store.write_attempts.count(PREFIX + "REFRESH_TOKEN") == 4

    store.failing.clear()
    assert auth.credentials() == creds
    assert stored(secrets_path, "REFRESH_TOKEN") == simulator.oauth.family_head(original)
    assert auth.health()["rotatedRefreshTokenUnsaved"] is False


def test_an_unsaved_rotated_token_is_the_one_used_for_the_next_exchange(
    make_auth: AuthFactory,
    store: FlakyStore,
    secrets_path: Path,
    simulator: AtlassianSimulator,
    clock: FakeClock,
) -> None:
    original = initial_refresh_token(secrets_path)
    store.failing.add("REFRESH_TOKEN")
    auth = make_auth(store)
    auth.credentials()
    clock.advance(3600 + 700)  # past expiry and past the reuse leeway of the old token

    auth.credentials()
    store.failing.clear()
    auth.credentials()

    assert simulator.oauth.token_exchanges == 2
    assert not simulator.oauth.is_family_revoked(original)
    assert stored(secrets_path, "REFRESH_TOKEN") == simulator.oauth.family_head(original)


def test_lock_contention_ends_in_503_with_retry_after(
    make_auth: AuthFactory,
    store: FlakyStore,
    simulator: AtlassianSimulator,
    clock: FakeClock,
) -> None:
    other_instance = store.lock("OAUTH_REFRESH_TOKEN").try_acquire()
    assert other_instance is not None

    with pytest.raises(SourceAuthBusy) as error:
        make_auth(store).credentials()

    assert (error.value.status, error.value.code) == (503, "SOURCE_AUTH_LOCK_CONTENTION")
    assert error.value.retry_after_seconds == 30
    first, second, third = clock.sleeps
    assert 4 <= first < 4.25 and 8 <= second < 8.5 and 12 <= third < 12.75
    assert simulator.oauth.token_exchanges == 0


def test_a_waiter_takes_the_token_another_instance_refreshed(
    store: FlakyStore,
    secrets_path: Path,
    simulator: AtlassianSimulator,
    http: httpx.Client,
    clock: FakeClock,
) -> None:
    holder_lock = store.lock("OAUTH_REFRESH_TOKEN")
    held = holder_lock.try_acquire()
    assert held is not None
    holder = build_source_auth(
        auth_settings(simulator.token_url),
        FlakyStore(secrets_path, clock),
        http,
        clock=clock.now,
        sleep=lambda s: None,
    )

    def sleep_while_the_other_instance_refreshes(seconds: float) -> None:
        holder_lock.release(held)
        holder.credentials()  # the other instance refreshes and shares its token

    waiter = build_source_auth(
        auth_settings(simulator.token_url),
        store,
        http,
        clock=clock.now,
        sleep=sleep_while_the_other_instance_refreshes,
        rng=random.Random(3),
    )

    assert waiter.credentials() == holder.credentials()
    assert simulator.oauth.token_exchanges == 1


def test_the_lock_is_released_when_the_exchange_fails(
    make_auth: AuthFactory, store: FlakyStore, simulator: AtlassianSimulator
) -> None:
    simulator.routes.add("POST", r"/oauth/token", lambda r: SimResponse.json(500, {}), first=True)

    with pytest.raises(SourceAuthError) as error:
        make_auth(store).credentials()

    assert error.value.message == (
        "could not refresh the Atlassian access token: token endpoint answered 500 (http_500)"
    )
    lease = store.lock("OAUTH_REFRESH_TOKEN").try_acquire()
    assert lease is not None


def test_a_failed_proactive_refresh_keeps_serving_the_unexpired_token(
    make_auth: AuthFactory,
    store: FlakyStore,
    simulator: AtlassianSimulator,
    clock: FakeClock,
) -> None:
    auth = make_auth(store)
    first = auth.credentials()
    clock.advance(3600 - 30)
    simulator.routes.add("POST", r"/oauth/token", lambda r: SimResponse.json(503, {}), first=True)

    assert auth.credentials() == first
    assert auth.health()["lastRefreshError"] == "http_503"

    clock.advance(30)
    with pytest.raises(SourceAuthError):
        auth.credentials()


def test_without_rotation_the_stored_refresh_token_stays(
    make_auth: AuthFactory,
    store: FlakyStore,
    secrets_path: Path,
    clock: FakeClock,
    http: httpx.Client,
) -> None:
    simulator = started_simulator(clock.now, rotate_refresh_tokens=False)
    try:
        original = simulator.oauth.issue_refresh_token(CLIENT_ID)
        store.put("REFRESH_TOKEN", original)
        auth = build_source_auth(
            auth_settings(simulator.token_url), store, http, clock=clock.now, sleep=clock.sleep
        )

        auth.credentials()

        assert stored(secrets_path, "REFRESH_TOKEN") == original
        assert auth.health()["lastRotation"] is None
    finally:
        simulator.stop()


def test_without_shared_token_nothing_is_shared_but_the_lock_is_still_used(
    make_auth: AuthFactory, store: FlakyStore, secrets_path: Path, clock: FakeClock
) -> None:
    expired = stored(secrets_path, "ACCESS_TOKEN")

    make_auth(store, use_shared_token=False).credentials()

    assert stored(secrets_path, "ACCESS_TOKEN") == expired
    assert Path(f"{secrets_path}.{PREFIX}OAUTH_REFRESH_TOKEN.lock").exists()
    assert store.write_attempts == [PREFIX + "REFRESH_TOKEN"]


def test_source_auth_satisfies_the_protocol(make_auth: AuthFactory, store: FlakyStore) -> None:
    assert isinstance(make_auth(store), SourceAuth)
