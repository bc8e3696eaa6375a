"""`cookieless_client` over real HTTP, and the rule that every client in `src/` is made by it."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from proxy.http_client import cookieless_client
from proxy.simulator.app import AtlassianSimulator
from proxy.simulator.routes import SimRequest, SimResponse
from support.fake_clock import FakeClock
from support.oauth_setup import started_simulator

SRC = Path(__file__).resolve().parents[1] / "src" / "proxy"


@pytest.fixture
def simulator() -> Iterator[AtlassianSimulator]:
    simulator = started_simulator(FakeClock().now)
    yield simulator
    simulator.stop()


def test_a_set_cookie_is_neither_kept_nor_sent(simulator: AtlassianSimulator) -> None:
    cookies: list[str | None] = []

    def handler(request: SimRequest) -> SimResponse:
        cookies.append(request.header("cookie"))
        headers = {"Set-Cookie": "session=abc; Path=/", "Set-Cookie2": "old=1"}
        return SimResponse.json(200, {}, headers)

    simulator.routes.add("*", r"/cookie", handler, first=True)
    with cookieless_client() as client:
        first = client.get(f"{simulator.base_url}/cookie")
        client.post(f"{simulator.base_url}/cookie")
        assert first.headers["set-cookie"] == "session=abc; Path=/"
        assert len(client.cookies.jar) == 0
    assert cookies == [None, None]


def test_every_http_client_in_the_code_is_cookieless() -> None:
    made_directly = [
        f"{path.relative_to(SRC)}:{node.lineno}"
        for path in SRC.rglob("*.py")
        if path.name != "http_client.py"
        for node in ast.walk(ast.parse(path.read_text("utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("Client", "AsyncClient")
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "httpx"
    ]
    assert made_directly == []
