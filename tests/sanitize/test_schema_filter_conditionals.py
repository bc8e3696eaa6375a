"""Schema filtering with `const`, `if`/`then`/`else` and `$ref: '#'`: which branch filters a
value decides which of its fields survive, so a wrong branch is a leak (or a loss)."""

from __future__ import annotations

from typing import Any

import pytest

from proxy.errors import RulesError
from proxy.rules._loader import load_rules
from proxy.rules._model import SchemaNode
from proxy.sanitize._schema_filter import compile_schema


def filtered(schema_yaml: str, document: Any, definitions: str = "") -> Any:
    text = f"endpoints:\n  - pathTemplate: /a\n    responseSchema: {schema_yaml}\n{definitions}"
    rules = load_rules(text)
    schema = rules.endpoints[0].response_schema
    assert schema is not None
    return compile_schema(schema, rules.definitions)(document)


USER_OR_PAGE = (
    "{type: array, items: {type: object,"
    " if: {type: object, const: {kind: user}},"
    " then: {type: object},"
    " else: {type: object, properties: {kind: {type: string}, title: {type: string}}}}}"
)


def test_if_picks_then_for_a_match_and_else_otherwise() -> None:
    document = [{"kind": "user"}, {"kind": "page", "title": "T", "authorId": "a1"}]

    assert filtered(USER_OR_PAGE, document) == [{}, {"kind": "page", "title": "T"}]


def test_without_then_or_else_the_node_itself_filters() -> None:
    schema = (
        "{type: object, properties: {kind: {type: string}},"
        " if: {type: object, const: {kind: user}}}"
    )

    assert filtered(schema, {"kind": "user", "x": 1}) == {"kind": "user"}
    assert filtered(schema, {"kind": "page", "x": 1}) == {"kind": "page"}


def test_a_root_that_misses_its_const_becomes_null() -> None:
    assert filtered("{type: object, const: {kind: user}}", {"kind": "page"}) is None
    assert filtered("{type: object, const: {kind: user}}", {"kind": "user"}) == {}


def test_ref_to_the_root_passes_scalars() -> None:
    schema = "{type: object, properties: {any: {$ref: '#'}}}"

    assert filtered(schema, {"any": "text", "other": 1}) == {"any": "text"}


def test_an_unresolved_ref_is_named_even_without_the_loader() -> None:
    node = SchemaNode(type="object", properties={"a": SchemaNode(ref="#/definitions/Missing")})

    with pytest.raises(RulesError) as error:
        compile_schema(node, {})
    assert error.value.message == "$ref '#/definitions/Missing' does not resolve to a definition"


def test_a_property_that_misses_its_const_becomes_null() -> None:
    schema = "{type: object, properties: {kind: {type: string, const: user}, n: {type: integer}}}"

    assert filtered(schema, {"kind": "page", "n": 1}) == {"kind": None, "n": 1}
    assert filtered(schema, {"kind": "user"}) == {"kind": "user"}


def test_an_array_without_items_keeps_scalars() -> None:
    schema = "{type: object, properties: {list: {type: array}}}"

    assert filtered(schema, {"list": [1, "a", None, True]}) == {"list": [1, "a", True]}


@pytest.mark.parametrize(
    ("value", "kept"),
    [(-(2**63), True), (2**63 - 1, True), (-(2**63) - 1, False), (2**63, False)],
)
def test_integers_are_kept_exactly_within_64_bits(value: int, kept: bool) -> None:
    schema = "{type: object, properties: {n: {type: integer}}}"

    assert filtered(schema, {"n": value}) == {"n": value if kept else None}
