"""A local server in a child process that stops cleanly on Ctrl-C, however `proxy serve` started.

Two things made stopping unreliable when the child shared our process group: a terminal's Ctrl-C
reached gunicorn's arbiter *and* its worker at once, and on top came our own stop signal, a race
that sometimes left the worker waiting for gunicorn's 30 s graceful timeout, after which gunicorn
killed it and logged ``Worker … was sent SIGKILL! Perhaps out of memory?``. And a parent shell
that ignores SIGINT (background jobs, ``nohup`` from scripts, some CI runners) passes that
disposition on, so Ctrl-C or ``kill -INT`` did nothing at all.

So: the child runs in its **own session** (terminal signals reach only us); `stop_signals` makes
SIGINT and SIGTERM (and SIGHUP, unless ignored as under ``nohup``) set an event whatever
disposition was inherited; `ServerProcess.stop` sends the arbiter one SIGINT (gunicorn's quick
shutdown) and, if the group is still there after `STOP_GRACE_SECONDS`, SIGKILLs the whole group
at once (arbiter and worker together: nobody is left to report a killed worker). A stop takes
well under 5 s.

    with stop_signals() as stop, ServerProcess(command, env) as server:
        if server.wait_until_listening("127.0.0.1", 8080, stop, timeout_seconds=30):
            server.wait(stop)          # until the server exits or a stop signal arrives
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from types import FrameType

from proxy.lifecycle import Service

__all__ = ["STOP_GRACE_SECONDS", "ServerProcess", "port_is_free", "stop_signals"]

STOP_GRACE_SECONDS = 3.0
_POLL_SECONDS = 0.05


@contextmanager
def stop_signals() -> Iterator[threading.Event]:
    """An event set by SIGINT, SIGTERM or SIGHUP; the previous handlers come back afterwards."""
    stop = threading.Event()

    def handle(signum: int, frame: FrameType | None) -> None:
        stop.set()

    wanted = [signal.SIGINT, signal.SIGTERM]
    if signal.getsignal(signal.SIGHUP) is not signal.SIG_IGN:  # nohup asked to survive hangups
        wanted.append(signal.SIGHUP)
    previous = {signum: signal.signal(signum, handle) for signum in wanted}
    try:
        yield stop
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex((host, port)) != 0


class ServerProcess(Service):
    """`command` in its own session; `stop` always leaves no process of it behind."""

    def __init__(self, command: Sequence[str], env: Mapping[str, str]) -> None:
        self._command = list(command)
        self._env = dict(env)
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        if self._process is None:
            raise RuntimeError("the server process was not started")
        return self._process.pid

    def start(self) -> None:
        self._process = subprocess.Popen(self._command, env=self._env, start_new_session=True)

    def wait_until_listening(
        self, host: str, port: int, stop: threading.Event, *, timeout_seconds: float
    ) -> bool:
        """True once `port` accepts connections; False if the child exits, a stop arrives or
        `timeout_seconds` pass."""
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline and not stop.is_set():
            if self.returncode is not None:
                return False
            if not port_is_free(host, port):
                return True
            stop.wait(_POLL_SECONDS)
        return False

    def wait(self, stop: threading.Event) -> int | None:
        """The child's exit code, or None when a stop signal came first."""
        while not stop.wait(_POLL_SECONDS):
            code = self.returncode
            if code is not None:
                return code
        return None

    @property
    def returncode(self) -> int | None:
        return None if self._process is None else self._process.poll()

    def stop(self) -> None:
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown: workers get SIGQUIT
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=STOP_GRACE_SECONDS)
        # Whatever is left of the group goes at once. Its id stays ours while any member lives
        # (Linux does not reuse a pid that is still a process group id).
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
