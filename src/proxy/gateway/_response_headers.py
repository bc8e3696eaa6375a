"""Which upstream response headers reach the caller: fail closed, by the shape of the value.

The reference passes `Content-Type`, `Cache-Control`, `ETag`, `Link`, `Expires`,
`Last-Modified`, `Retry-After` and every `X-RateLimit*` header verbatim, so any identifier an
upstream puts there (an account id in a `Link` query, an email in an `ETag`) reaches the
analytics side. Here a header is kept only when its value has the shape its meaning allows, and
dropped otherwise; the same policy holds on error responses (429, 5xx, 3xx):

- `Retry-After`: delta-seconds or an HTTP-date; `Expires`, `Last-Modified`: an HTTP-date;
- `Cache-Control`: the standard directives, with numeric arguments only (others are dropped);
- `ETag`: a quoted opaque tag of letters, digits and `_+/=.-` (≤ 128), never holding something
  shaped like an account id; so neither `@` nor `:` (no email, no `557058:…` id);
- `Content-Type`: a JSON media type, plus `charset=utf-8` (other parameters are dropped);
- `X-RateLimit-<word>` and `RateLimit-<word>`: a number, `true`/`false`, or a date; and
  `RateLimit-Reason`: one of Atlassian's reason tokens (`confluence-quota-tenant-based`, …);
- `Link`: whatever `rewrite_link` makes of it (it must remove identifiers from the URLs), or
  dropped when there is no rewriter or it returns None.

A header sent several times with different values is dropped (except `Cache-Control` and
`Link`, which are lists). Names are returned lower-cased, as the reference does.

    pass_through_headers(upstream.headers, rewrite_link=None)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

__all__ = ["LinkRewriter", "pass_through_headers"]

LinkRewriter = Callable[[str], str | None]
"""Rewrites a `Link` header value so that it holds no identifier; None drops the header."""

_HTTP_DATE = (
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (?:0[1-9]|[12][0-9]|3[01]) "
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} "
    r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9] GMT"
)
_ISO_DATE_TIME = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?"
    r"(?:Z|[+-][0-9]{2}:?[0-9]{2})"
)
_NUMBER = r"[0-9]{1,15}(?:\.[0-9]{1,6})?"

_RETRY_AFTER = re.compile(rf"[0-9]{{1,10}}|{_HTTP_DATE}")
_DATE = re.compile(_HTTP_DATE)
_RATE_LIMIT_VALUE = re.compile(rf"{_NUMBER}|true|false|{_ISO_DATE_TIME}|{_HTTP_DATE}", re.I)
_RATE_LIMIT_NAME = re.compile(r"(?:x-)?ratelimit-[a-z]+(?:-[a-z]+)*")
# Atlassian's reasons, e.g. `confluence-quota-tenant-based`, `jira-burst-based`,
# `jira-per-issue-on-write`: a product, then words of a closed vocabulary (no digits, no names).
_REASON = re.compile(
    r"(?:confluence|jira|atlassian)"
    r"(?:-(?:quota|global|tenant|app|user|site|based|burst|per|issue|page|on|write|read"
    r"|concurrency|cost|points|rate|limit)){1,6}"
)
_ETAG = re.compile(r'(?:W/)?"([A-Za-z0-9_+/=.-]{1,128})"')
# Something shaped like an Atlassian account id: 24 hex digits standing alone, or the compact
# `557058`/`712020` + 32 hex form of a `<prefix>:<uuid>` id.
_ACCOUNT_ID_SHAPE = re.compile(
    r"(?<![0-9a-f])[0-9a-f]{24}(?![0-9a-f])|(?:557058|712020)[0-9a-f]{32}", re.I
)
_CACHE_FLAGS = frozenset(
    {
        "no-cache",
        "no-store",
        "no-transform",
        "must-revalidate",
        "proxy-revalidate",
        "must-understand",
        "private",
        "public",
        "immutable",
    }
)
_CACHE_SECONDS = re.compile(
    r"(?:max-age|s-maxage|stale-while-revalidate|stale-if-error)=[0-9]{1,10}"
)
_JSON_MEDIA_TYPE = re.compile(r"application/(?:[a-z.-]{1,64}\+)?json")
_UTF8_CHARSET = re.compile(r'charset=("?)utf-8\1', re.I)


def pass_through_headers(
    headers: Iterable[tuple[str, str]], rewrite_link: LinkRewriter | None
) -> list[tuple[str, str]]:
    """The upstream headers the caller may see, lower-cased, in order of first appearance."""
    grouped: dict[str, list[str]] = {}
    for name, value in headers:
        grouped.setdefault(name.lower(), []).append(value.strip())
    kept: list[tuple[str, str]] = []
    for name, values in grouped.items():
        checked = _checked(name, values, rewrite_link)
        if checked is not None:
            kept.append((name, checked))
    return kept


def _checked(name: str, values: list[str], rewrite_link: LinkRewriter | None) -> str | None:
    if name == "cache-control":
        return _cache_control(values)
    if name == "link":
        return rewrite_link(", ".join(values)) if rewrite_link is not None else None
    if len(set(values)) != 1:
        return None
    value = values[0]
    if name == "content-type":
        return _content_type(value)
    if name == "etag":
        return _etag(value)
    pattern = _single_value_shapes(name)
    return value if pattern is not None and pattern.fullmatch(value) else None


def _single_value_shapes(name: str) -> re.Pattern[str] | None:
    if name == "retry-after":
        return _RETRY_AFTER
    if name in ("expires", "last-modified"):
        return _DATE
    if name == "ratelimit-reason":
        return _REASON
    if _RATE_LIMIT_NAME.fullmatch(name):
        return _RATE_LIMIT_VALUE
    return None


def _cache_control(values: list[str]) -> str | None:
    kept: list[str] = []
    for value in values:
        for directive in value.split(","):
            lowered = directive.strip().lower()
            if lowered in _CACHE_FLAGS or _CACHE_SECONDS.fullmatch(lowered):
                kept.append(lowered)
    return ", ".join(dict.fromkeys(kept)) or None


def _etag(value: str) -> str | None:
    match = _ETAG.fullmatch(value)
    if match is None or _ACCOUNT_ID_SHAPE.search(match.group(1)):
        return None
    return value


def _content_type(value: str) -> str | None:
    media_type, *parameters = (part.strip() for part in value.split(";"))
    media_type = media_type.lower()
    if not _JSON_MEDIA_TYPE.fullmatch(media_type):
        return None
    charset = next((p for p in parameters if _UTF8_CHARSET.fullmatch(p)), None)
    return f"{media_type};{charset}" if charset else media_type
