"""The log records of `proxy serve` (functions-framework, as on GCP), from real processes.

Piped to a file, `proxy serve` logs one JSON object per line with Cloud Logging's names and the
request's trace; on a terminal it keeps the plain text lines. Secrets are planted in the store
and the URLs, and none may appear in any record.
"""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from proxy.cli.serve_command import DEMO_PREFIX, demo_environment, write_demo_secrets
from proxy.simulator.app import AtlassianSimulator
from proxy.simulator.demo import SimulatorCredentials, start_simulator
from support.local_proxy import free_port
from support.log_capture import assert_no_secret, events_of, parse_json_lines

SALT = "planted-salt-serve-91ab"
KEY = "planted-key-serve-27cd"
DEAD_REFRESH_TOKEN = "planted-dead-refresh-token-serve"
BLOCKED_ACCOUNT = "5b1e0000planted00serve"
PROJECT = "planted-project-4711"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
SPACES_LABEL = "/ex/confluence/{cloudId}/wiki/api/{version}/spaces"


@dataclass
class ServedProxy:
    base_url: str
    process: subprocess.Popen[bytes]
    stderr_path: Path
    secrets_file: Path

    def json_records(self) -> list[dict[str, Any]]:
        lines = self.stderr_path.read_text("utf-8").splitlines()
        return parse_json_lines(line for line in lines if line.startswith("{"))

    def log_text(self) -> str:
        return self.stderr_path.read_text("utf-8")

    def stored(self, name: str) -> str:
        return str(json.loads(self.secrets_file.read_text())[DEMO_PREFIX + name])


def _secrets(path: Path, credentials: SimulatorCredentials, **overrides: str) -> Path:
    path.write_text(json.dumps({"PSOXY_SALT": SALT, "PSOXY_ENCRYPTION_KEY": KEY}))
    write_demo_secrets(credentials, path)
    content = json.loads(path.read_text())
    content.update({DEMO_PREFIX + name: value for name, value in overrides.items()})
    path.write_text(json.dumps(content))
    return path


def _environment(credentials: SimulatorCredentials, secrets_file: Path) -> dict[str, str]:
    base = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONUNBUFFERED": "1",
        "GOOGLE_CLOUD_PROJECT": PROJECT,
    }
    return demo_environment(credentials, secrets_file, base)


def _wait_for_port(port: int, process: subprocess.Popen[bytes], describe: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"proxy serve exited early: {describe}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"proxy serve did not listen within 60 s: {describe}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:  # pragma: no cover - cleanup only
        process.kill()
        process.wait()


@contextmanager
def served(environment: Mapping[str, str], workdir: Path, name: str) -> Iterator[ServedProxy]:
    port = free_port()
    stderr_path = workdir / f"{name}.stderr"
    with stderr_path.open("wb") as stderr, (workdir / f"{name}.stdout").open("wb") as stdout:
        process = subprocess.Popen(
            [sys.executable, "-m", "proxy.cli.main", "serve", "--port", str(port)],
            cwd=workdir,
            env=dict(environment),
            stdout=stdout,
            stderr=stderr,
        )
    proxy = ServedProxy(
        f"http://127.0.0.1:{port}", process, stderr_path, Path(environment["LOCAL_SECRETS_FILE"])
    )
    try:
        _wait_for_port(port, process, str(stderr_path))
        yield proxy
    finally:
        _stop(process)


@pytest.fixture(scope="module")
def simulator() -> Iterator[tuple[AtlassianSimulator, SimulatorCredentials]]:
    simulator, credentials = start_simulator()
    try:
        yield simulator, credentials
    finally:
        simulator.stop()


@dataclass
class ServeRun:
    """One healthy proxy (success, blocked) and one with a dead refresh token, both stopped."""

    healthy: ServedProxy
    dead: ServedProxy
    credentials: SimulatorCredentials
    spaces: httpx.Response
    blocked: httpx.Response
    invalid_grant: httpx.Response


@pytest.fixture(scope="module")
def run(
    simulator: tuple[AtlassianSimulator, SimulatorCredentials],
    tmp_path_factory: pytest.TempPathFactory,
) -> ServeRun:
    _, credentials = simulator
    workdir = tmp_path_factory.mktemp("serve-logs")
    spaces_url = f"/ex/confluence/{credentials.cloud_id}/wiki/api/v2/spaces?limit=100"
    healthy_secrets = _secrets(workdir / "healthy.json", credentials)
    with served(_environment(credentials, healthy_secrets), workdir, "healthy") as healthy:
        spaces = httpx.get(
            healthy.base_url + spaces_url,
            headers={"X-Cloud-Trace-Context": f"{TRACE_ID}/7;o=1"},
            timeout=30,
        )
        blocked = httpx.get(
            f"{healthy.base_url}/ex/confluence/{credentials.cloud_id}/wiki/rest/api/user"
            f"?accountId={BLOCKED_ACCOUNT}",
            timeout=30,
        )
    dead_secrets = _secrets(workdir / "dead.json", credentials, REFRESH_TOKEN=DEAD_REFRESH_TOKEN)
    with served(_environment(credentials, dead_secrets), workdir, "dead") as dead:
        invalid_grant = httpx.get(dead.base_url + spaces_url, timeout=30)
    return ServeRun(healthy, dead, credentials, spaces, blocked, invalid_grant)


def test_a_traced_successful_request_logs_json_with_the_cloud_logging_trace(run: ServeRun) -> None:
    assert run.spaces.status_code == 200
    records = run.healthy.json_records()
    (refreshed,) = events_of(records, "token_refreshed")
    assert refreshed["rotated"] is True
    (request, _) = events_of(records, "request")  # the spaces call, then the blocked one
    assert request["severity"] == "INFO"
    assert (request["endpoint"], request["status"], request["error_code"]) == (
        SPACES_LABEL,
        200,
        None,
    )
    assert request["response_bytes"] == len(run.spaces.content)
    assert request["logging.googleapis.com/trace"] == f"projects/{PROJECT}/traces/{TRACE_ID}"
    assert request["logging.googleapis.com/spanId"] == "0000000000000007"
    assert request["logging.googleapis.com/trace_sampled"] is True
    # the refresh the request triggered is logged under the same trace
    assert refreshed["logging.googleapis.com/trace"] == request["logging.googleapis.com/trace"]


def test_a_blocked_request_logs_json_without_url_or_trace(run: ServeRun) -> None:
    assert run.blocked.status_code == 403
    records = run.healthy.json_records()
    (_, request) = events_of(records, "request")
    assert (request["status"], request["error_code"], request["endpoint"]) == (
        403,
        "BLOCKED_BY_RULES",
        None,
    )
    assert "logging.googleapis.com/trace" not in request  # this request had no trace header
    (failed,) = events_of(records, "request_failed")
    assert failed["error_code"] == "BLOCKED_BY_RULES"


def test_invalid_grant_logs_json_event_and_request_record(run: ServeRun) -> None:
    assert run.invalid_grant.status_code == 500
    assert run.invalid_grant.headers["X-Psoxy-Error"] == "SOURCE_AUTH_INVALID_GRANT"
    records = run.dead.json_records()
    (invalid,) = events_of(records, "refresh_invalid_grant")
    assert invalid["severity"] == "ERROR"
    (request,) = events_of(records, "request")
    assert (request["status"], request["error_code"]) == (500, "SOURCE_AUTH_INVALID_GRANT")


def test_no_planted_secret_in_any_record_of_either_process(run: ServeRun) -> None:
    shared = json.loads(run.healthy.stored("ACCESS_TOKEN"))["token"]
    planted = [
        SALT,
        KEY,
        DEAD_REFRESH_TOKEN,
        BLOCKED_ACCOUNT,
        run.credentials.client_secret,
        run.credentials.refresh_token,
        run.healthy.stored("REFRESH_TOKEN"),  # the rotated one
        shared,
        run.credentials.cloud_id,
        "608a9b555426330072f9867d",  # an account id in the upstream response
    ]
    for proxy in (run.healthy, run.dead):
        assert_no_secret(proxy.log_text(), planted)
        records = proxy.json_records()
        assert records, "no JSON records"
        for record in records:
            assert {"severity", "message", "logger", "time"} <= set(record), record


def test_on_a_terminal_serve_keeps_plain_text_lines(
    simulator: tuple[AtlassianSimulator, SimulatorCredentials], tmp_path: Path
) -> None:
    _, credentials = simulator
    environment = _environment(credentials, _secrets(tmp_path / "tty.json", credentials))
    port = free_port()
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "proxy.cli.main", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=terminal,
        stderr=terminal,
    )
    os.close(terminal)
    try:
        _wait_for_port(port, process, "on a terminal")
        url = f"http://127.0.0.1:{port}/ex/confluence/{credentials.cloud_id}/wiki/api/v2/spaces"
        assert httpx.get(url, timeout=30).status_code == 200
        screen = _read_until(controller, f"GET {SPACES_LABEL} -> 200")
    finally:
        _stop(process)
        os.close(controller)
    line = next(line for line in screen.splitlines() if "-> 200" in line)
    assert line.startswith(f"INFO proxy.gateway.pipeline: GET {SPACES_LABEL} -> 200  ")
    assert not any(text.lstrip().startswith('{"severity"') for text in screen.splitlines())


def _read_until(controller: int, wanted: str) -> str:
    """What the terminal showed, until `wanted` appears (or 30 s pass)."""
    seen = b""
    deadline = time.monotonic() + 30
    while wanted.encode() not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([controller], [], [], 0.5)
        if ready:
            try:
                seen += os.read(controller, 65536)
            except OSError:  # the terminal closed: the process is gone
                break
    return seen.decode("utf-8", errors="replace")
