from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from proxy.auth import RefreshTokenSourceAuth, build_source_auth
from proxy.config import Settings
from proxy.errors import ConfigurationError, MissingSecretError
from proxy.simulator import AtlassianSimulator
from support.auth_backends import PREFIX
from support.auth_rig import FlakyStore
from support.fake_clock import FakeClock

BASE = {
    "SOURCE_AUTH_STRATEGY_IDENTIFIER": "oauth2_refresh_token",
    "GRANT_TYPE": "refresh_token",
    "REFRESH_ENDPOINT": "https://auth.atlassian.com/oauth/token",
}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {**BASE, "SOURCE_AUTH_STRATEGY_IDENTIFIER": ""},
            "SOURCE_AUTH_STRATEGY_IDENTIFIER is not set",
        ),
        (
            {**BASE, "SOURCE_AUTH_STRATEGY_IDENTIFIER": "basic_auth"},
            "SOURCE_AUTH_STRATEGY_IDENTIFIER='basic_auth' is not supported; "
            "use one of oauth2_refresh_token",
        ),
        (
            {**BASE, "GRANT_TYPE": "client_credentials"},
            "GRANT_TYPE must be 'refresh_token' for oauth2_refresh_token, got 'client_credentials'",
        ),
        (
            {**BASE, "REFRESH_ENDPOINT": "http://auth.atlassian.com/oauth/token"},
            "REFRESH_ENDPOINT must be an https:// URL (http only on localhost), "
            "got 'http://auth.atlassian.com/oauth/token'",
        ),
        (
            {**BASE, "TOKEN_RESPONSE_TYPE": "GITHUB_ACCESS_TOKEN"},
            "TOKEN_RESPONSE_TYPE='GITHUB_ACCESS_TOKEN' is not supported",
        ),
    ],
)
def test_unusable_configuration_is_refused_at_build_time(
    env: dict[str, str], message: str, store: FlakyStore, http: httpx.Client
) -> None:
    with pytest.raises(ConfigurationError) as error:
        build_source_auth(Settings.from_env(env), store, http)

    assert error.value.message == message


def test_builds_the_refresh_token_strategy(store: FlakyStore, http: httpx.Client) -> None:
    auth = build_source_auth(Settings.from_env(BASE), store, http)

    assert isinstance(auth, RefreshTokenSourceAuth)


def test_refresh_endpoint_and_client_id_may_come_from_the_store(
    store: FlakyStore,
    secrets_path: Path,
    simulator: AtlassianSimulator,
    http: httpx.Client,
    clock: FakeClock,
) -> None:
    content = json.loads(secrets_path.read_text())
    content[PREFIX + "REFRESH_ENDPOINT"] = simulator.token_url
    secrets_path.write_text(json.dumps(content))
    env = {k: v for k, v in BASE.items() if k != "REFRESH_ENDPOINT"}
    auth = build_source_auth(
        Settings.from_env(env), store, http, clock=clock.now, sleep=clock.sleep
    )

    creds = auth.credentials()

    assert simulator.oauth.access_token_valid(creds.headers["Authorization"][len("Bearer ") :])


def test_missing_refresh_endpoint_is_reported_not_fatal(
    store: FlakyStore, secrets_path: Path, http: httpx.Client
) -> None:
    env = {k: v for k, v in BASE.items() if k != "REFRESH_ENDPOINT"}
    auth = build_source_auth(Settings.from_env(env), store, http)

    assert auth.health()["missingConfigProperties"] == ["REFRESH_ENDPOINT"]
    with pytest.raises(MissingSecretError) as error:
        auth.credentials()
    assert error.value.message == (
        "REFRESH_ENDPOINT is not set (env var, or PSOXY_CONFLUENCE_CLOUD_REFRESH_ENDPOINT in "
        f"local secrets file {secrets_path})"
    )


def test_client_id_from_the_environment_wins(
    store: FlakyStore, simulator: AtlassianSimulator, http: httpx.Client, clock: FakeClock
) -> None:
    store.put("CLIENT_ID", "not-this-one")
    env = {**BASE, "REFRESH_ENDPOINT": simulator.token_url, "CLIENT_ID": "client-id"}
    auth = build_source_auth(
        Settings.from_env(env), store, http, clock=clock.now, sleep=clock.sleep
    )

    auth.credentials()

    assert simulator.oauth.token_exchanges == 1
