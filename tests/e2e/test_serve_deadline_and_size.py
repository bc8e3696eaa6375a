"""`proxy serve` (functions-framework, as on GCP) against misbehaving upstreams on loopback:
a body that trickles in for 20 s ends in our 504 at REQUEST_TIMEOUT_SECONDS with the rotated
token saved and the lock free; responses are gzipped when the caller asks; a response bigger
than the memory-derived cap is a 502 that says to lower `limit`.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from proxy.cli.serve_command import DEMO_PREFIX
from proxy.deadline import DEADLINE_RETRY_AFTER_SECONDS
from proxy.simulator.app import AtlassianSimulator
from proxy.simulator.confluence import EXAMPLE_CALLS
from proxy.simulator.demo import SimulatorCredentials
from support.local_proxy import LocalProxy, running_proxy, running_simulator
from support.misbehaving_upstream import MisbehavingUpstream, Paced, trickle

ROOT = Path(__file__).resolve().parents[2]
ORIGINAL = ROOT / "example-api-responses" / "original"
SANITIZED = ROOT / "example-api-responses" / "sanitized"
SITE = "/ex/confluence/{cloud}/wiki"
SEARCH_CALL = next(c for c in EXAMPLE_CALLS if c.file == "content_search.json")


@pytest.fixture(scope="module")
def simulator() -> Iterator[tuple[AtlassianSimulator, SimulatorCredentials]]:
    with running_simulator() as (site, credentials):
        yield site, credentials


def url(proxy: LocalProxy, credentials: SimulatorCredentials, path: str) -> str:
    return proxy.base_url + SITE.replace("{cloud}", credentials.cloud_id) + path


def lock_is_free(secrets_file: Path) -> bool:
    lock_file = Path(f"{secrets_file}.{DEMO_PREFIX}OAUTH_REFRESH_TOKEN.lock")
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def test_a_trickling_upstream_ends_in_a_504_with_the_token_saved_and_the_lock_free(
    simulator: tuple[AtlassianSimulator, SimulatorCredentials], tmp_path: Path
) -> None:
    site, credentials = simulator
    original = credentials.refresh_token
    with MisbehavingUpstream() as upstream:
        # 200 slices, one every 0.1 s: each read is quick, the whole body takes 20 s.
        spaces = (ORIGINAL / "spaces.json").read_bytes()
        upstream.route(r".*/api/v2/spaces", trickle(spaces, pause=0.1, parts=200))
        upstream.route(r".*/api/v2/tasks", Paced(((ORIGINAL / "tasks.json").read_bytes(),), 0))
        environment = {"TARGET_HOST": upstream.base_url, "REQUEST_TIMEOUT_SECONDS": "2"}
        with running_proxy(credentials, tmp_path, environment) as proxy:
            slow = httpx.get(url(proxy, credentials, "/api/v2/spaces?limit=10"), timeout=60)
            assert slow.status_code == 504, slow.text
            assert slow.headers["x-psoxy-error"] == "SOURCE_API_READ_TIMEOUT"
            assert slow.headers["retry-after"] == str(DEADLINE_RETRY_AFTER_SECONDS)
            assert upstream.completed == []  # the proxy answered before the upstream finished

            secrets = json.loads((tmp_path / "secrets.json").read_text())
            assert secrets[f"{DEMO_PREFIX}REFRESH_TOKEN"] == site.oauth.family_head(original)
            assert lock_is_free(tmp_path / "secrets.json")

            tasks = httpx.get(url(proxy, credentials, "/api/v2/tasks?limit=100"), timeout=60)
            assert tasks.status_code == 200, tasks.text
            assert tasks.json() == json.loads((SANITIZED / "tasks.json").read_text())


def test_responses_are_gzipped_when_the_caller_accepts_it(
    simulator: tuple[AtlassianSimulator, SimulatorCredentials], tmp_path: Path
) -> None:
    _, credentials = simulator
    expected = json.loads((SANITIZED / SEARCH_CALL.file).read_text())
    with running_proxy(credentials, tmp_path) as proxy:
        search = proxy.base_url + SEARCH_CALL.url(credentials.cloud_id)
        gzipped = httpx.get(search, headers={"Accept-Encoding": "gzip"}, timeout=30)
        plain = httpx.get(search, headers={"Accept-Encoding": "identity"}, timeout=30)

    assert gzipped.status_code == plain.status_code == 200, gzipped.text
    assert gzipped.headers["content-encoding"] == "gzip"
    assert int(gzipped.headers["content-length"]) < len(plain.content)
    assert "content-encoding" not in plain.headers
    assert gzipped.json() == plain.json() == expected


def test_a_response_above_the_memory_cap_is_a_502_that_says_to_lower_limit(
    simulator: tuple[AtlassianSimulator, SimulatorCredentials], tmp_path: Path
) -> None:
    _, credentials = simulator
    members = json.loads((ORIGINAL / "group_members.json").read_text())
    members["results"] *= 400  # ~2.7 MB
    with MisbehavingUpstream() as upstream:
        upstream.route(r".*/membersByGroupId", Paced((json.dumps(members).encode(),), 0))
        # (144 MB - 128 MB reserved) / 8 bytes per byte / 1 thread: a 2 MiB cap.
        environment = {"TARGET_HOST": upstream.base_url, "FUNCTION_MEMORY_MB": "144"}
        with running_proxy(credentials, tmp_path, environment) as proxy:
            response = httpx.get(
                url(proxy, credentials, "/rest/api/group/g1/membersByGroupId?limit=200"),
                timeout=30,
            )

    assert response.status_code == 502, response.text
    assert response.headers["x-psoxy-error"] == "RESPONSE_TOO_LARGE"
    assert "lower the `limit` query parameter" in response.text
    assert "alice" not in response.text
