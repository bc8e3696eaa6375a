"""The rules as data: immutable records mirroring the reference's REST rules YAML ("Rules2").

The loader (`_loader`) builds these from YAML and validates them; the matcher and
the sanitizer compile them once per instance. Field names follow Python style; the YAML key
each comes from is given where it differs. They are `NamedTuple`s, not dataclasses: a cold
start defines them, and a frozen dataclass costs ten times as much to define (issue #14).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

__all__ = [
    "Augment",
    "Endpoint",
    "ParameterSchema",
    "RequestBody",
    "Rules",
    "SchemaNode",
    "Transform",
]

_NOTHING: Mapping[str, Any] = MappingProxyType({})  # the default of the mapping fields


class ParameterSchema(NamedTuple):
    """Validates one query or path parameter value (`queryParamSchemas`, `pathParameterSchemas`)."""

    type: str | None = None
    format: str | None = None
    pattern: str | None = None
    enum: tuple[str, ...] | None = None
    any_of: tuple[ParameterSchema, ...] | None = None  # YAML `or` or `anyOf` (reference: both)
    required: bool = False  # query parameters only


class SchemaNode(NamedTuple):
    """One node of a `responseSchema` (the reference's JSON-schema *filter*)."""

    type: str | None = None
    properties: Mapping[str, SchemaNode] | None = None
    items: SchemaNode | None = None
    ref: str | None = None  # YAML `$ref`
    format: str | None = None
    any_of: tuple[SchemaNode, ...] | None = None  # YAML `anyOf`
    if_: SchemaNode | None = None  # YAML `if`
    then: SchemaNode | None = None
    else_: SchemaNode | None = None  # YAML `else`
    const: Any = None
    has_const: bool = False  # `const: null` differs from no `const`
    definitions: Mapping[str, SchemaNode] | None = None


class RequestBody(NamedTuple):
    """`requestBody`: checks bodies of e.g. POST requests; schemas stay plain JSON-schema dicts."""

    required: bool = False
    content: Mapping[str, Any] | None = None  # media type -> {"schema": {...}}


class Transform(NamedTuple):
    """One entry of `transforms`: its kind (the YAML tag) plus the options of that kind.

    Options keep their YAML names (`encoding`, `includeReversible`, `regex`, ...) and already
    carry the reference's defaults (see `_loader.TRANSFORM_OPTIONS`).
    """

    kind: str
    json_paths: tuple[str, ...]
    apply_only_when: str | None = None
    options: Mapping[str, Any] = _NOTHING


class Augment(NamedTuple):
    """One entry of `augments`: adds a `+<field>:<kind>` sibling before the schema filter."""

    kind: str
    json_paths: tuple[str, ...]
    options: Mapping[str, Any] = _NOTHING


class Endpoint(NamedTuple):
    """One allowed endpoint: how requests are matched, and how its responses are sanitized."""

    path_template: str | None = None
    path_regex: str | None = None
    allowed_methods: frozenset[str] | None = None  # upper-case; None = any method
    allowed_query_params: tuple[str, ...] | None = None  # None = any; () = none at all
    query_param_schemas: Mapping[str, ParameterSchema] | None = None
    path_parameter_schemas: Mapping[str, ParameterSchema] | None = None
    allowed_request_headers: tuple[str, ...] = ()
    request_body: RequestBody | None = None
    response_schema: SchemaNode | None = None
    augments: tuple[Augment, ...] = ()
    transforms: tuple[Transform, ...] = ()

    @property
    def label(self) -> str:
        """How errors and logs name this endpoint (its template or regex, never a request URL)."""
        return self.path_template or self.path_regex or "?"


class Rules(NamedTuple):
    """A whole rules file. `sha` identifies the exact rules text (header `X-Psoxy-Rules-SHA`)."""

    endpoints: tuple[Endpoint, ...] = ()
    allowed_request_headers: tuple[str, ...] = ()
    allow_all_endpoints: bool = False
    definitions: Mapping[str, SchemaNode] = _NOTHING
    sha: str = ""
