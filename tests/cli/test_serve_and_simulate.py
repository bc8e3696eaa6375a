"""`proxy simulate` and `proxy serve --demo` (what `make run` runs), as real processes."""

from __future__ import annotations

import json
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from support.local_proxy import free_port
from support.processes import (
    cli_command,
    group_is_gone,
    minimal_env,
    spawn_in_own_group,
    stop_group,
)

ROOT = Path(__file__).resolve().parents[2]


def _spawn(*args: str, cwd: Path) -> subprocess.Popen[str]:
    return spawn_in_own_group(cli_command(*args), cwd=cwd, env=minimal_env())


def _stop(process: subprocess.Popen[str]) -> None:
    stop_group(process, signal.SIGINT)


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


def test_serve_refuses_a_busy_port_naming_both_ways_to_change_it(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        process = _spawn("serve", "--port", str(port), cwd=tmp_path)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 2
    assert stderr == (
        f"proxy serve: port {port} on 127.0.0.1 is busy: stop what uses it, or pick another "
        "port (--port N; with make: PORT=N make run)\n"
    )


def _with_hangups_at_their_default(command: list[str]) -> list[str]:
    """`command` as a terminal starts it, even when this test run ignores SIGHUP (under
    `nohup`, as a background job): an ignored SIGHUP is inherited, and `proxy serve` rightly
    keeps ignoring it then (see the nohup test). A shell cannot reset an ignored signal; Python
    can, before it execs the command."""
    reset = (
        "import os, signal, sys; signal.signal(signal.SIGHUP, signal.SIG_DFL); "
        "os.execv(sys.argv[1], sys.argv[1:])"
    )
    return [sys.executable, "-c", reset, *command]


def _listening(process: subprocess.Popen[str]) -> None:
    assert process.stdout is not None
    line = process.stdout.readline()
    assert "Proxy listening" in line, line + (process.stderr.read() if process.stderr else "")


def _port_closed(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def _assert_stopped_cleanly(process: subprocess.Popen[str], port: int) -> None:
    """Exit 0, the server's whole process group gone, the port closed, nothing on stderr."""
    try:
        code = process.wait(timeout=60)
        assert process.stderr is not None
        stderr = process.stderr.read()
        assert code == 0, stderr
        assert group_is_gone(process.pid)
        assert _port_closed(port)
        assert "Traceback" not in stderr and "SIGKILL" not in stderr, stderr
    finally:
        stop_group(process)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_each_stop_signal_stops_the_server_and_its_children(
    sig: signal.Signals, tmp_path: Path
) -> None:
    port = free_port()
    process = spawn_in_own_group(
        _with_hangups_at_their_default(cli_command("serve", "--port", str(port))),
        cwd=tmp_path,
        env=minimal_env(),
    )
    _listening(process)
    process.send_signal(sig)
    _assert_stopped_cleanly(process, port)


def test_ctrl_c_stops_the_server_even_when_sigint_was_ignored_by_the_parent(
    tmp_path: Path,
) -> None:
    """Background jobs of a script, some CI runners: the shell hands down SIGINT ignored."""
    port = free_port()
    command = shlex.join(cli_command("serve", "--port", str(port)))
    process = spawn_in_own_group(
        ["/bin/sh", "-c", f"trap '' INT; exec {command}"], cwd=tmp_path, env=minimal_env()
    )
    _listening(process)
    ignored = int(
        Path(f"/proc/{process.pid}/status").read_text().split("SigIgn:")[1].split()[0], 16
    )
    assert not ignored & (1 << (signal.SIGINT - 1)), "proxy serve must handle SIGINT itself"
    process.send_signal(signal.SIGINT)
    _assert_stopped_cleanly(process, port)


def test_under_nohup_a_hangup_does_not_stop_it_but_ctrl_c_does(tmp_path: Path) -> None:
    port = free_port()
    process = spawn_in_own_group(
        ["nohup", *cli_command("serve", "--port", str(port))], cwd=tmp_path, env=minimal_env()
    )
    _listening(process)
    process.send_signal(signal.SIGHUP)
    assert not _port_closed(port) and process.poll() is None
    process.send_signal(signal.SIGINT)
    _assert_stopped_cleanly(process, port)


def test_a_corrupt_demo_secrets_file_is_one_line(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.json"
    corrupt.write_text("{not json")
    process = _spawn(
        "serve", "--demo", "--port", str(free_port()), "--demo-secrets", str(corrupt), cwd=tmp_path
    )
    out, err = process.communicate(timeout=60)
    assert (process.returncode, out) == (2, "")
    assert err == (f"proxy serve: --demo-secrets: {corrupt} is not valid JSON (line 1, column 2)\n")
    assert group_is_gone(process.pid)


def test_an_unwritable_demo_secrets_path_is_one_line(tmp_path: Path) -> None:
    process = _spawn(
        "serve",
        "--demo",
        "--port",
        str(free_port()),
        "--demo-secrets",
        "/proc/nope/x.json",
        cwd=tmp_path,
    )
    out, err = process.communicate(timeout=60)
    assert (process.returncode, out) == (2, "")
    assert (
        err == "proxy serve: --demo-secrets: cannot write /proc/nope: No such file or directory\n"
    )


def test_port_comes_from_the_environment_as_make_run_passes_it(tmp_path: Path) -> None:
    port = free_port()
    process = spawn_in_own_group(
        cli_command("serve"), cwd=tmp_path, env=minimal_env(PORT=str(port))
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == (
            f"Proxy listening on http://127.0.0.1:{port} (Ctrl-C to stop)\n"
        )
    finally:
        stop_group(process)


def test_a_bad_port_in_the_environment_is_one_line(tmp_path: Path) -> None:
    process = spawn_in_own_group(cli_command("serve"), cwd=tmp_path, env=minimal_env(PORT="80a"))
    out, err = process.communicate(timeout=60)
    assert (process.returncode, out, err) == (
        2,
        "",
        "proxy serve: PORT must be a port number, got '80a'\n",
    )
