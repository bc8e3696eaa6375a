"""JSON in and out, byte-compatible with the reference (Jackson) and fast (orjson).

Compatibility points (reference notes §2.1):
- a body may hold several top-level values (NDJSON, `{}{}`); each is sanitized on its own and
  the outputs are joined with `\\n`;
- doubles print as Java's `Double.toString` (`1.0E7`, `1.0E-4`), integers verbatim, also past
  64 bits (orjson would silently turn those into floats, so such bodies take a slower path);
- strings escape control characters as `\\u00XX` with upper-case hex, and nothing else beyond
  `"` and `\\`.

Floats are turned into `JavaDouble` by whoever walks the document (the schema filter does it on
its way; `java_doubles` does it otherwise) so that orjson hands them to `_default`.

Two ways in. `loads_values` is exact on its own: it scans the body for 19-digit numbers first,
which costs more than parsing it. `loads_unchecked` skips that scan: an integer beyond 64 bits
then arrives as a float of magnitude >= 2**63, and `checked_double`, which the walkers use to
make their `JavaDouble`s, raises `InexactNumber` on such a float; the sanitizer then starts over
with `loads_values`. Floats that large are rare in API responses, and an integer beyond 64 bits
that a walker never reaches (a dropped field) cannot change the output.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import orjson

from proxy.errors import InputNotJson

__all__ = [
    "InexactNumber",
    "JavaDouble",
    "checked_double",
    "dumps",
    "java_double_text",
    "java_doubles",
    "loads_unchecked",
    "loads_values",
    "pretty",
]

_BIG_NUMBER = re.compile(rb"[:\[,]\s*-?\d{19}")
_LOWER_HEX_ESCAPE = re.compile(rb"(?<!\\)((?:\\\\)*)\\u00([0-9a-f]{2})")
_MAX_DEPTH_MESSAGE = "nested too deeply"
_INEXACT_MAGNITUDE = 2.0**63  # orjson keeps integers in [-2**63, 2**64) exact, floats others


class JavaDouble(float):
    """A float that serializes the way Java's `Double.toString` prints it."""

    __slots__ = ()


class InexactNumber(Exception):
    """A plain float this large may be an integer orjson could not hold: parse exactly."""


def checked_double(value: float) -> JavaDouble:
    """`JavaDouble(value)`, refusing a plain float that may stand for a huge integer."""
    if type(value) is float and not -_INEXACT_MAGNITUDE < value < _INEXACT_MAGNITUDE:
        raise InexactNumber
    return JavaDouble(value)


def java_double_text(value: float) -> str:
    """Java `Double.toString`: `1.0`, `1.5`, `1.0E7`, `1.2345678E7`, `1.0E-4`, `-0.0`."""
    if math.isnan(value):
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if str(value).startswith("-") else "0.0"
    sign = "-" if value < 0 else ""
    digits_tuple = Decimal(repr(abs(value))).normalize().as_tuple()
    digits = "".join(map(str, digits_tuple.digits))
    exponent = int(digits_tuple.exponent) + len(digits) - 1  # value = d.ddd * 10^exponent
    if -3 <= exponent < 7:
        if exponent >= 0:
            whole, frac = digits[: exponent + 1].ljust(exponent + 1, "0"), digits[exponent + 1 :]
        else:
            whole, frac = "0", "0" * (-exponent - 1) + digits
        return f"{sign}{whole}.{frac or '0'}"
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{exponent}"


def java_doubles(value: Any, mark: Callable[[float], JavaDouble] = JavaDouble) -> Any:
    """Mark every float of a document as `JavaDouble` (used when no schema filter walked it);
    `mark=checked_double` for a document from `loads_unchecked`."""
    if isinstance(value, dict):
        for key, child in value.items():
            if isinstance(child, float | dict | list):
                value[key] = java_doubles(child, mark)
        return value
    if isinstance(value, list):
        for index, child in enumerate(value):
            if isinstance(child, float | dict | list):
                value[index] = java_doubles(child, mark)
        return value
    if isinstance(value, float) and not isinstance(value, JavaDouble):
        return mark(value)
    return value


def loads_values(body: bytes) -> Iterator[Any]:
    """Every top-level JSON value of the body, in order; `InputNotJson` if any is malformed."""
    if not _BIG_NUMBER.search(body):
        try:
            yield orjson.loads(body)
            return
        except orjson.JSONDecodeError:
            pass  # several values, or invalid: sort it out below
    yield from _loads_slowly(body)


def loads_unchecked(body: bytes) -> list[Any]:
    """Every top-level value, without the scan for big integers (see the module docstring)."""
    try:
        return [orjson.loads(body)]
    except orjson.JSONDecodeError:
        return list(_loads_slowly(body))  # several values, or invalid


def _loads_slowly(body: bytes) -> Iterator[Any]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputNotJson("response body is not UTF-8 JSON") from exc
    decoder = json.JSONDecoder(parse_constant=_reject_constant)
    position, end = 0, len(text)
    found = False
    while True:
        while position < end and text[position] in " \t\r\n":
            position += 1
        if position >= end:
            break
        try:
            value, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            raise InputNotJson(f"response body is not valid JSON ({exc.msg})") from exc
        except RecursionError as exc:
            raise InputNotJson(f"response body JSON is {_MAX_DEPTH_MESSAGE}") from exc
        found = True
        yield value
    if not found:
        raise InputNotJson("response body holds no JSON value")


def _reject_constant(name: str) -> Any:
    raise InputNotJson(f"response body has the non-JSON constant {name}")


def _default(value: Any) -> Any:
    if isinstance(value, float):
        return orjson.Fragment(java_double_text(value))
    raise TypeError(f"cannot serialize {type(value).__name__}")


def dumps(value: Any) -> bytes:
    """Compact JSON, input key order kept, as Jackson writes it."""
    try:
        out = orjson.dumps(value, default=_default)
    except orjson.JSONEncodeError as exc:
        if "64-bit" not in str(exc):
            raise
        out = _dumps_slowly(value).encode("utf-8")
    return _upper_hex_escapes(out)


def _upper_hex_escapes(out: bytes) -> bytes:
    """orjson writes `\\u001f`; Jackson writes `\\u001F`."""
    if b"\\u00" not in out:
        return out
    return _LOWER_HEX_ESCAPE.sub(lambda m: m.group(1) + b"\\u00" + m.group(2).upper(), out)


def _dumps_slowly(value: Any) -> str:
    """The rare path for integers beyond 64 bits; same output rules as `dumps`."""
    if isinstance(value, dict):
        items = (f"{_string(str(k))}:{_dumps_slowly(v)}" for k, v in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_dumps_slowly(v) for v in value) + "]"
    if isinstance(value, str):
        return _string(value)
    return _scalar(value)


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return java_double_text(value)
    raise TypeError(f"cannot serialize {type(value).__name__}")


def _string(value: str) -> str:
    return _upper_hex_escapes(orjson.dumps(value)).decode("utf-8")


def pretty(value: Any, indent: int = 0) -> str:
    """Jackson's DefaultPrettyPrinter as the reference's golden files use it.

    `"key":value`, two-space indent, one array element per line, `{ }` and `[ ]` when empty.
    """
    pad, inner = "  " * indent, "  " * (indent + 1)
    if isinstance(value, dict):
        if not value:
            return "{ }"
        items = [f"{inner}{_string(str(k))}:{pretty(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list):
        if not value:
            return "[ ]"
        elements = [f"{inner}{pretty(v, indent + 1)}" for v in value]
        return "[\n" + ",\n".join(elements) + f"\n{pad}]"
    return dumps(value).decode("utf-8")
