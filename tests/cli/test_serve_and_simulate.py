"""`proxy simulate` and `proxy serve --demo` (what `make run` runs), as real processes."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from support.local_proxy import free_port

ROOT = Path(__file__).resolve().parents[2]


def _spawn(*args: str, cwd: Path) -> subprocess.Popen[str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "proxy.cli.main", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:  # pragma: no cover - cleanup only
        process.kill()


@pytest.fixture
def simulator_process(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], dict[str, str]]]:
    process = _spawn(
        "simulate",
        "--port",
        "0",
        "--token-ttl",
        "120",
        "--reuse-leeway",
        "0",
        "--fault",
        ".*/api/v2/tasks=status:429:9",
        cwd=tmp_path,
    )
    assert process.stdout is not None
    first_line = process.stdout.readline()
    try:
        yield process, json.loads(first_line)
    finally:
        _stop(process)


def test_simulate_prints_credentials_then_serves(
    simulator_process: tuple[subprocess.Popen[str], dict[str, str]],
) -> None:
    _, info = simulator_process
    assert set(info) == {"base_url", "client_id", "client_secret", "refresh_token", "cloud_id"}
    base = info["base_url"]
    token = httpx.post(
        f"{base}/oauth/token",
        data={
            "grant_type": "refresh_token",
            "client_id": info["client_id"],
            "client_secret": info["client_secret"],
            "refresh_token": info["refresh_token"],
        },
    ).json()
    assert token["expires_in"] == 120
    assert token["refresh_token"] != info["refresh_token"]
    # --reuse-leeway 0: the rotated-away refresh token is dead at once (and revokes the family)
    reuse = httpx.post(
        f"{base}/oauth/token",
        data={
            "grant_type": "refresh_token",
            "client_id": info["client_id"],
            "client_secret": info["client_secret"],
            "refresh_token": info["refresh_token"],
        },
    )
    assert (reuse.status_code, reuse.json()["error"]) == (403, "invalid_grant")
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    spaces = httpx.get(
        f"{base}/ex/confluence/{info['cloud_id']}/wiki/api/v2/spaces?limit=1", headers=bearer
    )
    assert spaces.status_code == 200
    assert b"608a9b555426330072f9867d" in spaces.content  # the simulator serves originals
    tasks = httpx.get(f"{base}/ex/confluence/{info['cloud_id']}/wiki/api/v2/tasks", headers=bearer)
    assert (tasks.status_code, tasks.headers["retry-after"]) == (429, "9")
    state = httpx.get(f"{base}/_simulator/state").json()
    assert state["token_exchanges"] == 2
    assert [r["path"] for r in state["requests"]] == [
        "/oauth/token",
        "/oauth/token",
        f"/ex/confluence/{info['cloud_id']}/wiki/api/v2/spaces",
        f"/ex/confluence/{info['cloud_id']}/wiki/api/v2/tasks",
    ]
    assert state["requests"][2]["query"] == "limit=1"


def test_simulate_rejects_a_bad_fault(tmp_path: Path) -> None:
    process = _spawn("simulate", "--fault", "nonsense", cwd=tmp_path)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 2
    assert "PATH_REGEX=SPEC" in stderr


def test_serve_demo_prints_curl_lines_that_return_sanitized_json(tmp_path: Path) -> None:
    port = free_port()
    process = _spawn("serve", "--demo", "--port", str(port), cwd=tmp_path)
    assert process.stdout is not None
    try:
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "page_versions" in line or "/pages/" in line:
                break
        curls = [shlex.split(line.strip()) for line in lines if line.strip().startswith("curl")]
        assert len(curls) == 12, "".join(lines)
        for command in curls:
            headers = {}
            if "-H" in command:
                name, _, value = command[command.index("-H") + 1].partition(": ")
                headers[name] = value
            response = httpx.get(command[-1], headers=headers, timeout=30)
            assert response.status_code == 200, (command, response.text)
            assert response.headers["content-type"] == "application/json"
            body = response.content
            assert b"608a9b555426330072f9867d" not in body and b"alice@company.org" not in body
        secrets = json.loads((tmp_path / ".local" / "demo-secrets.json").read_text())
        assert {"PSOXY_SALT", "PSOXY_ENCRYPTION_KEY"} <= set(secrets)
    finally:
        _stop(process)
    assert process.returncode in (0, -signal.SIGINT)


def test_serve_refuses_a_busy_port(tmp_path: Path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        process = _spawn("serve", "--port", str(port), cwd=tmp_path)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 2
    assert "is busy" in stderr


def test_sigterm_stops_the_server_process_too(tmp_path: Path) -> None:
    import socket

    port = free_port()
    process = _spawn("serve", "--port", str(port), cwd=tmp_path)
    assert process.stdout is not None
    assert "Proxy listening" in process.stdout.readline()
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=20)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return
        time.sleep(0.1)
    pytest.fail("the functions-framework server outlived `proxy serve`")
