"""Query-string parsing and parameter-schema checks, as the reference's matcher sees them.

The reference parses queries with Apache httpclient's `URLEncodedUtils`: it splits on `&` **and**
`;`, form-decodes names and values (`+` is a space, `%XX` is UTF-8), skips empty names and keeps
repeats. `urllib.parse.parse_qsl` does not split on `;`, so it would let `?limit=1;foo=2` through.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from urllib.parse import unquote_plus

from proxy.errors import RulesError
from proxy.rules._javaregex import compile_java_regex
from proxy.rules._model import ParameterSchema

__all__ = [
    "QueryParam",
    "fold_name",
    "parse_query",
    "schema_accepts",
    "validate_query_schemas",
]

QueryParam = tuple[str, str | None]

_REVERSIBLE_PSEUDONYM = re.compile(r"p~[a-zA-Z0-9_-]{43,}")
_INTEGER = re.compile(r"\d+", re.ASCII)
_JAVA_DOUBLE = re.compile(
    r"[+-]?(NaN|Infinity|((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)|"
    r"(0[xX]([0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?\d+))[fFdD]?",
    re.ASCII,
)
_KNOWN_FORMATS = frozenset({"reversible_pseudonym", "pseudonym"})
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def fold_name(name: str) -> str:
    """A parameter name as `allowedQueryParams` and `queryParamSchemas` compare it.

    Since 0.6.9 the reference compares names case-insensitively (values never). Only A-Z fold:
    a Unicode case mapping would let `\u212aey` (KELVIN SIGN) pass for `key`, a name the
    upstream sees as another parameter. Both checks use this one fold, so every value of a name
    the allow-list accepts is checked by the schema of that name.
    """
    return name.translate(_ASCII_LOWER)


def parse_query(raw_query: str) -> list[QueryParam]:
    """`a=1&b;c=%24x` → [("a", "1"), ("b", None), ("c", "$x")]; empty names are skipped."""
    params: list[QueryParam] = []
    for token in re.split(r"[&;]", raw_query):
        name, sep, value = token.partition("=")
        name = unquote_plus(name, errors="replace")
        if not name:
            continue
        params.append((name, unquote_plus(value, errors="replace") if sep else None))
    return params


def _java_trim(value: str) -> str:
    """Java `String.trim`: strips every character <= U+0020 at both ends."""
    start, end = 0, len(value)
    while start < end and value[start] <= " ":
        start += 1
    while end > start and value[end - 1] <= " ":
        end -= 1
    return value[start:end]


def check_parameter_schema(schema: ParameterSchema, where: str) -> None:
    """Fail at load time on what the reference would only reject on the first request."""
    if schema.format is not None:
        normalized = schema.format.lower().replace("-", "_")
        if normalized not in _KNOWN_FORMATS:
            raise RulesError(f"{where}: unknown parameter format {schema.format!r}")
    if schema.pattern is not None:
        compile_java_regex(schema.pattern)
    for option in schema.any_of or ():
        check_parameter_schema(option, where)


def schema_accepts(schema: ParameterSchema, value: str | None) -> bool:
    """The reference's `ParameterSchemaUtils.validate`: null is always valid."""
    if value is None:
        return True
    if schema.type == "integer" and not _INTEGER.fullmatch(_java_trim(value)):
        return False
    if schema.type == "number" and not _JAVA_DOUBLE.fullmatch(_java_trim(value)):
        return False
    if schema.format is not None and not _REVERSIBLE_PSEUDONYM.fullmatch(value):
        return False  # the only known formats are (reversible-)pseudonym
    if schema.enum is not None and value not in schema.enum:
        return False
    if schema.pattern is not None and not compile_java_regex(schema.pattern).fullmatch(value):
        return False
    if schema.any_of is not None:
        return any(schema_accepts(option, value) for option in schema.any_of)
    return True


def validate_query_schemas(
    schemas: Mapping[str, ParameterSchema], params: Sequence[QueryParam]
) -> bool:
    """Each schema'd name (any case): `required` needs one non-null value; all must validate."""
    for name, schema in schemas.items():
        folded = fold_name(name)
        values = [v for n, v in params if fold_name(n) == folded and v is not None]
        if schema.required and not values:
            return False
        if not all(schema_accepts(schema, value) for value in values):
            return False
    return True
