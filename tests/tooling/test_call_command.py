"""`proxy call` against a real local proxy: `proxy serve --demo` as a separate process.

The demo's secrets file is seeded with the reference's test salt and key, so the sanitized
bodies `proxy call` prints equal the committed examples in `example-api-responses/sanitized/`.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from proxy.cli.main import main
from proxy.simulator.confluence import EXAMPLE_CALLS, EXAMPLE_CLOUD_ID

SANITIZED = Path(__file__).resolve().parents[2] / "example-api-responses" / "sanitized"
SPACES = f"/ex/confluence/{EXAMPLE_CLOUD_ID}/wiki/api/v2/spaces?limit=100"
TIME = re.compile(r" in \d+ ms, ")


@pytest.fixture(scope="module")
def proxy_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("demo")
    secrets_file = workdir / "demo-secrets.json"
    secrets_file.write_text(json.dumps({"PSOXY_SALT": "salt", "PSOXY_ENCRYPTION_KEY": "secret"}))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "proxy.cli.main",
            "serve",
            "--demo",
            "--port",
            str(port),
            "--demo-secrets",
            str(secrets_file),
        ],
        cwd=workdir,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    try:
        for line in process.stdout:
            if line.startswith("Proxy listening on "):
                yield line.split()[3]
                break
        else:
            raise AssertionError("proxy serve --demo did not start")
    finally:
        process.send_signal(signal.SIGINT)  # `proxy serve` stops its server process on Ctrl-C
        process.wait(timeout=30)


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


def test_all_example_calls(proxy_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, err = call(capsys, "--url", proxy_url, "--all", "--cloud-id", EXAMPLE_CLOUD_ID)
    assert (code, err) == (0, "")
    heads = lines[0::2][: len(EXAMPLE_CALLS)]
    for head, example in zip(heads, EXAMPLE_CALLS, strict=True):
        assert head.startswith(f"GET {example.url(EXAMPLE_CLOUD_ID)}: 200 in T ms, ")
    assert lines[1] == "  JSON list, 1 item"  # accessible-resources
    assert lines[9] == "  3 results"  # spaces
    assert lines[-1] == f"{len(EXAMPLE_CALLS)} calls, all succeeded"


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
    assert lines[-2:] == [
        "  hint: API_ERROR: Atlassian answered an error; the proxy passed its status on and "
        "replaced the body by a summary",
        "  hint: Not found: check the cloudId and the ids in the path.",
    ]


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
            ["--url", "http://127.0.0.1:1", "--all"],
            "--all needs --cloud-id (printed by `proxy setup`)",
        ),
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
