"""Reading an upstream body within the request's deadline and the memory-derived size cap.

httpx's read timeout applies to each socket read, not to the whole body: a body that trickles
in, or stalls right after the headers, could outlive the request's deadline by a full read
timeout per chunk. So the deadline is checked after every chunk, and a watchdog shuts the
connection's socket down when the deadline passes, which makes a read blocked on a silent
upstream return at once. The cap (the response-size policy of `proxy.http`) is checked as bytes
arrive, and against a declared `Content-Length` before anything is read.

    body = read_body(response, cap=48 * 2**20, deadline=current_deadline())
"""

from __future__ import annotations

import math
import socket
import threading
from types import TracebackType

import httpx

from proxy.deadline import DEADLINE_RETRY_AFTER_SECONDS, Deadline
from proxy.errors import UpstreamTimeout
from proxy.http import upstream_too_large

__all__ = ["read_body"]


def read_body(response: httpx.Response, *, cap: int, deadline: Deadline) -> bytes:
    """The whole decoded body; `ResponseTooLarge` above `cap`, `UpstreamTimeout` past `deadline`."""
    declared = response.headers.get("content-length", "")
    if "content-encoding" not in response.headers and declared.isdigit() and int(declared) > cap:
        raise upstream_too_large(cap)
    chunks: list[bytes] = []
    size = 0
    with _SocketWatchdog(response, deadline) as watchdog:
        try:
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > cap:
                    raise upstream_too_large(cap)
                chunks.append(chunk)
                if deadline.expired:
                    raise _timed_out(deadline)
        except httpx.TransportError as exc:
            if watchdog.fired:
                raise _timed_out(deadline) from exc
            raise
    return b"".join(chunks)


def _timed_out(deadline: Deadline) -> UpstreamTimeout:
    return UpstreamTimeout(
        "source API response not complete within the request's time budget",
        retry_after_seconds=DEADLINE_RETRY_AFTER_SECONDS,
    )


class _SocketWatchdog:
    """Shuts the response's socket down at the deadline, unless disarmed before."""

    def __init__(self, response: httpx.Response, deadline: Deadline) -> None:
        self.fired = False
        self._socket = _socket_of(response)
        self._lock = threading.Lock()
        self._armed = True
        seconds = deadline.remaining()
        self._timer: threading.Timer | None = None
        if self._socket is not None and math.isfinite(seconds):
            self._timer = threading.Timer(max(0.0, seconds), self._fire)
            self._timer.daemon = True

    def __enter__(self) -> _SocketWatchdog:
        if self._timer is not None:
            self._timer.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        with self._lock:
            self._armed = False  # the connection may go back to the pool: never touch it later
        if self._timer is not None:
            self._timer.cancel()

    def _fire(self) -> None:
        with self._lock:
            if not self._armed or self._socket is None:
                return
            self.fired = True
            # A duplicate descriptor: shutdown() acts on the connection, and the TLS socket
            # object the reading thread uses is left untouched.
            try:
                duplicate = socket.fromfd(
                    self._socket.fileno(), self._socket.family, self._socket.type
                )
            except OSError:
                return
            try:
                duplicate.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            finally:
                duplicate.close()


def _socket_of(response: httpx.Response) -> socket.socket | None:
    """The connection's socket, from httpcore's documented `network_stream` extension."""
    stream = response.extensions.get("network_stream")
    found = stream.get_extra_info("socket") if stream is not None else None
    return found if isinstance(found, socket.socket) else None
