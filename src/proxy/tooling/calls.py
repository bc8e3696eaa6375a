"""`proxy call`'s engine: build each GET for a proxy URL, authenticate it, send it byte-exact.

The request target (path and query) is sent exactly as built, through httpx's ``target``
extension, so what the proxy receives is what was signed and what the operator typed (httpx
would otherwise drop dot segments). A base URL may carry a path (an API Gateway stage); the call
path is appended to it.

    caller = ProxyCaller("http://127.0.0.1:8080", http, authenticate=no_auth)
    outcome = caller.call(PlannedCall.health_check())
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from proxy.errors import OperatorToolError
from proxy.http import is_loopback_host

__all__ = [
    "HEALTH_CHECK_HEADER",
    "Authenticator",
    "CallOutcome",
    "PlannedCall",
    "ProxyCaller",
    "no_auth",
    "split_base_url",
]

HEALTH_CHECK_HEADER = "X-Psoxy-Health-Check"

#: (method, full URL as sent, headers) -> the headers to send, credentials added.
Authenticator = Callable[[str, str, Mapping[str, str]], Mapping[str, str]]


def no_auth(method: str, url: str, headers: Mapping[str, str]) -> Mapping[str, str]:
    return headers


@dataclass(frozen=True)
class PlannedCall:
    """One GET: `target` is ``/path?query`` relative to the base URL."""

    target: str
    health_check: bool = False

    @classmethod
    def health_check_call(cls) -> PlannedCall:
        return cls("/", health_check=True)

    @property
    def label(self) -> str:
        return "health check" if self.health_check else self.target


@dataclass(frozen=True)
class CallOutcome:
    call: PlannedCall
    status: int | None
    """None when no response arrived (then `failure` says why)."""
    elapsed_ms: float
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    body: bytes = b""
    failure: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def split_base_url(url: str) -> tuple[str, str]:
    """(``scheme://host[:port]``, base path without trailing ``/``); https unless loopback."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OperatorToolError(f"--url must be an http(s) URL, got {url!r}")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise OperatorToolError("--url must be https:// (plain http only for localhost)")
    if parts.query or parts.fragment:
        raise OperatorToolError("--url is the proxy's base URL: put the query on the path")
    return f"{parts.scheme}://{parts.netloc}", parts.path.rstrip("/")


class ProxyCaller:
    """Sends planned calls to one proxy and times them."""

    def __init__(
        self,
        base_url: str,
        http: httpx.Client,
        authenticate: Authenticator = no_auth,
        *,
        rewrite_query: Callable[[str], str] | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._origin, self._base_path = split_base_url(base_url)
        self._http = http
        self._authenticate = authenticate
        self._rewrite_query = rewrite_query
        self._clock = clock

    def request_target(self, call: PlannedCall) -> str:
        """The exact request target sent for `call` (base path + path, query as rewritten)."""
        path, mark, query = call.target.partition("?")
        if not path.startswith("/"):
            path = "/" + path
        if mark and self._rewrite_query is not None:
            query = self._rewrite_query(query)
        return _ascii(f"{self._base_path}{path}{mark}{query}" if query else self._base_path + path)

    def call(self, call: PlannedCall) -> CallOutcome:
        target = self.request_target(call)
        headers = {HEALTH_CHECK_HEADER: "true"} if call.health_check else {}
        sent_headers = self._authenticate("GET", self._origin + target, headers)
        request = self._http.build_request(
            "GET",
            self._origin + "/",
            headers=dict(sent_headers),
            extensions={"target": target.encode("ascii")},
        )
        started = self._clock()
        try:
            response = self._http.send(request)
        except httpx.TimeoutException:
            return CallOutcome(call, None, self._since(started), failure="timed out")
        except httpx.ConnectError:
            failure = f"cannot connect to {self._origin}: is the proxy there?"
            return CallOutcome(call, None, self._since(started), failure=failure)
        except httpx.HTTPError as exc:
            return CallOutcome(call, None, self._since(started), failure=type(exc).__name__)
        return CallOutcome(
            call, response.status_code, self._since(started), response.headers, response.content
        )

    def _since(self, started: float) -> float:
        return (self._clock() - started) * 1000.0


def _ascii(target: str) -> str:
    """Percent-encode (UTF-8) what cannot go on the wire as is: spaces, controls, non-ASCII."""
    return "".join(
        char if 0x20 < ord(char) < 0x7F else "".join(f"%{b:02X}" for b in char.encode())
        for char in target
    )
