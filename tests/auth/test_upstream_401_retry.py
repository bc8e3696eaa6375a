"""The retry after an upstream 401, with the real refresh-token auth and the simulator over
loopback HTTP: Atlassian revokes the access token the proxy holds, and the caller still gets
its data, through exactly one refresh and one retry carrying the fresh token.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx
import orjson
import pytest

from proxy.auth import SourceAuth
from proxy.gateway._pipeline import Gateway
from proxy.gateway._upstream import Upstream, UpstreamTarget
from proxy.http._models import HttpRequest
from proxy.simulator import AtlassianSimulator
from proxy.simulator.confluence import EXAMPLE_CLOUD_ID, install_confluence
from support.auth_rig import FlakyStore
from support.gateway_rig import build_gateway

SPACES = f"/ex/confluence/{EXAMPLE_CLOUD_ID}/wiki/api/v2/spaces"
AuthFactory = Callable[..., SourceAuth]


@pytest.fixture
def gateway(
    simulator: AtlassianSimulator, http: httpx.Client, store: FlakyStore, make_auth: AuthFactory
) -> Gateway:
    install_confluence(simulator.routes, simulator.oauth, cloud_id=EXAMPLE_CLOUD_ID)
    upstream = Upstream(http, UpstreamTarget.parse(simulator.base_url))
    return build_gateway(auth=make_auth(store), upstream=upstream)


def shared_access_token(secrets_path: Path) -> str:
    value = json.loads(secrets_path.read_text())["PSOXY_CONFLUENCE_CLOUD_ACCESS_TOKEN"]
    return str(json.loads(value)["token"])


def test_a_revoked_access_token_is_replaced_and_the_request_retried_once(
    gateway: Gateway, simulator: AtlassianSimulator, secrets_path: Path
) -> None:
    assert gateway.handle(HttpRequest("GET", SPACES)).status == 200
    first_token = shared_access_token(secrets_path)
    simulator.oauth.revoke_access_token(first_token)  # Atlassian answers 401 to it from now on
    simulator.server.clear_requests()

    response = gateway.handle(HttpRequest("GET", SPACES, "limit=10"))

    assert response.status == 200
    assert orjson.loads(response.body)["results"]
    assert simulator.oauth.token_exchanges == 2
    fresh_token = shared_access_token(secrets_path)
    assert fresh_token != first_token and simulator.oauth.access_token_valid(fresh_token)
    assert [(r.method, r.path) for r in simulator.server.requests()] == [
        ("GET", SPACES),  # 401
        ("POST", "/oauth/token"),
        ("GET", SPACES),  # the retry
    ]


def test_after_the_retry_the_fresh_token_serves_later_requests_without_a_refresh(
    gateway: Gateway, simulator: AtlassianSimulator, secrets_path: Path
) -> None:
    gateway.handle(HttpRequest("GET", SPACES))
    simulator.oauth.revoke_access_token(shared_access_token(secrets_path))
    gateway.handle(HttpRequest("GET", SPACES))
    simulator.server.clear_requests()

    for _ in range(3):
        assert gateway.handle(HttpRequest("GET", SPACES)).status == 200

    assert simulator.oauth.token_exchanges == 2
    assert [r.path for r in simulator.server.requests()] == [SPACES] * 3
