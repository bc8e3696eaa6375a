"""Atlassian's Confluence OpenAPI descriptions (tests/fixtures/confluence-openapi/), loaded once,
and which operation of which description answers each endpoint of the bundled rules.

    operation = operation_for("/ex/confluence/{cloudId}/wiki/api/{version}/spaces")
    operation.spec.name, operation.path, operation.response_schema   # "v2", "/spaces", {...}
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "ACCESSIBLE_RESOURCES",
    "FIXTURES",
    "Operation",
    "Spec",
    "operation_for",
    "spec_v1",
    "spec_v2",
]

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "confluence-openapi"
_SITE_PREFIX = "/ex/confluence/{cloudId}/wiki"
_REF_PREFIX = "#/components/schemas/"


@dataclass(frozen=True, eq=False)
class Spec:
    """One OpenAPI document: its paths and its named schemas."""

    name: str
    document: Mapping[str, Any]

    def __repr__(self) -> str:
        return f"Spec({self.name})"

    @property
    def schemas(self) -> Mapping[str, Any]:
        schemas: Mapping[str, Any] = self.document.get("components", {}).get("schemas", {})
        return schemas

    def resolve(self, ref: str) -> tuple[str, Mapping[str, Any]]:
        """(schema name, schema) of a local `$ref`."""
        if not ref.startswith(_REF_PREFIX):
            raise ValueError(f"{self.name}: unsupported $ref {ref!r}")
        name = ref.removeprefix(_REF_PREFIX)
        return name, self.schemas[name]

    def walk_properties(self) -> Iterator[tuple[str, Mapping[str, Any]]]:
        """Every (property name, property schema) declared anywhere in the document."""
        stack: list[Any] = [self.document]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                properties = node.get("properties")
                if isinstance(properties, dict):
                    for key, schema in properties.items():
                        if isinstance(schema, dict):
                            yield key, schema
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)


@cache
def spec_v1() -> Spec:
    # libyaml (in PyYAML's wheels) parses the 535 kB description in ~0.2 s; pure Python in ~1 s.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    text = (FIXTURES / "confluence-rest-v1.openapi.yaml").read_text("utf-8")
    return Spec("v1", yaml.load(text, Loader=loader))  # noqa: S506 - a safe loader


@cache
def spec_v2() -> Spec:
    return Spec("v2", json.loads((FIXTURES / "confluence-rest-v2.openapi.json").read_text("utf-8")))


#: `/oauth/token/accessible-resources` is in neither description (Atlassian's OAuth 2.0 (3LO)
#: docs: a list of sites). `x-plant` tells the generator what a real value looks like.
ACCESSIBLE_RESOURCES = Spec(
    "oauth",
    {
        "paths": {
            "/oauth/token/accessible-resources": {
                "get": {
                    "operationId": "getAccessibleResources",
                    "responses": {
                        "200": {
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Resource"},
                                    }
                                }
                            }
                        }
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "Resource": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string", "format": "uuid"},
                        "url": {"type": "string", "format": "uri", "x-plant": "site-url"},
                        "name": {"type": "string"},
                        "scopes": {
                            "type": "array",
                            "items": {"type": "string", "x-plant": "scope"},
                        },
                        "avatarUrl": {"type": "string", "format": "uri"},
                    },
                }
            }
        },
    },
)


@dataclass(frozen=True)
class Operation:
    """The spec operation answering one rules endpoint, and its 200 response schema."""

    spec: Spec
    path: str
    operation_id: str
    response_schema: Mapping[str, Any] = field(repr=False)
    link_header: bool  # the 200 response documents a `Link` header (v2 pagination)


def operation_for(path_template: str) -> Operation:
    """The operation of a bundled rules' `pathTemplate`; KeyError if no description has it."""
    spec, path = _spec_path(path_template)
    item = spec.document["paths"].get(path)
    if item is None:
        raise KeyError(f"{path_template}: no {path!r} in the {spec.name} description")
    get = item["get"]
    ok = get["responses"]["200"]
    schema = ok["content"]["application/json"]["schema"]
    return Operation(spec, path, get["operationId"], schema, "Link" in ok.get("headers", {}))


def _spec_path(path_template: str) -> tuple[Spec, str]:
    if path_template.startswith("/oauth/"):
        return ACCESSIBLE_RESOURCES, path_template
    if not path_template.startswith(_SITE_PREFIX):
        raise KeyError(f"{path_template}: not a Confluence site path")
    rest = path_template.removeprefix(_SITE_PREFIX)
    if rest.startswith("/api/{version}/"):
        return spec_v2(), _v2_path(rest.removeprefix("/api/{version}"))
    if rest.startswith("/rest/api/"):
        return spec_v1(), rest
    raise KeyError(f"{path_template}: neither v1 (/rest/api) nor v2 (/api/v2)")


def _v2_path(path: str) -> str:
    """Our templates name path variables (`{pageId}`); the v2 description mostly says `{id}`."""
    segments = path.split("/")
    candidates = [path]
    if any(s.startswith("{") for s in segments):
        for name in ("id", "custom-content-id"):
            candidates.append(
                "/".join("{" + name + "}" if s.startswith("{") else s for s in segments)
            )
    document_paths = spec_v2().document["paths"]
    return next((c for c in candidates if c in document_paths), path)
