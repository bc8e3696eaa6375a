"""The generator behind the spec-driven tests: the specs are Atlassian's, every bundled endpoint
maps to its operation, generated responses conform to the operation's schema and are maximal,
every kind of planted person occurs, and the leak search finds each encoding."""

from __future__ import annotations

import base64
import hashlib
import random
import re
from collections import Counter
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from proxy.rules import Endpoint, Rules, SchemaNode
from proxy.sanitize.pseudonyms import Pseudonymizer
from proxy.secret_value import Secret
from support.openapi.checks import CASES, RULES, case_id
from support.openapi.generator import EndpointCase, generate
from support.openapi.headers import upstream_headers
from support.openapi.people import FIXED_CAST
from support.openapi.planter import CQL_ENCODINGS, LINK_ENCODINGS, Profile, encode_query_value
from support.openapi.registry import PlantedRegistry, reversible_tokens
from support.openapi.specs import FIXTURES, Operation, Spec

CAST = list(FIXED_CAST[:2])
LINKS = Profile(compact_keys=True, hostile_links=True)


def test_the_fixtures_are_the_documented_copies() -> None:
    readme = (FIXTURES / "README.md").read_text("utf-8")
    for name in ("confluence-rest-v2.openapi.json", "confluence-rest-v1.openapi.yaml"):
        digest = hashlib.sha256((FIXTURES / name).read_bytes()).hexdigest()
        assert re.search(rf"`{re.escape(name)}`.*`{digest}`", readme), name


def test_every_bundled_endpoint_maps_to_its_operation() -> None:
    assert [(c.operation.spec.name, c.operation.operation_id) for c in CASES] == [
        ("v2", "getAttachmentVersions"),
        ("v2", "getBlogPostVersions"),
        ("v2", "getCustomContentVersions"),
        ("v2", "getFooterCommentVersions"),
        ("v2", "getInlineCommentVersions"),
        ("v2", "getPageVersions"),
        ("v2", "getSpaces"),
        ("v2", "getTasks"),
        ("v1", "getContentSearchV1"),
        ("v1", "getGroupV1"),
        ("v1", "getGroupByGroupIdMembersByGroupIdV1"),
        ("oauth", "getAccessibleResources"),
    ]
    assert all(c.operation.link_header == (c.operation.spec.name == "v2") for c in CASES)


# --- conformance: OpenAPI 3.0 schemas as JSON Schema (draft 7) ---------------------------------

_NOT_VALIDATED = frozenset({"required", "nullable", "example", "discriminator", "xml"})


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0 → JSON Schema: `nullable` as `anyOf … null`, refs into `urn:spec`, and no
    `required` (the v1 description requires names it does not declare, `userAccountIds`)."""
    if isinstance(node, list):
        return [_json_schema(value) for value in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        converted: dict[str, Any] = {"$ref": "urn:spec" + node["$ref"]}
    else:
        converted = {k: _json_schema(v) for k, v in node.items() if k not in _NOT_VALIDATED}
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def _validator(spec: Spec, schema: Mapping[str, Any]) -> jsonschema.Draft7Validator:
    components = _json_schema({"components": spec.document.get("components", {})})
    resource = Resource.from_contents(components, default_specification=DRAFT7)
    registry: Registry[Any] = Registry().with_resource("urn:spec", resource)
    return jsonschema.Draft7Validator(_json_schema(schema), registry=registry)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_generated_responses_conform_to_the_operation_schema(case: EndpointCase) -> None:
    validator = _validator(case.operation.spec, case.operation.response_schema)
    for seed, profile in [(0, Profile()), (1, LINKS), (2, Profile(compact_keys=False))]:
        generated = generate(case, RULES, CAST, random.Random(seed), profile=profile)
        errors = [
            f"{list(e.absolute_path)}: {e.message[:200]}"
            for e in validator.iter_errors(generated.document)
        ]
        assert errors == []


def _at(document: Any, path: str) -> Any:
    value = document
    for step in path.split("."):
        value = value[int(step)] if step.isdigit() else value[step]
    return value


@pytest.mark.parametrize(
    ("operation", "paths"),
    [
        (
            "getContentSearchV1",
            [
                "results.1.history.previousVersion.by.accountId",
                "results.0.history.contributors.publishers.users.0.email",
                "results.0.version.collaborators.userKeys.0",
                "results.0.version.authorId",  # only the rules' schema has it
                "results.0.history.previousVersion.authorId",
                "results.0.body.storage.value",
                "results.0.body.atlas_doc_format.value",
                "results.0.ancestors.0.title",  # Content within Content: scalars only
                "results.0._expandable.container",
                "results.0.base64EncodedAri",
                "results.0.extensions.location",
                "_links.next",
                "_links.self",
            ],
        ),
        ("getSpaces", ["results.1.key", "results.0.spaceOwnerId", "results.0.icon.path"]),
        ("getTasks", ["results.1.assignedTo", "results.0.completedBy", "_links.next"]),
        (
            "getGroupByGroupIdMembersByGroupIdV1",
            ["results.0.profilePicture.path", "results.0.personalSpace.key", "_links.next"],
        ),
        ("getAccessibleResources", ["1.url", "0.avatarUrl", "0.scopes.0"]),
    ],
)
def test_responses_are_maximal(operation: str, paths: list[str]) -> None:
    case = next(c for c in CASES if c.operation.operation_id == operation)
    generated = generate(case, RULES, CAST, random.Random(7), profile=Profile(), null_chance=0)
    for path in paths:
        assert isinstance(_at(generated.document, path), str), path


# --- what gets planted --------------------------------------------------------------------------

#: Every kind of planted person, in bodies, links and headers (the generator's coverage).
PLANTED_KINDS = {
    "id (24 hex)", "id (557058:)", "id (712020:)", "id field: email", "id field: space key",
    "email (plain)", "email (mixed-case)", "email (plus-tag)", "email (quoted)",
    "email (name-addr)", "email (mailto)", "display name", "public name (first name)",
    "username", "user key", "space key (~24 hex)", "space key (compact ~557058/712020)",
    "space key (legacy ~username)", "ari", "base64 ari", "free text",
    "storage body mention", "adf body mention", "view body mention", "wiki body mention",
    "user link", "space link", "legacy space link", "avatar path", "space expandable",
    "people link", "mailto link", "user search link",
    "CQL creator =", "CQL creator in", "CQL watcher = (unquoted)",
    "CQL contributor = (unquoted)", "CQL mention =", "CQL space =", "CQL space in",
    "CQL space.key = (unquoted)", "CQL text ~ email",
    *(f"CQL encoding {encoding}" for encoding in LINK_ENCODINGS),
    *(f"cursor echo ({encoding})" for encoding in LINK_ENCODINGS),
    "header Link", "header ETag", "header Retry-After", "header Expires", "header Last-Modified",
    "header Cache-Control", "header X-RateLimit-Limit", "header X-RateLimit-Remaining",
    "header X-RateLimit-Reset", "header X-RateLimit-NearLimit",
}  # fmt: skip


def test_every_kind_of_person_is_planted() -> None:
    kinds: Counter[str] = Counter()
    for seed in range(12):
        for case in CASES:
            generated = generate(case, RULES, list(FIXED_CAST), random.Random(seed), profile=LINKS)
            upstream_headers(generated, status=429, hostile=True)
            kinds.update(generated.registry.kinds)
    assert PLANTED_KINDS - kinds.keys() == set()
    assert kinds.keys() - PLANTED_KINDS == set()


def test_hostile_links_echo_people_in_cql_and_in_v2_cursors() -> None:
    search = next(c for c in CASES if c.is_content_search)
    spaces = next(c for c in CASES if c.operation.operation_id == "getSpaces")
    benign = generate(search, RULES, CAST, random.Random(3), profile=Profile())
    assert benign.next_link == (
        f"/rest/api/content/search?next=true&cursor={benign.cursor}"
        "&expand=body.atlas_doc_format%2Cversion%2Chistory&limit=25&start=25"
        "&cql=type+%3D+page+AND+lastmodified+%3E%3D+%222025-08-01%22"
    )
    hostile = generate(search, RULES, CAST, random.Random(3), profile=LINKS)
    assert hostile.next_link is not None
    assert "&cql=" in hostile.next_link
    assert hostile.registry.leaks(hostile.next_link) != []
    v2 = generate(spaces, RULES, CAST, random.Random(3), profile=LINKS)
    assert v2.next_link is not None
    assert v2.next_link.startswith("/wiki/api/v2/spaces?cursor=")
    assert v2.registry.leaks(v2.next_link) != []
    assert (
        v2.link_header
        == f'<{v2.next_link}>; rel="next", <https://wiki-site.atlassian.net/wiki>; rel="base"'
    )


def test_query_encodings() -> None:
    cql = 'creator = "557058:9f1e3c2a-7b4d" AND space = "~jsmith"'
    assert [encode_query_value(cql, e) for e in CQL_ENCODINGS] == [
        "creator+%3D+%22557058%3A9f1e3c2a-7b4d%22+AND+space+%3D+%22%7Ejsmith%22",
        "creator%20%3D%20%22557058%3A9f1e3c2a-7b4d%22%20AND%20space%20%3D%20%22%7Ejsmith%22",
        "creator+%3d+%22557058%3a9f1e3c2a-7b4d%22+AND+space+%3d+%22%7ejsmith%22",
        "creator+%3D+%22557058:9f1e3c2a-7b4d%22+AND+space+%3D+%22%7Ejsmith%22",
        "creator+%3D+%22557058%3a9f1e3c2a-7b4d%22+AND+space+%3D+%22%7Ejsmith%22",
        "creator+%3D+%22557058%3A9f1e3c2a-7b4d%22+AND+space+%3D+%22~jsmith%22",
        "creator%2B%253D%2B%2522557058%253A9f1e3c2a-7b4d%2522%2BAND%2Bspace%2B%253D%2B%2522%257Ejsmith%2522",
    ]


# --- the leak search ----------------------------------------------------------------------------


def test_leaks_are_found_in_every_encoding() -> None:
    registry = PlantedRegistry(CAST[1:])
    person = CAST[1]
    account = person.account_id
    found = [
        account,
        account.upper(),
        quote(account, safe=""),
        quote(account, safe="").lower(),
        quote(quote(account, safe=""), safe=""),
        f"~{person.compact_id}",
        person.account_id.partition(":")[2],  # the uuid alone
        person.email.replace("@", "%40"),
        "Hjklmnbvcx+Tzrwqplkmn",
        "&quot;dfghjklmnb&quot;@example.com",
        base64.b64encode(f"ari:cloud:identity::user/{account}".encode()).decode(),
        base64.urlsafe_b64encode(f"xx{person.email}".encode()).decode(),
    ]
    for text in found:
        assert registry.leaks(f"prefix {text} suffix") != [], text
    assert registry.leaks("t~8E5s6rh-I84efoSW31hh5MgXcVqep7gitoW0iXSBVHs@example.com") == []


def test_reversible_tokens_are_found_plain_and_percent_encoded() -> None:
    token = "p~" + "A" * 43 + "_-x"
    assert reversible_tokens(f'"~{token}" ?cursor=p%7E{"B" * 44}&x=p%257e{"C" * 43}') == [
        token,
        "p~" + "B" * 44,
        "p~" + "C" * 43,
    ]


def test_owner_of_a_decrypted_value() -> None:
    registry = PlantedRegistry(CAST)
    person = CAST[1]
    assert registry.owner(person.account_id) == (person, "account")
    assert registry.owner(person.compact_id) == (person, "account")
    assert registry.owner("557058%3A9f1e3c2a-7b4d-4e8f-a1b2-c3d4e5f60718") == (person, "account")
    assert registry.owner(person.email_as("name-addr")) == (person, "email")
    assert registry.owner(person.legacy_space_key) == (person, "username")
    assert registry.owner("22" + person.account_id) is None
    pseudonymizer = Pseudonymizer(Secret("salt"), Secret("secret"))
    assert pseudonymizer.decrypt(pseudonymizer.tokenize(person.compact_id)) == person.compact_id


def test_all_of_is_merged_and_additional_properties_are_populated() -> None:
    schema = {"$ref": "#/components/schemas/Thing"}
    spec = Spec(
        "synthetic",
        {
            "components": {
                "schemas": {
                    "Owned": {"type": "object", "properties": {"ownerId": {"type": "string"}}},
                    "Thing": {
                        "allOf": [
                            {"$ref": "#/components/schemas/Owned"},
                            {
                                "type": "object",
                                "properties": {"title": {"type": "string"}},
                                "additionalProperties": {"type": "string"},
                            },
                        ]
                    },
                }
            }
        },
    )
    endpoint = Endpoint(
        path_template="/things",
        response_schema=SchemaNode(
            type="object",
            properties={"ownerId": SchemaNode(type="string"), "spaceId": SchemaNode(type="string")},
        ),
    )
    case = EndpointCase(endpoint, Operation(spec, "/things", "getThings", schema, False))
    rules = Rules(endpoints=(endpoint,))
    generated = generate(case, rules, CAST[:1], random.Random(5), profile=Profile())
    document = generated.document
    assert list(document) == ["ownerId", "title", "spaceId", "owner", "lastEditor"]
    assert document["ownerId"] == CAST[0].account_id or document["ownerId"] in (
        CAST[0].email,
        CAST[0].personal_space_key,
    )
    assert document["spaceId"].isdigit()  # an id of a thing names no person
    assert generated.registry.leaks(document["title"]) != []
    assert generated.registry.leaks(document["owner"]) != []
    kept = {(p.where, p.kept) for p in generated.registry.plantings}
    assert ("$.ownerId", True) in kept
    assert ("$.title", False) in kept
