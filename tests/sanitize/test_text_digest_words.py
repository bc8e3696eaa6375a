"""The word count of `textDigest` by `str.split()` equals Java's `s.trim().split("\\\\s+")`.

Reference here: the regex split the digest used before (Java's `\\s` is [ \\t\\n\\x0b\\f\\r];
`String.split` drops trailing empty strings; `trim` strips every char <= U+0020).
"""

from __future__ import annotations

import re
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from proxy.sanitize.text_digest import _PYTHON_ONLY_SPACES, text_digest_object

_JAVA_SPACE = re.compile(r"[ \t\n\x0b\f\r]+")


def java_word_count(text: str) -> int:
    if not text:
        return 0
    trimmed = text.strip("".join(map(chr, range(0x21))))
    parts = _JAVA_SPACE.split(trimmed)
    while len(parts) > 1 and parts[-1] == "":
        parts.pop()
    return len(parts)


def test_the_python_only_spaces_are_exactly_what_str_split_adds_to_java() -> None:
    python_spaces = {c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()}
    assert python_spaces - set(" \t\n\x0b\f\r") == set(_PYTHON_ONLY_SPACES)


_alphabet = st.sampled_from(
    [
        *"abé😀",
        " ",
        "  ",
        "\t",
        "\n",
        "\r",
        "\x0b",
        "\f",
        "\x00",
        "\x01",
        "\x1f",
        *_PYTHON_ONLY_SPACES,
    ]
)


@settings(max_examples=500)
@given(st.lists(_alphabet, max_size=30).map("".join))
def test_word_count_equals_java_split(text: str) -> None:
    assert text_digest_object(text)["word_count"] == java_word_count(text)


def test_examples() -> None:
    assert text_digest_object("a\xa0b c")["word_count"] == 2  # a no-break space joins words
    assert text_digest_object(" \x01 a  b \x02")["word_count"] == 2
    assert text_digest_object("\x01")["word_count"] == 1
    assert text_digest_object("   ")["word_count"] == 1
    assert text_digest_object("")["word_count"] == 0
