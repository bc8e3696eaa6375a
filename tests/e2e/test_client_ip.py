"""Over real HTTP: `proxy serve` never takes the client IP from a header the caller sends."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import orjson
import pytest

from proxy.simulator.demo import SimulatorCredentials
from support.local_proxy import running_proxy, running_simulator

SPACES = "/ex/confluence/{cloud}/wiki/api/v2/spaces?limit=10"


@pytest.fixture(scope="module")
def credentials() -> Iterator[SimulatorCredentials]:
    with running_simulator() as (_, credentials):
        yield credentials


def test_a_forged_forwarded_for_does_not_pass_the_allow_list(
    credentials: SimulatorCredentials, tmp_path_factory: pytest.TempPathFactory
) -> None:
    forged = {"X-Forwarded-For": "10.1.2.3"}
    allow = {"ALLOWED_DATA_ACCESS_IP_BLOCKS": "10.0.0.0/8"}
    with running_proxy(credentials, tmp_path_factory.mktemp("ip"), allow) as proxy:
        url = proxy.base_url + SPACES.replace("{cloud}", credentials.cloud_id)
        response = httpx.get(url, headers=forged)
        health = httpx.get(proxy.base_url, headers={**forged, "X-Psoxy-Health-Check": "1"})
    assert (response.status_code, response.headers["x-psoxy-error"]) == (
        403,
        "UNAUTHORIZED_IP_ADDRESS",
    )
    report = orjson.loads(health.content)
    assert (report["callerIp"], report["clientIpAuthorized"]) == ("127.0.0.1", False)


def test_one_trusted_proxy_in_front_names_the_caller(
    credentials: SimulatorCredentials, tmp_path_factory: pytest.TempPathFactory
) -> None:
    settings = {"ALLOWED_DATA_ACCESS_IP_BLOCKS": "10.0.0.0/8", "TRUSTED_PROXY_HOPS": "1"}
    with running_proxy(credentials, tmp_path_factory.mktemp("hop"), settings) as proxy:
        url = proxy.base_url + SPACES.replace("{cloud}", credentials.cloud_id)
        # What a reverse proxy appending its peer would send: the caller wrote "192.0.2.1".
        allowed = httpx.get(url, headers={"X-Forwarded-For": "192.0.2.1, 10.1.2.3"})
        refused = httpx.get(url, headers={"X-Forwarded-For": "10.1.2.3, 192.0.2.1"})
    assert allowed.status_code == 200
    assert (refused.status_code, refused.headers["x-psoxy-error"]) == (
        403,
        "UNAUTHORIZED_IP_ADDRESS",
    )
