"""A real HTTP server on loopback whose responses misbehave in time: bodies that trickle in or
stall after the headers, as a slow Confluence search can. Each route sends `parts` of a body
(announced in full by `Content-Length`) with pauses between them; a pause ends early when the
server stops, so no test waits for it.

    with MisbehavingUpstream() as upstream:
        upstream.route(r".*/content/search", trickle(body, pause=0.2))
        ...TARGET_HOST=upstream.base_url...
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from proxy.lifecycle import Service

__all__ = ["MisbehavingUpstream", "Paced", "stall", "trickle"]


@dataclass(frozen=True)
class Paced:
    """A 200 response sent as `parts`, pausing `pause` seconds before each part but the first."""

    parts: tuple[bytes, ...]
    pause: float
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "application/json"),)


def trickle(body: bytes, *, pause: float, parts: int = 200) -> Paced:
    """The body in `parts` slices, one every `pause` seconds (each read succeeds quickly)."""
    size = max(1, -(-len(body) // parts))
    return Paced(tuple(body[i : i + size] for i in range(0, len(body), size)), pause)


def stall(body: bytes, *, pause: float) -> Paced:
    """The headers and half the body at once, then silence for `pause` seconds, then the rest."""
    half = len(body) // 2
    return Paced((body[:half], body[half:]), pause)


class MisbehavingUpstream(Service):
    def __init__(self) -> None:
        self._routes: list[tuple[re.Pattern[str], Paced]] = []
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.requests: list[str] = []
        self.completed: list[str] = []
        """Paths whose whole body was written (so far)."""

    def route(self, path_regex: str, response: Paced) -> None:
        self._routes.append((re.compile(path_regex), response))

    def start(self) -> str:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()

    @property
    def base_url(self) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def _find(self, path: str) -> Paced | None:
        return next((r for p, r in self._routes if p.fullmatch(path)), None)


def _handler(upstream: MisbehavingUpstream) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            path = self.path.partition("?")[0]
            upstream.requests.append(path)
            paced = upstream._find(path)
            if paced is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            for name, value in paced.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(sum(len(p) for p in paced.parts)))
            self.end_headers()
            try:
                for index, part in enumerate(paced.parts):
                    if index and upstream._stopping.wait(paced.pause):
                        return
                    self.wfile.write(part)
                    self.wfile.flush()
            except OSError:
                return  # the proxy gave up on us: that is the point of these tests
            upstream.completed.append(path)

        def log_message(self, format: str, *args: object) -> None:
            """Silent."""

    return Handler
