"""Servers started by tests run in their own process group and are always reaped with it.

A server's children (gunicorn's arbiter and worker under `proxy serve`) must not outlive a test,
whatever happened: `stop_group` signals the process, waits, and kills what is left of the group.

    process = spawn_in_own_group([sys.executable, "-m", "proxy.cli.main", "serve"], cwd=tmp)
    try: ...
    finally: stop_group(process)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from contextlib import suppress
from typing import Any

__all__ = [
    "cli_command",
    "group_is_gone",
    "minimal_env",
    "run_cli",
    "spawn_in_own_group",
    "stop_group",
]


def minimal_env(**extra: str) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONUNBUFFERED": "1", **extra}


def cli_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "proxy.cli.main", *args]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """`proxy ARGS` to completion, nothing on stdin, a minimal environment."""
    return subprocess.run(
        cli_command(*args),
        env=minimal_env(),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )


def spawn_in_own_group(command: Sequence[str], **options: Any) -> subprocess.Popen[str]:
    """Popen in a new session (so its own process group), text mode, stdout/stderr piped."""
    options.setdefault("stdout", subprocess.PIPE)
    options.setdefault("stderr", subprocess.PIPE)
    return subprocess.Popen(list(command), start_new_session=True, text=True, **options)


def group_is_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def stop_group(
    process: subprocess.Popen[Any], sig: int = signal.SIGINT, timeout: float = 30.0
) -> None:
    """Send `sig`, wait up to `timeout`, then SIGKILL the whole group; always reaps."""
    if process.poll() is None:
        with suppress(ProcessLookupError):
            process.send_signal(sig)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=timeout)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
