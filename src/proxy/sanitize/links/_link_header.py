"""The `Link` response header (RFC 8288): Confluence v2 gives the next page's URL there.

Parsed strictly (`<url>; rel="next", <url2>; rel="base"`); each URL goes through the same
rewriter as `_links.next`. Only pagination relations are kept: `rel="base"` names the site
(`https://<company>.atlassian.net/wiki`), which the bundled rules redact from bodies as well.
A kept link is written `<url>; rel="next"`: its other parameters (`title`, `anchor`, other
relations) are left out, as they could hold a name, which no recognizer knows. Anything
malformed, or a URL the rewriter cannot make safe, drops the whole header (None)::

>>> rewrite_link_header('</wiki/api/v2/spaces?cursor=abc>; rel="next"', lambda url: url)
'</wiki/api/v2/spaces?cursor=abc>; rel="next"'
>>> rewrite_link_header('</a>; rel="next"', lambda url: None) is None  # an unsafe URL
True
"""

from __future__ import annotations

import re
from collections.abc import Callable

from proxy.sanitize.pseudonyms import contains_identifier

__all__ = ["PAGINATION_RELATIONS", "rewrite_link_header"]

PAGINATION_RELATIONS = frozenset({"next", "prev", "previous", "first", "last"})
MAX_HEADER_LENGTH = 16_384  # as `links.MAX_LINK_LENGTH`: a few pagination links fit well within

_URL = re.compile(r"\s*<([^<>\s]*)>")
_PARAMETER = re.compile(
    r"""\s*;\s*(?P<name>[A-Za-z0-9!#$%&'*+.^_`|~-]+)
        (?:\s*=\s*(?P<value>"(?:[^"\\]|\\.)*"|[A-Za-z0-9!#$%&'*+.^_`|~:/-]+))?""",
    re.VERBOSE,
)
_SEPARATOR = re.compile(r"\s*(?:,|$)")


class _Unsafe(Exception):
    """The header cannot be passed on safely: drop it."""


def rewrite_link_header(value: str, rewrite_url: Callable[[str], str | None]) -> str | None:
    """The header with pagination links rewritten and others left out; None if unsafe/empty
    (or too long: thousands of entries would make a header no platform returns)."""
    if len(value) > MAX_HEADER_LENGTH:
        return None
    try:
        return ", ".join(_rewritten_links(value, rewrite_url)) or None
    except _Unsafe:
        return None


def _rewritten_links(value: str, rewrite_url: Callable[[str], str | None]) -> list[str]:
    kept: list[str] = []
    position = 0
    while True:
        url_match = _URL.match(value, position)
        if url_match is None:
            raise _Unsafe
        position = url_match.end()
        parameters: list[tuple[str, str | None]] = []
        while (parameter := _PARAMETER.match(value, position)) is not None:
            parameters.append((parameter.group("name").lower(), parameter.group("value")))
            position = parameter.end()
        separator = _SEPARATOR.match(value, position)
        if separator is None:
            raise _Unsafe
        position = separator.end()
        link = _pagination_link(url_match.group(1), parameters, rewrite_url)
        if link is not None:
            kept.append(link)
        if position >= len(value):
            return kept


def _pagination_link(
    url: str,
    parameters: list[tuple[str, str | None]],
    rewrite_url: Callable[[str], str | None],
) -> str | None:
    """`<url>; rel="…"` rewritten, or None to leave it out (`_Unsafe` if it cannot be kept)."""
    relations = [
        relation.lower()
        for name, raw in parameters
        if name == "rel" and raw is not None
        for relation in raw.strip('"').split()
    ]
    kept = [relation for relation in dict.fromkeys(relations) if relation in PAGINATION_RELATIONS]
    if not kept:
        return None
    if any(raw is not None and contains_identifier(raw) for _, raw in parameters):
        raise _Unsafe  # an upstream that puts ids there is not to be trusted with the rest
    rewritten = rewrite_url(url)
    if rewritten is None:
        raise _Unsafe
    return f'<{rewritten}>; rel="{" ".join(kept)}"'
