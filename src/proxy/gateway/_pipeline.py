"""The request pipeline: one named step per line, in the reference's order.

HTTPS → health check → IP allow-list → path normalization → URL safety → rules match (403) →
body checks → decrypt `p~` tokens (as data, see `_decrypted_values`) → URL safety again → source
auth → upstream call (one retry after a 401) → sanitize (fail closed; what upstream echoes of
the request goes back as the caller sent it, see `request_echo`) → no decrypted value out →
response. Every deliberate error is a `ProxyError`, converted to a response in exactly one
place; anything else becomes a 500 with nothing from upstream in it.

    gateway = Gateway(config, LazyRuntime(build_runtime))
    response = gateway.handle(request)
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import NamedTuple

from proxy.deadline import UNBOUNDED, Deadline, deadline_scope
from proxy.errors import (
    BlockedByRules,
    HttpsRequired,
    ProxyError,
    RequestError,
    UnauthorizedIpAddress,
)
from proxy.gateway import _decrypted_values as decrypted_values
from proxy.gateway._health import HEALTH_CHECK_HEADER, HealthCheck, HealthFacts
from proxy.gateway._ip_allowlist import IpAllowList
from proxy.gateway._outbound import OutboundRequest, reverse_tokens_in_body
from proxy.gateway._paths import check_url_is_unambiguous, normalize_path
from proxy.gateway._request_record import (
    NO_ENDPOINT,
    log_request,
    sanitize_timer,
    start_timings,
    upstream_timer,
)
from proxy.gateway._response_headers import pass_through_headers
from proxy.gateway._runtime import LazyRuntime, Runtime
from proxy.gateway._upstream import UpstreamResponse
from proxy.http import (
    ERROR_HEADER,
    Headers,
    HttpRequest,
    HttpResponse,
    error_response,
    says_scope_mismatch,
    upstream_error_summary,
)
from proxy.log_events import error_event, event
from proxy.rules import Endpoint, body_allowed
from proxy.safe_logging import log_unexpected

__all__ = ["Gateway", "GatewayConfig"]

log = logging.getLogger("proxy.gateway.pipeline")  # stable name, as logged

# Never forwarded upstream, even when rules list them: ours to set, or the caller's credentials.
_NEVER_FORWARDED = frozenset({"authorization", "host", "cookie", "content-length", "connection"})
_BODYLESS_METHODS = frozenset({"GET", "HEAD"})
_JSON = "application/json"


class GatewayConfig(NamedTuple):
    """Settings of the pipeline itself (read from the environment by the composition root)."""

    facts: HealthFacts
    function_name: str | None = None
    path_prefix_to_trim: str | None = None
    allowed_ip_blocks: str | None = None
    development_mode: bool = False
    request_timeout_seconds: float | None = None  # the request's deadline (None: the platform's)


class Gateway:
    """Handles one `HttpRequest` at a time; safe to share between threads."""

    def __init__(self, config: GatewayConfig, runtime: LazyRuntime) -> None:
        self._config = config
        self._runtime = runtime
        self._ips = IpAllowList.from_setting(config.allowed_ip_blocks)
        self._health = HealthCheck(config.facts, runtime, self._ips)

    def handle(self, request: HttpRequest) -> HttpResponse:
        timings = start_timings()
        matched = _Matched()
        try:
            with deadline_scope(self._deadline()):
                response = self._handle(request, matched)
        except ProxyError as error:
            response = error_response(error)
            log.log(
                logging.WARNING if error.status >= 500 else logging.INFO,
                "%s failed: %s (%s)",
                request.method,
                error.code,
                error.message,
                extra=event(error_event(error), error_code=error.code),
            )
        except Exception as exc:
            log_unexpected(
                log,
                f"unexpected error handling a {request.method} request",
                exc,
                development_mode=self._config.development_mode,
            )
            response = error_response(ProxyError("unexpected error; see the logs"))
        development_mode = self._config.development_mode
        log_request(request, response, matched.label, timings, development_mode=development_mode)
        return response

    def _deadline(self) -> Deadline:
        """REQUEST_TIMEOUT_SECONDS from now; an earlier platform deadline in force still wins."""
        seconds = self._config.request_timeout_seconds
        return UNBOUNDED if seconds is None else Deadline.after(seconds)

    def _handle(self, request: HttpRequest, matched: _Matched) -> HttpResponse:
        if request.is_https is False:
            raise HttpsRequired("Requests MUST be sent over HTTPS")
        if HEALTH_CHECK_HEADER in request.headers:
            matched.label = "health-check"
            return self._health.respond(request)
        if not self._ips.allows(request.client_ip):
            raise UnauthorizedIpAddress("Client IP is not authorized to access this proxy.")
        path = normalize_path(
            request.raw_path,
            prefix_to_trim=self._config.path_prefix_to_trim,
            function_name=self._config.function_name,
        )
        check_url_is_unambiguous(path, request.raw_query)
        runtime = self._runtime.get()
        endpoint = runtime.endpoints.match(request.method, path, request.raw_query)
        if endpoint is None:
            raise BlockedByRules()
        matched.label = endpoint.label  # from here on, failures are logged with the endpoint
        body = _checked_body(request, endpoint)
        reverse = runtime.reverse_tokens
        target_path = reverse(path, escape=decrypted_values.in_path_segment)
        target_query = None
        if request.raw_query is not None:
            target_query = reverse(request.raw_query, escape=decrypted_values.in_query)
        check_url_is_unambiguous(target_path, target_query)
        headers = list(self._forwarded_headers(runtime, endpoint, request))
        if body:
            body = reverse_tokens_in_body(body, request.headers.get("content-type"), reverse)
            headers.append(("Content-Type", request.headers.get("content-type") or _JSON))
        outbound = OutboundRequest(request.method, target_path, target_query, headers, body)
        upstream = self._call(runtime, outbound, _RedirectPolicy(runtime, endpoint))
        echo = decrypted_values.request_echo(runtime.decrypt_token, request, path, outbound)
        with echo.active():  # what upstream echoes of the request comes back as the caller sent it
            response = self._respond(runtime, endpoint, upstream)
        return decrypted_values.without_decrypted_values(response, echo)

    def _forwarded_headers(
        self, runtime: Runtime, endpoint: Endpoint, request: HttpRequest
    ) -> Iterable[tuple[str, str]]:
        allowed = {
            name.lower()
            for name in (
                *runtime.rules.allowed_request_headers,
                *endpoint.allowed_request_headers,
            )
        }
        reverse = runtime.reverse_tokens
        for name, value in request.headers:
            lowered = name.lower()
            forwardable = lowered not in _NEVER_FORWARDED and not lowered.startswith("x-psoxy-")
            if lowered in allowed and forwardable:
                yield name, reverse(value, escape=decrypted_values.in_header)

    def _call(
        self, runtime: Runtime, outbound: OutboundRequest, redirects: _RedirectPolicy
    ) -> UpstreamResponse:
        """The upstream call; after a 401 the rejected token is discarded and retried once.

        A 401 for a missing scope is the app's configuration, not the token: it goes back to the
        caller with a hint, and the token is kept. The auth may also keep a token (it limits
        how often a 401 may force a refresh); then there is nothing new to retry with.
        """
        auth = runtime.source_auth
        credentials = auth.credentials()
        with upstream_timer():
            response = runtime.upstream.send(
                outbound.with_headers(credentials.headers.items()), may_follow=redirects.allows
            )
        if (
            response.status == 401
            and not says_scope_mismatch(response.body)
            and auth.rejected(credentials)
        ):
            credentials = auth.credentials()
            with upstream_timer():
                response = runtime.upstream.send(
                    outbound.with_headers(credentials.headers.items()), may_follow=redirects.allows
                )
        return response

    def _respond(
        self, runtime: Runtime, endpoint: Endpoint, upstream: UpstreamResponse
    ) -> HttpResponse:
        passed = pass_through_headers(upstream.headers, runtime.rewrite_link_header)
        if not upstream.is_success:
            summary = HttpResponse.json(
                upstream.status, upstream_error_summary(upstream.status, upstream.body)
            )
            extra = [(k, v) for k, v in passed if k != "content-type"]
            return summary.with_headers([*extra, (ERROR_HEADER, "API_ERROR")])
        with sanitize_timer():
            body = runtime.sanitizer.sanitize(endpoint, upstream.body)
        if not any(name == "content-type" for name, _ in passed):
            passed.append(("content-type", "application/json"))
        passed += [
            ("X-Psoxy-Rules-SHA", runtime.rules.sha),
            ("X-Psoxy-Psoxy-Version", self._config.facts.version),
            ("X-Psoxy-PII-Salt-Sha256", runtime.salt_sha256),
        ]
        return HttpResponse(upstream.status, Headers(passed), body)


class _RedirectPolicy:
    """Which same-origin redirects the upstream may follow: only to a URL the caller could have
    asked for at this endpoint (unambiguous, and matched by the same rule), so a redirect never
    carries the proxy's token to a path the rules do not allow."""

    __slots__ = ("_endpoint", "_runtime")

    def __init__(self, runtime: Runtime, endpoint: Endpoint) -> None:
        self._runtime, self._endpoint = runtime, endpoint

    def allows(self, method: str, raw_path: str, raw_query: str | None) -> bool:
        try:
            check_url_is_unambiguous(raw_path, raw_query)
        except BlockedByRules:
            return False
        return self._runtime.endpoints.match(method, raw_path, raw_query) is self._endpoint


class _Matched:
    """What the access log names: the rules endpoint, once matched (also when it then fails)."""

    __slots__ = ("label",)

    def __init__(self) -> None:
        self.label = NO_ENDPOINT


def _checked_body(request: HttpRequest, endpoint: Endpoint) -> bytes:
    """The body to forward: none on GET/HEAD; else what the endpoint's `requestBody` allows."""
    body = request.body if request.body.strip() else b""
    if body and request.method.upper() in _BODYLESS_METHODS:
        raise RequestError("Request body is not allowed for GET or HEAD requests")
    if not body_allowed(endpoint.request_body, request.headers.get("content-type"), body):
        raise BlockedByRules("request body not allowed by the rules")
    return body
