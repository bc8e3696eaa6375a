"""The retry after an upstream 401, with the real refresh-token auth and the simulator over
loopback HTTP: Atlassian revokes the access token the proxy holds, and the caller still gets
its data, through exactly one refresh and one retry carrying the fresh token.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest

from proxy.auth import build_source_auth
from proxy.gateway.models import HttpRequest
from proxy.gateway.pipeline import Gateway
from proxy.gateway.upstream import Upstream, UpstreamTarget
from proxy.simulator import AtlassianSimulator
from proxy.simulator.confluence import EXAMPLE_CLOUD_ID, install_confluence
from support.auth_backends import LocalFileBackend
from support.auth_rig import FlakyStore, auth_settings, operator_seed
from support.fake_clock import FakeClock
from support.gateway_rig import build_gateway
from support.oauth_setup import started_simulator

SPACES = f"/ex/confluence/{EXAMPLE_CLOUD_ID}/wiki/api/v2/spaces"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def simulator(clock: FakeClock) -> Iterator[AtlassianSimulator]:
    simulator = started_simulator(clock.now)
    install_confluence(simulator.routes, simulator.oauth, cloud_id=EXAMPLE_CLOUD_ID)
    yield simulator
    simulator.stop()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client() as client:
        yield client


@pytest.fixture
def secrets_path(tmp_path: Path, simulator: AtlassianSimulator, clock: FakeClock) -> Path:
    backend = LocalFileBackend(tmp_path / "secrets.json")
    backend.seed(operator_seed(simulator, now=clock.now()))
    return backend.path


@pytest.fixture
def gateway(
    simulator: AtlassianSimulator, http: httpx.Client, clock: FakeClock, secrets_path: Path
) -> Gateway:
    auth = build_source_auth(
        auth_settings(simulator.token_url),
        FlakyStore(secrets_path, clock),
        http,
        clock=clock.now,
        sleep=clock.sleep,
        rng=random.Random(5),
    )
    upstream = Upstream(http, UpstreamTarget.parse(simulator.base_url))
    return build_gateway(auth=auth, upstream=upstream)


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
