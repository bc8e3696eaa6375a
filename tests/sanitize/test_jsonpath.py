"""Exact find/map/delete results for the JSONPath syntax the reference (Jayway 2.x) supports."""

from __future__ import annotations

import copy
from typing import Any

import orjson
import pytest

from proxy.sanitize.jsonpath import JsonPath, compile_path

DOC: dict[str, Any] = {
    "results": [
        {"id": "1", "authorId": "a1", "body": {"storage": "x"}, "title": "T1"},
        {"id": "2", "authorId": None, "ancestors": [{"title": "T0"}], "title": "T2"},
        {"id": "3"},
    ],
    "_links": {"base": "https://b", "next": "/n", "self": "/s"},
    "size": 3,
}


def fresh() -> dict[str, Any]:
    return copy.deepcopy(DOC)


def find(path: str, document: Any = None) -> list[Any]:
    return compile_path(path).find(fresh() if document is None else document)


def dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


# --- find: matched values in Jayway's order -------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$._links.base", ["https://b"]),
        ("$['_links']['next']", ["/n"]),
        ('$["_links"]["self"]', ["/s"]),
        ("$.results[*].id", ["1", "2", "3"]),
        ("$.results.*.id", ["1", "2", "3"]),
        ("$.results[*].authorId", ["a1", None]),  # null is matched, a missing key is not
        ("$._links[*]", ["https://b", "/n", "/s"]),  # [*] over object values
        ("$._links.*", ["https://b", "/n", "/s"]),
        ("$.results[0].id", ["1"]),
        ("$.results[-1].id", ["3"]),
        ("$.results[0,2].id", ["1", "3"]),
        ("$.results[2,0].id", ["3", "1"]),
        ("$.results[5].id", []),
        ("$.results[1:3].id", ["2", "3"]),
        ("$.results[1:].id", ["2", "3"]),
        ("$.results[-2:].id", ["2", "3"]),
        ("$.results[:2].id", ["1", "2"]),
        ("$.results[:-1].id", ["1", "2"]),
        ("$.results[1:9].id", ["2", "3"]),
        ("results[*].id", ["1", "2", "3"]),  # Jayway reads a path without root as "$." + path
        ("@.size", [3]),
        ("$.results[*]..title", ["T1", "T2", "T0"]),
        ("$..title", ["T1", "T2", "T0"]),
        (
            "$.results[*]['id','title']",
            [{"id": "1", "title": "T1"}, {"id": "2", "title": "T2"}, {"id": "3"}],
        ),
    ],
)
def test_find(path: str, expected: list[Any]) -> None:
    assert find(path) == expected


def test_root_path_matches_the_document_itself() -> None:
    document = fresh()
    assert compile_path("$").find(document) == [document]
    assert compile_path("$").find(document)[0] is document


@pytest.mark.parametrize(
    "path",
    [
        "$.missing.x",
        "$.size.x",
        "$.results.x",
        "$._links[0]",
        "$.size[*].x",
        "$.results[0].body.x.y",
    ],
)
def test_definite_prefix_missing_or_not_a_container_matches_nothing(path: str) -> None:
    document = fresh()
    assert compile_path(path).find(document) == []
    assert compile_path(path).map(document, lambda value: "changed") == DOC
    assert compile_path(path).delete(document) == DOC


def test_wildcard_over_array_skips_only_the_failing_element_branch() -> None:
    # `[*]` on a primitive with more steps aborts; an enclosing `[*]` over an array keeps going.
    document = {"a": [{"b": 5}, {"b": [{"c": 1}]}]}
    assert find("$.a[*].b[*].c", document) == [1]


def test_wildcard_over_object_values_propagates_the_abort() -> None:
    document = {"a": {"x": {"b": 5}, "y": {"b": [{"c": 1}]}}}
    path = compile_path("$.a[*].b[*].c")
    assert path.find(document) == []
    assert path.delete(document) == {"a": {"x": {"b": 5}, "y": {"b": [{"c": 1}]}}}


def test_is_definite_follows_jayway() -> None:
    definite = ["$", "$.a", "$['a']", "$.a[0]", "$.a[-1].b", "$['a','b']"]
    indefinite = ["$.a[*]", "$..a", "$.a[0,1]", "$.a[1:]", "$.a[?(@.b)]", "$['a','b'].c", "$.*"]
    assert [compile_path(p).is_definite for p in definite] == [True] * len(definite)
    assert [compile_path(p).is_definite for p in indefinite] == [False] * len(indefinite)


def test_compiled_path_keeps_its_text() -> None:
    path = compile_path("$.results[*].id")
    assert isinstance(path, JsonPath)
    assert path.text == "$.results[*].id"
    assert repr(path) == "JsonPath('$.results[*].id')"


def test_bracket_names_with_escapes_and_special_characters() -> None:
    document = {"$select": 1, "it's": 2, 'say "hi"': 3, "a.b": 4, "": 5, "tab\t": 6}
    assert find("$['$select']", document) == [1]
    assert find("$['it\\'s']", document) == [2]
    assert find('$["say \\"hi\\""]', document) == [3]
    assert find("$['a.b']", document) == [4]
    assert find("$['']", document) == [5]
    assert find("$['tab\\t']", document) == [6]
    assert find("$['\\u0024select']", document) == [1]


# --- map: replace matches in place ----------------------------------------------------------


def test_map_replaces_each_match_and_passes_null() -> None:
    seen: list[Any] = []

    def tag(value: Any) -> str:
        seen.append(value)
        return f"t~{value}"

    document = fresh()
    result = compile_path("$.results[*].authorId").map(document, tag)
    assert result is document
    assert seen == ["a1", None]
    assert dumps(result["results"]) == (
        '[{"id":"1","authorId":"t~a1","body":{"storage":"x"},"title":"T1"},'
        '{"id":"2","authorId":"t~None","ancestors":[{"title":"T0"}],"title":"T2"},{"id":"3"}]'
    )


def test_map_of_root_returns_the_function_result() -> None:
    assert compile_path("$").map({"a": 1}, lambda value: {"wrapped": value}) == {
        "wrapped": {"a": 1}
    }


def test_map_nested_matches_replaces_outer_first_so_inner_change_is_invisible() -> None:
    seen: list[Any] = []

    def redact(value: Any) -> str:
        seen.append(copy.deepcopy(value))
        return "R"

    document = {"content": {"content": {"content": "x"}}}
    assert compile_path("$..content").map(document, redact) == {"content": "R"}
    assert seen == [{"content": {"content": "x"}}, {"content": "x"}, "x"]


def test_map_over_array_elements_runs_in_descending_index_order() -> None:
    seen: list[Any] = []

    def note(value: Any) -> Any:
        seen.append(value)
        return value * 10

    assert compile_path("$.a[*]").map({"a": [1, 2, 3]}, note) == {"a": [10, 20, 30]}
    assert seen == [3, 2, 1]


def test_map_over_names_runs_in_descending_name_order() -> None:
    seen: list[Any] = []
    compile_path("$.*").map({"b": 1, "c": 2, "a": 3}, seen.append)
    assert seen == [2, 1, 3]


def test_map_negative_index_updates_the_resolved_element() -> None:
    assert compile_path("$.a[-1]").map({"a": [1, 2, 3]}, lambda value: 0) == {"a": [1, 2, 0]}


def test_map_the_same_slot_matched_twice_updates_it_once() -> None:
    assert compile_path("$.a[0,0,-2]").map({"a": [1, 2]}, lambda value: value + 1) == {"a": [2, 2]}


def test_map_trailing_name_list_only_touches_present_keys() -> None:
    document = {"a": 1, "c": 3}
    assert compile_path("$['a','b']").map(document, lambda value: value * 2) == {"a": 2, "c": 3}


def test_map_without_match_is_a_no_op() -> None:
    document = fresh()
    assert compile_path("$.results[*].nothing").map(document, lambda value: "x") == DOC


# --- delete: remove keys and array elements --------------------------------------------------


def test_delete_removes_keys_not_setting_null() -> None:
    document = fresh()
    result = compile_path("$._links.base").delete(document)
    assert result is document
    assert result["_links"] == {"next": "/n", "self": "/s"}


def test_delete_nested_matches_removes_the_outer_one() -> None:
    assert compile_path("$..body").delete({"body": {"body": {}}}) == {}
    assert compile_path("$..body").delete({"a": [{"body": {"body": 1}}, {"b": 2}]}) == {
        "a": [{}, {"b": 2}]
    }


def test_delete_several_array_elements_by_filter_keeps_the_rest() -> None:
    document = {"m": ["a", "USLACKBOT", "b", "USLACKBOT", "c"]}
    assert compile_path("$.m[?(@ != 'USLACKBOT')]").delete(document) == {
        "m": ["USLACKBOT", "USLACKBOT"]
    }


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$.a[0,2]", [1, 3]),
        ("$.a[2,0]", [1, 3]),
        ("$.a[*]", []),
        ("$.a[1:3]", [0, 3]),
        ("$.a[-1]", [0, 1, 2]),
        ("$.a[0,0]", [1, 2, 3]),
        ("$.a[0,-4]", [1, 2, 3]),
        ("$.a[9]", [0, 1, 2, 3]),
    ],
)
def test_delete_array_elements(path: str, expected: list[int]) -> None:
    assert compile_path(path).delete({"a": [0, 1, 2, 3]}) == {"a": expected}


def test_delete_from_object_values_by_wildcard() -> None:
    assert compile_path("$._links[*]").delete(fresh())["_links"] == {}


def test_delete_trailing_name_list() -> None:
    assert compile_path("$['a','b']").delete({"a": 1, "b": 2, "c": 3}) == {"c": 3}


def test_delete_root_gives_none() -> None:
    assert compile_path("$").delete({"a": 1}) is None


def test_delete_without_match_is_a_no_op() -> None:
    document = fresh()
    assert compile_path("$..nothing").delete(document) is document
    assert document == DOC


def test_delete_keeps_key_order_of_the_rest() -> None:
    document = {"z": 1, "y": {"drop": 1, "keep": 2}, "x": 3, "drop": 4}
    result = compile_path("$..drop").delete(document)
    assert dumps(result) == '{"z":1,"y":{"keep":2},"x":3}'


def test_confluence_content_search_rules_on_the_fixture() -> None:
    with open("example-api-responses/original/content_search.json", "rb") as handle:
        document = orjson.loads(handle.read())
    account_ids = compile_path("$.results[*]..accountId")
    assert account_ids.find(document) == ["608a9b555426330072f9867d"] * 11
    for redacted in ("..displayName", "..profilePicture", ".._expandable", ".._links", "..self"):
        document = compile_path(f"$.results[*]{redacted}").delete(document)
    document = account_ids.map(document, lambda value: "t~hash")
    for key in ("base", "context", "prev", "self"):
        document = compile_path(f"$._links.{key}").delete(document)
    assert account_ids.find(document) == ["t~hash"] * 11
    text = dumps(document["results"])
    for gone in ("displayName", "profilePicture", "_expandable", "_links", '"self"'):
        assert gone not in text
    assert list(document["_links"]) == ["next"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$[ 'a' , 'b' ]", [{"a": [10, 20], "b": {"c": 1}}]),
        ('$["a","b"]', [{"a": [10, 20], "b": {"c": 1}}]),
        ("$.a[ 1 ]", [20]),
        ("$.a[ * ]", [10, 20]),
        ("$.a[ 0 , 1 ]", [10, 20]),
        ("$.b[ ?( @ == 1 ) ]", []),
        ("$.a.[0]", [10]),  # Jayway accepts a dot before a bracket
        ("$..['c']", [1]),
        ("  $.b.c  ", [1]),
    ],
)
def test_whitespace_and_jayway_spellings(path: str, expected: list[Any]) -> None:
    assert find(path, {"a": [10, 20], "b": {"c": 1}}) == expected


def test_root_array_and_primitive_documents() -> None:
    assert find("$[1]", ["x", "y"]) == ["y"]
    assert compile_path("$[0]").delete(["x", "y"]) == ["y"]
    assert find("$.*", "just a string") == []
    assert find("$..a", 42) == []
    assert compile_path("$.a").delete("text") == "text"


def test_trailing_name_list_without_deep_scan_merges_present_keys() -> None:
    document = {"a": 1, "c": 3}
    assert find("$['a','b']", document) == [{"a": 1}]
    assert find("$['x','y']", document) == [{}]


def test_delete_deep_scan_under_each_result() -> None:
    result = compile_path("$.results[*]..title").delete(fresh())
    assert dumps(result["results"]) == (
        '[{"id":"1","authorId":"a1","body":{"storage":"x"}},'
        '{"id":"2","authorId":null,"ancestors":[{}]},{"id":"3"}]'
    )
