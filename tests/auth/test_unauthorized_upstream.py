"""An upstream that keeps answering 401 cannot make the proxy rotate its refresh token at will.

The gateway, the real refresh-token auth and the simulator (token endpoint and a Confluence
that answers 401), over real HTTP on loopback, on a fake clock.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import orjson
import pytest

from proxy.auth import SourceAuth
from proxy.gateway import Gateway, GatewayConfig, LazyRuntime, Upstream, UpstreamTarget, salt_sha256
from proxy.http import HttpRequest
from proxy.simulator import AtlassianSimulator, SimResponse
from proxy.simulator.routes import SimRequest
from support.auth_rig import FlakyStore
from support.fake_clock import FakeClock
from support.gateway_rig import FACTS, SALT, sanitizer

SPACES = "/ex/confluence/c1/wiki/api/v2/spaces"
UNAUTHORIZED = {"code": 401, "message": "Unauthorized"}
SCOPE_MISMATCH = {"code": 401, "message": "Unauthorized; scope does not match"}


def gateway_over(
    simulator: AtlassianSimulator, http: httpx.Client, auth: SourceAuth, answer: object
) -> tuple[Gateway, list[str]]:
    """A gateway whose upstream is the simulator, answering `answer` with a 401 every time."""
    sent: list[str] = []

    def unauthorized(request: SimRequest) -> SimResponse:
        sent.append(request.header("authorization") or "")
        return SimResponse.json(401, answer)

    simulator.routes.add("GET", r".*/api/v2/spaces", unauthorized, first=True)
    upstream = Upstream(http, UpstreamTarget.parse(simulator.base_url))
    runtime = sanitizer().runtime(auth, upstream, salt_sha256(SALT))
    return Gateway(GatewayConfig(facts=FACTS), LazyRuntime(lambda: runtime)), sent


def test_at_most_one_forced_refresh_per_minute(
    make_auth: Callable[..., SourceAuth],
    store: FlakyStore,
    simulator: AtlassianSimulator,
    http: httpx.Client,
    clock: FakeClock,
) -> None:
    gateway, sent = gateway_over(simulator, http, make_auth(store), UNAUTHORIZED)

    statuses = [gateway.handle(HttpRequest("GET", SPACES)).status for _ in range(10)]

    assert statuses == [401] * 10
    assert simulator.oauth.token_exchanges == 2  # the first token, one forced refresh
    assert len(sent) == 11  # one retry, on the first request only
    assert len(set(sent)) == 2

    clock.advance(59)
    gateway.handle(HttpRequest("GET", SPACES))
    assert simulator.oauth.token_exchanges == 2

    clock.advance(2)
    gateway.handle(HttpRequest("GET", SPACES))
    assert simulator.oauth.token_exchanges == 3
    assert len(set(sent)) == 3


def test_a_scope_mismatch_is_an_api_error_not_a_token_problem(
    make_auth: Callable[..., SourceAuth],
    store: FlakyStore,
    simulator: AtlassianSimulator,
    http: httpx.Client,
) -> None:
    gateway, sent = gateway_over(simulator, http, make_auth(store), SCOPE_MISMATCH)

    responses = [gateway.handle(HttpRequest("GET", SPACES)) for _ in range(3)]

    assert simulator.oauth.token_exchanges == 1
    assert len(sent) == 3 and len(set(sent)) == 1  # no retry, the token kept
    for response in responses:
        assert (response.status, response.headers.get("X-Psoxy-Error")) == (401, "API_ERROR")
        assert orjson.loads(response.body) == {
            "error": "API_ERROR",
            "status": 401,
            "hint": "The OAuth token lacks a scope this call needs: add the scope to the "
            "Atlassian app and run `proxy setup confluence` again.",
        }


@pytest.mark.parametrize("answer", [UNAUTHORIZED, SCOPE_MISMATCH])
def test_the_caller_never_sees_the_upstream_401_body(
    make_auth: Callable[..., SourceAuth],
    store: FlakyStore,
    simulator: AtlassianSimulator,
    http: httpx.Client,
    answer: object,
) -> None:
    gateway, _ = gateway_over(simulator, http, make_auth(store), answer)
    response = gateway.handle(HttpRequest("GET", SPACES))
    assert b"Unauthorized" not in response.body
