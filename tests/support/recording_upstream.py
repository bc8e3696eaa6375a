"""A loopback HTTP server standing in for Confluence that records each request as it arrived on
the wire: method, raw request target and every header line (repeats kept, order kept).

The simulator records no headers; this does, so tests can show what the proxy really sends.

    with recording_upstream(answer) as upstream:
        ...  # point TARGET_HOST at upstream.base_url
        (request,) = upstream.received()
        request.values("authorization")
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["Answer", "ReceivedRequest", "RecordingUpstream", "recording_upstream"]


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    target: str  # the raw request target, e.g. "/ex/confluence/c1/...?limit=5"
    headers: tuple[tuple[str, str], ...]

    def values(self, name: str) -> list[str]:
        """Every value of this header, in arrival order (case-insensitive name)."""
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def names(self) -> set[str]:
        return {k.lower() for k, _ in self.headers}


Answer = Callable[[ReceivedRequest], tuple[int, bytes]]
"""Status and JSON body for a request."""


class RecordingUpstream:
    def __init__(self, answer: Answer) -> None:
        self._answer = answer
        self._received: list[ReceivedRequest] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def received(self) -> list[ReceivedRequest]:
        with self._lock:
            return list(self._received)

    def record(self, request: ReceivedRequest) -> tuple[int, bytes]:
        with self._lock:
            self._received.append(request)
        return self._answer(request)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


def _handler(upstream: RecordingUpstream) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            request = ReceivedRequest(self.command, self.path, tuple(self.headers.items()))
            status, body = upstream.record(request)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the tests read `received()` instead."""

    return Handler


@contextmanager
def recording_upstream(answer: Answer) -> Iterator[RecordingUpstream]:
    upstream = RecordingUpstream(answer)
    upstream.start()
    try:
        yield upstream
    finally:
        upstream.stop()
