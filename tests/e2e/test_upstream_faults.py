"""Upstream faults over real HTTP give the documented status and header, never upstream content."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from proxy.simulator.app import AtlassianSimulator
from proxy.simulator.demo import SimulatorCredentials
from proxy.simulator.faults import inject_fault
from support.local_proxy import LocalProxy, free_port, running_proxy, running_simulator

SPACES = "/ex/confluence/{cloud}/wiki/api/v2/spaces?limit=10"


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[AtlassianSimulator, SimulatorCredentials, LocalProxy]]:
    # REQUEST_TIMEOUT_SECONDS=2: connect and read timeouts of 2 s, so "slow" is quick to test.
    with (
        running_simulator() as (simulator, credentials),
        running_proxy(
            credentials, tmp_path_factory.mktemp("faults"), {"REQUEST_TIMEOUT_SECONDS": "2"}
        ) as proxy,
    ):
        yield simulator, credentials, proxy


@pytest.mark.parametrize(
    ("fault", "status", "code", "headers"),
    [
        ("status:429:17", 429, "API_ERROR", {"retry-after": "17"}),
        ("status:500", 500, "API_ERROR", {}),
        ("status:503", 503, "API_ERROR", {}),
        ("html", 502, "SOURCE_API_RESPONSE_INVALID", {}),
        ("truncated", 502, "SOURCE_API_RESPONSE_INVALID", {}),
        ("slow:4", 504, "SOURCE_API_READ_TIMEOUT", {}),
    ],
)
def test_fault_maps_to_documented_response(
    site: tuple[AtlassianSimulator, SimulatorCredentials, LocalProxy],
    fault: str,
    status: int,
    code: str,
    headers: dict[str, str],
) -> None:
    simulator, credentials, proxy = site
    route = inject_fault(simulator.routes, r".*/api/v2/spaces", fault)
    try:
        response = httpx.get(
            proxy.base_url + SPACES.replace("{cloud}", credentials.cloud_id), timeout=30
        )
    finally:
        simulator.routes.remove(route)
    assert response.status_code == status, response.text
    assert response.headers["x-psoxy-error"] == code
    for name, value in headers.items():
        assert response.headers[name] == value
    for leaked in (b"<html", b"Atlassian is down", b"Hal", b"Rate limit exceeded", b"Traceback"):
        assert leaked not in response.content


def test_connection_refused_is_503(tmp_path_factory: pytest.TempPathFactory) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    with (
        running_simulator() as (_, credentials),
        running_proxy(
            credentials, tmp_path_factory.mktemp("refused"), {"TARGET_HOST": dead}
        ) as proxy,
    ):
        response = httpx.get(
            proxy.base_url + SPACES.replace("{cloud}", credentials.cloud_id), timeout=30
        )
    assert response.status_code == 503
    assert response.headers["x-psoxy-error"] == "CONNECTION_TO_SOURCE"
    assert b"Traceback" not in response.content


def test_token_endpoint_down_is_a_clear_error(tmp_path_factory: pytest.TempPathFactory) -> None:
    with (
        running_simulator() as (simulator, credentials),
        running_proxy(credentials, tmp_path_factory.mktemp("token-down")) as proxy,
    ):
        inject_fault(simulator.routes, r"/oauth/token", "status:500")
        response = httpx.get(
            proxy.base_url + SPACES.replace("{cloud}", credentials.cloud_id), timeout=30
        )
    assert (response.status_code, response.headers["x-psoxy-error"]) == (500, "CONNECTION_SETUP")
    assert b"Traceback" not in response.content
