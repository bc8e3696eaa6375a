"""Maximal responses: every property of a 200 schema present, people planted in every string.

For one endpoint of the bundled rules, the generator walks the 200 response schema of its
OpenAPI operation (`$ref` resolved, `allOf` merged, one `oneOf`/`anyOf` branch per place, chosen
so that a sweep over `variant` exercises each), together with the rules' `responseSchema` at the
same place. It writes:

- every declared property; arrays with one element (two for the top-level list);
- for `additionalProperties` (true or a schema), extra keys; for link objects (`_links`,
  free-form in v1), the links Confluence writes (`self`, `webui`, `next`, ...);
- every property the rules' schema admits there and the description does not list (the v1
  description lost its `additionalProperties`; a real object has more than it lists), so that a
  rule admitting an undescribed field (`version.authorId`) is exercised;
- `null` now and then for a nullable value; a definition already being expanded on the path
  becomes its scalar properties only (recursion bounded);
- strings from `Planter`, which plants people and records each in the response's registry.

    generated = generate(case, rules, cast, random.Random(1), profile=Profile())
    generated.body, generated.registry.leaks(output)
"""

from __future__ import annotations

import base64
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from proxy.rules import Endpoint, Rules, SchemaNode
from support.openapi.people import Person
from support.openapi.planter import SITE, Planter, Profile, encode_query_value
from support.openapi.registry import PlantedRegistry
from support.openapi.specs import Operation, Spec, operation_for

__all__ = ["EndpointCase", "GeneratedResponse", "endpoint_cases", "generate"]

_TOP_LIST_LENGTH = 2
_MAX_RULES_DEPTH = 24  # a recursive definition of the rules' own is cut there
_NULL_CHANCE = 0.1
_LINK_NAMES = ("self", "webui", "tinyui", "editui", "download")
_TOP_LINK_NAMES = ("base", "context", "self", "next", "prev")
_EXTRA_NAMES = ("owner", "lastEditor", "extension")
_SCALARS = frozenset({"string", "integer", "number", "boolean"})
_BENIGN_CQL = 'type = page AND lastmodified >= "2025-08-01"'


@dataclass(frozen=True)
class EndpointCase:
    """One endpoint of the rules with the OpenAPI operation that answers it."""

    endpoint: Endpoint
    operation: Operation

    def __repr__(self) -> str:
        return f"EndpointCase({self.name})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """How Hypothesis prints a falsifying example (not the whole rules and spec)."""
        printer.text(repr(self))

    @property
    def name(self) -> str:
        return f"{self.operation.spec.name} {self.operation.path}"

    @property
    def is_content_search(self) -> bool:
        return self.operation.path == "/rest/api/content/search"

    def request(self, cloud_id: str) -> tuple[str, str]:
        """(raw path, raw query) of a request this endpoint allows."""
        template = self.endpoint.path_template or ""
        path = template.replace("{cloudId}", cloud_id).replace("{version}", "v2")
        path = path.replace("{groupId}", "35e417ad-bcb1-45fe-9be0-959239a84327")
        for variable in ("attachmentId", "blogpostId", "customContentId", "commentId", "pageId"):
            path = path.replace("{" + variable + "}", "65930")
        if self.is_content_search:
            return path, "cql=" + encode_query_value(_BENIGN_CQL, "confluence") + "&limit=25"
        if self.operation.spec.name == "oauth":
            return path, ""
        return path, "limit=25"

    def pagination(self, cursor: str, *, previous: bool) -> tuple[str, list[tuple[str, str]]]:
        """(path, encoded params) of this endpoint's own next/prev link, as Confluence writes
        them: v1 relative to `/wiki`, v2 from `/wiki/api/v2`."""
        start = "0" if previous else "25"
        if self.is_content_search:
            return "/rest/api/content/search", [
                ("next", "true"),
                ("cursor", cursor),
                ("expand", "body.atlas_doc_format%2Cversion%2Chistory"),
                ("limit", "25"),
                ("start", start),
                ("cql", encode_query_value(_BENIGN_CQL, "confluence")),
            ]
        if self.operation.spec.name == "v1":
            path = self.request("-")[0].removeprefix("/ex/confluence/-/wiki")
            return path, [("next", "true"), ("limit", "25"), ("start", start)]
        path = self.request("-")[0].removeprefix("/ex/confluence/-")
        return path, [("cursor", cursor), ("limit", "25")]


def endpoint_cases(rules: Rules) -> list[EndpointCase]:
    return [EndpointCase(e, operation_for(e.path_template or "")) for e in rules.endpoints]


@dataclass
class GeneratedResponse:
    case: EndpointCase
    document: Any
    registry: PlantedRegistry
    cursor: str
    planter: Planter
    branches: dict[str, tuple[int, set[int]]] = field(default_factory=dict)
    link_header: str | None = None

    @property
    def body(self) -> bytes:
        return orjson.dumps(self.document)

    @property
    def next_link(self) -> str | None:
        links = self.document.get("_links") if isinstance(self.document, dict) else None
        value = links.get("next") if isinstance(links, dict) else None
        return value if isinstance(value, str) else None


def generate(
    case: EndpointCase,
    rules: Rules,
    cast: list[Person],
    rng: random.Random,
    *,
    profile: Profile,
    variant: int | None = None,
    null_chance: float = _NULL_CHANCE,
) -> GeneratedResponse:
    """A maximal 200 response of this endpoint with `cast` planted, per `profile`.

    `variant`: branch `variant % n` at every `oneOf`/`anyOf` of n branches (a sweep over
    `range(max n)` with `null_chance=0` exercises all); None draws branches from `rng`.
    `null_chance`: how often a nullable value is null.
    """
    registry = PlantedRegistry(cast)
    planter = Planter(rng, registry, profile)
    cursor = base64.urlsafe_b64encode(rng.randbytes(18)).decode("ascii")
    builder = _Builder(
        case, rules, planter, variant=variant, cursor=cursor, null_chance=null_chance
    )
    document = builder.top()
    generated = GeneratedResponse(case, document, registry, cursor, planter, builder.branches)
    if case.operation.link_header:
        next_link = generated.next_link or ""
        generated.link_header = f'<{next_link}>; rel="next", <https://{SITE}/wiki>; rel="base"'
    return generated


@dataclass(frozen=True)
class _At:
    """Where the builder is: JSON path, the definitions being expanded, the object's subject."""

    path: tuple[str, ...]
    refs: tuple[str, ...]
    subject: Person
    origin: str  # the innermost definition and the keys since, names a oneOf site

    @property
    def key(self) -> str:
        names = [name for name in self.path if name != "[]"]
        return names[-1] if names else ""

    @property
    def parent(self) -> str:
        names = [name for name in self.path if name != "[]"]
        return names[-2] if len(names) > 1 else ""

    @property
    def text(self) -> str:
        return "$" + "".join("[*]" if name == "[]" else f".{name}" for name in self.path)

    def child(self, key: str) -> _At:
        return _At((*self.path, key), self.refs, self.subject, f"{self.origin}.{key}")


class _Builder:
    def __init__(
        self,
        case: EndpointCase,
        rules: Rules,
        planter: Planter,
        *,
        variant: int | None,
        cursor: str,
        null_chance: float,
    ) -> None:
        self._case = case
        self._spec: Spec = case.operation.spec
        self._definitions = rules.definitions
        self._planter = planter
        self._rng = planter.rng
        self._variant = variant
        self._cursor = cursor
        self._null_chance = null_chance
        self.branches: dict[str, tuple[int, set[int]]] = {}

    def top(self) -> Any:
        at = _At((), (), self._planter.subject(), "200")
        return self._value(
            self._case.operation.response_schema, self._case.endpoint.response_schema, at
        )

    # --- schemas -------------------------------------------------------------------------------

    def _value(self, schema: Mapping[str, Any], rules: SchemaNode | None, at: _At) -> Any:
        schema, at, cut = self._resolved(schema, at)
        if cut:
            return self._shallow(schema, rules, at)
        if schema.get("nullable") and self._rng.random() < self._null_chance:
            return None
        kind = schema.get("type")
        if kind == "object" or "properties" in schema or "additionalProperties" in schema:
            return self._object(schema, rules, at)
        if kind == "array" or "items" in schema:
            return self._array(schema, rules, at)
        return self._scalar(schema, kind, rules, at)

    def _resolved(self, schema: Mapping[str, Any], at: _At) -> tuple[Mapping[str, Any], _At, bool]:
        """`$ref`, `allOf` and `oneOf`/`anyOf` resolved; cut=True at a recursive definition."""
        while True:
            if "$ref" in schema:
                name, target = self._spec.resolve(schema["$ref"])
                if name in at.refs:
                    return target, at, True
                at = _At(at.path, (*at.refs, name), at.subject, name)
                schema = target
            elif "allOf" in schema:
                schema = self._merged(schema)
            elif "oneOf" in schema or "anyOf" in schema:
                options = schema.get("oneOf") or schema.get("anyOf")
                chosen = self._branch(at.origin, len(options))
                rest = {k: v for k, v in schema.items() if k not in ("oneOf", "anyOf")}
                schema = {**rest, **options[chosen]}
                at = _At(at.path, at.refs, at.subject, f"{at.origin}/{chosen}")
            else:
                return schema, at, False

    def _merged(self, schema: Mapping[str, Any]) -> dict[str, Any]:
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        properties: dict[str, Any] = dict(merged.get("properties", {}))
        for each in schema["allOf"]:
            part = each
            while "$ref" in part:
                part = self._spec.resolve(part["$ref"])[1]
            if "allOf" in part:
                part = self._merged(part)
            properties.update(part.get("properties", {}))
            for key, value in part.items():
                if key != "properties":
                    merged.setdefault(key, value)
        if properties:
            merged["properties"] = properties
        return merged

    def _branch(self, site: str, count: int) -> int:
        chosen = self._variant % count if self._variant is not None else self._rng.randrange(count)
        seen = self.branches.setdefault(site, (count, set()))
        seen[1].add(chosen)
        return chosen

    # --- objects and arrays --------------------------------------------------------------------

    def _object(
        self, schema: Mapping[str, Any], rules: SchemaNode | None, at: _At
    ) -> dict[str, Any]:
        at = _At(at.path, at.refs, self._planter.subject(), at.origin)
        rules = self._rules(rules)
        declared: Mapping[str, Any] = schema.get("properties") or {}
        out: dict[str, Any] = {}
        for key, child in declared.items():
            out[key] = self._property(key, child, rules, at)
        admitted = (rules.properties or {}) if rules is not None else {}
        for key, child_rules in admitted.items():
            if key not in out:
                out[key] = self._property(key, None, rules, at, rules_only=child_rules)
        extra = schema.get("additionalProperties")
        if at.key == "_links" and not declared:
            names = _TOP_LINK_NAMES if len(at.path) == 1 else _LINK_NAMES
            for key in names:
                if key not in out:
                    out[key] = self._property(
                        key, extra if isinstance(extra, dict) else {}, rules, at
                    )
        elif extra is True or isinstance(extra, dict):
            for key in _EXTRA_NAMES[:2]:
                if key not in out:
                    out[key] = self._extra(key, extra, rules, at)
        return out

    def _property(
        self,
        key: str,
        schema: Mapping[str, Any] | None,
        rules: SchemaNode | None,
        at: _At,
        *,
        rules_only: SchemaNode | None = None,
    ) -> Any:
        child_at = at.child(key)
        child_rules = _rules_child(rules, key)
        if len(at.path) == 1 and at.key == "_links" and key in ("next", "prev"):
            return self._pagination(key, child_at)
        if schema is None:
            return self._from_rules(rules_only, child_at)
        return self._value(schema, child_rules, child_at)

    def _extra(self, key: str, extra: Any, rules: SchemaNode | None, at: _At) -> Any:
        if isinstance(extra, dict):
            return self._value(extra, _rules_child(rules, key), at.child(key))
        person = self._planter.subject()
        child = at.child(key)
        return {
            "accountId": self._planter.account_id(f"{child.text}.accountId", person, kept=False),
            "email": self._planter.email(f"{child.text}.email", person),
            "displayName": self._planter.name(f"{child.text}.displayName", person),
            "note": self._planter.free_text(f"{child.text}.note", person),
        }

    def _array(self, schema: Mapping[str, Any], rules: SchemaNode | None, at: _At) -> list[Any]:
        items = schema.get("items") or {}
        item_rules = _rules_items(self._rules(rules))
        length = _TOP_LIST_LENGTH if len(at.path) <= 1 else 1
        child = _At((*at.path, "[]"), at.refs, at.subject, f"{at.origin}[]")
        return [self._value(items, item_rules, child) for _ in range(length)]

    def _shallow(self, schema: Mapping[str, Any], rules: SchemaNode | None, at: _At) -> Any:
        """A definition already being expanded: its scalar properties, and what rules add."""
        if schema.get("type") not in (None, "object") or "properties" not in schema:
            if schema.get("type") in _SCALARS:
                return self._scalar(schema, schema["type"], rules, at)
            return None
        at = _At(at.path, at.refs, self._planter.subject(), at.origin)
        rules = self._rules(rules)
        out: dict[str, Any] = {}
        for key, child in schema["properties"].items():
            if child.get("type") in _SCALARS:
                out[key] = self._scalar(
                    child, child["type"], _rules_child(rules, key), at.child(key)
                )
        for key, child_rules in ((rules.properties or {}) if rules is not None else {}).items():
            if key not in out:
                out[key] = self._from_rules(child_rules, at.child(key))
        return out

    def _from_rules(self, node: SchemaNode | None, at: _At) -> Any:
        """A value for a property only the rules' schema describes."""
        node = self._rules(node)
        if node is None or len(at.path) > _MAX_RULES_DEPTH:
            return None
        if node.type == "object" or node.properties:
            at = _At(at.path, at.refs, self._planter.subject(), at.origin)
            return {
                key: self._from_rules(child, at.child(key))
                for key, child in (node.properties or {}).items()
            }
        if node.type == "array":
            child = _At((*at.path, "[]"), at.refs, at.subject, f"{at.origin}[]")
            return [self._from_rules(node.items, child)]
        schema: dict[str, Any] = {"type": node.type or "string"}
        if node.format:
            schema["format"] = node.format
        return self._scalar(schema, schema["type"], node, at)

    # --- scalars -------------------------------------------------------------------------------

    def _scalar(
        self, schema: Mapping[str, Any], kind: Any, rules: SchemaNode | None, at: _At
    ) -> Any:
        if kind == "integer":
            return self._rng.randint(0, 10**6)
        if kind == "number":
            return self._rng.randint(0, 10**4) / 4
        if kind == "boolean":
            return self._rng.random() < 0.5
        return self._planter.string(
            at.key, at.parent, dict(schema), at.text, subject=at.subject, kept=rules is not None
        )

    def _pagination(self, key: str, at: _At) -> str:
        path, params = self._case.pagination(self._cursor, previous=key == "prev")
        return self._planter.pagination_link(path, params, at.text)

    # --- the rules' schema at the same place ---------------------------------------------------

    def _rules(self, node: SchemaNode | None) -> SchemaNode | None:
        seen = 0
        while node is not None and node.ref is not None and seen < 16:
            name = node.ref.removeprefix("#/definitions/")
            node = self._definitions.get(name)
            seen += 1
        if node is not None and node.any_of:
            objects = [self._rules(option) for option in node.any_of]
            merged: dict[str, SchemaNode] = {}
            for option in objects:
                if option is not None and option.properties:
                    merged.update(option.properties)
            if merged:
                return SchemaNode(type="object", properties=merged)
        return node


def _rules_child(node: SchemaNode | None, key: str) -> SchemaNode | None:
    if node is None or node.properties is None:
        return None
    return node.properties.get(key)


def _rules_items(node: SchemaNode | None) -> SchemaNode | None:
    return node.items if node is not None else None
