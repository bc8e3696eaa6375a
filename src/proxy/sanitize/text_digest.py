"""`textDigest`: a text replaced by its length and word count, as the reference computes them.

Length is Java's `String.length()` (UTF-16 code units: an emoji counts 2); words are Java's
`s.trim().split("\\\\s+")` with ASCII whitespace, so a blank text has one "word" and an empty text
none. Keys are sorted, output is compact JSON text.

    text_digest("Hello world") == '{"length":11,"word_count":2}'
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import orjson

__all__ = ["text_digest", "text_digest_object"]

_NON_WORD = re.compile(r"\W+", re.ASCII)
# What `str.split()` splits on beyond Java's `\s` ([ \t\n\x0b\f\r]): made word characters first,
# so the C-speed `str.split()` counts Java's words (a regex split was the digest's main cost).
_PYTHON_ONLY_SPACES = (
    "\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_ASCII_PYTHON_ONLY_SPACES = "\x1c\x1d\x1e\x1f"


def _utf16_length(text: str) -> int:
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _java_trim(text: str) -> str:
    start, end = 0, len(text)
    while start < end and text[start] <= " ":
        start += 1
    while end > start and text[end - 1] <= " ":
        end -= 1
    return text[start:end]


def _word_count(text: str) -> int:
    if not text:
        return 0
    trimmed = _java_trim(text)
    if not trimmed:
        return 1  # Java: "".split(regex) is [""]
    # Trimmed, it starts and ends with a word character: no empty strings at either end.
    spaces = _ASCII_PYTHON_ONLY_SPACES if trimmed.isascii() else _PYTHON_ONLY_SPACES
    for space in spaces:
        if space in trimmed:
            trimmed = trimmed.replace(space, "\x00")
    return len(trimmed.split())


def text_digest_object(text: str, keywords: Sequence[str] = ()) -> dict[str, object]:
    """The digest as a dict with the reference's key order (sorted)."""
    digest: dict[str, object] = {}
    if keywords:
        wanted = {k.lower() for k in keywords}
        counts = Counter(t for t in _NON_WORD.split(text.lower()) if t in wanted)
        if counts:
            digest["keywords"] = dict(sorted(counts.items()))
    digest["length"] = _utf16_length(text)
    digest["word_count"] = _word_count(text)
    return digest


def text_digest(text: str, keywords: Sequence[str] = ()) -> str:
    """The digest as compact JSON text (what the `textDigest` transform stores)."""
    return orjson.dumps(text_digest_object(text, keywords)).decode("utf-8")
