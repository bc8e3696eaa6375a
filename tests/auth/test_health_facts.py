"""What each source auth tells the health check: which settings are missing (by name), and that
a setting which is present but unusable is not reported as missing."""

from __future__ import annotations

import json
import logging
import random
from pathlib import Path

import httpx
import pytest

from proxy.auth import UpstreamCredentials, build_source_auth
from proxy.auth._static import NoSourceAuth
from proxy.config import Settings
from proxy.errors import SourceAuthError
from proxy.http._models import HttpRequest
from proxy.simulator import AtlassianSimulator, SimResponse
from support.auth_backends import PREFIX
from support.auth_rig import FlakyStore
from support.fake_clock import FakeClock
from support.gateway_rig import build_gateway

SETTINGS = Settings.from_env(
    {"SOURCE_AUTH_STRATEGY_IDENTIFIER": "oauth2_refresh_token", "GRANT_TYPE": "refresh_token"}
)


def edit_secrets(path: Path, **changes: str | None) -> None:
    content = json.loads(path.read_text())
    for name, value in changes.items():
        if value is None:
            content.pop(PREFIX + name, None)
        else:
            content[PREFIX + name] = value
    path.write_text(json.dumps(content))


@pytest.mark.parametrize(
    ("removed", "missing"),
    [
        (["CLIENT_ID"], ["REFRESH_ENDPOINT", "CLIENT_ID"]),
        (["CLIENT_SECRET"], ["REFRESH_ENDPOINT", "CLIENT_SECRET"]),
        (["CLIENT_ID", "CLIENT_SECRET", "REFRESH_TOKEN"], None),
    ],
)
def test_missing_settings_are_named(
    secrets_path: Path,
    clock: FakeClock,
    http: httpx.Client,
    removed: list[str],
    missing: list[str] | None,
) -> None:
    edit_secrets(secrets_path, **dict.fromkeys(removed))
    auth = build_source_auth(SETTINGS, FlakyStore(secrets_path, clock), http, clock=clock.now)

    health = auth.health()

    expected = missing or ["REFRESH_ENDPOINT", "CLIENT_ID", "CLIENT_SECRET", "REFRESH_TOKEN"]
    assert health["missingConfigProperties"] == expected
    assert health["refreshTokenPresent"] is ("REFRESH_TOKEN" not in expected)


def test_a_present_but_unusable_setting_is_not_missing_and_the_rest_are_still_checked(
    secrets_path: Path, clock: FakeClock, http: httpx.Client
) -> None:
    edit_secrets(
        secrets_path, REFRESH_ENDPOINT="http://tokens.example.com/oauth", CLIENT_SECRET=None
    )
    auth = build_source_auth(SETTINGS, FlakyStore(secrets_path, clock), http, clock=clock.now)

    assert auth.health()["missingConfigProperties"] == ["CLIENT_SECRET"]


def test_a_failed_refresh_is_logged_with_what_the_endpoint_said(
    secrets_path: Path,
    clock: FakeClock,
    http: httpx.Client,
    simulator: AtlassianSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    simulator.routes.add(
        "POST",
        r"/oauth/token",
        lambda r: SimResponse.json(400, ["not", "an", "object"]),
        first=True,
    )
    settings = Settings.from_env(
        {
            "SOURCE_AUTH_STRATEGY_IDENTIFIER": "oauth2_refresh_token",
            "GRANT_TYPE": "refresh_token",
            "REFRESH_ENDPOINT": simulator.token_url,
        }
    )
    auth = build_source_auth(
        settings,
        FlakyStore(secrets_path, clock),
        http,
        clock=clock.now,
        sleep=clock.sleep,
        rng=random.Random(0),
    )

    with pytest.raises(SourceAuthError) as error:
        auth.credentials()

    assert error.value.message == (
        "could not refresh the Atlassian access token: token endpoint answered 400 (http_400)"
    )
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [r.getMessage() for r in errors] == [
        "token refresh failed: token endpoint answered 400 (http_400)"
    ]
    assert [(r.__dict__["event"], r.__dict__["fields"]) for r in errors] == [
        ("refresh_failed", {"reason": "http_400"})
    ]
    assert auth.health()["lastRefreshError"] == "http_400"


def test_no_source_auth_adds_no_credentials() -> None:
    auth = NoSourceAuth()
    seen: list[httpx.Request] = []

    def upstream(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"results": []})

    response = build_gateway(upstream, auth=auth).handle(
        HttpRequest("GET", "/ex/confluence/c1/wiki/api/v2/spaces")
    )

    assert response.status == 200
    assert "authorization" not in seen[0].headers
    assert auth.credentials() == UpstreamCredentials(headers={}, token_id="none")
    assert auth.health() == {"strategy": "none"}
    assert auth.rejected(auth.credentials()) is False  # nothing else to try


def test_without_source_auth_an_upstream_401_is_not_retried() -> None:
    seen: list[httpx.Request] = []

    def upstream(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(401, json={"code": 401, "message": "Unauthorized"})

    response = build_gateway(upstream, auth=NoSourceAuth()).handle(
        HttpRequest("GET", "/ex/confluence/c1/wiki/api/v2/spaces")
    )

    assert (response.status, response.headers.get("X-Psoxy-Error")) == (401, "API_ERROR")
    assert len(seen) == 1
