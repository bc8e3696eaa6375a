"""FOLLOW_REDIRECTS: a 3xx to a GET or HEAD is followed to the configured origin only, with the
same bearer token; a redirect anywhere else (another host, port or scheme) reaches the caller as
an API error and the other host receives nothing. Real HTTP on loopback, real composition."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from proxy.cli.serve_command import demo_environment, write_demo_secrets
from proxy.config import Settings
from proxy.errors import UpstreamResponseInvalid
from proxy.gateway import OutboundRequest, Upstream, UpstreamTarget
from proxy.http import HttpRequest
from proxy.http_client import cookieless_client
from proxy.platforms.composition import build_gateway
from proxy.simulator import AtlassianSimulator, RouteTable, SimRequest, SimResponse, SimulatorServer
from proxy.simulator.demo import SimulatorCredentials, start_simulator

BEARER = [("Authorization", "Bearer the-token")]
Site = tuple[AtlassianSimulator, SimulatorCredentials, Path]


class Host:
    """A loopback server recording what it received: (method, target, Authorization)."""

    def __init__(self) -> None:
        self.routes = RouteTable()
        self.server = SimulatorServer(self.routes)
        self.seen: list[tuple[str, str, str | None]] = []

    def answer(
        self, path_regex: str, status: int, headers: dict[str, str], body: bytes = b""
    ) -> None:
        def handler(request: SimRequest) -> SimResponse:
            target = request.path + (f"?{request.query}" if request.query else "")
            self.seen.append((request.method, target, request.header("authorization")))
            return SimResponse(status, headers, body)

        self.routes.add("*", path_regex, handler)


@pytest.fixture
def origin() -> Iterator[Host]:
    host = Host()
    with host.server:
        yield host


@pytest.fixture
def elsewhere() -> Iterator[Host]:
    host = Host()
    with host.server:
        yield host


def upstream(host: Host, *, follow: bool = True) -> Upstream:
    target = UpstreamTarget.parse(host.server.base_url)
    return Upstream(cookieless_client(), target, follow_redirects=follow)


@pytest.mark.parametrize(
    "location",
    ["/final?x=1", "final?x=1", "{origin}/final?x=1"],
    ids=["absolute path", "relative", "absolute URL"],
)
def test_a_same_origin_redirect_is_followed_with_the_token(origin: Host, location: str) -> None:
    origin.answer(r"/start", 302, {"Location": location.format(origin=origin.server.base_url)})
    origin.answer(r"/final", 200, {"Content-Type": "application/json"}, b'{"ok":true}')

    response = upstream(origin).send(OutboundRequest("GET", "/start", None, BEARER))

    assert (response.status, response.body) == (200, b'{"ok":true}')
    assert origin.seen == [
        ("GET", "/start", "Bearer the-token"),
        ("GET", "/final?x=1", "Bearer the-token"),
    ]


@pytest.mark.parametrize("host_name", ["127.0.0.1", "localhost"])
def test_a_redirect_to_another_host_or_port_is_returned_not_followed(
    origin: Host, elsewhere: Host, host_name: str
) -> None:
    port = elsewhere.server.base_url.rsplit(":", 1)[1]
    away = f"http://{host_name}:{port}/steal"
    origin.answer(r"/start", 307, {"Location": away})
    elsewhere.answer(r".*", 200, {}, b"{}")

    response = upstream(origin).send(OutboundRequest("GET", "/start", None, BEARER))

    assert response.status == 307
    assert elsewhere.seen == []


def test_a_redirect_to_the_same_host_by_another_name_is_not_followed(origin: Host) -> None:
    port = origin.server.base_url.rsplit(":", 1)[1]
    origin.answer(r"/start", 302, {"Location": f"http://localhost:{port}/final"})
    origin.answer(r"/final", 200, {}, b"{}")

    response = upstream(origin).send(OutboundRequest("GET", "/start", None, BEARER))

    assert response.status == 302
    assert [target for _, target, _ in origin.seen] == ["/start"]


def test_no_redirect_is_followed_without_follow_redirects_nor_for_a_post(origin: Host) -> None:
    origin.answer(r"/start", 303, {"Location": "/final"})
    origin.answer(r"/final", 200, {}, b"{}")

    by_default = Upstream(cookieless_client(), UpstreamTarget.parse(origin.server.base_url))
    assert by_default.send(OutboundRequest("GET", "/start")).status == 303
    assert upstream(origin, follow=False).send(OutboundRequest("GET", "/start")).status == 303
    assert upstream(origin).send(OutboundRequest("POST", "/start", None, [], b"{}")).status == 303
    assert [target for _, target, _ in origin.seen] == ["/start", "/start", "/start"]


def test_a_redirect_loop_ends_in_an_error(origin: Host) -> None:
    origin.answer(r"/loop", 302, {"Location": "/loop"})

    with pytest.raises(UpstreamResponseInvalid, match="redirected more than 5 times"):
        upstream(origin).send(OutboundRequest("GET", "/loop"))
    assert len(origin.seen) == 6


# --- through the gateway, configured by the environment -----------------------------------------


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[AtlassianSimulator, SimulatorCredentials, Path]]:
    simulator, credentials = start_simulator()
    secrets_file = tmp_path_factory.mktemp("redirects") / "secrets.json"
    secrets_file.write_text(json.dumps({"PSOXY_SALT": "salt", "PSOXY_ENCRYPTION_KEY": "key"}))
    write_demo_secrets(credentials, secrets_file)
    try:
        yield simulator, credentials, secrets_file
    finally:
        simulator.stop()


@pytest.mark.parametrize(
    ("setting", "location", "expected"),
    [
        (None, "{spaces}?limit=10&cursor=next", 200),  # the same endpoint: followed
        ("false", "{spaces}?limit=10&cursor=next", 302),
        (None, "{spaces}-moved", 302),  # same origin, but no rule allows it: not followed
        (None, "{spaces}?limit=10&owner=x", 302),  # a query parameter the rule does not allow
        (None, "{spaces}/..%2F..%2Fusers?limit=10", 302),  # ambiguous: refused like a caller's
        (None, "{spaces}?limit=10&cursor=next|1", 302),  # a query the URL policy refuses
    ],
)
def test_follow_redirects_is_read_from_the_environment_and_kept_within_the_rules(
    site: Site, setting: str | None, location: str, expected: int
) -> None:
    simulator, credentials, secrets_file = site
    spaces = f"/ex/confluence/{credentials.cloud_id}/wiki/api/v2/spaces"
    listing = {"results": [{"id": "1", "key": "SD", "name": "Support"}], "_links": {}}
    asked: list[str] = []

    def moving(request: SimRequest) -> SimResponse:
        asked.append(f"{request.path}?{request.query}")
        if "cursor=next" in request.query:
            return SimResponse.json(200, listing)
        return SimResponse(302, {"Location": location.format(spaces=spaces)}, b"")

    route = simulator.routes.add("GET", rf"{spaces}.*", moving, first=True)
    environment = demo_environment(credentials, secrets_file, {})
    if setting is not None:
        environment["FOLLOW_REDIRECTS"] = setting
    try:
        gateway = build_gateway(Settings.from_env(environment))
        response = gateway.handle(HttpRequest("GET", spaces, "limit=10"))
    finally:
        simulator.routes.remove(route)

    assert response.status == expected
    if expected == 200:
        assert orjson.loads(response.body)["results"][0]["key"] == "SD"
        assert asked == [f"{spaces}?limit=10", f"{spaces}?limit=10&cursor=next"]
    else:
        assert response.headers.get("X-Psoxy-Error") == "API_ERROR"
        assert response.headers.get("location") is None
        assert asked == [f"{spaces}?limit=10"]  # the redirect's target was never requested
