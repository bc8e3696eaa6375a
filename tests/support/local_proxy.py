"""Real servers for end-to-end tests: the simulator in-process, the proxy as functions-framework
(gunicorn, as on GCP) in a subprocess configured only through its environment."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from proxy.cli.serve_command import DEMO_PREFIX, demo_environment
from proxy.platforms import gcp_main
from proxy.simulator.app import AtlassianSimulator
from proxy.simulator.demo import SimulatorCredentials, start_simulator
from support.processes import stop_group

__all__ = [
    "LocalProxy",
    "Site",
    "free_port",
    "running_proxy",
    "running_simulator",
    "write_secrets",
]

_SOURCE_ROOT = str(Path(gcp_main.__file__).resolve().parents[2])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def write_secrets(path: Path, credentials: SimulatorCredentials) -> None:
    """The reference's test salt and key, so outputs equal the committed sanitized examples."""
    path.write_text(
        json.dumps(
            {
                "PSOXY_SALT": "salt",
                "PSOXY_ENCRYPTION_KEY": "secret",
                f"{DEMO_PREFIX}CLIENT_ID": credentials.client_id,
                f"{DEMO_PREFIX}CLIENT_SECRET": credentials.client_secret,
                f"{DEMO_PREFIX}REFRESH_TOKEN": credentials.refresh_token,
            }
        )
    )


@dataclass
class LocalProxy:
    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text("utf-8", errors="replace")


Site = tuple[AtlassianSimulator, SimulatorCredentials, LocalProxy]
"""The simulator, the credentials the operator would hold, and a proxy process using them."""


@contextmanager
def running_simulator(
    **options: object,
) -> Iterator[tuple[AtlassianSimulator, SimulatorCredentials]]:
    simulator, credentials = start_simulator(**options)  # type: ignore[arg-type]
    try:
        yield simulator, credentials
    finally:
        simulator.stop()


@contextmanager
def running_proxy(
    credentials: SimulatorCredentials, workdir: Path, extra_env: Mapping[str, str] | None = None
) -> Iterator[LocalProxy]:
    secrets_file = workdir / "secrets.json"
    if not secrets_file.exists():
        write_secrets(secrets_file, credentials)
    base_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": _SOURCE_ROOT,  # the proxy the tests import, even from a scratch copy
    }
    env = {**demo_environment(credentials, secrets_file, base_env), **(extra_env or {})}
    port = free_port()
    log_path = workdir / f"proxy-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "functions_framework",
                "--target",
                "route",
                "--source",
                gcp_main.__file__,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: stop_group reaps gunicorn's worker too
        )
    proxy = LocalProxy(f"http://127.0.0.1:{port}", process, log_path)
    try:
        _wait_until_listening(port, process, proxy)
        yield proxy
    finally:
        stop_group(process, signal.SIGTERM, timeout=15)


def _wait_until_listening(port: int, process: subprocess.Popen[bytes], proxy: LocalProxy) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"proxy exited early:\n{proxy.log()}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"proxy did not listen within 30 s:\n{proxy.log()}")
