"""Filter expressions `[?(...)]` compiled to predicates with Jayway json-path 2.x semantics.

Grammar (Jayway's `FilterCompiler`): `||` over `&&` over operands; an operand is `!operand`,
`(expr)`, a comparison `value op value`, or a bare path (an existence test, `!@.x` negated).
Values are `@…` / `$…` definite paths, quoted strings, numbers, `true`/`false`/`null`, JSON
lists/objects and `/regex/flags`. Operators: `==`, `!=`, `<`, `<=`, `>`, `>=`, `=~`, `in`, `nin`.

Comparisons follow Jayway's value nodes, e.g. the string `"1"` equals the number `1`, `<` on two
strings compares UTF-16 code units, `=~` must match the whole text, and a missing property is
"undefined" (equal to nothing). The predicate is called as `predicate(item, root)`.

    predicate = parse_filter(scanner)      # scanner positioned at the "(" after "[?"
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, NamedTuple

from proxy.rules import translate_java_regex
from proxy.sanitize.jsonpath._filter_values import (
    UNDEFINED,
    JsonLiteral,
    Undefined,
    compare,
    equals,
    member_of,
    regex_matches,
)
from proxy.sanitize.jsonpath._scanner import WHITESPACE, Scanner, fits_java_int

__all__ = ["Predicate", "parse_filter"]

Predicate = Callable[[Any, Any], bool]
Operand = Callable[[Any, Any], Any]

_OPERATOR_CHARS = "<>=~!"
_SYMBOL_OPERATORS = {"==", "!=", "<", "<=", ">", ">=", "=~"}
_WORD_OPERATORS = {"in", "nin"}
_KNOWN_UNSUPPORTED = {"===", "!==", "size", "empty", "contains", "anyof", "noneof", "subsetof"}
_NAME_STOP = WHITESPACE + ".[]()<>=~!&|,'\""
_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_REGEX_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}


class _Value(NamedTuple):
    """A parsed operand: its getter, and for a literal its constant (UNDEFINED for a path)."""

    get: Operand
    constant: Any


class _FilterFailure(Exception):
    """Jayway throws out of the whole predicate (e.g. `in` on a non-list); the item is rejected."""


def parse_filter(scanner: Scanner) -> Predicate:
    """Parse `( expr )` at the cursor and return the compiled predicate."""
    scanner.expect("(", "to open the filter after '[?'")
    expression = _parse_or(scanner)
    scanner.expect(")", "to close the filter")

    def predicate(item: Any, root: Any) -> bool:
        try:
            return expression(item, root)
        except _FilterFailure:
            return False

    return predicate


def _parse_or(scanner: Scanner) -> Predicate:
    terms = [_parse_and(scanner)]
    while _take_symbol(scanner, "||"):
        terms.append(_parse_and(scanner))
    if len(terms) == 1:
        return terms[0]
    return lambda item, root: any(term(item, root) for term in terms)


def _parse_and(scanner: Scanner) -> Predicate:
    terms = [_parse_unary(scanner)]
    while _take_symbol(scanner, "&&"):
        terms.append(_parse_unary(scanner))
    if len(terms) == 1:
        return terms[0]
    return lambda item, root: all(term(item, root) for term in terms)


def _take_symbol(scanner: Scanner, symbol: str) -> bool:
    scanner.skip_ws()
    if scanner.startswith(symbol):
        scanner.pos += len(symbol)
        return True
    return False


def _parse_unary(scanner: Scanner) -> Predicate:
    scanner.skip_ws()
    if scanner.peek() == "!":
        rest = scanner.text[scanner.pos + 1 :].lstrip(WHITESPACE)
        if not rest.startswith(("@", "$")):  # `!@.x` is a negated existence test instead
            scanner.pos += 1
            inner = _parse_unary(scanner)
            return lambda item, root: not inner(item, root)
    if scanner.peek() == "(":
        scanner.pos += 1
        inner = _parse_or(scanner)
        scanner.expect(")", "to close '('")
        return inner
    return _parse_relation(scanner)


def _parse_relation(scanner: Scanner) -> Predicate:
    scanner.skip_ws()
    negated = scanner.peek() == "!"
    if negated:
        scanner.pos += 1
        scanner.skip_ws()
    start = scanner.pos
    left_value = _parse_value(scanner)
    left = left_value.get
    operator = _read_operator(scanner)
    if operator is None:
        if left_value.constant is not UNDEFINED:
            scanner.fail(
                "a literal needs an operator (a bare value is only allowed for paths)", start
            )
        if negated:
            return lambda item, root: left(item, root) is UNDEFINED
        return lambda item, root: left(item, root) is not UNDEFINED
    # Jayway ignores a `!` in front of a path that is compared (`!@.a == 1` is `@.a == 1`).
    scanner.skip_ws()
    right_start = scanner.pos
    right = _parse_value(scanner)
    if operator in ("in", "nin") and not isinstance(right.constant, (JsonLiteral, Undefined)):
        scanner.fail(f"'{operator}' needs a list on its right side", right_start)
    return _relation(operator, left, right.get)


def _read_operator(scanner: Scanner) -> str | None:
    scanner.skip_ws()
    start = scanner.pos
    char = scanner.peek()
    if char in ("", ")") or scanner.startswith("&&") or scanner.startswith("||"):
        return None
    if char in _OPERATOR_CHARS:
        while scanner.peek() and scanner.peek() in _OPERATOR_CHARS:
            scanner.pos += 1
    elif char.isalpha():
        while scanner.peek().isalpha():
            scanner.pos += 1
    else:
        scanner.fail(f"expected an operator, found {char!r}")
    operator = scanner.text[start : scanner.pos]
    if operator in _SYMBOL_OPERATORS or operator in _WORD_OPERATORS:
        return operator
    qualifier = "unsupported" if operator in _KNOWN_UNSUPPORTED else "unknown"
    scanner.fail(f"{qualifier} operator {operator!r}", start)


def _relation(operator: str, left: Operand, right: Operand) -> Predicate:
    if operator == "==":
        return lambda item, root: equals(left(item, root), right(item, root))
    if operator == "!=":
        return lambda item, root: not equals(left(item, root), right(item, root))
    if operator == "=~":
        return lambda item, root: regex_matches(left(item, root), right(item, root))
    if operator in ("in", "nin"):
        wanted = operator == "in"

        def membership(item: Any, root: Any) -> bool:
            found = member_of(left(item, root), right(item, root))
            if found is None:
                raise _FilterFailure
            return found is wanted

        return membership
    checks: dict[str, Callable[[int], bool]] = {
        "<": lambda c: c < 0,
        "<=": lambda c: c <= 0,
        ">": lambda c: c > 0,
        ">=": lambda c: c >= 0,
    }
    check = checks[operator]

    def ordered(item: Any, root: Any) -> bool:
        outcome = compare(left(item, root), right(item, root))
        return outcome is not None and check(outcome)

    return ordered


def _parse_value(scanner: Scanner) -> _Value:
    """Parse one operand: a path, or a literal (string, regex, JSON, keyword or number)."""
    scanner.skip_ws()
    char = scanner.peek()
    if char in ("@", "$"):
        return _Value(_parse_operand_path(scanner), UNDEFINED)
    if char in ("'", '"'):
        return _constant(scanner.read_quoted())
    if char == "/":
        return _constant(_parse_regex(scanner))
    if char in ("[", "{"):
        return _constant(JsonLiteral(_parse_json_literal(scanner)))
    for word, value in (("true", True), ("false", False), ("null", None)):
        if scanner.startswith(word) and not scanner.peek(len(word)).isalnum():
            scanner.pos += len(word)
            return _constant(value)
    number = _NUMBER.match(scanner.text, scanner.pos)
    if number:
        scanner.pos = number.end()
        return _constant(Decimal(number.group()))
    found = repr(char) if char else "end of path"
    scanner.fail(
        f"expected a value (path, string, number, true, false, null, list, /regex/), found {found}"
    )


def _constant(value: Any) -> _Value:
    return _Value(lambda item, root: value, value)


def _parse_operand_path(scanner: Scanner) -> Operand:
    """A definite path inside a filter: `@`/`$` then `.name`, `['name']` or `[index]` steps."""
    from_root = scanner.peek() == "$"
    scanner.pos += 1
    steps: list[str | int] = []
    while True:
        char = scanner.peek()
        if char == ".":
            if scanner.peek(1) in (".", "*"):
                scanner.fail(
                    "only definite paths (names and single indexes) are supported in filters"
                )
            scanner.pos += 1
            start = scanner.pos
            while scanner.peek() and scanner.peek() not in _NAME_STOP:
                scanner.pos += 1
            if scanner.pos == start:
                scanner.fail("empty property name in filter path")
            if scanner.peek() == "(":
                scanner.fail("functions are not supported", start)
            steps.append(scanner.text[start : scanner.pos])
        elif char == "[":
            steps.append(_parse_operand_bracket(scanner))
        else:
            break
    frozen = tuple(steps)

    def resolve(item: Any, root: Any) -> Any:
        value = root if from_root else item
        for step in frozen:
            if isinstance(step, str):
                if not isinstance(value, dict) or step not in value:
                    return UNDEFINED
                value = value[step]
                continue
            if not isinstance(value, list):
                return UNDEFINED
            index = step + len(value) if step < 0 else step
            if not 0 <= index < len(value):
                return UNDEFINED
            value = value[index]
        return value

    return resolve


def _parse_operand_bracket(scanner: Scanner) -> str | int:
    start = scanner.pos
    scanner.pos += 1
    scanner.skip_ws()
    char = scanner.peek()
    step: str | int
    if char in ("'", '"'):
        step = scanner.read_quoted()
    else:
        number = re.compile(r"-?\d+").match(scanner.text, scanner.pos)
        if number is None:
            scanner.fail("only ['name'] and [index] are supported in filter paths", start)
        scanner.pos = number.end()
        step = int(number.group())
        if not fits_java_int(step):
            scanner.fail("array index out of range", start)
    scanner.expect("]", "to close '[' in filter path (only one name or index is supported)")
    return step


def _parse_regex(scanner: Scanner) -> re.Pattern[str]:
    start = scanner.pos
    end = start + 1
    text = scanner.text
    while end < len(text) and not (text[end] == "/" and text[end - 1] != "\\"):
        end += 1
    if end >= len(text):
        scanner.fail("unterminated /regex/", start)
    scanner.pos = end + 1
    flags = re.ASCII
    while scanner.peek().isalpha():
        flag = scanner.peek()
        if flag in ("u", "U"):
            flags &= ~re.ASCII
        elif flag in _REGEX_FLAGS:
            flags |= _REGEX_FLAGS[flag]
        else:
            scanner.fail(f"unsupported regex flag {flag!r}")
        scanner.pos += 1
    try:
        return re.compile(translate_java_regex(text[start + 1 : end]), flags)
    except (re.error, ValueError) as exc:
        scanner.fail(f"invalid regex: {exc}", start)


def _parse_json_literal(scanner: Scanner) -> Any:
    """A permissive JSON value (quotes ' or "), like json-smart's permissive mode."""
    scanner.skip_ws()
    char = scanner.peek()
    if char in ("[", "{"):
        closing = "]" if char == "[" else "}"
        scanner.pos += 1
        items: list[Any] = []
        fields: dict[str, Any] = {}
        scanner.skip_ws()
        if scanner.peek() == closing:
            scanner.pos += 1
            return items if char == "[" else fields
        while True:
            if char == "[":
                items.append(_parse_json_literal(scanner))
            else:
                scanner.skip_ws()
                if scanner.peek() not in ("'", '"'):
                    scanner.fail("expected a quoted key in JSON object literal")
                key = scanner.read_quoted()
                scanner.expect(":", "after key in JSON object literal")
                fields[key] = _parse_json_literal(scanner)
            scanner.skip_ws()
            if scanner.peek() == ",":
                scanner.pos += 1
                continue
            scanner.expect(closing, "to close the JSON literal")
            return items if char == "[" else fields
    if char in ("'", '"'):
        return scanner.read_quoted()
    for word, value in (("true", True), ("false", False), ("null", None)):
        if scanner.startswith(word):
            scanner.pos += len(word)
            return value
    number = _NUMBER.match(scanner.text, scanner.pos)
    if number is None:
        scanner.fail("invalid value in JSON literal")
    scanner.pos = number.end()
    literal = number.group()
    return float(literal) if any(c in literal for c in ".eE") else int(literal)
