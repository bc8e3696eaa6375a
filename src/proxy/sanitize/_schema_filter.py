"""`responseSchema`: the reference's JSON-schema *filter* (reference notes §4.2), compiled.

An allow-list, not a validator: object keys missing from `properties` are dropped, scalars of
the wrong type become null (the key stays), wrong or null array elements are removed, decimals
in `integer` are truncated, a null `boolean` becomes false, `$ref` resolves against the rules'
top-level `definitions` only, and `+`-prefixed keys (augment outputs) pass untouched. A node of
an unknown `type` refuses any value that reaches it (`SanitizationError`).

Each schema node compiles once into a closure, so a request only runs small functions. Floats
become `JavaDouble` through `checked_double`, so a document parsed without the big-integer scan
is caught here when it holds a float that may have been a huge integer (`InexactNumber`).

    keep = compile_schema(endpoint.response_schema, rules.definitions)
    filtered = keep(document)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from proxy.errors import RulesError, SanitizationError
from proxy.rules import SchemaNode
from proxy.sanitize._json_codec import checked_double
from proxy.sanitize.jsonpath import JsonFunction

__all__ = ["compile_schema"]


_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1


class _ConstMismatch:
    """Marker: a `const` did not match (lets `anyOf` try the next candidate)."""


_CONST_MISMATCH = _ConstMismatch()


def compile_schema(
    root: SchemaNode, definitions: Mapping[str, SchemaNode], *, keep_augments: bool = True
) -> JsonFunction:
    """A function filtering one document with this schema; a root failing it becomes None.

    `keep_augments=False` (an endpoint without augments) drops `+` keys like any other.
    """
    compiler = _Compiler(definitions, keep_augments)
    compiled = compiler.compile(root)

    def filter_document(value: Any) -> Any:
        result = compiled(value)
        return None if result is _CONST_MISMATCH else result

    return filter_document


class _Compiler:
    def __init__(self, definitions: Mapping[str, SchemaNode], keep_augments: bool) -> None:
        self._definitions = definitions
        self._keep_augments = keep_augments
        self._by_name: dict[str, JsonFunction] = {}
        # `#` is the reference's synthetic root: a node holding only the definitions.
        self._synthetic_root = SchemaNode()

    def compile(self, node: SchemaNode) -> JsonFunction:
        if node.ref is not None:
            return self._ref(node.ref)
        if node.any_of is not None:
            return self._any_of(node.any_of)
        if node.type is None:
            return _untyped
        base = self._typed(node)
        if node.has_const or node.if_ is not None:
            return self._conditional(node, base)
        return base

    def _ref(self, ref: str) -> JsonFunction:
        if ref == "#":
            return _untyped
        name = ref.removeprefix("#/definitions/")
        if name not in self._definitions:
            raise RulesError(f"$ref {ref!r} does not resolve to a definition")
        if name not in self._by_name:
            slot: list[JsonFunction] = []
            # Recursive definitions (a tree of comments) resolve through the slot lazily.
            self._by_name[name] = lambda value: slot[0](value)  # noqa: PLW0108 - late binding
            slot.append(self.compile(self._definitions[name]))
            self._by_name[name] = slot[0]
        return self._by_name[name]

    def _any_of(self, options: tuple[SchemaNode, ...]) -> JsonFunction:
        compiled = [self.compile(option) for option in options]

        def any_of(value: Any) -> Any:
            for option in compiled:
                result = option(value)
                if result is not _CONST_MISMATCH:
                    return result
            return None

        return any_of

    def _conditional(self, node: SchemaNode, base: JsonFunction) -> JsonFunction:
        condition = self.compile(node.if_) if node.if_ is not None else None
        then = self.compile(node.then) if node.then is not None else base
        otherwise = self.compile(node.else_) if node.else_ is not None else base
        has_const, const = node.has_const, node.const
        # Only a const holding a number beyond 64 bits can compare differently with a float that
        # stands for such an integer; then every float of the value is checked first.
        check_floats = has_const and _holds_huge_number(const)

        def conditional(value: Any) -> Any:
            if has_const:
                if check_floats:
                    _check_floats(value)
                if value != const:
                    return _CONST_MISMATCH
            if condition is None:
                return base(value)
            return then(value) if condition(value) is not _CONST_MISMATCH else otherwise(value)

        return conditional

    def _typed(self, node: SchemaNode) -> JsonFunction:
        if node.type == "object":
            properties = {
                key: self.compile(child) for key, child in (node.properties or {}).items()
            }
            return _object_filter(properties, self._keep_augments)
        if node.type == "array":
            items = self.compile(node.items) if node.items is not None else _untyped
            return _array_filter(items)
        return _SCALAR_FILTERS.get(node.type or "") or _unknown_type(node.type or "")


def _object_filter(properties: Mapping[str, JsonFunction], keep_augments: bool) -> JsonFunction:
    # Most properties are plain strings: checked inline, without a call per value.
    strings = frozenset(key for key, keep in properties.items() if keep is _string)
    others = {key: keep for key, keep in properties.items() if keep is not _string}

    def filter_object(value: Any) -> Any:
        if not isinstance(value, dict):
            return None
        out: dict[str, Any] = {}
        for key, child in value.items():
            if key in strings:
                out[key] = child if isinstance(child, str) else None
                continue
            keep = others.get(key)
            if keep is not None:
                result = keep(child)
                out[key] = None if result is _CONST_MISMATCH else result
            elif keep_augments and key.startswith("+"):
                out[key] = child
        return out

    return filter_object


def _array_filter(items: JsonFunction) -> JsonFunction:
    def filter_array(value: Any) -> Any:
        if not isinstance(value, list):
            return None
        out = []
        for element in value:
            result = items(element)
            if result is not None and result is not _CONST_MISMATCH:
                out.append(result)
        return out

    return filter_array


def _holds_huge_number(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_holds_huge_number(child) for child in value.values())
    if isinstance(value, list):
        return any(_holds_huge_number(child) for child in value)
    return isinstance(value, int | float) and not isinstance(value, bool) and abs(value) >= 2**63


def _check_floats(value: Any) -> None:
    """Raise `InexactNumber` if any plain float in `value` may stand for a huge integer."""
    if isinstance(value, dict):
        for child in value.values():
            _check_floats(child)
    elif isinstance(value, list):
        for child in value:
            _check_floats(child)
    elif isinstance(value, float):
        checked_double(value)


def _unknown_type(name: str) -> JsonFunction:
    """A node whose `type` the filter does not know (the loader warned): any value that reaches
    it, null included, fails the response, as the reference throws there; absent keys pass."""

    def refuse(value: Any) -> Any:
        raise SanitizationError(f"a value reached a responseSchema node of unknown type {name!r}")

    return refuse


def _untyped(value: Any) -> Any:
    """No `type` and no `$ref`: scalars pass, containers become null."""
    if isinstance(value, dict | list):
        return None
    if isinstance(value, float):
        return checked_double(value)
    return value


def _string(value: Any) -> Any:
    return value if isinstance(value, str) else None


def _integer(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        value = int(value)  # truncates toward zero, like Jackson's asLong
    return value if _LONG_MIN <= value <= _LONG_MAX else None


def _number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return checked_double(value) if isinstance(value, float) else value


def _boolean(value: Any) -> Any:
    if value is None:
        return False  # Jackson's NullNode.booleanValue()
    return value if isinstance(value, bool) else None


def _null(value: Any) -> Any:
    return None


_SCALAR_FILTERS: Mapping[str, JsonFunction] = {
    "string": _string,
    "integer": _integer,
    "number": _number,
    "boolean": _boolean,
    "null": _null,
}
