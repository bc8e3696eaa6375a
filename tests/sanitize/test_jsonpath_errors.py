"""Bad paths fail at compile time with a message naming the path, the position and the reason."""

from __future__ import annotations

import pytest

from proxy.sanitize.jsonpath import JsonPathError, compile_path


@pytest.mark.parametrize(
    ("path", "position", "reason"),
    [
        # unbalanced brackets, parentheses and quotes
        ("$.a[", 3, "unbalanced '[' (missing ']')"),
        ("$.a[0", 3, "unbalanced '[' (missing ']')"),
        ("$['a'", 5, "expected ',' or ']' after property name, found end of path"),
        ("$['a", 2, "unterminated string (missing closing ')"),
        ("$.a[?(@.b == 1)", 15, "expected ']' after the filter, found end of path"),
        ("$.a[?(@.b == 1]", 14, "expected ')' to close the filter, found ']'"),
        ("$.a[?((@.b == 1)]", 16, "expected ')' to close the filter, found ']'"),
        ("$.a[?(@.b == 'x)]", 13, "unterminated string (missing closing ')"),
        # empty names
        ("$.", 2, "path must not end with '.' or '..'"),
        ("$.a.", 4, "path must not end with '.' or '..'"),
        ("$.a..", 5, "path must not end with '.' or '..'"),
        ("$...a", 3, "unexpected '.' (at most two dots in a row)"),
        ("$['a',,'b']", 6, "expected a quoted property name, found ',' (empty name in list?)"),
        ("$['a',]", 6, "expected a quoted property name, found ']' (empty name in list?)"),
        ("$[]", 1, "empty brackets '[]'"),
        ("$['a', \"b\"]", 7, "mixed quote styles in a name list"),
        ("", 0, "empty path"),
        ("   ", 0, "empty path"),
        # unknown or unsupported operators
        ("$.a[?(@.b ~= 1)]", 10, "unknown operator '~='"),
        ("$.a[?(@.b =! 1)]", 10, "unknown operator '=!'"),
        ("$.a[?(@.b like 'x')]", 10, "unknown operator 'like'"),
        ("$.a[?(@.b === 1)]", 10, "unsupported operator '==='"),
        ("$.a[?(@.b contains 'x')]", 10, "unsupported operator 'contains'"),
        ("$.a[?(@.b size 2)]", 10, "unsupported operator 'size'"),
        # trailing garbage
        ("$.a]", 3, "unexpected character ']' in property name"),
        ("$.a[0]b", 6, "unexpected character 'b', expected '.' or '['"),
        ("$['a']x", 6, "unexpected character 'x', expected '.' or '['"),
        ("$.a[*]]", 6, "unexpected character ']', expected '.' or '['"),
        ("$.a[?(@.b == 1) x]", 16, "expected ']' after the filter, found 'x'"),
        ("$.a[?(@.b == 1 2)]", 15, "expected ')' to close the filter, found '2'"),
        ("$.a[?(@.b 2)]", 10, "expected an operator, found '2'"),
        ("$ .a", 1, "unexpected character ' ', expected '.' or '[' after '$'"),
        ("$.a b", 3, "unexpected character ' ' in property name; use ['...'] for such names"),
        # other unsupported syntax
        ("$.a.length()", 4, "functions are not supported"),
        ("$[?]", 3, "expected '(' to open the filter after '[?', found ']'"),
        ("$.a[1:2:3]", 3, "slice steps ([a:b:c]) are not supported"),
        ("$.a[:]", 3, "slice needs a start or a stop"),
        ("$.a[x]", 4, "unexpected character 'x' after '[', expected a quote, '*', '?' or an index"),
        ("$.a[1,x]", 6, "unexpected character 'x' in array index"),
        ("$.a[1,,2]", 3, "invalid array index ''"),
        ("$.a[2147483648]", 3, "array index 2147483648 out of range"),
        ("$.a[?(1)]", 6, "a literal needs an operator (a bare value is only allowed for paths)"),
        (
            "$.a[?(@.b == )]",
            13,
            "expected a value (path, string, number, true, false, null, list, /regex/), found ')'",
        ),
        ("$.a[?(@.b in 'x')]", 13, "'in' needs a list on its right side"),
        ("$.a[?(@.b =~ /x/g)]", 16, "unsupported regex flag 'g'"),
        (
            "$.a[?(@..b)]",
            7,
            "only definite paths (names and single indexes) are supported in filters",
        ),
        ("$.a[?(@.b[*] == 1)]", 9, "only ['name'] and [index] are supported in filter paths"),
        ("$.a[?(@.b.size() > 1)]", 10, "functions are not supported"),
        ("results[", 7, "unbalanced '[' (missing ']')"),  # positions count in the text as given
        ("  $.a[", 5, "unbalanced '[' (missing ']')"),
    ],
)
def test_bad_path(path: str, position: int, reason: str) -> None:
    with pytest.raises(JsonPathError) as caught:
        compile_path(path)
    assert caught.value.path == path
    assert caught.value.reason == reason
    assert caught.value.position == position
    assert str(caught.value) == f'invalid JSONPath "{path}" at position {position}: {reason}'


def test_invalid_regex_is_reported_with_its_position() -> None:
    with pytest.raises(JsonPathError) as caught:
        compile_path("$.a[?(@.b =~ /[/)]")
    assert caught.value.position == 13
    assert caught.value.reason.startswith("invalid regex: ")


def test_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=r'^invalid JSONPath "\$\.a\[" at position 3: '):
        compile_path("$.a[")
