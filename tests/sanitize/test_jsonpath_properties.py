"""Properties over random documents and random paths from the supported grammar."""

from __future__ import annotations

import copy
import itertools
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from proxy.sanitize.jsonpath import compile_path

KEYS = ["a", "b", "c"]

json_documents = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.text("xyz", max_size=2),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(KEYS), children, max_size=3)
    ),
    max_leaves=25,
)

NAMES = [".a", ".b", ".c", "['a']", '["b"]']
PLAIN_STEPS = [
    *NAMES,
    "['a','b']",
    ".*",
    "[*]",
    "[0]",
    "[1]",
    "[-1]",
    "[0,1]",
    "[1,0]",
    "[0,-1]",
    "[1:]",
    "[:1]",
    "[-2:]",
    "[0:2]",
    "[:-1]",
]
FILTERS = [
    "[?(@.a)]",
    "[?(!@.b)]",
    "[?(@.a == 'v3')]",
    "[?(@ != 'v1')]",
    "[?(@.a || @.c && !@.b)]",
    "[?(@.b =~ /v[0-4]/)]",
    "[?(@.c in ['v2', 'v5'])]",
]
SCAN_TARGETS = [".a", ".b", ".*", "[*]", "['a','b']", "['a']", "[0]"]
SCAN_FILTERS = ["[?(@.a)]", "[?(@ != 'v2')]"]


@st.composite
def paths(draw: st.DrawFn) -> str:
    """`$` plus up to four steps. No filter right after a `..x` step: there Jayway hands array
    elements the array's own reference (see test_jsonpath.py), so values and updates differ."""
    text = "$"
    after_scan = False
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["plain", "plain", "filter", "scan"]))
        if kind == "scan":
            targets = SCAN_TARGETS if after_scan else SCAN_TARGETS + SCAN_FILTERS
            text += ".." + draw(st.sampled_from(targets)).removeprefix(".")
            after_scan = True
            continue
        if kind == "filter" and not after_scan:
            text += draw(st.sampled_from(FILTERS))
        else:
            text += draw(st.sampled_from(PLAIN_STEPS))
        after_scan = False
    return text


def relabel(document: Any) -> Any:
    """Give every scalar a unique string value so that nodes can be told apart."""
    counter = itertools.count()

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: walk(child) for key, child in value.items()}
        if isinstance(value, list):
            return [walk(child) for child in value]
        return f"v{next(counter)}"

    return walk(document)


def subtree(value: Any) -> set[tuple[str, Any]]:
    """Containers by identity and (unique) scalars by value, for a value and everything in it."""
    found: set[tuple[str, Any]] = set()
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            found.add(("container", id(node)))
            stack.extend(node.values())
        elif isinstance(node, list):
            found.add(("container", id(node)))
            stack.extend(node)
        else:
            found.add(("scalar", node))
    return found


def matched_values(text: str, document: Any) -> list[Any]:
    found = compile_path(text).find(document)
    if text.endswith("['a','b']"):  # Jayway merges a trailing name list into one object
        return [value for merged in found for value in merged.values()]
    return found


@settings(max_examples=400, deadline=None)
@given(json_documents, paths())
def test_delete_removes_exactly_the_matched_values(raw: Any, text: str) -> None:
    document = relabel(raw)
    before = subtree(document)
    matched = matched_values(text, document)
    removed: set[tuple[str, Any]] = set()
    for value in matched:
        removed |= subtree(value)
    result = compile_path(text).delete(document)
    after = set() if result is None else subtree(result)
    assert after == before - removed


@settings(max_examples=400, deadline=None)
@given(json_documents, paths())
def test_map_identity_leaves_the_document_unchanged(raw: Any, text: str) -> None:
    document = relabel(raw)
    snapshot = copy.deepcopy(document)
    calls: list[Any] = []

    def identity(value: Any) -> Any:
        calls.append(value)
        return value

    matched = matched_values(text, document)
    result = compile_path(text).map(document, identity)
    assert result is document
    assert result == snapshot
    # every matched value is passed exactly once (a slot matched twice is updated once)
    assert sorted(map(id, calls)) == sorted({id(value) for value in matched})


@settings(max_examples=400, deadline=None)
@given(json_documents, paths(), st.sampled_from([*NAMES, "..a", "..b"]))
def test_after_deleting_a_name_leaf_path_nothing_matches(raw: Any, text: str, leaf: str) -> None:
    path = text + leaf
    if "?" in path:  # a filter may start accepting what it rejected before
        path = "$" + leaf
    document = relabel(raw)
    compiled = compile_path(path)
    result = compiled.delete(document)
    assert compiled.find(result) == []
