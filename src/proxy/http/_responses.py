"""Responses the proxy makes itself: errors (one place), and the safe summary of upstream errors.

Upstream error bodies are not passed on: an error page can quote request data or user content.
The caller gets the upstream status and rate-limit headers, plus our own JSON naming the status
and, for the failures operators hit most, a hint of what to do.
"""

from __future__ import annotations

from proxy.errors import BlockedByRules, ProxyError
from proxy.http._models import Headers, HttpResponse

__all__ = ["ERROR_HEADER", "error_response", "says_scope_mismatch", "upstream_error_summary"]

ERROR_HEADER = "X-Psoxy-Error"
_SCOPE_MISMATCH = b"scope does not match"  # Atlassian: `Unauthorized; scope does not match`

_HINTS = (
    (
        401,
        _SCOPE_MISMATCH,
        "The OAuth token lacks a scope this call needs: add the "
        "scope to the Atlassian app and run `proxy setup confluence` again.",
    ),
    (401, b"", "Atlassian rejected the access token even after a refresh."),
    (
        403,
        b"",
        "The Atlassian app or user may not read this resource, or the site (cloudId) is "
        "not one the token was granted for.",
    ),
    (404, b"", "Not found: check the cloudId and the ids in the path."),
    (429, b"", "Rate limited by Atlassian: retry after the Retry-After header's seconds."),
)


def error_response(error: ProxyError) -> HttpResponse:
    """Status + `X-Psoxy-Error` + a one-line safe message (none for blocked requests)."""
    headers = [(ERROR_HEADER, error.code)]
    if error.retry_after_seconds is not None:
        headers.append(("Retry-After", str(error.retry_after_seconds)))
    if isinstance(error, BlockedByRules):
        return HttpResponse(error.status, Headers(headers))
    headers.append(("Content-Type", "text/plain; charset=utf-8"))
    return HttpResponse(error.status, Headers(headers), error.message.encode("utf-8"))


def says_scope_mismatch(body: bytes) -> bool:
    """Whether a 401 body is Atlassian's missing-scope answer (no token refresh can help)."""
    return _SCOPE_MISMATCH in body[:65536].lower()


def upstream_error_summary(status: int, body: bytes) -> dict[str, object]:
    """Our JSON for an upstream non-2xx: never its body, only what we recognise in it."""
    summary: dict[str, object] = {"error": "API_ERROR", "status": status}
    lowered = body[:65536].lower()
    for hint_status, marker, hint in _HINTS:
        if status == hint_status and marker in lowered:
            summary["hint"] = hint
            break
    else:
        if status >= 500:
            summary["hint"] = "Atlassian had an error; retry later."
    return summary
