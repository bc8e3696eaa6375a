"""Augments run before the schema filter and add `+<field>:<kind>` siblings (reference §2.4)."""

from __future__ import annotations

from typing import Any

import orjson

from proxy.rules import load_rules
from proxy.sanitize import PseudonymKeys
from proxy.secret_value import Secret
from support.engine import Engine

RULES = """
endpoints:
  - pathTemplate: /x
    augments:
      - !<textDigest>
        jsonPaths: ["$.items[*].content"]
      - !<textDigest>
        jsonPaths: ["$.items[*].doc"]
        innerJsonPath: "$.body[*].text"
    responseSchema:
      type: object
      properties:
        items:
          type: array
          items: {type: object, properties: {id: {type: string}}}
"""


def sanitize(document: Any) -> Any:
    sanitizer = Engine(load_rules(RULES), PseudonymKeys(salt=Secret("salt")))
    endpoint = sanitizer.match("GET", "/x", None)
    assert endpoint is not None
    return orjson.loads(sanitizer.sanitize(endpoint, orjson.dumps(document)))


def test_digest_siblings_survive_the_schema_while_the_text_does_not() -> None:
    document = {
        "items": [
            {
                "id": "1",
                "content": "Hello world",
                "doc": '{"body":[{"text":"short"},{"text":"two words"}]}',
            },
            {"id": "2", "content": 7},
        ]
    }
    assert sanitize(document) == {
        "items": [
            {
                "id": "1",
                "+content:textDigest": {"length": 11, "word_count": 2},
                "+doc:textDigest": '{"body":[{"text":"{\\"length\\":5,\\"word_count\\":1}"},'
                '{"text":"{\\"length\\":9,\\"word_count\\":2}"}]}',
            },
            {"id": "2"},  # a failing augment is skipped, as in the reference
        ]
    }


def test_plus_keys_from_the_source_are_removed_before_augmenting() -> None:
    smuggled = {"items": [{"id": "1", "content": "x", "+secret": "alice@example.com"}]}
    assert sanitize(smuggled) == {
        "items": [{"id": "1", "+content:textDigest": {"length": 1, "word_count": 1}}]
    }


def test_endpoints_without_augments_drop_plus_keys_in_the_schema() -> None:
    rules = load_rules(
        "endpoints:\n  - pathTemplate: /y\n"
        "    responseSchema: {type: object, properties: {id: {type: string}}}"
    )
    sanitizer = Engine(rules, PseudonymKeys(salt=Secret("salt")))
    endpoint = sanitizer.match("GET", "/y", None)
    assert endpoint is not None
    assert sanitizer.sanitize(endpoint, b'{"id":"1","+x:textDigest":"alice"}') == b'{"id":"1"}'
