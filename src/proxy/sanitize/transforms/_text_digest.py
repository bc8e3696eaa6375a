"""`textDigest`: a text replaced by its length and word count, as the reference computes them.

Length is Java's `String.length()` (UTF-16 code units: an emoji counts 2); words are Java's
`s.trim().split("\\\\s+")` with ASCII whitespace, so a blank text has one "word" and an empty text
none. Keys are sorted, output is compact JSON text.

>>> text_digest("Hello world", ())
'{"length":11,"word_count":2}'
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import orjson

__all__ = ["text_digest", "text_digest_object"]

_NON_WORD = re.compile(r"\W+", re.ASCII)
# Both counts work on the UTF-8 bytes, in C. Java's trim strips chars <= U+0020, and its `\s`
# is [ \t\n\x0b\f\r], exactly what `bytes.split()` splits on (`str.split()` splits on 23 more);
# each is one byte below 0x80, which no multi-byte sequence holds.
_JAVA_TRIM = bytes(range(0x21))
# Lead bytes of 4-byte sequences: the code points above U+FFFF, two UTF-16 units each.
_NOT_ASTRAL_LEAD = bytes(byte for byte in range(256) if not 0xF0 <= byte <= 0xF7)


def _length_and_words(text: str) -> tuple[int, int]:
    """Java's `length()` (UTF-16 units) and `trim().split("\\s+").length` (0 for "")."""
    if text.isascii():
        encoded = text.encode("ascii")
        length = len(text)
    else:
        encoded = text.encode("utf-8", "surrogatepass")  # a lone surrogate is one unit in Java
        length = len(text) + len(encoded.translate(None, _NOT_ASTRAL_LEAD))
    if not encoded:
        return length, 0
    trimmed = encoded.strip(_JAVA_TRIM)
    if not trimmed:
        return length, 1  # Java: "".split(regex) is [""]
    return length, len(trimmed.split())


def text_digest_object(text: str, keywords: Sequence[str] = ()) -> dict[str, object]:
    """The digest as a dict with the reference's key order (sorted)."""
    digest: dict[str, object] = {}
    if keywords:
        wanted = {k.lower() for k in keywords}
        counts = Counter(t for t in _NON_WORD.split(text.lower()) if t in wanted)
        if counts:
            digest["keywords"] = dict(sorted(counts.items()))
    digest["length"], digest["word_count"] = _length_and_words(text)
    return digest


def text_digest(text: str, keywords: Sequence[str] = ()) -> str:
    """The digest as compact JSON text (what the `textDigest` transform stores)."""
    if keywords:
        return orjson.dumps(text_digest_object(text, keywords)).decode("utf-8")
    length, words = _length_and_words(text)  # two ints: no dict, no encoder
    return f'{{"length":{length},"word_count":{words}}}'
