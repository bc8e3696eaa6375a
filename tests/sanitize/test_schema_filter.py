"""responseSchema filtering exactly as the reference (reference notes §4.2)."""

from __future__ import annotations

from typing import Any

import pytest

from proxy.errors import SanitizationError
from proxy.rules import load_rules
from proxy.sanitize import dumps
from proxy.sanitize._schema_filter import compile_schema


def _filter(schema_yaml: str, document: Any, definitions: str = "") -> Any:
    text = f"endpoints:\n  - pathTemplate: /a\n    responseSchema: {schema_yaml}\n{definitions}"
    rules = load_rules(text)
    schema = rules.endpoints[0].response_schema
    assert schema is not None
    return compile_schema(schema, rules.definitions)(document)


def test_objects_keep_input_order_and_drop_unknown_keys() -> None:
    schema = "{type: object, properties: {b: {type: string}, a: {type: integer}}}"
    assert _filter(schema, {"a": 1, "x": 2, "b": "y", "+a:textDigest": {"k": 1}}) == {
        "a": 1,
        "b": "y",
        "+a:textDigest": {"k": 1},
    }


@pytest.mark.parametrize(
    ("type_name", "value", "expected"),
    [
        ("string", "s", "s"),
        ("string", 1, None),
        ("string", {"a": 1}, None),
        ("integer", 5, 5),
        ("integer", 1.5, 1),
        ("integer", -3.9, -3),
        ("integer", 2**63, None),
        ("integer", "5", None),
        ("integer", True, None),
        ("number", 1.5, 1.5),
        ("number", 2, 2),
        ("number", "1", None),
        ("boolean", True, True),
        ("boolean", None, False),
        ("boolean", "true", None),
        ("null", "x", None),
    ],
)
def test_scalars(type_name: str, value: Any, expected: Any) -> None:
    schema = f"{{type: object, properties: {{v: {{type: '{type_name}'}}}}}}"
    assert _filter(schema, {"v": value}) == {"v": expected}


def test_arrays_drop_null_and_wrong_elements() -> None:
    schema = "{type: array, items: {type: string}}"
    assert _filter(schema, ["a", None, 1, "b", {"c": 1}]) == ["a", "b"]
    assert _filter(schema, {"not": "array"}) is None


def test_untyped_nodes_pass_scalars_and_null_containers() -> None:
    schema = "{type: object, properties: {a: {}, b: {format: date-time}}}"
    assert _filter(schema, {"a": "x", "b": [1]}) == {"a": "x", "b": None}


def test_refs_resolve_against_top_level_definitions_including_recursion() -> None:
    definitions = (
        "definitions:\n"
        "  Node:\n"
        "    type: object\n"
        "    properties:\n"
        "      name: {type: string}\n"
        "      children: {type: array, items: {$ref: '#/definitions/Node'}}\n"
    )
    document = {"name": "a", "x": 1, "children": [{"name": "b", "children": [{"name": "c"}]}]}
    assert _filter("{$ref: '#/definitions/Node'}", document, definitions) == {
        "name": "a",
        "children": [{"name": "b", "children": [{"name": "c"}]}],
    }


def test_any_of_takes_the_first_candidate_and_const_selects() -> None:
    schema = (
        "{anyOf: [{type: object, const: {kind: x}, properties: {kind: {type: string}}},"
        " {type: object, properties: {other: {type: string}}}]}"
    )
    assert _filter(schema, {"kind": "y", "other": "o"}) == {"other": "o"}


def test_root_of_wrong_type_becomes_null_and_doubles_print_like_java() -> None:
    assert _filter("{type: object}", [1, 2]) is None
    schema = "{type: object, properties: {n: {type: number}, m: {}}}"
    assert dumps(_filter(schema, {"n": 12345678.0, "m": 0.0001})) == b'{"n":1.2345678E7,"m":1.0E-4}'


_UNKNOWN = "{type: object, properties: {a: {type: string}, u: {type: onBehalfOf}}}"


@pytest.mark.parametrize("value", [None, "x", 1, {"id": "7"}, []])
def test_a_value_reaching_an_unknown_type_fails_the_response(value: Any) -> None:
    with pytest.raises(SanitizationError, match="unknown type 'onBehalfOf'"):
        _filter(_UNKNOWN, {"a": "kept", "u": value})


def test_an_unknown_type_the_response_never_reaches_changes_nothing() -> None:
    assert _filter(_UNKNOWN, {"a": "kept", "b": 1}) == {"a": "kept"}
    items = "{type: array, items: {type: onBehalfOf}}"
    assert _filter(items, []) == []
    with pytest.raises(SanitizationError):
        _filter(items, [1])
