"""JSONPath with the reference's semantics (Jayway json-path 2.x), compiled once, run per request.

Transforms locate values with these paths: `map` replaces each match (`pseudonymize`,
`textDigest`, …), `delete` removes it (`redact`), `find` lists matches (`applyOnlyWhen`).
Like the reference, which catches `PathNotFoundException`, a path that matches nothing is a
silent no-op. Updates are applied after the whole evaluation, in Jayway's order: references
sorted by accessor, descending (array indexes numerically), so that deleting several elements
of one array stays correct and, for nested matches, changes made inside a value that was
already replaced are invisible.

>>> path = compile_path("$.results[*]..accountId")  # at rules load; JsonPathError if bad
>>> path.map({"results": [{"by": {"accountId": "a"}}]}, str.upper)  # per response
{'results': [{'by': {'accountId': 'A'}}]}

Deliberate differences from Jayway, where Jayway fails at run time or corrupts data:
- a match of the root itself: `map` returns `fn(root)` and `delete` returns None (Jayway throws);
- negative indexes are resolved before updating (Jayway's update with `[-1]` throws);
- a slot matched twice (`[0,0]`, `..[?(…)]`, nested `..`) is updated once (Jayway twice).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cmp_to_key
from operator import itemgetter
from typing import Any

from proxy.sanitize.jsonpath._eval import Match, Plan
from proxy.sanitize.jsonpath._parser import Index, Name, Scan, Slice, Step, Wildcard, parse_path
from proxy.sanitize.jsonpath._scanner import JsonPathError

__all__ = ["JsonFunction", "JsonPath", "JsonPathError", "compile_path"]

JsonFunction = Callable[[Any], Any]
"""A function of one parsed JSON value: a transform's value function, a document step."""

_by_key = itemgetter(1)


class JsonPath:
    """A compiled path; immutable and safe to share between requests and threads."""

    __slots__ = ("_plan", "first_name", "is_definite", "scan_name", "scan_prefix", "text")

    def __init__(self, text: str, plan: Plan) -> None:
        self.text = text
        self.is_definite = plan.is_definite  # Jayway's notion: no *, .., filter, multi-index
        self._plan = plan
        steps = plan.steps
        # The property every match lies under (`results` in `$.results[*].x`), when there is one.
        self.first_name = _single_name(steps[0]) if steps else None
        # `prefix..name` with a prefix of plain steps: the shape `_update_plan` batches.
        self.scan_name: str | None = None
        self.scan_prefix: tuple[Step, ...] | None = None
        if len(steps) >= 2 and isinstance(steps[-2], Scan):
            prefix = steps[:-2]
            if all(_plain_step(step) for step in prefix):
                self.scan_name = _single_name(steps[-1])
                self.scan_prefix = prefix if self.scan_name is not None else None

    def __repr__(self) -> str:
        return f"JsonPath({self.text!r})"

    def find(self, document: Any) -> list[Any]:
        """Matched values in Jayway's order (a trailing `['a','b']` gives merged objects)."""
        return [value for _, _, value in self._plan.matches(document)]

    def scan_roots(self, document: Any) -> list[Any]:
        """For a `prefix..name` path: the values its scan starts from (see `scan_prefix`)."""
        return self._plan.scan_roots(document)

    def locate(self, document: Any) -> list[tuple[dict[str, Any], str, Any]]:
        """(object, key, value) of every match that is a property of an object (augments)."""
        return [
            (parent, key, value)
            for parent, key, value in self._plan.matches(document)
            if type(parent) is dict and type(key) is str
        ]

    def map(self, document: Any, fn: JsonFunction) -> Any:
        """Replace every match `v` by `fn(v)` in place; returns the (possibly new) root."""
        for parent, key, _ in _update_order(self._plan.matches(document)):
            if parent is None:
                document = fn(document)
            elif type(key) is tuple:
                for name in key:
                    if name in parent:
                        parent[name] = fn(parent[name])
            elif isinstance(parent, list):
                if key < len(parent):
                    parent[key] = fn(parent[key])
            elif key in parent:
                parent[key] = fn(parent[key])
        return document

    def delete(self, document: Any) -> Any:
        """Remove every match from its object or array; returns the root (None if it matched)."""
        for parent, key, _ in _update_order(self._plan.matches(document)):
            if parent is None:
                document = None
            elif type(key) is tuple:
                for name in key:
                    parent.pop(name, None)
            elif isinstance(parent, list):
                if key < len(parent):
                    del parent[key]
            else:
                parent.pop(key, None)
        return document


def compile_path(text: str, *, where: str = "") -> JsonPath:
    """Parse and validate `text`; raises `JsonPathError` naming the position and the reason,
    and `where` the path sits in the rules (the rules compiler reports it as a `RulesError`)."""
    try:
        return JsonPath(text, Plan(parse_path(text)))
    except JsonPathError as exc:
        exc.where = where
        raise


def _single_name(step: Step) -> str | None:
    return step.names[0] if isinstance(step, Name) and len(step.names) == 1 else None


def _plain_step(step: Step) -> bool:
    """Steps whose matches never overlap and do not depend on values (no `..`, no filter)."""
    return _single_name(step) is not None or isinstance(step, Wildcard | Index | Slice)


def _update_order(matches: list[Match]) -> list[Match]:
    """Jayway's stable sort of update references, each (container, key) once."""
    if len(matches) < 2:
        return matches
    key_types = {type(key) for _, key, _ in matches}
    if key_types in ({str}, {int}):
        ordered = sorted(matches, key=_by_key, reverse=True)  # reverse=True keeps ties in order
    else:
        ordered = sorted(matches, key=cmp_to_key(_compare_references))
    seen: set[tuple[int, Any]] = set()
    unique: list[Match] = []
    for match in ordered:
        identity = (id(match[0]), match[1])
        if identity not in seen:
            seen.add(identity)
            unique.append(match)
    return unique


def _compare_references(a: Match, b: Match) -> int:
    """Jayway's `PathRef.compareTo`: indexes by number, others by accessor text; descending."""
    if type(a[1]) is int and type(b[1]) is int:
        return (b[1] > a[1]) - (b[1] < a[1])
    left, right = _accessor(a), _accessor(b)
    return (right > left) - (right < left)


def _accessor(match: Match) -> str:
    parent, key, _ = match
    if parent is None:
        return "$"
    if type(key) is tuple:
        return "&&".join(key)
    return str(key)
