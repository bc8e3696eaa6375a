"""Evaluation of parsed JSONPath steps: a chain of small closures that mirrors Jayway's tokens.

Each step becomes a `visit(value, parent, key)` function that calls the next step's visit (or
records a match at the leaf), so a path is walked without building intermediate lists. The
closures are bound per evaluation (microseconds), which keeps a compiled `Plan` immutable and
safe to share between threads. Matches
are `(parent, key, value)`: `parent[key] is value`; `parent` is None for the root itself; `key`
is a tuple of names for a trailing `['a','b']` (Jayway merges those into one match).
Documents are plain JSON values as `orjson.loads` makes them: containers are recognized by
exact type (`dict`, `list`), which keeps the per-value cost of `..` to one type check.

Jayway details kept on purpose:
- a missing property or a non-container in the *definite* prefix of a path aborts the whole
  evaluation (its `PathNotFoundException`): no matches at all;
- `*` over a primitive with more steps after it aborts too, but `*` over an array swallows the
  abort of one element's branch;
- `..` walks pre-order: the step after it is tried on a node before the node's children, and the
  walk also descends into what matched. After `..`, a single name only visits objects having
  it, `['a','b']` (last) only objects having all of them, an index only arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from proxy.sanitize.jsonpath._parser import Filter, Index, Name, Scan, Slice, Step, Wildcard

__all__ = ["Match", "Plan"]

Match = tuple[Any, Any, Any]
Visit = Callable[[Any, Any, Any], None]
Emit = Callable[[Match], None]


class _PathNotFound(Exception):
    """Internal: Jayway would throw PathNotFoundException here, voiding the whole evaluation."""


class Plan:
    """The compiled form of one path: steps plus the definiteness facts Jayway uses."""

    __slots__ = ("_upstream_definite", "is_definite", "steps")

    def __init__(self, steps: tuple[Step, ...]) -> None:
        self.steps = steps
        definite = [_token_definite(step, i == len(steps) - 1) for i, step in enumerate(steps)]
        self._upstream_definite = tuple(all(definite[:i]) for i in range(len(steps)))
        self.is_definite = all(definite)

    def matches(self, root: Any) -> list[Match]:
        """Every match in Jayway's evaluation order; empty when the evaluation aborts."""
        found: list[Match] = []
        visit = self._bind(root, found.append)
        try:
            visit(root, None, None)
        except _PathNotFound:
            return []
        return found

    def scan_roots(self, root: Any) -> list[Any]:
        """For a path ending in `..name`: the values the scan starts from, in order (empty when
        the evaluation aborts), found by the same steps, so with the same abort rules."""
        steps = self.steps
        scan = len(steps) - 2
        assert scan >= 0 and isinstance(steps[scan], Scan)
        found: list[Any] = []
        visits: list[Visit | None] = [None] * (len(steps) + 2)
        visits[scan] = lambda value, parent, key: found.append(value)
        for i in range(scan - 1, -1, -1):
            definite = self._upstream_definite[i]
            visits[i] = _bind_step(steps, i, visits, definite=definite, root=root, emit=_no_emit)
        first = visits[0]
        assert first is not None
        try:
            first(root, None, None)
        except _PathNotFound:
            return []
        return found

    def _bind(self, root: Any, emit: Emit) -> Visit:
        steps = self.steps
        visits: list[Visit | None] = [None] * (len(steps) + 2)
        for i in range(len(steps) - 1, -1, -1):
            definite = self._upstream_definite[i]
            visits[i] = _bind_step(steps, i, visits, definite=definite, root=root, emit=emit)
        first = visits[0]
        if first is None:
            return lambda value, parent, key: emit((parent, key, value))
        return first


def _no_emit(match: Match) -> None:
    raise AssertionError("a step before the scan emitted a match")


def _token_definite(step: Step, is_leaf: bool) -> bool:
    if isinstance(step, Name):
        return len(step.names) == 1 or is_leaf
    return isinstance(step, Index) and len(step.indexes) == 1


def _bind_step(
    steps: tuple[Step, ...],
    i: int,
    visits: list[Visit | None],
    *,
    definite: bool,
    root: Any,
    emit: Emit,
) -> Visit:
    step, after = steps[i], visits[i + 1]
    if isinstance(step, Name):
        if len(step.names) == 1:
            return _name(step.names[0], after, definite, emit)
        return _names(step.names, after, definite, emit)
    if isinstance(step, Wildcard):
        return _wildcard(after, emit)
    if isinstance(step, Index):
        indexes = step.indexes
        return _positions(lambda size: indexes, after, definite, emit)
    if isinstance(step, Slice):
        start, stop = step.start, step.stop
        return _positions(lambda size: _slice(start, stop, size), after, definite, emit)
    if isinstance(step, Filter):
        return _filter(step, after, definite, root, emit)
    assert isinstance(step, Scan)  # the parser never ends a path with `..`
    target, target_visit = steps[i + 1], visits[i + 1]
    assert target_visit is not None
    if isinstance(target, Name) and len(target.names) == 1:
        return _scan_name(target.names[0], visits[i + 2], emit)
    return _scan(target, target_visit, visits[i + 2], root)


def _name(name: str, after: Visit | None, definite: bool, emit: Emit) -> Visit:
    def visit(value: Any, parent: Any, key: Any) -> None:
        if type(value) is dict:
            if name in value:
                if after is None:
                    emit((value, name, value[name]))
                else:
                    after(value[name], value, name)
                return
            if after is None:
                return  # a missing leaf is just no match
        if definite:
            raise _PathNotFound

    return visit


def _names(names: tuple[str, ...], after: Visit | None, definite: bool, emit: Emit) -> Visit:
    def visit(value: Any, parent: Any, key: Any) -> None:
        if type(value) is not dict:
            if definite:
                raise _PathNotFound
            return
        if after is None:  # Jayway merges the present ones into one match
            emit((value, names, {name: value[name] for name in names if name in value}))
            return
        for name in names:
            if name in value:
                after(value[name], value, name)

    return visit


def _wildcard(after: Visit | None, emit: Emit) -> Visit:
    def visit(value: Any, parent: Any, key: Any) -> None:
        if type(value) is dict:
            for child_key, child in value.items():
                if after is None:
                    emit((value, child_key, child))
                else:
                    after(child, value, child_key)
        elif type(value) is list:
            for index, child in enumerate(value):
                if after is None:
                    emit((value, index, child))
                    continue
                try:  # noqa: SIM105 (a plain try is the cheapest way in this hot loop)
                    after(child, value, index)
                except _PathNotFound:
                    pass  # Jayway drops only this element's branch
        elif after is not None:
            raise _PathNotFound

    return visit


def _slice(start: int | None, stop: int | None, size: int) -> Iterable[int]:
    """Jayway's slice bounds (a negative start is only resolved in `[start:]`)."""
    if size == 0:
        return ()
    if stop is None:
        assert start is not None
        first = max(0, start + size if start < 0 else start)
        return range(first, size)
    if start is None:
        return range(0, min(size, stop + size if stop < 0 else stop))
    return range(start, min(size, stop))


def _positions(
    indexes: Callable[[int], Iterable[int]], after: Visit | None, definite: bool, emit: Emit
) -> Visit:
    def visit(value: Any, parent: Any, key: Any) -> None:
        if type(value) is not list:
            if definite:
                raise _PathNotFound
            return
        size = len(value)
        for index in indexes(size):
            position = index + size if index < 0 else index
            if 0 <= position < size:
                if after is None:
                    emit((value, position, value[position]))
                else:
                    after(value[position], value, position)

    return visit


def _filter(step: Filter, after: Visit | None, definite: bool, root: Any, emit: Emit) -> Visit:
    accept = step.predicate

    def visit(value: Any, parent: Any, key: Any) -> None:
        if type(value) is dict:
            if accept(value, root):  # an object is tested itself and keeps its own reference
                if after is None:
                    emit((parent, key, value))
                else:
                    after(value, parent, key)
        elif type(value) is list:
            for index, item in enumerate(value):
                if accept(item, root):
                    if after is None:
                        emit((value, index, item))
                    else:
                        after(item, value, index)
        elif definite:
            raise _PathNotFound

    return visit


def _scan_name(name: str, after: Visit | None, emit: Emit) -> Visit:
    """`..name`, the common case: a tight loop over values with an explicit stack (no copies,
    no recursion limit); scalars cost one type check each."""

    def visit(value: Any, parent: Any, key: Any) -> None:
        kind = type(value)
        if kind is dict:
            hits = [value] if name in value else []
            stack: list[Iterator[Any]] = [iter(value.values())]
        elif kind is list:
            hits = []
            stack = [iter(value)]
        else:
            return
        push, pop, hit = stack.append, stack.pop, hits.append
        while stack:
            for child in stack[-1]:
                kind = type(child)
                if kind is dict:
                    if name in child:
                        hit(child)
                    push(iter(child.values()))
                    break
                if kind is list:
                    push(iter(child))
                    break
            else:
                pop()
        # Matches are handed on after the walk, still in pre-order; nothing changes meanwhile.
        if after is None:
            for node in hits:
                emit((node, name, node[name]))
        else:
            for node in hits:
                after(node[name], node, name)

    return visit


def _scan(target: Step, target_visit: Visit, after: Visit | None, root: Any) -> Visit:
    """`..` before `*`, an index, a slice, a filter or several names (Jayway's `walk`)."""
    on_objects: Callable[[Any], bool]
    on_arrays: Callable[[Any], bool]
    if isinstance(target, Name):
        names = target.names
        on_objects = (lambda node: all(n in node for n in names)) if after is None else _always
        on_arrays = _never
    elif isinstance(target, (Index, Slice)):
        on_objects, on_arrays = _never, _always
    elif isinstance(target, Wildcard):
        on_objects = on_arrays = _always
    else:
        assert isinstance(target, Filter)
        accept = target.predicate
        on_objects = on_arrays = lambda node: accept(node, root)

    def on_array(node: list[Any], parent: Any, key: Any) -> None:
        if on_arrays(node):
            if after is None:
                target_visit(node, parent, key)
            else:  # Jayway applies the step *after* the target to each element here
                for item in node:
                    after(item, parent, key)

    def visit(value: Any, parent: Any, key: Any) -> None:
        if type(value) is dict:
            if on_objects(value):
                target_visit(value, parent, key)
            stack: list[Iterator[tuple[Any, Any]]] = [iter(value.items())]
        elif type(value) is list:
            on_array(value, parent, key)
            stack = [enumerate(value)]
        else:
            return
        nodes: list[Any] = [value]
        while stack:
            node = nodes[-1]
            for child_key, child in stack[-1]:
                kind = type(child)
                if kind is dict:
                    if on_objects(child):
                        target_visit(child, node, child_key)
                    stack.append(iter(child.items()))
                    nodes.append(child)
                    break
                if kind is list:
                    on_array(child, node, child_key)
                    stack.append(enumerate(child))
                    nodes.append(child)
                    break
            else:
                stack.pop()
                nodes.pop()

    return visit


def _always(node: Any) -> bool:
    return True


def _never(node: Any) -> bool:
    return False
