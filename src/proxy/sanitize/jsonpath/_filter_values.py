"""How Jayway's filter operators compare values (its `ValueNode`s and `EvaluatorFactory`).

Values are plain JSON values from the document, literals (`Decimal` numbers, strings, booleans,
null, `JsonLiteral` lists/objects, compiled patterns) or `UNDEFINED` for a missing path.
Numbers compare as `BigDecimal`s and are written as `BigDecimal.toString()` when compared with
text, which is why `"1" == 1` holds while `"1.0" == 1` does not.

>>> equals("1", Decimal("1")), equals("1.0", Decimal("1"))  # as in Jayway
(True, False)
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any, Final

__all__ = [
    "UNDEFINED",
    "JsonLiteral",
    "Undefined",
    "compare",
    "equals",
    "member_of",
    "regex_matches",
]


class Undefined:
    """The value of a path that does not exist (Jayway's UndefinedNode): equal to nothing."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNDEFINED"


UNDEFINED: Final = Undefined()


class JsonLiteral:
    """A list or object written in the filter; Jayway treats it differently from document JSON."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


_UNDEF, _NULL, _BOOL, _STR, _NUM, _JSON, _PATTERN = range(7)
_BIG_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _kind(value: Any) -> int:
    if value is UNDEFINED:
        return _UNDEF
    if value is None:
        return _NULL
    if isinstance(value, bool):
        return _BOOL
    if isinstance(value, str):
        return _STR
    if isinstance(value, (int, float, Decimal)):
        return _NUM
    if isinstance(value, (list, dict, JsonLiteral)):
        return _JSON
    return _PATTERN if isinstance(value, re.Pattern) else _UNDEF


def _java_double_text(value: float) -> str:
    """Java's `Double.toString`: plain in [1e-3, 1e7), otherwise `d.dddE±n`."""
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    if 1e-3 <= abs(value) < 1e7:
        return repr(value)
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    text = "".join(map(str, digits))
    scientific = int(exponent) + len(text) - 1
    return f"{'-' if sign else ''}{text[0]}.{text[1:] or '0'}E{scientific}"


def _decimal(number: Any) -> Decimal:
    if isinstance(number, float):
        return Decimal(_java_double_text(number))
    return number if isinstance(number, Decimal) else Decimal(number)


def _number_text(number: Any) -> str:
    """`BigDecimal.toString()` of a number node (which has no negative zero)."""
    value = _decimal(number)
    return str(value.copy_abs() if value.is_zero() else value)


def _parse_big_decimal(text: str) -> Decimal | None:
    return Decimal(text) if _BIG_DECIMAL.fullmatch(text) else None


def _same_json(left: Any, right: Any) -> bool:
    """Java `equals` on parsed JSON: lists in order, maps by key, numbers of the same type."""
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(_same_json, left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_same_json(v, right[k]) for k, v in left.items())
    return type(left) is type(right) and left == right


def equals(left: Any, right: Any) -> bool:
    """Jayway's `==` (its `!=` is the negation, so undefined `!=` anything holds)."""
    left_kind, right_kind = _kind(left), _kind(right)
    if left_kind == _JSON:
        if right_kind != _JSON or isinstance(left, JsonLiteral):
            return False  # a literal on the left is compared as raw text: never equal
        other = right.value if isinstance(right, JsonLiteral) else right
        return _same_json(left, other)
    if left_kind == _STR:
        if right_kind == _STR:
            return bool(left == right)
        return right_kind == _NUM and left == _number_text(right)
    if left_kind == _NUM:
        if right_kind == _NUM:
            return _decimal(left) == _decimal(right)
        if right_kind == _STR:
            parsed = _parse_big_decimal(right)
            return parsed is not None and _decimal(left) == parsed
        return False
    if left_kind == _BOOL:
        return right_kind == _BOOL and left is right
    return left_kind == _NULL and right_kind == _NULL


def _utf16_order(left: str, right: str) -> int:
    if not (left.isascii() and right.isascii()):
        left_units = left.encode("utf-16-be", "surrogatepass")
        right_units = right.encode("utf-16-be", "surrogatepass")
        return (left_units > right_units) - (left_units < right_units)
    return (left > right) - (left < right)


def compare(left: Any, right: Any) -> int | None:
    """Sign of `left - right` for `<`, `<=`, `>`, `>=`; None when Jayway answers false."""
    left_kind, right_kind = _kind(left), _kind(right)
    if left_kind == _NUM and right_kind == _NUM:
        a, b = _decimal(left), _decimal(right)
        return (a > b) - (a < b)
    if left_kind == _STR and right_kind == _STR:
        return _utf16_order(left, right)
    if left_kind == _STR and right_kind == _NUM:
        return _utf16_order(left, _number_text(right))
    if left_kind == _NUM and right_kind == _STR:
        return _utf16_order(_number_text(left), right)
    return None


def _regex_input(value: Any) -> str:
    kind = _kind(value)
    if kind == _STR:
        return str(value)
    if kind == _NUM:
        return _number_text(value)
    if kind == _BOOL:
        return "true" if value else "false"
    return ""


def regex_matches(left: Any, right: Any) -> bool:
    """`=~`: exactly one side is a pattern; it must match the whole text (Java `matches()`)."""
    left_is_pattern, right_is_pattern = _kind(left) == _PATTERN, _kind(right) == _PATTERN
    if left_is_pattern == right_is_pattern:
        return False
    pattern, subject = (left, right) if left_is_pattern else (right, left)
    items = subject.value if isinstance(subject, JsonLiteral) else subject
    if isinstance(items, list):
        return any(pattern.fullmatch(_regex_input(item)) for item in items)
    return pattern.fullmatch(_regex_input(subject)) is not None


def member_of(left: Any, right: Any) -> bool | None:
    """`in`: None when Jayway throws (the right side is not JSON), which rejects the item."""
    if _kind(right) != _JSON:
        return None
    items = right.value if isinstance(right, JsonLiteral) else right
    if not isinstance(items, list):
        return False
    return any(equals(left, item) for item in items)
