"""Batched deep scans (`update_plan`) against the per-path reference: same output, same errors.

The reference is what the sanitizer did before batching: each transform in turn, its guard
first, then each path with `JsonPath.map` / `JsonPath.delete` evaluated afresh.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from proxy.errors import ProxyError, SanitizationError
from proxy.sanitize.jsonpath import GuardedUpdates, PathUpdate, compile_path, compile_updates

NAMES = ["a", "b", "results", "_links"]
PATH_TEXTS = [
    *(f"$.results[*]..{n}" for n in NAMES),
    *(f"$.results..{n}" for n in NAMES),
    *(f"$..{n}" for n in NAMES),
    *(f"$.a[*]..{n}" for n in NAMES),
    *(f"$.results[0,0]..{n}" for n in ("a", "b")),
    "$.results[1:]..a",
    "$.results[*].a",
    "$.results[*]..[*]",
    "$._links.a",
    "$._links",
    "$.a.b",
    "$.results",
    "$",
    "$..[?(@.a == 1)]",
]
GUARDS = [None, None, "$[?(@._links)]", "$..[?(@.b == true)]"]


class Boom(Exception):
    """A value function failing on a value (as `pseudonymize` does on a boolean)."""


def _tag(value: Any) -> Any:
    return f"t~{value}" if isinstance(value, str | int) else None


def _nothing(value: Any) -> Any:
    return None


def _fail_on_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise Boom("boolean")
    return "x"


def _grow(value: Any) -> Any:
    return {"a": 1, "b": [{"a": value if not isinstance(value, dict | list) else 0}]}


FUNCTIONS: list[Callable[[Any], Any] | None] = [None, None, _tag, _nothing, _fail_on_bool, _grow]

keys = st.sampled_from(NAMES)
scalars = st.none() | st.booleans() | st.integers(-2, 2) | st.sampled_from(["", "x", "y@z.com"])
documents = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=40,
)
updates = st.tuples(
    st.sampled_from(PATH_TEXTS), st.sampled_from(range(len(FUNCTIONS))), st.booleans()
)
transforms = st.lists(
    st.tuples(st.sampled_from(GUARDS), st.lists(updates, min_size=1, max_size=5)),
    min_size=1,
    max_size=4,
)


def build(spec: list[tuple[str | None, list[tuple[Any, ...]]]]) -> list[GuardedUpdates]:
    """`(guard, [(path, function index[, memoize]), ...])` per transform."""
    return [
        GuardedUpdates(
            compile_path(guard) if guard else None,
            tuple(
                PathUpdate(compile_path(p), FUNCTIONS[f], f"kind{f}", *memoize)
                for p, f, *memoize in paths
            ),
        )
        for guard, paths in spec
    ]


def reference(transforms: list[GuardedUpdates], document: Any) -> Any:
    for transform in transforms:
        if transform.guard is not None and not transform.guard.find(document):
            continue
        for update in transform.updates:
            try:
                if update.fn is None:
                    document = update.path.delete(document)
                else:
                    document = update.path.map(document, update.fn)
            except ProxyError:
                raise
            except Exception as exc:
                raise SanitizationError(f"{update.kind} failed at {update.path.text}") from exc
    return document


def outcome(run: Callable[[Any], Any], document: Any) -> tuple[str, bytes]:
    try:
        return "ok", orjson.dumps(run(copy.deepcopy(document)))
    except SanitizationError as exc:
        return "error", f"{exc} <- {exc.__cause__!r}".encode()


@settings(max_examples=600, deadline=None)
@given(documents, transforms)
def test_batched_updates_equal_the_per_path_reference(document: Any, spec: Any) -> None:
    compiled = build(spec)
    batched = compile_updates(compiled)
    assert outcome(batched, document) == outcome(lambda d: reference(compiled, d), document)


@settings(max_examples=300, deadline=None)
@given(st.lists(documents, min_size=1, max_size=6), st.lists(keys, min_size=2, max_size=6))
def test_results_scans_batched_like_the_content_search_rules(results: Any, names: Any) -> None:
    document = {"results": results, "_links": {"a": "x", "b": "y"}}
    spec = [(None, [(f"$.results[*]..{n}", i % 4) for i, n in enumerate(names)])]
    spec.append((None, [("$._links.a", 0), (f"$.results[*]..{names[0]}", 2)]))
    compiled = build(spec)
    batched = compile_updates(compiled)
    assert outcome(batched, document) == outcome(lambda d: reference(compiled, d), document)


def test_a_match_inside_a_replaced_value_is_skipped_but_a_paths_own_nested_ones_are_not() -> None:
    # `..a` replaces the outer `a` by null; the later `..b` must not see the `true` inside it
    # (it would fail on it), while `..a` itself also maps the inner `a` (Jayway does too).
    document = {"results": [{"a": {"b": True, "a": {"b": 1}}, "b": 2}]}
    spec = build([(None, [("$.results[*]..a", 3), ("$.results[*]..b", 4)])])
    batched = compile_updates(spec)
    assert batched(copy.deepcopy(document)) == {"results": [{"a": None, "b": "x"}]}
    assert reference(spec, copy.deepcopy(document)) == {"results": [{"a": None, "b": "x"}]}


def test_a_value_function_returning_an_object_makes_later_scans_walk_again() -> None:
    document = {"results": [{"a": 1}]}
    spec = build([(None, [("$.results[*]..a", 5), ("$.results[*]..b", 2)])])
    # `..b` finds the `b` that `..a` just created (and tags the array there: null).
    expected = {"results": [{"a": {"a": 1, "b": None}}]}
    assert reference(spec, copy.deepcopy(document)) == expected
    assert compile_updates(spec)(copy.deepcopy(document)) == expected


def test_a_paths_own_nested_match_is_still_passed_to_its_function() -> None:
    # Jayway updates the inner `a` too (invisibly): a function failing on it fails the request.
    document = {"results": [{"a": {"a": True}, "b": 1}]}
    spec = build([(None, [("$.results[*]..a", 4), ("$.results[*]..b", 2)])])
    expected = ("error", b"kind4 failed at $.results[*]..a <- Boom('boolean')")
    assert outcome(lambda d: reference(spec, d), document) == expected
    assert outcome(compile_updates(spec), document) == expected


def test_a_memoized_function_runs_once_per_distinct_string_of_a_document() -> None:
    calls: list[Any] = []

    def pseudonym(value: Any) -> Any:
        calls.append(value)
        return f"t~{value}" if isinstance(value, str) else None

    paths = ("$.results[*]..id", "$.results[*]..owner", "$.x")
    updates = tuple(PathUpdate(compile_path(p), pseudonym, "pseudonymize", True) for p in paths)
    apply = compile_updates([GuardedUpdates(None, updates)])
    document = {"results": [{"id": "u1", "owner": "u1"}, {"id": "u2", "owner": 7}], "x": "u2"}
    assert apply(copy.deepcopy(document)) == {
        "results": [{"id": "t~u1", "owner": "t~u1"}, {"id": "t~u2", "owner": None}],
        "x": "t~u2",
    }
    assert calls == ["u1", "u2", 7]
    apply(copy.deepcopy(document))  # a new document starts with an empty memo
    assert calls == ["u1", "u2", 7, "u1", "u2", 7]
