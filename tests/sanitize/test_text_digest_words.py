"""The counts of `textDigest`, made on UTF-8 bytes, equal Java's `length()` and
`s.trim().split("\\\\s+").length`.

Reference here: the regex split the digest used before (Java's `\\s` is [ \\t\\n\\x0b\\f\\r];
`String.split` drops trailing empty strings; `trim` strips every char <= U+0020), and the
UTF-16 encoding for the length.
"""

from __future__ import annotations

import re

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from proxy.sanitize.transforms import text_digest, text_digest_object

# Everything `str.split()` splits on that Java's `\s` does not: must stay inside words.
_PYTHON_ONLY_SPACES = (
    "\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)

_JAVA_SPACE = re.compile(r"[ \t\n\x0b\f\r]+")


def java_word_count(text: str) -> int:
    if not text:
        return 0
    trimmed = text.strip("".join(map(chr, range(0x21))))
    parts = _JAVA_SPACE.split(trimmed)
    while len(parts) > 1 and parts[-1] == "":
        parts.pop()
    return len(parts)


def java_length(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


_alphabet = st.sampled_from(
    [
        *"abé😀",
        "\U0010ffff",
        "\ud800",  # a lone surrogate, as a JSON \\ud800 escape gives
        "\udfff",
        "\u07ff",
        "\uffff",
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
def test_counts_equal_java(text: str) -> None:
    digest = text_digest_object(text)
    assert digest["word_count"] == java_word_count(text)
    assert digest["length"] == java_length(text)


@settings(max_examples=300)
@given(st.text(max_size=40))
def test_counts_equal_java_on_any_text(text: str) -> None:
    digest = text_digest_object(text)
    assert digest["word_count"] == java_word_count(text)
    assert digest["length"] == java_length(text)
    # Without keywords the text is formatted directly: the same bytes as the encoder's.
    assert text_digest(text) == orjson.dumps(digest).decode("utf-8")


def test_examples() -> None:
    assert text_digest_object("a\xa0b c")["word_count"] == 2  # a no-break space joins words
    assert text_digest_object(" \x01 a  b \x02")["word_count"] == 2
    assert text_digest_object("\x01")["word_count"] == 1
    assert text_digest_object("   ")["word_count"] == 1
    assert text_digest_object("")["word_count"] == 0
    assert text_digest_object("\x85a\u3000b\x1c")["word_count"] == 1  # no Java spaces
    assert text_digest_object("😀 \ud800") == {"length": 4, "word_count": 2}
