"""textDigest vectors from the reference (reference notes §4.1)."""

from __future__ import annotations

import pytest

from proxy.sanitize.transforms import text_digest


@pytest.mark.parametrize(
    ("text", "digest"),
    [
        ("Hello world", '{"length":11,"word_count":2}'),
        ("This is a test", '{"length":14,"word_count":4}'),
        ("OneWord", '{"length":7,"word_count":1}'),
        ("", '{"length":0,"word_count":0}'),
        ("   ", '{"length":3,"word_count":1}'),  # Java: "".split -> [""]
        ("  two\t words\n", '{"length":13,"word_count":2}'),
        ("a\u00a0b", '{"length":3,"word_count":1}'),  # NBSP is not Java \s
        ("grow 🌱", '{"length":7,"word_count":2}'),  # UTF-16: the emoji counts 2
    ],
)
def test_digest(text: str, digest: str) -> None:
    assert text_digest(text) == digest


def test_keywords() -> None:
    text = (
        "Please WRITE an Email and summarize the results of the write operation. "
        "Don't email me again!"
    )
    assert text_digest(text, ["eMail", "write", "Summarize", "not_present"]) == (
        '{"keywords":{"email":2,"summarize":1,"write":2},"length":93,"word_count":16}'
    )
    assert text_digest("nothing here", ["absent"]) == '{"length":12,"word_count":2}'
