"""JSONPath text to a tuple of steps, accepting the syntax of Jayway json-path 2.x.

Supported: `$` (also `@`, or no root at all, which Jayway reads as `$.` + path), `.name`,
`['name']` / `["name"]`, `['a','b']`, `.*` / `[*]`, `..` (deep scan) before a name, `*` or a
bracket, indexes `[0]`, `[-1]`, `[0,2]`, slices `[1:3]`, `[2:]`, `[:-1]` and filters `[?(...)]`.
Functions (`.length()`), `[?]` placeholders and slice steps are rejected, as is anything left
over after a step; Jayway itself is laxer there (it reads `$.a]` as the property `a]`).

>>> parse_path("$.results[*]..body")
(Name(names=('results',)), Wildcard(), Scan(), Name(names=('body',)))
"""

from __future__ import annotations

import re
from typing import NamedTuple

from proxy.sanitize.jsonpath._filters import Predicate, parse_filter
from proxy.sanitize.jsonpath._scanner import WHITESPACE, Scanner, fits_java_int

__all__ = [
    "Filter",
    "Index",
    "Name",
    "Scan",
    "Slice",
    "Step",
    "Wildcard",
    "parse_path",
]


# Steps are NamedTuples: immutable values like frozen dataclasses, without their import-time
# cost (a tenth of the Lambda cold start went to creating dataclasses). Compare steps together
# with their type: the empty ones (`Wildcard()`, `Scan()`) are equal tuples.
class Name(NamedTuple):
    """One property, or several (`['a','b']`: merged when last, iterated otherwise)."""

    names: tuple[str, ...]


class Wildcard(NamedTuple):
    """`*`: every element of an array or every value of an object."""


class Index(NamedTuple):
    """`[i]` or `[i,j,…]`; negative indexes count from the end."""

    indexes: tuple[int, ...]


class Slice(NamedTuple):
    """`[start:stop]` with Jayway's bounds handling (no step)."""

    start: int | None
    stop: int | None


class Filter(NamedTuple):
    """`[?(...)]`: object values / array elements accepted by the predicate."""

    predicate: Predicate
    source: str


class Scan(NamedTuple):
    """`..`: the following step applied at every depth, pre-order."""


Step = Name | Wildcard | Index | Slice | Filter | Scan

_NAME_FORBIDDEN = WHITESPACE + "]()'\",?*"
_INTEGER = re.compile(r"-?\d+")


def parse_path(text: str) -> tuple[Step, ...]:
    """Parse a whole path; raises `JsonPathError` on anything it cannot honour exactly."""
    stripped = text.strip(WHITESPACE)
    shift = len(text) - len(text.lstrip(WHITESPACE))
    if not stripped:
        Scanner(text, text).fail("empty path")
    if stripped[0] not in "$@":
        stripped, shift = "$." + stripped, shift - 2
    scanner = Scanner(stripped, text, shift)
    scanner.pos = 1
    steps: list[Step] = []
    while not scanner.at_end():
        char = scanner.peek()
        if char == ".":
            scan = scanner.startswith("..")
            scanner.pos += 2 if scan else 1
            if scan:
                steps.append(Scan())
            if scanner.at_end():
                scanner.fail("path must not end with '.' or '..'")
            steps.append(_parse_after_dot(scanner))
        elif char == "[":
            steps.append(_parse_bracket(scanner))
        else:
            expected = "'.' or '[' after '$'" if scanner.pos == 1 else "'.' or '['"
            scanner.fail(f"unexpected character {char!r}, expected {expected}")
    return tuple(steps)


def _parse_after_dot(scanner: Scanner) -> Step:
    char = scanner.peek()
    if char == ".":
        scanner.fail("unexpected '.' (at most two dots in a row)")
    if char == "[":
        return _parse_bracket(scanner)
    if char == "*":
        scanner.pos += 1
        return Wildcard()
    start = scanner.pos
    while scanner.peek() and scanner.peek() not in ".[":
        char = scanner.peek()
        if char == "(":
            scanner.fail("functions are not supported", start)
        if char in _NAME_FORBIDDEN:
            hint = "; use ['...'] for such names" if char in WHITESPACE else ""
            scanner.fail(f"unexpected character {char!r} in property name{hint}")
        scanner.pos += 1
    return Name((scanner.text[start : scanner.pos],))


def _parse_bracket(scanner: Scanner) -> Step:
    start = scanner.pos
    scanner.pos += 1
    scanner.skip_ws()
    char = scanner.peek()
    if char in ("'", '"'):
        return _parse_names(scanner)
    if char == "*":
        scanner.pos += 1
        scanner.expect("]", "after '[*'")
        return Wildcard()
    if char == "?":
        scanner.pos += 1
        predicate = parse_filter(scanner)
        scanner.expect("]", "after the filter")
        return Filter(predicate, scanner.text[start : scanner.pos])
    if char.isdigit() or char in ("-", ":"):
        return _parse_indexes(scanner, start)
    if char == "]":
        scanner.fail("empty brackets '[]'", start)
    if not char:
        scanner.fail("unbalanced '[' (missing ']')", start)
    scanner.fail(f"unexpected character {char!r} after '[', expected a quote, '*', '?' or an index")


def _parse_names(scanner: Scanner) -> Name:
    names: list[str] = []
    quote = scanner.peek()
    while True:
        scanner.skip_ws()
        if scanner.peek() not in ("'", '"'):
            found = repr(scanner.peek()) if scanner.peek() else "end of path"
            scanner.fail(f"expected a quoted property name, found {found} (empty name in list?)")
        if scanner.peek() != quote:
            # Jayway only honours the first name's quote and silently skips the others.
            scanner.fail("mixed quote styles in a name list")
        name = scanner.read_quoted()
        if name not in names:
            names.append(name)
        scanner.skip_ws()
        if scanner.peek() == ",":
            scanner.pos += 1
            continue
        if scanner.peek() == "]":
            scanner.pos += 1
            return Name(tuple(names))
        found = repr(scanner.peek()) if scanner.peek() else "end of path"
        scanner.fail(f"expected ',' or ']' after property name, found {found}")


def _parse_indexes(scanner: Scanner, start: int) -> Index | Slice:
    end = scanner.text.find("]", scanner.pos)
    if end < 0:
        scanner.fail("unbalanced '[' (missing ']')", start)
    body = scanner.text[scanner.pos : end]
    bad = next((c for c in body if not (c.isdigit() or c in ",-: \t")), None)
    if bad is not None:
        scanner.fail(f"unexpected character {bad!r} in array index", scanner.pos + body.index(bad))
    scanner.pos = end + 1
    if ":" in body:
        parts = [part.strip() for part in body.split(":")]
        if len(parts) > 2:
            scanner.fail("slice steps ([a:b:c]) are not supported", start)
        bounds = [_integer(scanner, part, start) if part else None for part in parts]
        if bounds[0] is None and bounds[1] is None:
            scanner.fail("slice needs a start or a stop", start)
        return Slice(bounds[0], bounds[1])
    return Index(tuple(_integer(scanner, part.strip(), start) for part in body.split(",")))


def _integer(scanner: Scanner, text: str, start: int) -> int:
    if not _INTEGER.fullmatch(text):
        scanner.fail(f"invalid array index {text!r}", start)
    value = int(text)
    if not fits_java_int(value):
        scanner.fail(f"array index {text} out of range", start)
    return value
