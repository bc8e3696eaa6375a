"""The rule lint: no schema admits a person field without a transform hiding it (issue 11, item 6).

The lint runs over the bundled rules here, so a rules change that lets a person field through
fails the tests; its list of person fields is checked against Atlassian's OpenAPI descriptions.
"""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest

from proxy.cli.main import main
from proxy.rules import load_rules, resolve_rules
from proxy.sanitize import PseudonymKeys
from proxy.secret_value import Secret
from proxy.tooling.rules_lint import NON_IDENTIFYING, PERSON_FIELDS, lint_rules
from support.engine import Engine
from support.openapi.specs import spec_v1, spec_v2
from support.reference_rules import REFERENCE_CONFLUENCE_RULES

SEARCH = "/ex/confluence/{cloudId}/wiki/rest/api/content/search"
MEMBERS = "/ex/confluence/{cloudId}/wiki/rest/api/group/{groupId}/membersByGroupId"


def test_bundled_rules_cover_every_person_field() -> None:
    assert lint_rules(resolve_rules("confluence")) == []


def test_the_reference_rules_let_these_person_fields_out() -> None:
    """What the lint finds in the Java reference's rules: the leaks we fixed, named exactly."""
    found = {(f.endpoint, f.path) for f in lint_rules(load_rules(REFERENCE_CONFLUENCE_RULES))}
    assert found == {
        (SEARCH, f"$.results[*].{where}.{field}")
        for where in ("history.createdBy", "history.previousVersion.by", "version.by")
        for field in ("emailAddress", "userKey", "username")
    } | {
        (SEARCH, "$.results[*].history.previousVersion.authorId"),
        (SEARCH, "$.results[*].version.authorId"),
        (MEMBERS, "$.results[*].emailAddress"),
        (MEMBERS, "$.results[*].userKey"),
        (MEMBERS, "$.results[*].username"),
    }


_LINTED = """
endpoints:
  - pathTemplate: /items
    transforms:
      - !<pseudonymize>
        jsonPaths: ["$.results[*].ownerId", "$..email"]
      - !<redact>
        jsonPaths: ["$..profilePicture", "$.results[*].author.displayName"]
      - !<pseudonymize>
        applyOnlyWhen: "$[?(@.results)]"
        jsonPaths: ["$.results[*].assignedTo"]
      - !<tokenize>
        regex: "~(.+)"
        jsonPaths: ["$.results[*].creatorId"]
      - !<textDigest>
        jsonPaths: ["$.results[*].authorId"]
    responseSchema:
      type: object
      properties:
        results:
          type: array
          items: {$ref: "#/definitions/Item"}
  - pathTemplate: /raw
definitions:
  Item:
    type: object
    properties:
      title: {type: string}
      ownerId: {type: string}
      assignedTo: {type: string}
      creatorId: {type: string}
      authorId: {type: string}
      watchers: {type: integer}
      collaborators: {type: array, items: {type: string}}
      author:
        anyOf:
          - {$ref: "#/definitions/User"}
          - {type: "null"}
      parent: {$ref: "#/definitions/Item"}
  User:
    type: object
    properties:
      accountType: {type: string}
      displayName: {type: string}
      email: {type: string}
      profilePicture:
        type: object
        properties:
          path: {type: string}
      bio: {}
"""


def test_findings_name_each_uncovered_person_leaf() -> None:
    """Guards and partial tokenize do not cover; a digest is not a pseudonym; a string below a
    person counts unless it is a non-identifying attribute; recursion is followed once."""
    findings = lint_rules(load_rules(_LINTED))
    paths = [f.path for f in findings if f.endpoint == "/items"]
    uncovered = [
        "assignedTo",
        "creatorId",
        "authorId",
        "collaborators[*]",
        "author.bio",
    ]
    expected = [f"$.results[*].{leaf}" for leaf in uncovered]
    expected += [f"$.results[*].parent.{leaf}" for leaf in ["ownerId", *uncovered]]
    expected.append("$.results[*].parent.author.displayName")
    assert sorted(paths) == sorted(expected)
    raw = [f for f in findings if f.endpoint == "/raw"]
    assert [str(f) for f in raw] == [
        "/raw: $ has no responseSchema: every field passes, so the lint cannot check it"
    ]


def test_proxy_sanitize_lint_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sanitize", "--lint"]) == 0
    assert "every person field" in capsys.readouterr().out
    rules = tmp_path / "reference.yaml"
    rules.write_text(REFERENCE_CONFLUENCE_RULES, "utf-8")
    assert main(["sanitize", "--lint", "--rules", str(rules)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 14
    assert f"{SEARCH}: $.results[*].version.authorId can hold a person" in "\n".join(lines)


# --- the person-field names come from Atlassian's descriptions ----------------------------------

_DESCRIBES_A_PERSON = re.compile(
    r"account ?ids?\b|e-?mail address|display ?name|public ?name|user ?name|user ?key", re.I
)
_PERSON_SCHEMA = re.compile(
    r"^(User|Person|Author|Watch\w*User|AuditRecordAuthor|UsersUserKeys|BulkUserLookup)\w*$"
)
# Names the scan finds that are containers, not people: what they hold is checked by its own
# names (a `results` list of users has `accountId`, `email`, ... in each element).
_CONTAINERS = {
    "_expandable": "links to expandable parts (of a user too: checked below a person)",
    "business": "part of a user's `details` (a person field), checked below it",
    "personal": "part of a user's `details` (a person field), checked below it",
    "results": "a page of users; each user's fields are person fields",
    "value": "the value of a user property (an app's data), not the user",
}


def _schema_ref(schema: dict[str, object]) -> str:
    for candidate in (schema, schema.get("items"), *(schema.get("allOf") or [])):  # type: ignore[misc]
        if isinstance(candidate, dict) and "$ref" in candidate:
            return str(candidate["$ref"]).rsplit("/", 1)[-1]
    return ""


def test_person_fields_cover_what_the_openapi_descriptions_call_a_person() -> None:
    derived: dict[str, str] = {}
    for spec in (spec_v1(), spec_v2()):
        for name, schema in spec.walk_properties():
            description = str(schema.get("description") or "")
            ref = _schema_ref(dict(schema))
            if _DESCRIBES_A_PERSON.search(description) or _PERSON_SCHEMA.match(ref):
                derived.setdefault(name, f"{spec.name}: {ref or description[:60]}")
    known = PERSON_FIELDS | NON_IDENTIFYING | _CONTAINERS.keys()
    missing = {name: why for name, why in derived.items() if name not in known}
    assert missing == {}
    # and the scan is not vacuous: it finds the fields the bundled rules pseudonymize
    assert {"accountId", "authorId", "createdBy", "assignedTo", "email", "by"} <= derived.keys()


# --- item 6: content search author ids come out pseudonymized ----------------------------------

KEYS = PseudonymKeys(salt=Secret("salt"), encryption_key=Secret("secret"))


def test_content_search_author_ids_are_pseudonymized() -> None:
    """`version.authorId` and `history.previousVersion.authorId` came out raw (issue 11, 6)."""
    sanitizer = Engine(resolve_rules("confluence"), KEYS)
    author, previous = "5b10a2844c20165700ede21a", "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077"
    body = {
        "results": [
            {
                "id": "1",
                "version": {"authorId": author, "number": 2},
                "history": {"previousVersion": {"authorId": previous, "number": 1}},
            }
        ]
    }
    url = "/ex/confluence/site/wiki/rest/api/content/search"
    endpoint = sanitizer.match("GET", url, "cql=type%3Dpage")
    assert endpoint is not None
    output = sanitizer.sanitize(endpoint, orjson.dumps(body))
    # the t~ pseudonyms of these ids under salt "salt", as the accountId fields get them
    expected = {
        author: "t~_gknN66P0xRkjKB7avXKHLBvTOA84kFMK6QvZ22oJ0k",
        previous: "t~8E5s6rh-I84efoSW31hh5MgXcVqep7gitoW0iXSBVHs",
    }
    assert orjson.loads(output) == {
        "results": [
            {
                "id": "1",
                "version": {"authorId": expected[author], "number": 2},
                "history": {"previousVersion": {"authorId": expected[previous], "number": 1}},
            }
        ]
    }
    assert author.encode() not in output
    assert previous.encode() not in output
