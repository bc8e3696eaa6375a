"""GCP Cloud Functions gen2 (functions-framework) adapter: Flask request ⇄ HttpRequest/Response.

The raw request target comes from `environ["RAW_URI"]` (set by gunicorn and werkzeug):
Flask's `request.path` is percent-decoded, and the rules must see the bytes as sent. The client
IP is the second-to-last `X-Forwarded-For` hop, as the reference trusts Google's load balancer
(`<client>, <lb>`); left-most entries are client-controlled.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from proxy.errors import ProxyError
from proxy.gateway import compression
from proxy.gateway.models import Headers, HttpRequest, HttpResponse
from proxy.gateway.pipeline import Gateway
from proxy.gateway.response_size import GCP_RESPONSE_LIMIT, response_too_large
from proxy.gateway.responses import error_response
from proxy.lazy import Lazy

if TYPE_CHECKING:  # flask is only present where functions-framework is installed
    import flask

__all__ = ["client_ip_from_forwarded_for", "make_route", "to_flask_response", "to_http_request"]

log = logging.getLogger(__name__)


def client_ip_from_forwarded_for(value: str | None) -> str | None:
    """Second-to-last hop when there are two or more, else the only one."""
    hops = [hop.strip() for hop in (value or "").split(",") if hop.strip()]
    if len(hops) >= 2:
        return hops[-2]
    return hops[0] if hops else None


def _raw_target(environ: Mapping[str, Any], fallback: str) -> tuple[str, str | None]:
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI") or fallback
    if "://" in raw.split("?", 1)[0]:  # absolute-form target: keep only path and query
        parts = urlsplit(raw)
        raw = parts.path + (f"?{parts.query}" if "?" in raw else "")
    path, sep, query = raw.partition("?")
    return path or "/", query if sep else None


def to_http_request(request: flask.Request) -> HttpRequest:
    path, query = _raw_target(request.environ, request.full_path)
    forwarded_proto = request.headers.get("X-Forwarded-Proto")
    client_ip = client_ip_from_forwarded_for(request.headers.get("X-Forwarded-For"))
    return HttpRequest(
        method=request.method,
        raw_path=path,
        raw_query=query,
        headers=Headers(list(request.headers.items())),
        body=request.get_data(cache=False),
        client_ip=client_ip or request.remote_addr,
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


def make_route(build_gateway: Callable[[], Gateway]) -> Callable[[flask.Request], flask.Response]:
    """The functions-framework entry point; the gateway is built on the first request."""
    gateway = Lazy(build_gateway)

    def route(request: flask.Request) -> flask.Response:
        try:
            ready = gateway.get()
        except ProxyError as error:
            log.error("cannot start the proxy: %s: %s", error.code, error.message)
            return to_flask_response(error_response(error))
        try:
            http_request = to_http_request(request)
        except Exception:
            log.exception("could not read the request")
            return to_flask_response(
                HttpResponse(400, Headers([("X-Psoxy-Error", "INVALID_REQUEST")]))
            )
        response = ready.handle(http_request)
        return to_flask_response(for_caller(response, http_request.headers))

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
        log.warning("response not sent: %s: %s", too_large.code, too_large.message)
        return error_response(too_large)
    if compression.accepts_gzip(request_headers):
        return compression.gzipped(response) or response
    return response
