"""Filters `[?(...)]` with Jayway's comparison rules, checked through whole-path evaluation."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from proxy.sanitize.jsonpath import compile_path

DOC: dict[str, Any] = {
    "threshold": 2,
    "allowed": ["b", "D"],
    "items": [
        {"name": "a", "n": 1, "s": "1", "flag": True, "tags": ["x", "y"], "nested": {"k": "v"}},
        {"name": "b", "n": 2.5, "s": "2", "flag": False, "nothing": None},
        {"name": "c", "n": -3, "s": "10"},
        {"name": "D", "s": "abc"},
    ],
}


def names(expression: str) -> list[Any]:
    return compile_path(f"$.items[?({expression})].name").find(copy.deepcopy(DOC))


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("@.name == 'a'", ["a"]),
        ('@.name == "a"', ["a"]),
        ("@.name=='a'", ["a"]),
        ("@.n == 1", ["a"]),
        ("@.n == 1.0", ["a"]),  # numbers compare as BigDecimal
        ("@.n == -3", ["c"]),
        ("@.s == 1", ["a"]),  # Jayway: a string equals a number with the same text
        ("@.s == 1.0", []),  # ... the number's text is "1.0"
        ("1 == @.s", ["a"]),  # a number equals a string that parses to it
        ("@.n != 1", ["b", "c", "D"]),  # undefined != anything
        ("@.n > 1", ["b"]),
        ("@.n >= 1", ["a", "b"]),
        ("@.n < 0", ["c"]),
        ("@.n <= 1", ["a", "c"]),
        ("@.s > '2'", ["D"]),  # strings compare lexicographically
        ("@.s < 5", ["a", "b", "c"]),  # string against a number's text
        ("@.flag == true", ["a"]),
        ("@.flag == false", ["b"]),
        ("@.flag != true", ["b", "c", "D"]),
        ("@.nothing == null", ["b"]),
        ("@.name == null", []),
        ("@.nothing", ["b"]),  # existence: a null value exists
        ("@.flag", ["a", "b"]),
        ("!@.flag", ["c", "D"]),
        ("@.nested.k == 'v'", ["a"]),
        ("@['nested']['k'] == 'v'", ["a"]),
        ('@["nested"].k == "v"', ["a"]),
        ("@.tags[0] == 'x'", ["a"]),
        ("@.tags[-1] == 'y'", ["a"]),
        ("@.tags == ['x','y']", ["a"]),
        ("['x','y'] == @.tags", []),  # a JSON literal on the left is compared as raw text
        ("@.name =~ /[a-c]/", ["a", "b", "c"]),
        ("@.name =~ /A/i", ["a"]),
        ("@.name =~ /d/i", ["D"]),
        ("@.s =~ /1/", ["a"]),  # the whole text must match
        ("@.n =~ /-?\\d+/", ["a", "c"]),  # numbers are matched as their text
        ("@.name in ['a', 'c']", ["a", "c"]),
        ('@.name in ["a"]', ["a"]),
        ("@.name nin ['a','c']", ["b", "D"]),
        ("@.n in [1, 2.5]", ["a", "b"]),
        ("@.s in [1, 2]", ["a", "b"]),
        ("@.name in $.allowed", ["b", "D"]),
        ("@.name in $.missing", []),  # Jayway throws: the item is rejected
        ("@.name in $.missing || @.name == 'a'", []),  # ... even inside ||
        ("@.n > $.threshold", ["b"]),
        ("@.n > 0 && @.s == '2'", ["b"]),
        ("@.name == 'a' || @.name == 'c'", ["a", "c"]),
        ("@.name == 'a' || @.name == 'b' && @.n > 5", ["a"]),  # && binds tighter
        ("(@.name == 'a' || @.name == 'b') && @.n > 2", ["b"]),
        ("!(@.name == 'a')", ["b", "c", "D"]),
        ("!(@.n > 0 || @.s == 'abc')", ["c"]),
        ("! ( @.name == 'a' ) && @.s =~ /\\d+/", ["b", "c"]),
        ("!@.n == 1", ["a"]),  # Jayway ignores `!` before a compared path
        ("@", ["a", "b", "c", "D"]),
    ],
)
def test_filter(expression: str, expected: list[Any]) -> None:
    assert names(expression) == expected


def test_filter_on_primitive_array_elements() -> None:
    document = {"m": ["x", "USLACKBOT", "y"]}
    assert compile_path("$.m[?(@ != 'USLACKBOT')]").find(document) == ["x", "y"]
    assert compile_path("$.m[?(@ == 'x' || @ =~ /U.*/)]").find(document) == ["x", "USLACKBOT"]


def test_filter_on_an_object_tests_the_object_itself() -> None:
    document = {"obj": {"k": "v"}, "other": 1}
    path = compile_path("$.obj[?(@.k == 'v')]")
    assert path.find(document) == [{"k": "v"}]
    assert path.delete(document) == {"other": 1}


def test_filter_on_root_object_matches_the_root() -> None:
    document = {"kind": "user"}
    path = compile_path("$[?(@.kind == 'user')]")
    assert path.find(document) == [document]
    assert path.map(document, lambda value: "replaced") == "replaced"


def test_filter_on_a_primitive_in_the_definite_prefix_matches_nothing() -> None:
    assert compile_path("$.a[?(@.b)]").find({"a": 5}) == []


def test_apply_only_when_style_filter() -> None:
    document = {"records": [{"attributes": {"type": "User"}}, {"attributes": {"type": "Group"}}]}
    assert compile_path('$.records[?(@.attributes.type == "User")]').find(document) == [
        {"attributes": {"type": "User"}}
    ]
    assert compile_path('$.records[?(@.attributes.type == "Bot")]').find(document) == []


def test_filter_after_deep_scan_tests_every_object() -> None:
    document = {"items": [{"name": "a", "sub": {"name": "a"}}, {"name": "b"}]}
    path = compile_path("$..[?(@.name == 'a')]")
    assert path.find(document) == [{"name": "a", "sub": {"name": "a"}}, {"name": "a"}]
    assert path.delete(document) == {"items": [{"name": "b"}]}


def test_filter_after_deep_scan_only_reaches_array_elements_through_their_array() -> None:
    # Jayway tests the array itself first: `[?(@ == 'x')]` never matches inside ["x", "y"],
    # while `!=` accepts the array (and the root object) and then filters the elements.
    document = {"m": ["x", "y"], "v": "x"}
    assert compile_path("$..[?(@ == 'x')]").find(document) == []
    assert compile_path("$..[?(@ != 'x')]").find(document) == [document, "y"]


def test_regex_flags_and_java_named_groups() -> None:
    document = {"l": ["Ab", "ab", "a\nb"]}
    assert compile_path("$.l[?(@ =~ /a.b/s)]").find(document) == ["a\nb"]
    assert compile_path("$.l[?(@ =~ /(?<first>a)b/i)]").find(document) == ["Ab", "ab"]
    assert compile_path("$.l[?(@ =~ /a\\/b/)]").find({"l": ["a/b"]}) == ["a/b"]


def test_string_literal_escapes() -> None:
    document = {"l": ["it's", 'say "x"', "tab\t"]}
    assert compile_path("$.l[?(@ == 'it\\'s')]").find(document) == ["it's"]
    assert compile_path('$.l[?(@ == "say \\"x\\"")]').find(document) == ['say "x"']
    assert compile_path("$.l[?(@ == 'tab\\t')]").find(document) == ["tab\t"]


def test_floats_compare_with_strings_as_java_big_decimal_text() -> None:
    # Double.toString then BigDecimal.toString: 1e20 -> "1.0E+20", 1e-4 -> "0.00010"
    document = {
        "l": [
            {"v": 1.0e20, "s": "1.0E+20"},
            {"v": 0.0001, "s": "0.00010"},
            {"v": 0.0001, "s": "1.0E-4"},
            {"v": 0.5, "s": "x"},
        ]
    }
    assert compile_path("$.l[?(@.s == @.v)].s").find(document) == ["1.0E+20", "0.00010"]
    assert compile_path("$.l[?(@.v < 1)].v").find(document) == [0.0001, 0.0001, 0.5]
