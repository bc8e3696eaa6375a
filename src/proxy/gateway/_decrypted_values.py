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

    reverse(path, escape=in_path_segment)
"""

from __future__ import annotations

import re
from urllib.parse import quote

from proxy.errors import BlockedByRules

__all__ = ["in_header", "in_path_segment", "in_query"]

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
