"""One call to the source API through an injected `httpx.Client`: the proxy's only data egress.

The request target is sent byte for byte (httpx's `target` extension), because the rules
matched exactly these raw bytes; httpx would otherwise re-normalize the path. With
`FOLLOW_REDIRECTS` (the composition root passes it; the reference follows by default) a 3xx to a
GET or HEAD is followed only to the configured origin (same scheme, host and port) and, through
the gateway, only to a URL its rules allow for the same endpoint, at most `MAX_REDIRECTS` times;
any other 3xx goes back to the caller as an API error, so the `Authorization` header never
travels to a host or a path the operator did not allow. Transport failures become the
reference's error codes (503 connect, 504 read timeout). Every timeout is cut to the request's
deadline and the body is read within it and within the memory-derived cap (`_body_reader`).

    upstream = Upstream(httpx.Client(), UpstreamTarget.parse("api.atlassian.com"))
    response = upstream.send(OutboundRequest("GET", "/oauth/token/accessible-resources"))
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NamedTuple
from urllib.parse import urlsplit

import httpx

from proxy.deadline import DEADLINE_RETRY_AFTER_SECONDS, current_deadline
from proxy.errors import (
    ConfigurationError,
    UpstreamConnectError,
    UpstreamError,
    UpstreamResponseInvalid,
    UpstreamTimeout,
)
from proxy.gateway._body_reader import read_body
from proxy.gateway._outbound import OutboundRequest
from proxy.http import DEFAULT_MEMORY_MB, Headers, is_loopback_host, upstream_cap_bytes

__all__ = ["Upstream", "UpstreamResponse", "UpstreamTarget", "timeouts_for"]

DEFAULT_MAX_BODY_BYTES = upstream_cap_bytes(DEFAULT_MEMORY_MB)
MAX_REDIRECTS = 5  # FOLLOW_REDIRECTS: same-origin hops for one request, then an error
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
FollowPolicy = Callable[[str, str, "str | None"], bool]
"""`(method, raw path, raw query) -> bool`: whether a same-origin redirect may be followed."""
_BODYLESS_METHODS = frozenset({"GET", "HEAD"})
_DEFAULT_PORTS = {"https": 443, "http": 80}


class UpstreamTarget(NamedTuple):
    """`TARGET_HOST` parsed once: scheme, host[:port] and an optional base path."""

    scheme: str
    netloc: str
    base_path: str = ""

    @classmethod
    def parse(cls, value: str | None, *, setting: str = "TARGET_HOST") -> UpstreamTarget:
        raw = (value or "").strip()
        if not raw:
            raise ConfigurationError(f"{setting} is not set")
        parts = urlsplit(raw if "://" in raw else f"https://{raw}")
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ConfigurationError(f"{setting} must be a host name or an https:// URL")
        if parts.scheme == "http" and not is_loopback_host(parts.hostname):
            raise ConfigurationError(f"{setting} must use https (http only for loopback hosts)")
        if parts.query or parts.fragment or parts.username:
            raise ConfigurationError(f"{setting} must not carry a query, fragment or user")
        return cls(parts.scheme, parts.netloc, parts.path.rstrip("/"))

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.netloc}"


class UpstreamResponse(NamedTuple):
    status: int
    headers: Headers
    body: bytes

    @property
    def is_success(self) -> bool:
        return 200 <= self.status < 300


def timeouts_for(total_seconds: float) -> httpx.Timeout:
    """The reference's split of `REQUEST_TIMEOUT_SECONDS`: connect ≤ 30 s, read the rest."""
    connect = min(30.0, total_seconds)
    read = min(total_seconds, max(60.0, total_seconds - 30.0))
    return httpx.Timeout(read, connect=connect)


def _within(timeout: httpx.Timeout, seconds_left: float) -> httpx.Timeout:
    """Each phase's timeout, cut to the time left before the request's deadline."""

    def cut(value: float | None) -> float | None:
        if value is None:
            return None if math.isinf(seconds_left) else seconds_left
        return min(value, seconds_left)

    return httpx.Timeout(
        connect=cut(timeout.connect),
        read=cut(timeout.read),
        write=cut(timeout.write),
        pool=cut(timeout.pool),
    )


class Upstream:
    """Sends requests to one configured upstream; one pooled client per warm instance."""

    def __init__(
        self,
        client: httpx.Client,
        target: UpstreamTarget,
        *,
        timeout: httpx.Timeout | None = None,
        user_agent: str = "confluence-psoxy",
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        follow_redirects: bool = False,
    ) -> None:
        self._client = client
        self.target = target
        self._origin = httpx.URL(target.origin + "/")  # parsed once: ~0.1 ms a request
        self._timeout = timeout or timeouts_for(180)
        self._user_agent = f"{user_agent} (gzip)"
        self._max_body_bytes = max_body_bytes
        self._follow_redirects = follow_redirects

    def send(
        self, outbound: OutboundRequest, *, may_follow: FollowPolicy | None = None
    ) -> UpstreamResponse:
        """Send exactly this method, raw path and raw query, with these headers and body.

        `may_follow(method, raw_path, raw_query)` (path without `TARGET_HOST`'s base path) also
        has to agree before a same-origin redirect is followed; the gateway allows only what its
        rules allow.
        """
        deadline = current_deadline()
        target = self.target.base_path + outbound.raw_path
        if outbound.raw_query is not None:
            target += f"?{outbound.raw_query}"
        headers = httpx.Headers(
            [
                ("Accept", "application/json"),
                ("Accept-Encoding", "gzip"),
                ("User-Agent", self._user_agent),
                *outbound.headers,
            ]
        )
        content = outbound.body or None
        for _ in range(MAX_REDIRECTS + 1):
            timeout = _within(self._timeout, deadline.budget(math.inf, "calling the source API"))
            request = self._client.build_request(
                outbound.method,
                self._origin,
                headers=headers,
                content=content,
                timeout=timeout,
                extensions={"target": target.encode("ascii")},
            )
            with _upstream_errors(timeout):
                response = self._client.send(request, stream=True, follow_redirects=False)
                try:
                    redirect = self._same_origin_redirect(
                        outbound.method, target, response, may_follow
                    )
                    if redirect is None:
                        body = read_body(response, cap=self._max_body_bytes, deadline=deadline)
                        return UpstreamResponse(
                            response.status_code, Headers(response.headers.multi_items()), body
                        )
                finally:
                    response.close()
            target = redirect
        raise UpstreamResponseInvalid(f"source API redirected more than {MAX_REDIRECTS} times")

    def _same_origin_redirect(
        self,
        method: str,
        target: str,
        response: httpx.Response,
        may_follow: FollowPolicy | None,
    ) -> str | None:
        """The raw target of a redirect to follow: GET/HEAD to the configured origin only."""
        location = response.headers.get("location")
        if (
            not self._follow_redirects
            or response.status_code not in _REDIRECT_STATUSES
            or method.upper() not in _BODYLESS_METHODS
            or not location
        ):
            return None
        try:
            url = httpx.URL(self.target.origin + target).join(location)
        except httpx.InvalidURL:
            return None
        if _origin_of(url) != _origin_of(self._origin):
            return None  # another host, port or scheme: the bearer token never goes there
        raw = url.raw_path.decode("ascii")
        if may_follow is not None:
            path, _, query = raw.partition("?")
            base = self.target.base_path
            if not path.startswith(base) or not may_follow(
                method, path[len(base) :], query if "?" in raw else None
            ):
                return None
        return raw


def _origin_of(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port or _DEFAULT_PORTS.get(url.scheme)


@contextmanager
def _upstream_errors(timeout: httpx.Timeout) -> Iterator[None]:
    """httpx's failures as the reference's error codes (503 connect, 504 read timeout, ...)."""
    try:
        yield
    except httpx.ConnectTimeout as exc:
        raise UpstreamConnectError("timed out connecting to the source API") from exc
    except httpx.ConnectError as exc:
        raise UpstreamConnectError("could not connect to the source API") from exc
    except httpx.TimeoutException as exc:
        seconds = timeout.read or 0.0
        raise UpstreamTimeout(
            f"source API read timeout: no response within {seconds:g} seconds",
            retry_after_seconds=DEADLINE_RETRY_AFTER_SECONDS,
        ) from exc
    except httpx.DecodingError as exc:
        raise UpstreamResponseInvalid("source API response could not be decoded") from exc
    except httpx.HTTPError as exc:
        raise UpstreamError("error communicating with the source API") from exc
