"""JSON in/out as the reference writes it (reference notes §2.1)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from proxy.errors import InputNotJson
from proxy.sanitize._json_codec import JavaDouble, dumps, java_double_text, loads_values, pretty


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.0, "1.0"),
        (1e3, "1000.0"),
        (1.50, "1.5"),
        (12345678.0, "1.2345678E7"),
        (1756817402.123, "1.756817402123E9"),
        (0.0001, "1.0E-4"),
        (1e300, "1.0E300"),
        (-0.0, "-0.0"),
        (0.0, "0.0"),
        (0.001, "0.001"),
        (9999999.0, "9999999.0"),
        (-2.5e-7, "-2.5E-7"),
        (100.25, "100.25"),
    ],
)
def test_doubles_print_like_java(value: float, text: str) -> None:
    assert java_double_text(value) == text


def test_output_is_compact_keeps_order_and_escapes_like_jackson() -> None:
    value = {"b": "\x1f\n\t/\u2028é\x7f", "a": [JavaDouble(1e7), 1, None, True]}
    expected = '{"b":"\\u001F\\n\\t/\u2028é\x7f","a":[1.0E7,1,null,true]}'
    assert dumps(value).decode("utf-8") == expected


def test_escaped_backslash_before_u_is_not_touched() -> None:
    assert dumps("\\u001f") == b'"\\\\u001f"'


def test_big_integers_survive_verbatim() -> None:
    body = b'{"big":123456789012345678901234567890,"neg":-9223372036854775809}'
    (value,) = loads_values(body)
    assert dumps(value) == body


def test_several_top_level_values() -> None:
    assert list(loads_values(b'{"a":1} {"b":2}\n[3]\n')) == [{"a": 1}, {"b": 2}, [3]]


@pytest.mark.parametrize(
    "body", [b"{", b'{"a":1', b"<html>", b"{'a':1}", b"NaN", b"\xff\xfe", b"[1,]", b"   "]
)
def test_non_json_is_refused(body: bytes) -> None:
    with pytest.raises(InputNotJson):
        list(loads_values(body))


def test_duplicate_keys_last_value_first_position() -> None:
    (value,) = loads_values(b'{"a":1,"b":2,"a":3}')
    assert dumps(value) == b'{"a":3,"b":2}'


def test_pretty_printer_matches_the_reference_golden_format() -> None:
    assert pretty({"a": [], "b": {}, "c": [1, {"d": None}]}) == (
        '{\n  "a":[ ],\n  "b":{ },\n  "c":[\n    1,\n    {\n      "d":null\n    }\n  ]\n}'
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@given(json_values)
def test_round_trip(value: object) -> None:
    (parsed,) = loads_values(dumps(value))
    assert parsed == value
