"""`proxy call` against a real local proxy: `proxy serve --demo` as a separate process.

The demo's secrets file is seeded with the reference's test salt and key, so the sanitized
bodies `proxy call` prints equal the committed examples in `example-api-responses/sanitized/`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest

from proxy import VERSION
from proxy.cli import call_command
from proxy.cli.main import build_parser, main
from proxy.rules import EndpointMatcher, resolve_rules
from proxy.simulator.confluence import EXAMPLE_CLOUD_ID
from proxy.tooling.privacy_check import scan_text
from support.local_proxy import free_port
from support.processes import cli_command, minimal_env, spawn_in_own_group, stop_group

SANITIZED = Path(__file__).resolve().parents[2] / "example-api-responses" / "sanitized"
SPACES = f"/ex/confluence/{EXAMPLE_CLOUD_ID}/wiki/api/v2/spaces?limit=100"
TIME = re.compile(r" in \d+ ms, ")
#: Identifiers in the simulator's data: none may reach the caller, none may be sent by it.
RAW = (
    "608a9b555426330072f9867d",
    "557058:f3a9c2e1-4b7d-4e5f-9a8b-1c2d3e4f5a6b",
    "alice@company.org",
    "bob@company.org",
)


@dataclass(frozen=True)
class Demo:
    proxy_url: str
    simulator_url: str


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    workdir = tmp_path_factory.mktemp("demo")
    secrets_file = workdir / "demo-secrets.json"
    secrets_file.write_text(json.dumps({"PSOXY_SALT": "salt", "PSOXY_ENCRYPTION_KEY": "secret"}))
    command = cli_command(
        "serve", "--demo", "--port", str(free_port()), "--demo-secrets", str(secrets_file)
    )
    process = spawn_in_own_group(command, cwd=workdir, env=minimal_env(), stderr=None)
    assert process.stdout is not None
    try:
        proxy_url = simulator_url = ""
        for line in process.stdout:
            if line.startswith("Proxy listening on "):
                proxy_url = line.split()[3]
            if line.startswith("Atlassian simulator on "):
                simulator_url = line.split()[3].rstrip(";")
                break
        assert proxy_url and simulator_url, "proxy serve --demo did not start"
        yield Demo(proxy_url, simulator_url)
    finally:
        stop_group(process)  # Ctrl-C, as an operator would; the whole group is reaped


@pytest.fixture(scope="module")
def proxy_url(demo: Demo) -> str:
    return demo.proxy_url


def call(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    code = main(["call", *argv])
    captured = capsys.readouterr()
    return code, [TIME.sub(" in T ms, ", line) for line in captured.out.splitlines()], captured.err


def test_one_path_prints_status_and_the_sanitized_body(
    proxy_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines, err = call(capsys, "--url", proxy_url, SPACES)
    expected = json.loads((SANITIZED / "spaces.json").read_text())
    assert (code, err) == (0, "")
    assert re.fullmatch(rf"GET {re.escape(SPACES)}: 200 in T ms, \d+ bytes", lines[0])
    assert json.loads("\n".join(lines[1:])) == expected


def test_a_full_url_works_without_url(proxy_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, _ = call(capsys, proxy_url + SPACES)
    assert code == 0
    assert lines[0].startswith(f"GET {SPACES}: 200 in T ms, ")


def test_health_check(proxy_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, err = call(capsys, "--url", proxy_url, "--health-check")
    assert (code, err) == (0, "")
    assert re.fullmatch(r"GET health check: 200 in T ms, \d+ bytes", lines[0])
    report = json.loads("\n".join(lines[1:-2]))
    assert (report["configuredSource"], report["nonDefaultSalt"]) == ("confluence", True)
    assert report["missingConfigProperties"] == []
    # then the token family's lifecycle in words (this store has no consent time)
    assert lines[-2].startswith("Token family: consent time unknown (no REFRESH_TOKEN_GRANTED_AT")
    assert re.fullmatch(
        r"Last token refresh: (none known yet\.|\d{4}-\d\d-\d\d \d\d:\d\d UTC \(.+ ago\); "
        r"Atlassian revokes a refresh token after 90 days without one\.)",
        lines[-1],
    )


def test_the_health_check_and_the_data_calls_show_the_version_of_proxy_version(
    proxy_url: str,
) -> None:
    health = httpx.get(proxy_url + "/", headers={"X-Psoxy-Health-Check": "true"}, timeout=30)
    data = httpx.get(proxy_url + SPACES, timeout=30)
    assert health.json()["version"] == data.headers["X-Psoxy-Psoxy-Version"] == VERSION


def test_all_crawls_every_endpoint_of_the_rules_with_pseudonyms_only(
    demo: Demo, capsys: pytest.CaptureFixture[str]
) -> None:
    """The crawl reaches every endpoint of the rules through the real proxy, follows `next`
    links, reuses only what the proxy returned, and finds no raw identifier in any body."""
    httpx.get(demo.simulator_url + "/_simulator/state", timeout=30)  # the simulator is there
    before = len(simulator_requests(demo))
    args = build_parser().parse_args(["call", "--url", demo.proxy_url, "--all", "--full"])
    code = call_command.run(args, today=lambda: date(2025, 9, 29))
    out = capsys.readouterr().out
    assert code == 0, out
    lines = out.splitlines()
    assert (
        lines[-1] == "15 calls, all answered 2xx; 12 of 12 endpoints reached; privacy check passed"
    )
    assert (
        "privacy check: 15 responses scanned, no raw account id or email outside t~/p~ pseudonyms"
    ) in lines
    assert (
        f"  cloud id {EXAMPLE_CLOUD_ID} (https://some-org.atlassian.net), from "
        "accessible-resources" in lines
    )
    for raw in RAW:  # --full printed every sanitized body
        assert raw not in out
    # What the proxy forwarded to Atlassian, matched with the rules on their own:
    received = simulator_requests(demo)[before:]
    matcher = EndpointMatcher(resolve_rules("confluence"))
    matched = [matcher.match("GET", r["path"], r["query"]) for r in received]
    assert {e.path_template for e in matched if e} == {
        e.path_template for e in resolve_rules("confluence").endpoints
    }
    searches = [parse_qs(r["query"]) for r in received if r["path"].endswith("/content/search")]
    assert searches[0]["cql"] == ["lastmodified>=2025-08-30"]
    followed = searches[1]  # the `next` link of page 1, its p~ token decrypted by the proxy
    assert followed["next"] == ["true"] and followed["cursor"]
    assert 'space="~608a9b555426330072f9867d"' in followed["cql"][0]
    ids = [r["path"].split("/")[-2] for r in received if r["path"].endswith("/versions")]
    assert {"65931", "557065", "att66076", "98317", "98307", "327681"} <= set(ids)
    # What the crawl sent: never a raw identifier; the p~ token it was given instead.
    sent = [line.split()[1] for line in lines if line.startswith("GET ")]
    assert all(scan_text(target) == [] for target in sent)
    assert any("%7Ep~" in target for target in sent)


def test_the_demo_lists_scopes_like_atlassian_without_read_task(proxy_url: str) -> None:
    sites = httpx.get(proxy_url + "/oauth/token/accessible-resources", timeout=30).json()
    assert "read:task:confluence" not in sites[0]["scopes"]
    assert "read:page:confluence" in sites[0]["scopes"]


def simulator_requests(demo: Demo) -> list[dict[str, str]]:
    state = httpx.get(demo.simulator_url + "/_simulator/state", timeout=30).json()
    requests: list[dict[str, str]] = state["requests"]
    return requests


def test_a_blocked_path_fails_with_a_hint(
    proxy_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = f"/ex/confluence/{EXAMPLE_CLOUD_ID}/wiki/rest/api/user"
    code, lines, _ = call(capsys, "--url", proxy_url, path)
    assert code == 1
    assert lines == [
        f"GET {path}: 403 in T ms, 0 bytes",
        "  hint: BLOCKED_BY_RULES: the proxy's rules do not allow this request (path or query "
        "parameter): compare it with the example calls",
    ]


def test_an_atlassian_error_shows_the_proxys_summary_and_hint(
    proxy_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines, _ = call(
        capsys, "--url", proxy_url, "/ex/confluence/other-site/wiki/api/v2/spaces"
    )
    assert code == 1
    assert lines[-1] == (
        "  hint: API_ERROR: Atlassian answered an error; the proxy passed its status on and "
        "replaced the body by a summary"
    )
    assert (
        sum("Not found: check the cloudId and the ids in the path." in line for line in lines) == 1
    )


def test_nothing_listening_is_a_failure(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, _ = call(capsys, "--url", "http://127.0.0.1:9", "--health-check")
    assert code == 1
    assert len(lines) == 1
    assert re.fullmatch(
        r"GET health check: no response \(cannot connect to http://127\.0\.0\.1:9: is the "
        r"proxy there\?\) after \d+ ms",
        lines[0],
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--health-check"], "--url (or PROXY_URL) is required: the proxy's base URL"),
        (["--url", "http://127.0.0.1:1"], "nothing to call: give a PATH, --health-check or --all"),
        (
            ["--url", "http://example.com", "/x"],
            "--url must be https:// (plain http only for localhost)",
        ),
        (
            ["--url", "ftp://example.com", "/x"],
            "--url must be an http(s) URL, got 'ftp://example.com'",
        ),
    ],
)
def test_bad_options_exit_2(
    argv: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PROXY_URL", raising=False)
    monkeypatch.delenv("CONFLUENCE_CLOUD_ID", raising=False)
    assert main(["call", *argv]) == 2
    assert capsys.readouterr().err == f"proxy call: {message}\n"
