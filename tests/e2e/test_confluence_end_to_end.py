"""Over real HTTP: caller → proxy (functions-framework/gunicorn) → Atlassian simulator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest

from proxy.rules import resolve_rules
from proxy.sanitize import loads_values, pretty
from proxy.simulator.app import AtlassianSimulator
from proxy.simulator.confluence import EXAMPLE_CALLS, ExampleCall
from proxy.simulator.demo import SimulatorCredentials
from support.local_proxy import LocalProxy, running_proxy, running_simulator

ROOT = Path(__file__).resolve().parents[2]
SANITIZED = ROOT / "example-api-responses" / "sanitized"
# The 11 example calls plus the one endpoint without its own example file.
CALLS = [
    *EXAMPLE_CALLS,
    ExampleCall(
        "/ex/confluence/{cloud_id}/wiki/api/v2/inline-comments/1234/versions?limit=10",
        "comment_versions.json",
    ),
]


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[AtlassianSimulator, SimulatorCredentials, LocalProxy]]:
    workdir = tmp_path_factory.mktemp("e2e")
    with (
        running_simulator() as (simulator, credentials),
        running_proxy(credentials, workdir) as proxy,
    ):
        yield simulator, credentials, proxy


def test_one_token_exchange_on_the_first_call_none_on_the_second(
    site: tuple[AtlassianSimulator, SimulatorCredentials, LocalProxy],
) -> None:
    simulator, credentials, proxy = site
    url = proxy.base_url + CALLS[4].url(credentials.cloud_id)
    assert simulator.oauth.token_exchanges == 0
    assert httpx.get(url, timeout=30).status_code == 200
    assert simulator.oauth.token_exchanges == 1
    assert httpx.get(url, timeout=30).status_code == 200
    assert simulator.oauth.token_exchanges == 1


@pytest.mark.parametrize(
    "call", CALLS, ids=[c.url_template.split("/wiki/")[-1][:40] for c in CALLS]
)
def test_each_endpoint_returns_the_sanitized_example(
    site: tuple[AtlassianSimulator, SimulatorCredentials, LocalProxy], call: ExampleCall
) -> None:
    _, credentials, proxy = site
    response = httpx.get(proxy.base_url + call.url(credentials.cloud_id), timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-psoxy-rules-sha"] == resolve_rules("confluence").sha
    assert response.headers["x-psoxy-psoxy-version"].startswith("v")
    assert (
        response.headers["x-psoxy-pii-salt-sha256"] == "pRwka918R7CEI6El1noIhIMJzqBGYUvvqXYHyMvxl2Y"
    )
    assert "x-psoxy-error" not in response.headers
    printed = "\n".join(pretty(v) for v in loads_values(response.content)) + "\n"
    assert printed == (SANITIZED / call.file).read_text("utf-8")


def test_personal_space_token_from_a_response_works_in_the_next_request(
    site: tuple[AtlassianSimulator, SimulatorCredentials, LocalProxy],
) -> None:
    simulator, credentials, proxy = site
    base = f"{proxy.base_url}/ex/confluence/{credentials.cloud_id}/wiki"
    spaces = httpx.get(f"{base}/api/v2/spaces?limit=100", timeout=30).json()
    personal_key = spaces["results"][0]["key"]  # "~p~..."
    simulator.server.clear_requests()
    query = f"cql=space%3D%22{personal_key}%22&limit=10"
    assert httpx.get(f"{base}/rest/api/content/search?{query}", timeout=30).status_code == 200
    (received,) = [r for r in simulator.server.requests() if r.path.endswith("/search")]
    assert received.query == "cql=space%3D%22~608a9b555426330072f9867d%22&limit=10"


def test_health_check_over_http(
    site: tuple[AtlassianSimulator, SimulatorCredentials, LocalProxy],
) -> None:
    _, _, proxy = site
    response = httpx.get(proxy.base_url + "/", headers={"X-Psoxy-Health-Check": "true"}, timeout=30)
    assert response.status_code == 200
    assert response.content.endswith(b"\r\n")
    report = orjson.loads(response.content)
    assert report["configuredSource"] == "confluence"
    assert report["sourceAuth"]["refreshTokenPresent"] is True


def test_logs_hold_no_secret_and_no_raw_url(
    site: tuple[AtlassianSimulator, SimulatorCredentials, LocalProxy],
) -> None:
    _, credentials, proxy = site
    log = proxy.log()
    assert "GET /ex/confluence/{cloudId}/wiki/api/{version}/spaces -> 200" in log
    for secret in (
        credentials.refresh_token,
        credentials.client_secret,
        "608a9b555426330072f9867d",
        credentials.cloud_id,
        "alice@company.org",
    ):
        assert secret not in log
