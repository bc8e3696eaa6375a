"""Java's ways of turning values into text, where they decide what gets hashed or emitted.

A JSON number is pseudonymized by hashing its Java ``toString``; blank means Java-blank; JSON
pseudonyms are written the way Jackson writes strings. Each differs from Python's default in
small ways that would change pseudonyms, so they are spelled out here::

>>> java_number_text(1), java_number_text(1.5), java_number_text(1e7)
('1', '1.5', '1.0E7')
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_EVEN, Decimal

__all__ = ["is_blank", "java_json_string", "java_number_text"]

# Java `Character.isWhitespace`, which commons-lang `StringUtils.isBlank` uses: ASCII controls
# \t-\r and \x1c-\x1f plus Unicode space separators, except the non-breaking ones
# (U+00A0, U+2007, U+202F), which Python's `str.isspace` counts and Java does not.
_JAVA_BLANK = re.compile(
    "[\t\n\x0b\x0c\r\x1c-\x1f \u1680\u2000-\u2006\u2008-\u200a\u2028\u2029\u205f\u3000]*"
)

# Jackson's string escapes: short forms for five controls, \\u00XX (upper-case hex) for the rest.
_JSON_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}
_NEEDS_ESCAPE = re.compile('["\\\\\x00-\x1f]')

# Java's Double.toString uses plain notation for 1e-3 <= |x| < 1e7, scientific otherwise.
_PLAIN_MIN, _PLAIN_MAX = 1e-3, 1e7


def is_blank(text: str) -> bool:
    """Java `StringUtils.isBlank`: empty or only Java whitespace (a no-break space is not)."""
    return _JAVA_BLANK.fullmatch(text) is not None


def java_number_text(value: int | float) -> str:
    """`Integer`/`Long`/`BigInteger`/`Double.toString` of a JSON number."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number here")
    if isinstance(value, int):
        return str(value)
    return _java_double_text(value)


def java_json_string(text: str) -> str:
    """`text` as a JSON string literal, escaped exactly as Jackson escapes it."""
    return '"' + _NEEDS_ESCAPE.sub(_escape, text) + '"'


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _JSON_ESCAPES.get(char) or f"\\u{ord(char):04X}"


def _java_double_text(value: float) -> str:
    """Shortest digits that round-trip (what Java 19+ prints), in Java's layout."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    sign = "-" if value < 0 else ""
    digits_tuple, exponent = _shortest_digits(abs(value))
    digits = "".join(map(str, digits_tuple)).rstrip("0") or "0"
    # value = 0.d1d2...dn * 10^(point); `point` counts the digits before the decimal point.
    point = len(digits_tuple) + exponent
    if _PLAIN_MIN <= abs(value) < _PLAIN_MAX:
        if point <= 0:
            return f"{sign}0.{'0' * -point}{digits}"
        whole = digits[:point].ljust(point, "0")
        fraction = digits[point:] or "0"
        return f"{sign}{whole}.{fraction}"
    fraction = digits[1:] or "0"
    return f"{sign}{digits[0]}.{fraction}E{point - 1}"


def _shortest_digits(value: float) -> tuple[tuple[int, ...], int]:
    """Digits and exponent of the decimal Java picks for a positive finite double.

    Java (like Python's repr) takes the shortest decimal that rounds back to the value, the
    closest one if several; but it always considers two digits, so when one digit would do it
    takes the closest two-digit decimal instead (`4.9E-324`, where Python prints `5e-324`).
    """
    shortest = Decimal(repr(value))
    if len(shortest.as_tuple().digits) == 1:
        exact = Decimal(value)
        shortest = exact.quantize(Decimal(1).scaleb(exact.adjusted() - 1), ROUND_HALF_EVEN)
    as_tuple = shortest.as_tuple()
    assert isinstance(as_tuple.exponent, int)
    return as_tuple.digits, as_tuple.exponent
