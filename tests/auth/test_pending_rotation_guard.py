"""An unsaved rotated refresh token never overwrites a newer one written meanwhile.

The scenario: this instance rotates the refresh token but the store refuses the write, so it
keeps the rotated token in memory (pending) and retries the write on every request. Meanwhile
someone else writes the store: an operator who re-ran the OAuth setup, or another instance that
rotated the same token. When the store accepts writes again, the pending write must give way:
the store keeps the newer token, and this instance carries on with it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from proxy.auth import SourceAuth
from proxy.auth._token_endpoint import TokenEndpoint, TokenFailure
from proxy.errors import RefreshTokenRevoked
from proxy.secret_value import Secret
from proxy.simulator import AtlassianSimulator
from support.auth_backends import LocalFileBackend
from support.auth_rig import FlakyStore
from support.fake_clock import FakeClock
from support.oauth_setup import CLIENT_ID, CLIENT_SECRET

AuthFactory = Callable[..., SourceAuth]


def test_a_token_the_operator_stored_meanwhile_is_not_overwritten(
    make_auth: AuthFactory,
    store: FlakyStore,
    secrets_path: Path,
    simulator: AtlassianSimulator,
    clock: FakeClock,
) -> None:
    backend = LocalFileBackend(secrets_path)
    original = backend.read("REFRESH_TOKEN")
    store.failing.add("REFRESH_TOKEN")
    auth = make_auth(store)
    auth.credentials()  # rotates; the write fails: the rotated token is pending
    assert auth.health()["rotatedRefreshTokenUnsaved"] is True
    assert backend.read("REFRESH_TOKEN") == original

    reconsented = simulator.oauth.issue_refresh_token(CLIENT_ID)  # the operator re-ran setup
    FlakyStore(secrets_path, clock).put("REFRESH_TOKEN", reconsented)
    store.failing.clear()
    auth.credentials()  # the pending write is retried here

    assert backend.read("REFRESH_TOKEN") == reconsented
    assert auth.health()["rotatedRefreshTokenUnsaved"] is False
    clock.advance(3600 + 700)  # the next refresh exchanges the operator's token
    auth.credentials()
    assert backend.read("REFRESH_TOKEN") == simulator.oauth.family_head(reconsented)
    assert backend.read("REFRESH_TOKEN") != reconsented


def test_a_token_another_instance_rotated_meanwhile_is_not_overwritten(
    make_auth: AuthFactory,
    store: FlakyStore,
    secrets_path: Path,
    simulator: AtlassianSimulator,
    clock: FakeClock,
) -> None:
    backend = LocalFileBackend(secrets_path)
    original = backend.read("REFRESH_TOKEN")
    assert original is not None
    store.failing.update({"REFRESH_TOKEN", "ACCESS_TOKEN"})  # nothing this instance writes lands
    first = make_auth(store)
    first.credentials()  # rotated to a token only `first` knows
    assert backend.read("REFRESH_TOKEN") == original

    second = make_auth(FlakyStore(secrets_path, clock), seed=1)
    second.credentials()  # finds no shared token, rotates the stored one and saves its sibling
    newest = simulator.oauth.family_head(original)
    assert backend.read("REFRESH_TOKEN") == newest
    store.failing.clear()
    first.credentials()  # the pending write is retried here

    assert backend.read("REFRESH_TOKEN") == newest
    assert first.health()["rotatedRefreshTokenUnsaved"] is False
    assert simulator.oauth.token_exchanges == 2
    assert not simulator.oauth.is_family_revoked(original)


def test_a_pending_token_atlassian_revoked_gives_way_to_the_operators_new_one(
    *,
    make_auth: AuthFactory,
    store: FlakyStore,
    secrets_path: Path,
    simulator: AtlassianSimulator,
    http: httpx.Client,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    backend = LocalFileBackend(secrets_path)
    original = backend.read("REFRESH_TOKEN") or ""
    store.failing.add("REFRESH_TOKEN")
    auth = make_auth(store)
    auth.credentials()  # rotated; the rotated token is pending
    clock.advance(700)  # someone replays the used token after the reuse leeway:
    replay = TokenEndpoint(simulator.token_url, http).refresh(
        Secret(original), CLIENT_ID, Secret(CLIENT_SECRET)
    )
    assert isinstance(replay, TokenFailure) and simulator.oauth.is_family_revoked(original)
    clock.advance(3600)

    with pytest.raises(RefreshTokenRevoked):
        auth.credentials()  # exchanging the pending token: invalid_grant

    assert auth.health()["rotatedRefreshTokenUnsaved"] is False
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR][-1] == (
        "token endpoint answered invalid_grant: the Atlassian refresh token was rejected "
        "(invalid_grant): its token family is revoked or expired. Re-run the OAuth setup "
        "(`proxy setup confluence`) and store the new refresh token in "
        "PSOXY_CONFLUENCE_CLOUD_REFRESH_TOKEN"
    )
    store.failing.clear()
    reconsented = simulator.oauth.issue_refresh_token(CLIENT_ID)
    FlakyStore(secrets_path, clock).put("REFRESH_TOKEN", reconsented)
    creds = auth.credentials()
    assert simulator.oauth.access_token_valid(creds.headers["Authorization"].split(" ")[1])
    assert backend.read("REFRESH_TOKEN") == simulator.oauth.family_head(reconsented)
