"""Numbers through the sanitizer: parsed fast (no big-integer scan), yet exact like Jackson.

Integers beyond 64 bits must come out verbatim, floats as Java prints them, whether or not the
fast parse had to start over (`InexactNumber`).
"""

from __future__ import annotations

import pytest

from proxy.rules import load_rules
from proxy.sanitize import PseudonymKeys
from proxy.secret_value import Secret
from support.engine import Engine

HUGE = b"123456789012345678901234567890"
NEGATIVE = b"-9223372036854775809"


def sanitize(body: bytes, schema_yaml: str | None) -> bytes:
    endpoint_yaml = "endpoints:\n  - pathTemplate: /x\n"
    if schema_yaml is not None:
        indented = "\n".join(f"      {line}" for line in schema_yaml.strip().splitlines())
        endpoint_yaml += f"    responseSchema:\n{indented}\n"
    sanitizer = Engine(load_rules(endpoint_yaml), PseudonymKeys(salt=Secret("salt")))
    endpoint = sanitizer.match("GET", "/x", None)
    assert endpoint is not None
    return sanitizer.sanitize(endpoint, body)


NUMBER_SCHEMA = """
type: object
properties:
  n: {type: number}
  i: {type: integer}
  u: {}
"""


@pytest.mark.parametrize("schema", [None, NUMBER_SCHEMA], ids=["no-schema", "schema"])
def test_integers_beyond_64_bits_stay_verbatim(schema: str | None) -> None:
    body = b'{"n":' + HUGE + b',"u":' + NEGATIVE + b',"f":1.5}'
    expected = b'{"n":' + HUGE + b',"u":' + NEGATIVE + (b',"f":1.5}' if schema is None else b"}")
    assert sanitize(body, schema) == expected


def test_integer_schema_nulls_them_either_way() -> None:
    assert sanitize(b'{"i":' + HUGE + b',"n":2}', NUMBER_SCHEMA) == b'{"i":null,"n":2}'


@pytest.mark.parametrize("schema", [None, NUMBER_SCHEMA], ids=["no-schema", "schema"])
def test_huge_floats_print_like_java_after_the_exact_parse(schema: str | None) -> None:
    assert sanitize(b'{"n":1e20,"u":-2.5E19}', schema) == b'{"n":1.0E20,"u":-2.5E19}'


def test_u64_integers_need_no_second_parse() -> None:
    body = b'{"n":18446744073709551615,"u":-9223372036854775808}'
    assert sanitize(body, NUMBER_SCHEMA) == body


def test_several_top_level_values_with_a_huge_integer() -> None:
    body = b'{"n":1}\n{"n":' + HUGE + b"}"
    assert sanitize(body, NUMBER_SCHEMA) == b'{"n":1}\n{"n":' + HUGE + b"}"


def test_a_const_beyond_64_bits_compares_with_the_exact_integer() -> None:
    schema = """
type: object
properties:
  n:
    anyOf:
      - {type: number, const: 123456789012345678901234567890}
      - {type: string}
"""
    assert sanitize(b'{"n":' + HUGE + b"}", schema) == b'{"n":' + HUGE + b"}"
    assert sanitize(b'{"n":1.2345678901234568E29}', schema) == b'{"n":null}'
