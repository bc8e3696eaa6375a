"""Rule lint: every response field that can hold a person leaves the proxy pseudonymized or cut.

The schema filter lets through what `responseSchema` admits; a field admitted there that holds an
account id, an email or a name must also be reached by a transform that hides it, or it comes
out raw (the bundled rules once admitted content search `version.authorId` that way). The lint
builds, per endpoint, a document with every property the schema admits (one element per array,
`$ref` resolved, a definition entered at most twice on one path), each string a unique marker,
runs the endpoint's covering transforms' JSONPaths on it with the engine's own evaluator, and
reports each person leaf no transform reaches:

    for finding in lint_rules(resolve_rules("confluence")):
        print(finding)

Which names hold a person comes from Atlassian's Confluence OpenAPI descriptions (v1 and v2):
properties described as an account id, email, name, user key or user name, and properties
whose schema is a user. A string below a person object (`version.by.profilePicture.path`)
counts too, except the few attributes that say nothing about who it is (`accountType`, ...).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from proxy.errors import RulesError
from proxy.rules import Endpoint, Rules, SchemaNode
from proxy.sanitize.jsonpath import JsonPathError, compile_path

__all__ = [
    "ACCOUNT_ID_FIELDS",
    "CONTACT_FIELDS",
    "COVERING_KINDS",
    "LEGACY_ID_FIELDS",
    "NON_IDENTIFYING",
    "PERSON_FIELDS",
    "PERSON_OBJECT_FIELDS",
    "QUOTING_FIELDS",
    "Finding",
    "lint_rules",
]

#: Properties holding account ids (v1 `User`, the v2 `*Id` fields, tasks, versions).
ACCOUNT_ID_FIELDS = frozenset(
    {
        "accountId",
        "accountIds",
        "assignedTo",
        "authorId",
        "collaborators",
        "completedBy",
        "createdBy",
        "creatorId",
        "identifier",
        "lastModifiedBy",
        "lastOwnerId",
        "ownerId",
        "resolutionLastModifierId",
        "spaceOwnerId",
        "userAccountIds",
    }
)
#: Legacy identifiers, removed from Cloud but still described.
LEGACY_ID_FIELDS = frozenset({"userKey", "userKeys", "username"})
#: Names and emails.
CONTACT_FIELDS = frozenset({"displayName", "email", "emailAddress", "emails", "publicName"})
#: Whole people (v1 `User`, `WatchUser`, `AuditRecordAuthor`, `UsersUserKeys`, ...).
PERSON_OBJECT_FIELDS = frozenset(
    {
        "author",
        "by",
        "contributors",
        "creator",
        "details",
        "lastOwnedBy",
        "ownedBy",
        "personalSpace",
        "profilePicture",
        "publishers",
        "user",
        "users",
        "watcher",
    }
)
#: Texts quoting account ids (CQL converted "with account IDs in place of user identifiers").
QUOTING_FIELDS = frozenset({"queryStrings"})
#: Every property name whose value is, or names, a person.
PERSON_FIELDS = (
    ACCOUNT_ID_FIELDS | LEGACY_ID_FIELDS | CONTACT_FIELDS | PERSON_OBJECT_FIELDS | QUOTING_FIELDS
)

#: Strings below a person object that do not identify it.
NON_IDENTIFYING = frozenset({"accountStatus", "accountType", "locale", "type"})

#: Transforms that hide a value wherever their paths reach it (when they have no guard).
COVERING_KINDS = frozenset(
    {"pseudonymize", "pseudonymizeEmailHeader", "pseudonymizeRegexMatches", "redact", "tokenize"}
)

_MARKER = "\x00lint:"
_MAX_VISITS = 2  # a recursive definition is entered twice: a nested copy has its own paths


@dataclass(frozen=True)
class Finding:
    """One schema path that can carry a person out of the proxy."""

    endpoint: str
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.endpoint}: {self.path} {self.reason}"


def lint_rules(rules: Rules) -> list[Finding]:
    """Every person field admitted by some endpoint's schema without a covering transform."""
    findings: list[Finding] = []
    for endpoint in rules.endpoints:
        findings += _lint_endpoint(endpoint, rules.definitions)
    return findings


def _lint_endpoint(endpoint: Endpoint, definitions: Mapping[str, SchemaNode]) -> list[Finding]:
    if endpoint.response_schema is None:
        return [
            Finding(
                endpoint.label,
                "$",
                "has no responseSchema: every field passes, so the lint cannot check it",
            )
        ]
    skeleton = _Skeleton(definitions)
    document = skeleton.build(endpoint.response_schema, "$", person=False)
    covered = _covered_markers(endpoint, document)
    return [
        Finding(endpoint.label, path, "can hold a person and no transform covers it")
        for marker, path in skeleton.person_leaves.items()
        if marker not in covered
    ]


class _Skeleton:
    """A document with every admitted property; person leaves recorded by marker."""

    def __init__(self, definitions: Mapping[str, SchemaNode]) -> None:
        self._definitions = definitions
        self._counter = itertools.count()
        self.person_leaves: dict[str, str] = {}

    def build(
        self, node: SchemaNode, path: str, *, person: bool, visits: tuple[str, ...] = ()
    ) -> Any:
        if node.ref is not None:
            name = node.ref.removeprefix("#/definitions/")
            if node.ref == "#" or visits.count(name) >= _MAX_VISITS:
                return None
            if name not in self._definitions:
                raise RulesError(f"$ref {node.ref!r} does not resolve to a definition")
            return self.build(self._definitions[name], path, person=person, visits=(*visits, name))
        options = [
            option for option in (*(node.any_of or ()), node.then, node.else_) if option is not None
        ]
        if options:
            return self._union(node, options, path, person=person, visits=visits)
        if node.type == "object":
            return {
                key: self.build(
                    child,
                    f"{path}.{key}",
                    person=_child_is_person(key, person),
                    visits=visits,
                )
                for key, child in (node.properties or {}).items()
            }
        if node.type == "array":
            items = node.items or SchemaNode()
            return [self.build(items, f"{path}[*]", person=person, visits=visits)]
        if node.type in (None, "string"):
            marker = f"{_MARKER}{next(self._counter)}"
            if person:
                self.person_leaves[marker] = path
            return marker
        return 0  # numbers, booleans and null hold no identifier

    def _union(
        self,
        node: SchemaNode,
        options: list[SchemaNode],
        path: str,
        *,
        person: bool,
        visits: tuple[str, ...],
    ) -> Any:
        """`anyOf`/`if`: one value holding what every alternative admits (objects merged)."""
        if node.type is not None or node.properties is not None or node.items is not None:
            base = SchemaNode(type=node.type, properties=node.properties, items=node.items)
            options = [base, *options]
        values = [self.build(option, path, person=person, visits=visits) for option in options]
        objects = [value for value in values if isinstance(value, dict)]
        arrays = [value for value in values if isinstance(value, list)]
        result: Any
        if objects:
            result = {key: value for each in objects for key, value in each.items()}
        elif arrays:
            result = [item for each in arrays for item in each]
        else:
            result = next((value for value in values if isinstance(value, str)), 0)
        kept = set(_markers(result))
        for dropped in set(_markers(values)) - kept:
            self.person_leaves.pop(dropped, None)
        return result


def _child_is_person(key: str, parent_is_person: bool) -> bool:
    if key in PERSON_FIELDS:
        return True
    return parent_is_person and key not in NON_IDENTIFYING


def _covered_markers(endpoint: Endpoint, document: Any) -> set[str]:
    covered: set[str] = set()
    for index, transform in enumerate(endpoint.transforms):
        if transform.kind not in COVERING_KINDS or transform.apply_only_when is not None:
            continue
        if transform.kind == "tokenize" and transform.options.get("regex"):
            continue  # only a value matching its regex is tokenized; the rest passes raw
        for text in transform.json_paths:
            try:
                path = compile_path(text)
            except JsonPathError as exc:
                where = f"{endpoint.label}: transforms[{index}]"
                raise RulesError(f"{where}: bad JSONPath {text!r}: {exc}") from exc
            for value in path.find(document):
                covered.update(_markers(value))
    return covered


def _markers(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        if value.startswith(_MARKER):
            yield value
    elif isinstance(value, dict):
        for child in value.values():
            yield from _markers(child)
    elif isinstance(value, list):
        for child in value:
            yield from _markers(child)
