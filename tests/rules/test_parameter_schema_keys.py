"""Parameter schemas accept both spellings the reference used, `or` and `anyOf`, never both.

The reference's `ParameterSchema` was serialized as `or` in some versions (its Google Meet rules)
and `anyOf` in others (its OneDrive rules); rules files of either version must load.
"""

from __future__ import annotations

import pytest

from proxy.errors import RulesError
from proxy.rules import EndpointMatcher, load_rules


def _rules(key: str) -> str:
    return f"""
endpoints:
  - pathTemplate: /users/{{userKey}}/items
    pathParameterSchemas:
      userKey:
        {key}:
          - {{type: string, enum: [all]}}
          - {{type: integer, pattern: "^[0-9]+$"}}
    queryParamSchemas:
      kind: {{{key}: [{{enum: [a]}}, {{pattern: "[A-Z]{{3}}"}}]}}
"""


@pytest.mark.parametrize("key", ["or", "anyOf"])
def test_either_key_admits_a_value_any_alternative_admits(key: str) -> None:
    matcher = EndpointMatcher(load_rules(_rules(key)))
    for path, query in [
        ("/users/all/items", None),
        ("/users/42/items", "kind=a"),
        ("/users/42/items", "kind=XYZ"),
    ]:
        assert matcher.match("GET", path, query) is not None, (path, query)
    for path, query in [
        ("/users/alice/items", None),
        ("/users/ALL/items", None),
        ("/users/42/items", "kind=b"),
        ("/users/42/items", "kind=xyz"),
    ]:
        assert matcher.match("GET", path, query) is None, (path, query)


def test_or_loads_into_the_same_endpoints_as_any_of() -> None:
    assert load_rules(_rules("or")).endpoints == load_rules(_rules("anyOf")).endpoints


def _one_query_schema(schema: str) -> str:
    return f"endpoints:\n  - pathTemplate: /a\n    queryParamSchemas:\n      x: {schema}\n"


def test_both_keys_on_one_schema_are_refused() -> None:
    with pytest.raises(RulesError, match=r"queryParamSchemas\.x: give either 'or' or 'anyOf'"):
        load_rules(_one_query_schema("{or: [{enum: [a]}], anyOf: [{enum: [b]}]}"))


def test_an_alternative_is_checked_like_any_schema() -> None:
    with pytest.raises(RulesError, match=r"x\.or\[0\]: unknown key 'bogus'"):
        load_rules(_one_query_schema("{or: [{bogus: 1}]}"))
    with pytest.raises(RulesError, match="unknown parameter format"):
        EndpointMatcher(load_rules(_one_query_schema("{or: [{format: uuid}]}")))
