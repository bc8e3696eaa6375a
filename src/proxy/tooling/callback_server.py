"""The one-shot local web server that receives Atlassian's redirect after the consent.

It listens on 127.0.0.1 only and accepts exactly one callback whose ``state`` equals the random
value of this setup run. A callback with another state (a stale browser tab, or a forged request
from some web page) is answered 400, reported through ``on_rejected`` and **ignored: the server
keeps waiting** for the real redirect until the timeout, so a stray request can neither inject a
code nor abort the setup. The page shown in the browser never contains the code.

    with CallbackServer(9000, state, on_rejected=print) as server:
        code = server.wait_for_code(timeout_seconds=300)
"""

from __future__ import annotations

import errno
import html
import secrets
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from proxy.errors import OperatorToolError
from proxy.lifecycle import Service

__all__ = ["CALLBACK_PATH", "CallbackServer", "callback_url", "redirect_error"]

CALLBACK_PATH = "/psoxy-setup-callback"
_DENIED_HINTS = {
    "access_denied": "the consent was declined on the Atlassian screen",
    "invalid_scope": "Atlassian refused a scope: add every listed scope to the app",
}


def redirect_error(error: str, description: str | None) -> str:
    """The message for a redirect carrying ``error`` (consent declined, a scope refused, …)."""
    reason = _DENIED_HINTS.get(error, description or error)
    return f"Atlassian redirected with error `{error}`: {reason}"


def callback_url(port: int) -> str:
    """The redirect URI to register in the Atlassian app (exact match, `localhost`)."""
    return f"http://localhost:{port}{CALLBACK_PATH}"


class CallbackServer(Service):
    """Waits for ``GET /psoxy-setup-callback?code=…&state=…`` with the expected state."""

    def __init__(
        self,
        port: int,
        expected_state: str,
        *,
        on_rejected: Callable[[str], None] = lambda message: None,
        host: str = "127.0.0.1",
    ) -> None:
        self._expected_state = expected_state
        self._on_rejected = on_rejected
        self._address = (host, port)
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._code: str | None = None
        self._error: str | None = None
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        try:
            self._httpd = ThreadingHTTPServer(self._address, _handler_class(self))
        except OSError as exc:
            port = self._address[1]
            if exc.errno == errno.EADDRINUSE:
                raise OperatorToolError(
                    f"port {port} is busy, so the callback server cannot listen: stop what uses "
                    f"it, or pass --port N and add http://localhost:N{CALLBACK_PATH} to the app's "
                    "callback URLs (or use --manual, which needs no callback server)"
                ) from exc
            raise OperatorToolError(f"cannot listen on port {port}: {exc.strerror}") from exc
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="setup-callback",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def wait_for_code(self, timeout_seconds: float) -> str:
        """The authorization code, or `OperatorToolError` (declined, error, timeout)."""
        if not self._done.wait(timeout_seconds):
            raise OperatorToolError(
                f"no callback from Atlassian within {timeout_seconds:g} s: open the authorize "
                "URL in a browser, approve, and check that the app's callback URL is exactly "
                "the one printed"
            )
        with self._lock:
            if self._code is None:
                raise OperatorToolError(self._error or "the callback carried no code")
            return self._code

    # ------------------------------------------------------------------ called by the handler
    def accept(self, path: str, query: str) -> tuple[int, str]:
        """Judge one request; returns (status, page text)."""
        if path != CALLBACK_PATH:
            return 404, "Not the setup callback."
        params = dict(parse_qsl(query, keep_blank_values=True))
        state = params.get("state", "")
        if not secrets.compare_digest(state.encode(), self._expected_state.encode()):
            self._on_rejected(
                "rejected a callback whose state does not match this setup run (a stale "
                "browser tab or a forged request); still waiting for Atlassian's redirect"
            )
            return 400, "This callback does not belong to the running setup and was ignored."
        with self._lock:
            if self._done.is_set():
                return 410, "This setup run already received its callback."
            error = params.get("error")
            if error:
                self._error = redirect_error(error, params.get("error_description"))
            elif params.get("code"):
                self._code = params["code"]
            else:
                self._error = "the callback carried neither a code nor an error"
            self._done.set()
        if self._code is None:
            return 400, "Atlassian reported an error; see the terminal."
        # Not "done": the code exchange, the site check and storing still follow, and may fail.
        return 200, (
            "Authorization code received. Return to the terminal: it shows whether the setup "
            "succeeded. You can close this tab."
        )


def _handler_class(server: CallbackServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            status, text = server.accept(parts.path, parts.query)
            page = f"<html><body><p>{html.escape(text)}</p></body></html>".encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, format: str, *args: object) -> None:
            """Silent: the request line carries the authorization code."""

    return _Handler
