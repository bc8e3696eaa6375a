"""Apply an endpoint's transform paths in rules order, with as few walks of the document as can be.

The reference applies each path of each transform in turn, every one evaluated afresh. The
costly ones are deep scans such as `$.results[*]..accountId`: each walks every node under
`results`, and the content-search rules have fifteen of them. Here consecutive deep scans with
the same plain prefix (`$.results[*]`) form a group whose matches are all collected in one walk,
at the first of them that runs; each is still applied at its own turn, exactly as if it had
walked the document then:

- a match inside a value that an earlier path of the group replaced or removed is skipped:
  that later walk would not have reached it (a path's own nested matches are kept, as Jayway
  keeps them);
- a path in between that is not in the group must lie under another top-level property
  (`$._links.self` beside `$.results[*]..x`), or the group ends before it;
- a value function that returns an object or array (none of ours do) could hide new matches:
  the group's later paths then evaluate on their own.

Pseudonym functions (`memoize`) are pure and costly, and the same account ids recur all over
one response, so within one document each distinct string is computed once.

    apply = compile_updates([GuardedUpdates(guard, (PathUpdate(path, fn, "redact"), ...)), ...])
    document = apply(document)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from proxy.errors import ProxyError, SanitizationError
from proxy.sanitize.jsonpath._parser import Step
from proxy.sanitize.jsonpath._path import JsonFunction, JsonPath
from proxy.sanitize.jsonpath._path_batch import Hit, collect_hits

__all__ = ["GuardedUpdates", "PathUpdate", "compile_updates"]

_MISSING = object()


class PathUpdate(NamedTuple):  # NamedTuples and plain classes: dataclasses cost cold start
    """One path of a transform: each match becomes `fn(match)`, or is deleted if `fn` is None."""

    path: JsonPath
    fn: JsonFunction | None
    kind: str  # the transform's name, for error messages
    memoize: bool = False  # `fn` is pure: a string's result may be reused within a document


class GuardedUpdates(NamedTuple):
    """One transform: its paths, applied only when `guard` (`applyOnlyWhen`) finds something."""

    guard: JsonPath | None
    updates: tuple[PathUpdate, ...]


class _Group:
    """Deep scans sharing one prefix, collected together; `names` are all their leaf names."""

    __slots__ = ("names", "prefix_path")

    def __init__(self, prefix_path: JsonPath, names: frozenset[str]) -> None:
        self.prefix_path = prefix_path  # any member: they evaluate the prefix alike
        self.names = names


class _GroupState:
    """One group during one document: its matches and the slots its paths have changed."""

    __slots__ = ("changed", "hits", "spoiled")

    def __init__(self, hits: dict[str, list[Hit]]) -> None:
        self.hits = hits
        self.changed: set[tuple[int, str]] = set()
        self.spoiled = False


_Step = tuple[PathUpdate, _Group | None]


def compile_updates(transforms: Sequence[GuardedUpdates]) -> JsonFunction:
    """One function applying every transform to a document, in order; returns the new root."""
    steps = _plan(transforms)
    guards = [transform.guard for transform in transforms]

    def apply(document: Any) -> Any:
        states: dict[int, _GroupState] = {}
        memos: dict[int, dict[str, Any]] = {}
        for guard, transform_steps in zip(guards, steps, strict=True):
            if guard is not None and not guard.find(document):
                continue
            for update, group in transform_steps:
                fn = _memoized(update.fn, memos) if update.memoize else update.fn
                try:
                    if group is None:
                        document = _apply_alone(update.path, fn, document)
                    else:
                        state = states.get(id(group))
                        if state is None:
                            state = _collect(group, document)
                            states[id(group)] = state
                        document = _apply_in_group(update.path, fn, state, document)
                except ProxyError:
                    raise
                except Exception as exc:  # a transform bug must fail closed, naming only the rule
                    raise SanitizationError(f"{update.kind} failed at {update.path.text}") from exc
        return document

    return apply


def _plan(transforms: Sequence[GuardedUpdates]) -> list[list[_Step]]:
    """Assign each deep scan to a group (or none), in one pass over the paths in order."""
    members: dict[int, list[PathUpdate]] = {}  # id(group key list) -> paths
    open_groups: dict[tuple[tuple[type, Step], ...], list[PathUpdate]] = {}
    for transform in transforms:
        for update in transform.updates:
            steps = update.path.scan_prefix
            prefix = None if steps is None else tuple((type(step), step) for step in steps)
            first = update.path.first_name
            for key in list(open_groups):
                group_first = open_groups[key][0].path.first_name
                if key != prefix and (first is None or group_first is None or first == group_first):
                    del open_groups[key]  # this path may change what the group walks
            if prefix is not None:
                group = open_groups.setdefault(prefix, [])
                members.setdefault(id(group), group)
                group.append(update)
    group_of: dict[int, _Group] = {}
    for group in members.values():
        if len(group) > 1:
            names = frozenset(update.path.scan_name or "" for update in group)
            shared = _Group(group[0].path, names)
            for update in group:
                group_of[id(update)] = shared
    return [
        [(update, group_of.get(id(update))) for update in transform.updates]
        for transform in transforms
    ]


def _collect(group: _Group, document: Any) -> _GroupState:
    return _GroupState(collect_hits(group.prefix_path.scan_roots(document), group.names))


def _memoized(fn: JsonFunction | None, memos: dict[int, dict[str, Any]]) -> JsonFunction | None:
    """`fn` remembering its string results for the current document (by `id(fn)` in `memos`)."""
    if fn is None:
        return None
    memo = memos.setdefault(id(fn), {})
    function = fn

    def cached(value: Any) -> Any:
        if type(value) is not str:
            return function(value)
        result = memo.get(value, _MISSING)
        if result is _MISSING:
            result = function(value)
            if result is None or type(result) is str:  # never share a mutable result
                memo[value] = result
        return result

    return cached


def _apply_alone(path: JsonPath, fn: JsonFunction | None, document: Any) -> Any:
    if fn is None:
        return path.delete(document)
    return path.map(document, fn)


def _apply_in_group(
    path: JsonPath, fn: JsonFunction | None, state: _GroupState, document: Any
) -> Any:
    if state.spoiled:
        return _apply_alone(path, fn, document)
    name = path.scan_name
    assert name is not None
    changed = state.changed
    touched: list[tuple[int, str]] = []
    for node, enclosing in state.hits[name]:
        if enclosing and not changed.isdisjoint(enclosing):
            continue  # inside a value an earlier path of the group replaced or removed
        if name not in node:
            continue
        if fn is None:
            del node[name]
        else:
            value = fn(node[name])
            node[name] = value
            if type(value) is dict or type(value) is list:
                state.spoiled = True
        touched.append((id(node), name))
    changed.update(touched)  # after the loop: a path's own nested matches are all updated
    return document
