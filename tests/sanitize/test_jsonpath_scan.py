"""Deep scan `..`: Jayway's pre-order walk, its predicates per following step, and its quirks."""

from __future__ import annotations

import copy
from typing import Any

from proxy.sanitize.jsonpath import compile_path


def find(path: str, document: Any) -> list[Any]:
    return compile_path(path).find(document)


def test_deep_scan_is_pre_order_and_descends_into_matched_values() -> None:
    document = {"c": {"c": {"c": 1}, "x": {"c": 2}}, "l": [{"c": 3}, [{"c": 4}]]}
    assert find("$..c", document) == [
        {"c": {"c": 1}, "x": {"c": 2}},
        {"c": 1},
        1,
        2,
        3,
        4,
    ]


def test_deep_scan_wildcard_lists_each_container_children_before_descending() -> None:
    document = {"a": {"b": 1}, "c": [2, {"d": 3}]}
    assert find("$..[*]", document) == [{"b": 1}, [2, {"d": 3}], 1, 2, {"d": 3}, 3]
    assert find("$..*", document) == find("$..[*]", document)


def test_deep_scan_wildcard_then_filter_gives_array_elements_the_array_reference() -> None:
    # Jayway's walk applies the step after `..[*]` to array elements with the array's own
    # reference, so deleting a leaf filter match there drops the whole array (reproduced).
    document = {"l": [{"k": 1}, {"k": 2}], "o": {"p": {"k": 1}}}
    path = compile_path("$..[*][?(@.k == 1)]")
    assert path.find(copy.deepcopy(document)) == [{"k": 1}, {"k": 1}, {"k": 1}]
    assert path.delete(document) == {"o": {}}


def test_deep_scan_then_index_only_visits_arrays() -> None:
    document = {"a": [[1, 2], [3]], "b": {"0": "not an array"}}
    assert find("$..[0]", document) == [[1, 2], 1, 3]


def test_deep_scan_with_several_names_last_needs_all_of_them() -> None:
    # Jayway 2.10 quirk: a trailing ['a','b'] after .. only takes objects having both keys.
    document = {"author": {"id": 1, "email": "e"}, "committer": {"id": 2}, "x": [{"email": "f"}]}
    assert find("$..['id','email']", document) == [{"id": 1, "email": "e"}]
    path = compile_path("$..['id','email']")
    changed = path.map(copy.deepcopy(document), lambda value: f"<{value}>")
    assert changed == {
        "author": {"id": "<1>", "email": "<e>"},
        "committer": {"id": 2},
        "x": [{"email": "f"}],
    }
    assert path.delete(copy.deepcopy(document)) == {
        "author": {},
        "committer": {"id": 2},
        "x": [{"email": "f"}],
    }


def test_deep_scan_with_several_names_followed_by_more_path_takes_each() -> None:
    document = {"author": {"login": "a"}, "committer": {"login": "c"}, "other": {"login": "o"}}
    assert find("$..['author','committer'].login", document) == ["a", "c"]


def test_deep_scan_with_a_single_bracket_name_is_a_plain_deep_scan() -> None:
    document = {"id": 1, "x": {"id": 2, "email": "e"}}
    assert find("$..['id']", document) == [1, 2]


def nested(depth: int, make: Any) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = make(value)
    return value


def test_deep_scan_handles_documents_deeper_than_the_recursion_limit() -> None:
    document = nested(3000, lambda inner: {"a": inner})
    found = compile_path("$..a").find(document)
    assert len(found) == 3000
    assert found[-1] == "leaf"
    assert compile_path("$..a").map(document, lambda value: "x") == {"a": "x"}
    assert compile_path("$..a").delete(nested(3000, lambda inner: {"a": inner})) == {}
    lists = nested(3000, lambda inner: [inner])
    assert len(compile_path("$..[0]").find(lists)) == 3000
    assert len(compile_path("$..*").find(lists)) == 3000
