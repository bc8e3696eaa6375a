"""Our JSONPath engine against jsonpath-ng, where Jayway's semantics and jsonpath-ng's agree.

jsonpath-ng (RFC 9535 semantics) differs from Jayway on filters, several names in one bracket
(Jayway merges them when last), slices with a negative start or a negative end in
`[start:end]`, ordering details of `..`, and `..[i]` / `..[a:b]` followed by more steps: there
Jayway's scan applies the rest of the path to every element of every array and never uses the
index (`$..[0].*` on `[null, [null]]` finds `null`; jsonpath-ng finds nothing), which our engine
reproduces. Jayway also abandons the whole path when a `*` with more steps after it meets a
scalar (`WildcardPathToken` throws `PathNotFoundException`, caught only per element of an
enclosing `[*]` over an array; the reference then treats the path as matching nothing), where
jsonpath-ng skips that branch. Inside the subset generated here (names, `*` on objects and
arrays, indexes, slices, deep scan before a name or `*` anywhere and before an index or slice as
the last step; no `*` that meets a scalar before the last step) both must find the same
values, counted with their repeats; the order is not compared.
"""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from jsonpath_ng.parser import parse as jsonpath_ng_parse

from proxy.sanitize.jsonpath import compile_path

KEYS = ["a", "b", "c"]

json_documents = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.text("xyz", max_size=2),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS), children, max_size=3)
    ),
    max_leaves=30,
)

NAMES = [".a", ".b", ".c", "['a']", "['b']", '["c"]']
WILDCARDS = [".*", "[*]"]
INDEXES = ["[0]", "[1]", "[3]", "[-1]", "[-2]", "[0,2]", "[2,0]"]
# Jayway resolves a negative start only in `[start:]`; `[start:end]` takes both as given.
SLICES = ["[1:]", "[-2:]", "[-9:]", "[:1]", "[:-1]", "[:-9]", "[0:2]", "[1:3]", "[2:1]"]
SCAN_TARGETS = ["a", "b", "*", "[*]", "['c']"]
LAST_SCAN_TARGETS = ["[0]", "[-1]", "[1:]", "[:2]"]  # not followed by more steps (see above)


@st.composite
def paths(draw: st.DrawFn) -> list[str]:
    """Up to four steps of the agreed subset (the path is `$` followed by them)."""
    steps: list[str] = []
    count = draw(st.integers(0, 4))
    for step in range(count):
        kind = draw(st.sampled_from(["name", "name", "wildcard", "index", "slice", "scan"]))
        if kind == "scan":
            last = step == count - 1
            steps.append(".." + draw(st.sampled_from(SCAN_TARGETS + LAST_SCAN_TARGETS * last)))
        else:
            pool = {"name": NAMES, "wildcard": WILDCARDS, "index": INDEXES, "slice": SLICES}
            steps.append(draw(st.sampled_from(pool[kind])))
    return steps


def _wildcard_meets_a_scalar(steps: list[str], document: Any) -> bool:
    """Whether a `*` before the last step may be applied to a scalar (Jayway's abort). A `..*`
    never is: Jayway's scan applies it to objects only and hands array elements to the next
    step, whose own `*`, if any, is checked here with the same values."""
    for position, step in enumerate(steps[:-1]):
        if step in WILDCARDS:
            prefix = jsonpath_ng_parse("$" + "".join(steps[:position]))
            if any(not isinstance(m.value, dict | list) for m in prefix.find(document)):
                return True
    return False


def _multiset(values: list[Any]) -> list[bytes]:
    return sorted(orjson.dumps(value, option=orjson.OPT_SORT_KEYS) for value in values)


@settings(max_examples=500)
@given(document=json_documents, steps=paths())
def test_same_values_as_jsonpath_ng(document: Any, steps: list[str]) -> None:
    assume(not _wildcard_meets_a_scalar(steps, document))
    path = "$" + "".join(steps)
    ours = compile_path(path).find(document)
    theirs = [match.value for match in jsonpath_ng_parse(path).find(document)]
    assert _multiset(ours) == _multiset(theirs), path


def test_the_subset_covers_every_step_kind_on_a_known_document() -> None:
    document = {"a": [{"b": 1, "c": [5, 6, 7]}, {"b": None}], "b": {"a": {"b": 2}}}
    cases = {
        "$.a[*].b": [1, None],
        "$..b": [1, None, {"a": {"b": 2}}, 2],
        "$.a[0].c[1:]": [6, 7],
        "$.a[0].c[-1]": [7],
        "$.b.*.b": [2],
        "$..[0]": [{"b": 1, "c": [5, 6, 7]}, 5],
        "$..c[:-1]": [5, 6],
    }
    for path, expected in cases.items():
        theirs = [match.value for match in jsonpath_ng_parse(path).find(document)]
        assert _multiset(compile_path(path).find(document)) == _multiset(expected), path
        assert _multiset(theirs) == _multiset(expected), path


def test_where_jayway_and_jsonpath_ng_part_ours_follows_jayway() -> None:
    """The two differences found by the property above, both Jayway's (see the docstring)."""
    cases = [
        ("$..[0].*", [None, [None]], [None], []),
        ("$.*.*.b", {"x": 1, "y": {"z": {"b": 2}}}, [], [2]),
    ]
    for path, document, jayway, jsonpath_ng in cases:
        assert compile_path(path).find(document) == jayway, path
        assert [m.value for m in jsonpath_ng_parse(path).find(document)] == jsonpath_ng, path
