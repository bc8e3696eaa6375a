"""Java's text forms of numbers, blankness and JSON strings."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from proxy.sanitize.pseudonyms._text import is_blank, java_json_string, java_number_text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1, "1"),
        (-42, "-42"),
        (2**63, "9223372036854775808"),
        (10**30, "1000000000000000000000000000000"),
        (1.5, "1.5"),
        (1.0, "1.0"),
        (-0.0, "-0.0"),
        (0.0, "0.0"),
        (100.0, "100.0"),
        (1200.5, "1200.5"),
        (9999999.0, "9999999.0"),
        (1.0e7, "1.0E7"),
        (1.2345e7, "1.2345E7"),
        (0.001, "0.001"),
        (0.0015, "0.0015"),
        (1.0e-4, "1.0E-4"),
        (1.234e-5, "1.234E-5"),
        (-2.5e-10, "-2.5E-10"),
        (1.0e22, "1.0E22"),
        (1.7976931348623157e308, "1.7976931348623157E308"),
        (4.9e-324, "4.9E-324"),
        (1e-323, "9.9E-324"),
        (0.3, "0.3"),
        (2e-3, "0.002"),
        (1e23, "1.0E23"),
        (9.5, "9.5"),
        (0.1, "0.1"),
        (123456.789, "123456.789"),
        (math.inf, "Infinity"),
        (-math.inf, "-Infinity"),
        (math.nan, "NaN"),
    ],
)
def test_java_number_text(value: int | float, text: str) -> None:
    assert java_number_text(value) == text


def test_booleans_are_not_numbers() -> None:
    with pytest.raises(TypeError):
        java_number_text(True)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_double_text_round_trips(value: float) -> None:
    assert float(java_number_text(value)) == value


@pytest.mark.parametrize(
    ("text", "blank"),
    [
        ("", True),
        (" ", True),
        ("\t\n\r\x0b\x0c", True),
        ("\x1c\x1f", True),
        ("\u2003\u3000\u2028", True),
        ("\u00a0", False),
        ("\u2007", False),
        ("\u202f", False),
        ("\u0085", False),
        ("\u200b", False),
        (" a ", False),
    ],
)
def test_is_blank_follows_java_whitespace(text: str, blank: bool) -> None:
    assert is_blank(text) is blank


@pytest.mark.parametrize(
    ("text", "literal"),
    [
        ("plain", '"plain"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ("a/b", '"a/b"'),
        ("\b\t\n\f\r", '"\\b\\t\\n\\f\\r"'),
        ("\x00\x01\x1f", '"\\u0000\\u0001\\u001F"'),
        ("\x7f é 🌱 \u2028", '"\x7f é 🌱 \u2028"'),
    ],
)
def test_json_strings_are_escaped_like_jackson(text: str, literal: str) -> None:
    assert java_json_string(text) == literal


@given(st.text())
def test_json_string_parses_back(text: str) -> None:
    assert json.loads(java_json_string(text)) == text
