"""`SimulatorServer`: a stdlib threading HTTP server that records every request it serves.

``GET /_simulator/state`` answers ``{"requests": [{"method", "path", "query"}, ...], ...}`` plus
what each registered state provider adds (the OAuth authority adds ``token_exchanges``).
Requests under ``/_simulator/`` are not recorded. Binds 127.0.0.1 on a free port by default.

    server = SimulatorServer(routes)
    base_url = server.start()      # "http://127.0.0.1:54321"
    ...
    server.stop()
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from proxy.lifecycle import Service
from proxy.simulator.routes import RouteTable, SimRequest, SimResponse

__all__ = ["RecordedRequest", "SimulatorServer"]

_log = logging.getLogger(__name__)
INTERNAL_PREFIX = "/_simulator/"
StateProvider = Callable[[], Mapping[str, object]]


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: str


class SimulatorServer(Service):
    """Serves a `RouteTable` over HTTP/1.1 in a background thread."""

    def __init__(self, routes: RouteTable, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.routes = routes
        self._address = (host, port)
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._records: list[RecordedRequest] = []
        self._records_lock = threading.Lock()
        self._state_providers: list[StateProvider] = []

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> str:
        """Start serving in a daemon thread; returns the base URL."""
        if self._httpd is not None:
            return self.base_url
        self._httpd = ThreadingHTTPServer(self._address, _handler_class(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="atlassian-simulator",
            daemon=True,
        )
        self._thread.start()
        return self.base_url

    def serve_forever(self) -> None:
        """Serve in the calling thread until `stop` is called from another (for a CLI)."""
        self.start()
        if self._thread is not None:
            self._thread.join()

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()
        self._httpd = self._thread = None

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the simulator is not running")
        host, port = self._httpd.server_address[:2]
        host_text = host.decode() if isinstance(host, bytes) else host
        return f"http://{host_text}:{port}"

    # ------------------------------------------------------------------ introspection
    def add_state(self, provider: StateProvider) -> None:
        """Merge ``provider()`` into every ``/_simulator/state`` answer."""
        self._state_providers.append(provider)

    def requests(self) -> list[RecordedRequest]:
        with self._records_lock:
            return list(self._records)

    def clear_requests(self) -> None:
        with self._records_lock:
            self._records.clear()

    def state(self) -> dict[str, object]:
        state: dict[str, object] = {}
        for provider in self._state_providers:
            state.update(provider())
        state["requests"] = [asdict(r) for r in self.requests()]
        return state

    # ------------------------------------------------------------------ dispatch
    def handle(self, request: SimRequest) -> SimResponse:
        """Answer one request (called by the HTTP handler thread)."""
        if request.path.startswith(INTERNAL_PREFIX):
            if request.method == "GET" and request.path == INTERNAL_PREFIX + "state":
                return SimResponse.json(200, self.state())
            return SimResponse.json(404, {"error": "unknown simulator endpoint"})
        with self._records_lock:
            self._records.append(RecordedRequest(request.method, request.path, request.query))
        resolved = self.routes.resolve(request.method, request.path)
        if resolved is None:
            if self.routes.allows_path(request.path):
                return SimResponse.json(405, {"error": "method not allowed"})
            return SimResponse.json(404, {"error": "not found"})
        route, match = resolved
        request = SimRequest(
            request.method,
            request.path,
            request.query,
            request.headers,
            request.body,
            {k: v for k, v in match.groupdict().items() if v is not None},
        )
        try:
            status, headers, body = route.handler(request)
        except Exception:
            _log.exception("simulator handler for %s %s failed", request.method, route.pattern)
            return SimResponse.json(500, {"error": "simulator handler failed"})
        return SimResponse(status, headers, body)


def _handler_class(server: SimulatorServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True
        wbufsize = -1  # headers and body leave in one write (flushed after each request)

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path, _, query = self.path.partition("?")
            request = SimRequest(
                method=self.command,
                path=path,
                query=query,
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
            status, headers, payload = server.handle(request)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

        def log_message(self, format: str, *args: object) -> None:
            """Silent: request lines may carry tokens in queries; tests read the records."""

    return _Handler
