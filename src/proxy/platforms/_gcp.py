"""GCP Cloud Functions gen2 (functions-framework) adapter: Flask request ⇄ HttpRequest/Response.

The raw request target comes from `environ["RAW_URI"]` (set by gunicorn and werkzeug):
Flask's `request.path` is percent-decoded, and the rules must see the bytes as sent. The client
IP is the `X-Forwarded-For` entry Google's front end appended (the last one), or the socket
peer under `proxy serve`: see `_client_ip`. Failures are answered by the entry both platforms
share (`_entry.respond`). Records logged while a request runs carry its Cloud Logging trace
(`_gcp_trace`) when the project id is known.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from proxy import http
from proxy.http import (
    GCP_RESPONSE_LIMIT,
    Headers,
    HttpRequest,
    HttpResponse,
    error_response,
    response_too_large,
)
from proxy.lazy import Lazy
from proxy.log_events import error_event, event
from proxy.platforms._client_ip import ForwardedFor
from proxy.platforms._entry import RequestHandler, respond
from proxy.platforms._gcp_trace import trace_fields
from proxy.platforms._log_context import request_log_context

if TYPE_CHECKING:  # flask is only present where functions-framework is installed
    import flask

__all__ = ["for_caller", "make_route", "to_flask_response", "to_http_request"]

log = logging.getLogger("proxy.platforms.gcp")  # stable name, as logged


def _raw_target(environ: Mapping[str, Any], fallback: str) -> tuple[str, str | None]:
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI") or fallback
    if "://" in raw.split("?", 1)[0]:  # absolute-form target: keep only path and query
        parts = urlsplit(raw)
        raw = parts.path + (f"?{parts.query}" if "?" in raw else "")
    path, sep, query = raw.partition("?")
    return path or "/", query if sep else None


def to_http_request(request: flask.Request, forwarded_for: ForwardedFor) -> HttpRequest:
    path, query = _raw_target(request.environ, request.full_path)
    forwarded_proto = request.headers.get("X-Forwarded-Proto")
    client_ip = forwarded_for.client_ip(
        request.headers.get("X-Forwarded-For"), peer=request.remote_addr
    )
    return HttpRequest(
        method=request.method,
        raw_path=path,
        raw_query=query,
        headers=Headers(list(request.headers.items())),
        body=request.get_data(cache=False),
        client_ip=client_ip,
        is_https=None if forwarded_proto is None else forwarded_proto.lower() == "https",
    )


def to_flask_response(response: HttpResponse) -> flask.Response:
    import flask

    result = flask.Response(response.body, status=response.status)
    result.headers.clear()
    for name, value in response.headers:
        result.headers.add(name, value)
    if "content-type" not in response.headers:
        result.headers.remove("Content-Type")
    return result


def make_route(
    build: Callable[[], RequestHandler],
    *,
    forwarded_for: Callable[[], ForwardedFor] = ForwardedFor,
    trace_project: Callable[[], str | None] = lambda: None,
) -> Callable[[flask.Request], flask.Response]:
    """The functions-framework entry point; the gateway is built on the first request.

    `forwarded_for` says whose `X-Forwarded-For` entries to trust (from the settings);
    `trace_project` gives the GCP project id the log records' trace field needs (None: none).
    """
    gateway = Lazy(build).get

    def route(request: flask.Request) -> flask.Response:
        trace = trace_fields(
            request.headers.get("X-Cloud-Trace-Context"),
            request.headers.get("traceparent"),
            project=trace_project(),
        )
        with request_log_context(trace):
            return _route(request)

    def _route(request: flask.Request) -> flask.Response:
        http_request, response = respond(
            gateway,
            lambda: to_http_request(request, forwarded_for()),
            log=log,
            where="the GCP entry point",
        )
        headers = http_request.headers if http_request is not None else Headers()
        return to_flask_response(for_caller(response, headers))

    return route


def for_caller(response: HttpResponse, request_headers: Headers) -> HttpResponse:
    """Within the platform's response limit, and gzipped when the caller accepts it.

    The limit is Cloud Run functions' 32 MB for responses that are not streamed, counted
    uncompressed; above it, a deliberate `502 RESPONSE_TOO_LARGE`. (Cloud Run says nothing of
    the time left, so a request's deadline is REQUEST_TIMEOUT_SECONDS, which Terraform sets a
    margin below the function timeout.) The reference gzipped only when the User-Agent also
    said `gzip`.
    """
    if len(response.body) > GCP_RESPONSE_LIMIT.max_bytes:  # the limit counts uncompressed bytes
        too_large = response_too_large(len(response.body), GCP_RESPONSE_LIMIT, gzip_possible=False)
        log.warning(
            "response not sent: %s: %s",
            too_large.code,
            too_large.message,
            extra=event(error_event(too_large), error_code=too_large.code),
        )
        return error_response(too_large)
    if http.accepts_gzip(request_headers):
        return http.gzipped(response) or response
    return response
