"""The neutral HTTP values every layer shares, and the responses the proxy makes itself.

Owns: `HttpRequest`, `HttpResponse`, `Headers` (what the platforms translate to and from), the
error responses (`error_response`, `ERROR_HEADER`, the safe summary of upstream errors), gzip,
the response-size policy, and the one rule for plain HTTP (`is_loopback_host`).

May import: `proxy.errors` only (and orjson). It is light on purpose: the Lambda entry imports it
at cold start, before the first invocation builds anything.

>>> from proxy.errors import BlockedByRules
>>> response = error_response(BlockedByRules())
>>> response.status, response.headers.get(ERROR_HEADER)
(403, 'BLOCKED_BY_RULES')
"""

from proxy.http._compression import GZIP_MIN_BYTES, accepts_gzip, gzipped
from proxy.http._loopback import is_loopback_host
from proxy.http._models import Headers, HttpRequest, HttpResponse
from proxy.http._response_size import (
    DEFAULT_MEMORY_MB,
    GCP_RESPONSE_LIMIT,
    LAMBDA_RESPONSE_LIMIT,
    MIB,
    PlatformLimit,
    response_too_large,
    upstream_cap_bytes,
    upstream_too_large,
)
from proxy.http._responses import (
    ERROR_HEADER,
    error_response,
    says_scope_mismatch,
    upstream_error_summary,
)

__all__ = [
    "DEFAULT_MEMORY_MB",
    "ERROR_HEADER",
    "GCP_RESPONSE_LIMIT",
    "GZIP_MIN_BYTES",
    "LAMBDA_RESPONSE_LIMIT",
    "MIB",
    "Headers",
    "HttpRequest",
    "HttpResponse",
    "PlatformLimit",
    "accepts_gzip",
    "error_response",
    "gzipped",
    "is_loopback_host",
    "response_too_large",
    "says_scope_mismatch",
    "upstream_cap_bytes",
    "upstream_error_summary",
    "upstream_too_large",
]
