"""Inbound path normalization and the URL safety policy, before rules matching.

Normalization is the reference's (`InboundRequestPathNormalizer`): trim the configured
`REQUEST_PATH_PREFIX_TO_TRIM`, then a leading `/<function-name>` segment.

The safety policy is ours. The rules match the *raw* URL, where `{var}` accepts any characters
of one segment; but the upstream may decode or normalize what we forward, and reach another
endpoint than the one the rules allowed (`/pages/../spaces`, `a%2Fb`, `;params`). So any URL
whose meaning could change between our matching and the upstream's routing is refused before
matching, as blocked by rules.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from proxy.errors import BlockedByRules

__all__ = ["MAX_URL_LENGTH", "check_url_is_unambiguous", "normalize_path"]

MAX_URL_LENGTH = 8192

# One segment: RFC 3986 pchar minus `;` (matrix params), with well-formed percent-escapes.
_SEGMENT = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,=:@]|%[0-9A-Fa-f]{2})+")
# Escapes that upstream servers may turn into structure: `/`, `\`, `%`, controls, NUL.
_DANGEROUS_ESCAPE = re.compile(r"%(?:2[Ff]|5[Cc]|25|[01][0-9A-Fa-f]|7[Ff])")
# A query: pchar plus `/`, `?` and `;` (split on by the rules), no `#`, space or controls.
_QUERY = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*")


def normalize_path(raw_path: str, *, prefix_to_trim: str | None, function_name: str | None) -> str:
    """Strip the deployment's own prefixes, as the reference does; the rest stays raw."""
    path = raw_path if raw_path.startswith("/") else f"/{raw_path}"
    if prefix_to_trim:
        prefix = prefix_to_trim if prefix_to_trim.startswith("/") else f"/{prefix_to_trim}"
        if prefix.endswith("/") and path.startswith(prefix):
            path = "/" + path[len(prefix) :].lstrip("/")
        elif path == prefix:
            path = "/"
        elif path.startswith(prefix + "/"):
            path = path[len(prefix) :]
    if function_name:
        own = f"/{function_name}"
        if path == own:
            path = "/"
        elif path.startswith(own + "/"):
            path = path[len(own) :]
    return path


def check_url_is_unambiguous(raw_path: str, raw_query: str | None) -> None:
    """Raise `BlockedByRules` for a URL an upstream might route differently than we match it."""
    if len(raw_path) + len(raw_query or "") > MAX_URL_LENGTH:
        raise BlockedByRules("URL too long")
    if not raw_path.startswith("/"):
        raise BlockedByRules("path is not origin-form")
    if raw_path != "/":
        for segment in raw_path[1:].split("/"):
            if not _SEGMENT.fullmatch(segment):
                raise BlockedByRules("path has an empty or malformed segment")
            if _DANGEROUS_ESCAPE.search(segment):
                raise BlockedByRules("path has an encoded separator or control character")
            if unquote(segment) in (".", ".."):
                raise BlockedByRules("path has a dot segment")
    if raw_query is not None and not _QUERY.fullmatch(raw_query):
        raise BlockedByRules("query has characters that are not allowed")
