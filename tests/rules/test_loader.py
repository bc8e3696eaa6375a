"""Loading the reference's rules YAML: tags, defaults, strictness, encodings, clear errors."""

from __future__ import annotations

import base64
import gzip
import logging

import pytest

from proxy.errors import RulesError, RulesYamlError
from proxy.rules import load_rules
from proxy.rules._yaml_source import decode_rules_value
from support.reference_rules import REFERENCE_CONFLUENCE_RULES

ONE_ENDPOINT = """
endpoints:
  - pathTemplate: /a/{id}
    allowedMethods: [get, Post]
    allowedQueryParams: [limit]
    allowedRequestHeaders: [X-One]
    allowedRequestHeadersToForward: [X-Two, X-One]
    transforms:
      - !<pseudonymize>
        jsonPaths: ["$.id"]
      - !redact
        jsonPaths: ["$.name"]
      - method: textDigest
        jsonPaths: ["$.text"]
        fields: [ignored]
"""


def test_tags_in_all_three_spellings_and_defaults() -> None:
    endpoint = load_rules(ONE_ENDPOINT).endpoints[0]
    assert [t.kind for t in endpoint.transforms] == ["pseudonymize", "redact", "textDigest"]
    pseudonymize = endpoint.transforms[0]
    assert pseudonymize.json_paths == ("$.id",)
    assert dict(pseudonymize.options) == {
        "encoding": "URL_SAFE_TOKEN",
        "includeReversible": False,
        "includeOriginal": False,
        "onlyIfRegex": None,
    }
    assert endpoint.allowed_methods == frozenset({"GET", "POST"})
    assert endpoint.allowed_query_params == ("limit",)
    assert endpoint.allowed_request_headers == ("X-One", "X-Two")


def test_reference_confluence_rules_load_unchanged() -> None:
    rules = load_rules(REFERENCE_CONFLUENCE_RULES)
    assert len(rules.endpoints) == 12
    assert all(e.allowed_methods is None for e in rules.endpoints)
    assert rules.endpoints[-1].allowed_query_params == ()
    assert set(rules.definitions) >= {"Links", "Version", "Space", "Task", "ContentItem", "User"}
    assert len(rules.sha) == 40


def test_rules_value_may_be_base64_or_base64_gzip() -> None:
    plain = REFERENCE_CONFLUENCE_RULES
    b64 = base64.b64encode(plain.encode()).decode()
    b64_gzip = base64.b64encode(gzip.compress(plain.encode())).decode()
    assert decode_rules_value(b64) == plain
    assert decode_rules_value(b64_gzip) == plain
    assert load_rules(b64_gzip).sha == load_rules(plain).sha
    assert len(b64_gzip) < 4096  # the reference asserts its compressed rules fit env vars


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("endpoints: [{pathTemplate: /a, allowedMethod: [GET]}]", "unknown key 'allowedMethod'"),
        ("endpoints: [{pathTemplate: /a}]\nextra: 1", "rules: unknown key 'extra'"),
        (
            "endpoints:\n  - pathTemplate: /a\n    transforms:\n"
            "      - !<redact>\n        jsonPath: [x]",
            r"endpoints\[0\] \(/a\)\.transforms\[0\] \(redact\): unknown key 'jsonPath'",
        ),
        (
            "endpoints:\n  - pathTemplate: /a\n    transforms: [!<scramble> {jsonPaths: []}]",
            "unknown transform 'scramble'",
        ),
        (
            "endpoints:\n  - pathTemplate: /a\n    transforms: [{jsonPaths: [x]}]",
            "needs a type tag",
        ),
        (
            "endpoints:\n  - pathTemplate: /a\n    responseSchema: {type: object, description: x}",
            r"responseSchema: unknown key 'description'",
        ),
        (
            "endpoints:\n  - pathTemplate: /a\n    responseSchema: {type: [string, 'null']}",
            r"responseSchema\.type: expected a string",
        ),
        (
            "endpoints:\n  - pathTemplate: /a\n    responseSchema: {type: thing, size: 1}",
            "unknown key 'size'",
        ),
        (
            "endpoints:\n  - pathTemplate: /a\n    responseSchema: {const: a, constant: a}",
            "both `const` and `constant`",
        ),
        (
            "endpoints:\n  - pathTemplate: /a\n    responseSchema: {$ref: '#/definitions/Nope'}",
            "does not resolve",
        ),
        ("endpoints:\n  - allowedQueryParams: [a]", "needs a non-blank pathTemplate or pathRegex"),
        ("endpoints: []", "no endpoints"),
        ("endpoints: [{pathTemplate: /a}]\nallowAllEndpoints: true", "allowAllEndpoints"),
        (
            "endpoints:\n  - pathTemplate: /a\n    transforms:\n      - !<pseudonymize>\n"
            "        jsonPaths: [$.a]\n        includeOriginal: true",
            "includeOriginal needs `encoding: JSON`",
        ),
        (
            "endpoints:\n  - pathTemplate: /a\n    transforms:\n      - !<pseudonymize>\n"
            "        jsonPaths: [$.a]\n        encoding: BASE64",
            "unknown encoding 'BASE64'",
        ),
        (
            "endpoints:\n  - pathTemplate: /a\n    transforms:\n"
            "      - !<pseudonymizeRegexMatches> {jsonPaths: [$.a]}",
            "needs a `regex`",
        ),
        ("endpoints:\n  - pathTemplate: /a\n    allowedMethods: GET", "expected a list"),
        ("endpoints:\n  - pathTemplate: /a\n  - pathTemplate: /a\n    pathTemplate: /b", "dupl"),
    ],
)
def test_invalid_rules_name_what_and_where(yaml_text: str, message: str) -> None:
    with pytest.raises(RulesError, match=message):
        load_rules(yaml_text)


def test_an_unknown_schema_type_loads_with_a_warning_naming_the_node(
    caplog: pytest.LogCaptureFixture,
) -> None:
    text = (
        "endpoints:\n  - pathTemplate: /a\n    responseSchema:\n      type: object\n"
        "      properties: {user: {type: onBehalfOf, properties: {id: {type: string}}}}"
    )
    with caplog.at_level(logging.WARNING, logger="proxy.rules.loader"):
        rules = load_rules(text)
    schema = rules.endpoints[0].response_schema
    assert schema is not None and schema.properties is not None
    assert schema.properties["user"].type == "onBehalfOf"
    assert [r.getMessage() for r in caplog.records] == [
        "rules.endpoints[0] (/a).responseSchema.properties.user.type: unknown schema type "
        "'onBehalfOf'; a response with a value there is refused"
    ]


@pytest.mark.parametrize("key", ["const", "constant"])
def test_constant_is_the_reference_name_of_const(key: str) -> None:
    text = f"endpoints:\n  - pathTemplate: /a\n    responseSchema: {{type: string, {key}: x}}"
    schema = load_rules(text).endpoints[0].response_schema
    assert schema is not None
    assert (schema.has_const, schema.const) == (True, "x")


@pytest.mark.parametrize("text", ["endpoints: [", "endpoints:\n\t- a", "a: b: c"])
def test_malformed_yaml_is_a_yaml_error_with_a_location(text: str) -> None:
    with pytest.raises(RulesYamlError, match="line") as caught:
        load_rules(text)
    assert caught.value.code == "RULES_INVALID_YAML"


def test_empty_rules_are_refused() -> None:
    with pytest.raises(RulesError, match="empty"):
        load_rules("")


def test_sha_identifies_the_exact_text() -> None:
    a = load_rules("endpoints: [{pathTemplate: /a}]")
    b = load_rules("endpoints: [{pathTemplate: /b}]")
    assert a.sha != b.sha
    assert a.sha == load_rules("endpoints: [{pathTemplate: /a}]").sha
