"""Where a decrypted `p~` value may go back into a request: as data, never as structure.

A reversible token is decrypted *after* the URL safety check and the rules match, so its
plaintext must not be able to do what the check refused from the caller: a plaintext planted
upstream (`..`, `a/b`, `%2e%2e`, `x?y`) would otherwise change the path Confluence routes, or the
query it parses. Each function below is the `escape` of `Pseudonymizer.reverse_tokens` for one
place, and raises `BlockedByRules` (403, nothing forwarded) when the value cannot be data there:

- a path segment: no `/`, `\\`, `?`, `#`, `%`, no control character, not `.` or `..`; the rest is
  percent-encoded outside RFC 3986 `pchar` (an account id `557058:…` stays as it is);
- a query: no `%` (an already-encoded value would be ambiguous) and no control character; the
  value is percent-encoded in full, so `557058:…` becomes `557058%3A…` and `&`, `=`, `#`, `/`
  stay inside the value;
- a header value: no control character (no header splitting).

And a decrypted value must not come back: `without_decrypted_values` is the last look at a
response (see `proxy.sanitize.request_echo` for the links, which keep working).

    reverse(path, escape=in_path_segment)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote

from proxy.errors import BlockedByRules, SanitizationError
from proxy.gateway._outbound import OutboundRequest
from proxy.http import Headers, HttpRequest, HttpResponse
from proxy.sanitize.links import RequestEcho

__all__ = [
    "in_header",
    "in_path_segment",
    "in_query",
    "request_echo",
    "without_decrypted_values",
]

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_NOT_IN_A_SEGMENT = re.compile(r"[/\\?#%\x00-\x1f\x7f-\x9f]")
_SEGMENT_SAFE = "-._~!$&'()*+,=:@"  # RFC 3986 pchar, unencoded
_QUERY_SAFE = "-._~"  # RFC 3986 unreserved


def in_path_segment(value: str) -> str:
    """The value as (part of) one path segment, or `BlockedByRules`."""
    if not value or value in (".", "..") or _NOT_IN_A_SEGMENT.search(value):
        raise BlockedByRules("a decrypted token is not a safe path segment")
    return quote(value, safe=_SEGMENT_SAFE)


def in_query(value: str) -> str:
    """The value percent-encoded for a query, or `BlockedByRules`."""
    if "%" in value or _CONTROL.search(value):
        raise BlockedByRules("a decrypted token is not a safe query value")
    return quote(value, safe=_QUERY_SAFE)


def in_header(value: str) -> str:
    """The value as is, unless it holds a control character (`BlockedByRules`)."""
    if _CONTROL.search(value):
        raise BlockedByRules("a decrypted token is not a safe header value")
    return value


def request_echo(
    decrypt: Callable[[str], str], request: HttpRequest, path: str, outbound: OutboundRequest
) -> RequestEcho:
    """What the caller sent (`path`: its path without the deployment's prefixes) and what was
    forwarded for it, for the response's sanitizing (`RequestEcho.active`)."""
    forwarded_names = {name.lower() for name, _ in outbound.headers}
    return RequestEcho.of(
        decrypt,
        caller=(path, request.raw_query),
        forwarded=(outbound.raw_path, outbound.raw_query),
        also_sent=[
            *(value for name, value in request.headers if name.lower() in forwarded_names),
            request.body.decode("utf-8", "replace"),
        ],
    )


def without_decrypted_values(response: HttpResponse, echo: RequestEcho) -> HttpResponse:
    """The response, unless an upstream echoed a value decrypted for this request into it.

    A header holding one is dropped; a body holding one fails the request (a body cannot be cut
    safely here). Values the caller also wrote in clear are not looked for (see `RequestEcho`).
    """
    if not echo.decrypted:
        return response
    if response.body and echo.leaks(response.body):
        raise SanitizationError("the response holds a value decrypted from the request")
    kept = [(name, value) for name, value in response.headers if not echo.leaks(value)]
    if len(kept) == len(response.headers):
        return response
    return HttpResponse(response.status, Headers(kept), response.body)
