"""Load the reference's REST rules YAML into the rules model (`_model`), strictly.

As in the reference (Jackson with FAIL_ON_UNKNOWN_PROPERTIES), an unknown key anywhere is an
error; ours names the key and where it is, e.g.
``endpoints[2] (/a).transforms[0] (redact): unknown key 'jsonPath' (known: ...)``.

>>> rules = load_rules("endpoints:\\n  - pathTemplate: /spaces\\n    allowedMethods: [get]")
>>> rules.endpoints[0].allowed_methods
frozenset({'GET'})
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

from proxy.errors import RulesError
from proxy.rules._model import (
    Augment,
    Endpoint,
    ParameterSchema,
    RequestBody,
    Rules,
    SchemaNode,
    Transform,
)
from proxy.rules._yaml_source import Tagged, decode_rules_value, parse_yaml, rules_sha

__all__ = ["AUGMENT_OPTIONS", "TRANSFORM_OPTIONS", "load_rules", "rules_from_data"]

log = logging.getLogger("proxy.rules.loader")  # stable name, as logged

T = TypeVar("T")
D = TypeVar("D")

_COMMON_TRANSFORM_KEYS = ("jsonPaths", "fields", "applyOnlyWhen")

#: Options of each transform kind with the reference's defaults (Lombok @Builder.Default).
TRANSFORM_OPTIONS: Mapping[str, Mapping[str, Any]] = {
    "redact": {},
    "redactRegexMatches": {"redactions": []},
    "redactExceptPhrases": {"allowedPhrases": []},
    "redactExceptSubstringsMatchingRegexes": {"exceptions": []},
    "pseudonymize": {
        "encoding": "URL_SAFE_TOKEN",
        "includeReversible": False,
        "includeOriginal": False,
        "onlyIfRegex": None,  # parsed but never used by the reference's REST path
    },
    "pseudonymizeEmailHeader": {"encoding": "URL_SAFE_TOKEN"},
    "pseudonymizeRegexMatches": {"regex": None, "includeReversible": False},
    "filterTokenByRegex": {"delimiter": "\\s+", "filters": []},
    "tokenize": {"regex": None, "canonicalAccountIds": False},  # ours: the second option
    "textDigest": {"isJsonEscaped": False, "jsonPathToProcessWhenEscaped": None, "keywords": []},
    "hashIp": {},
    "encryptIp": {},
    "pseudonymizeLinks": {},  # ours (not in the reference): see proxy.sanitize.links
}

AUGMENT_OPTIONS: Mapping[str, Mapping[str, Any]] = {
    "textDigest": {"innerJsonPath": None, "keywords": []},
}

PSEUDONYM_ENCODINGS = frozenset({"URL_SAFE_TOKEN", "JSON", "URL_SAFE_HASH_ONLY"})

#: The types the schema filter knows; any other loads with a warning (see `_schema`).
_SCHEMA_TYPES = frozenset({"object", "array", "string", "integer", "number", "boolean", "null"})
_CONST_KEYS = ("const", "constant")
_SCHEMA_IGNORED_KEYS = frozenset({"title", "required", "additionalProperties", "$schema"})


class _Fields:
    """Reads keys off one YAML mapping, then rejects whatever was not read."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, Mapping):
            raise RulesError(f"{where}: expected a mapping, got {_kind(data)}")
        self._data = data
        self._seen: set[str] = set()
        self.where = where

    def get(self, key: str, cast: Callable[[Any, str], T], default: D) -> T | D:
        self._seen.add(key)
        if key not in self._data or self._data[key] is None:
            return default
        return cast(self._data[key], f"{self.where}.{key}")

    def ignore(self, *keys: str) -> None:
        self._seen.update(keys)

    def finish(self) -> None:
        unknown = [str(k) for k in self._data if k not in self._seen]
        if unknown:
            known = ", ".join(sorted(self._seen))
            raise RulesError(f"{self.where}: unknown key {unknown[0]!r} (known: {known})")


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _str(value: Any, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RulesError(f"{where}: expected a string, got {_kind(value)}")
    return str(value)


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise RulesError(f"{where}: expected true or false, got {_kind(value)}")
    return value


def _str_list(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise RulesError(f"{where}: expected a list, got {_kind(value)}")
    return tuple(_str(item, f"{where}[{i}]") for i, item in enumerate(value))


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise RulesError(f"{where}: expected a mapping, got {_kind(value)}")
    return {str(k): v for k, v in value.items()}


def _items(value: Any, where: str) -> Iterator[tuple[int, Any]]:
    if not isinstance(value, list):
        raise RulesError(f"{where}: expected a list, got {_kind(value)}")
    return enumerate(value)


def load_rules(value: str | bytes) -> Rules:
    """Rules from a `RULES`-style value (plain YAML, base64 YAML or base64 gzip YAML)."""
    text = decode_rules_value(value)
    return rules_from_data(parse_yaml(text), rules_sha(text))


def rules_from_data(data: Any, sha: str) -> Rules:
    """Rules from the parsed YAML (`parse_yaml`'s result) of the text whose `rules_sha` is `sha`."""
    if data is None:
        raise RulesError("rules are empty")
    fields = _Fields(data, "rules")
    definitions = fields.get("definitions", _definitions, {})
    endpoints = fields.get("endpoints", _endpoints, ())
    allowed_headers = fields.get("allowedRequestHeaders", _str_list, ())
    allow_all = fields.get("allowAllEndpoints", _bool, False)
    fields.ignore("defaultScopeIdForSource")
    fields.finish()
    if allow_all:
        # The reference then passes responses of unmatched endpoints through unsanitized;
        # this proxy never returns an unsanitized byte, so the (deprecated) flag is refused.
        raise RulesError("rules.allowAllEndpoints: true is not supported (it disables sanitizing)")
    if not endpoints:
        raise RulesError("rules: no endpoints (every request would be blocked)")
    rules = Rules(
        endpoints=endpoints,
        allowed_request_headers=allowed_headers,
        allow_all_endpoints=allow_all,
        definitions=definitions,
        sha=sha,
    )
    _check_refs(rules)
    return rules


def _definitions(value: Any, where: str) -> Mapping[str, SchemaNode]:
    return {name: _schema(node, f"{where}.{name}") for name, node in _mapping(value, where).items()}


def _endpoints(value: Any, where: str) -> tuple[Endpoint, ...]:
    return tuple(_endpoint(item, f"{where}[{i}]") for i, item in _items(value, where))


def _endpoint(value: Any, where: str) -> Endpoint:
    fields = _Fields(value, where)
    template = fields.get("pathTemplate", _str, None)
    regex = fields.get("pathRegex", _str, None)
    label = template or regex
    if label:
        fields.where = where = f"{where} ({label})"
    methods = fields.get("allowedMethods", _str_list, None)
    headers = fields.get("allowedRequestHeaders", _str_list, ())
    headers += fields.get("allowedRequestHeadersToForward", _str_list, ())
    endpoint = Endpoint(
        path_template=template,
        path_regex=regex,
        allowed_methods=frozenset(m.upper() for m in methods) if methods is not None else None,
        allowed_query_params=fields.get("allowedQueryParams", _str_list, None),
        query_param_schemas=fields.get("queryParamSchemas", _parameter_schemas, None),
        path_parameter_schemas=fields.get("pathParameterSchemas", _parameter_schemas, None),
        allowed_request_headers=tuple(dict.fromkeys(headers)),
        request_body=fields.get("requestBody", _request_body, None),
        response_schema=fields.get("responseSchema", _schema, None),
        augments=fields.get("augments", _augments, ()),
        transforms=fields.get("transforms", _transforms, ()),
    )
    fields.finish()
    if not (template or "").strip() and not (regex or "").strip():
        raise RulesError(f"{where}: needs a non-blank pathTemplate or pathRegex")
    if template and not template.startswith("/"):
        log.warning("rules %s: pathTemplate does not start with '/'; it matches no path", where)
    return endpoint


def _parameter_schemas(value: Any, where: str) -> Mapping[str, ParameterSchema]:
    return {
        name: _parameter_schema(schema, f"{where}.{name}")
        for name, schema in _mapping(value, where).items()
    }


def _parameter_schema(value: Any, where: str) -> ParameterSchema:
    fields = _Fields(value, where)
    # The reference spelled the alternatives `or` in some versions (its Google Meet rules) and
    # `anyOf` in others (its OneDrive rules); both load. Both at once is ambiguous.
    ors, any_of = fields.get("or", _items, None), fields.get("anyOf", _items, None)
    if ors is not None and any_of is not None:
        raise RulesError(f"{where}: give either 'or' or 'anyOf', not both")
    key, any_of = ("or", ors) if ors is not None else ("anyOf", any_of)
    schema = ParameterSchema(
        type=fields.get("type", _str, None),
        format=fields.get("format", _str, None),
        pattern=fields.get("pattern", _str, None),
        enum=fields.get("enum", _str_list, None),
        any_of=(
            tuple(_parameter_schema(item, f"{where}.{key}[{i}]") for i, item in any_of)
            if any_of is not None
            else None
        ),
        required=fields.get("required", _bool, False),
    )
    fields.finish()
    return schema


def _request_body(value: Any, where: str) -> RequestBody:
    fields = _Fields(value, where)
    body = RequestBody(
        required=fields.get("required", _bool, False),
        content=fields.get("content", _mapping, None),
    )
    fields.finish()
    return body


def _schema(value: Any, where: str) -> SchemaNode:
    fields = _Fields(value, where)
    node_type = fields.get("type", _str, None)
    if node_type is not None and node_type not in _SCHEMA_TYPES:
        # The reference checks a type only when a value reaches the node, and four of its
        # GitHub rules files carry `type: "onBehalfOf"` where real responses have no value;
        # the schema filter fails the response that reaches such a node (fail closed).
        log.warning(
            "%s.type: unknown schema type %r; a response with a value there is refused",
            where,
            node_type,
        )
    properties = fields.get("properties", _mapping, None)
    any_of = fields.get("anyOf", _items, None)
    const_key = _const_key(value, where)
    node = SchemaNode(
        type=node_type,
        properties=(
            {k: _schema(v, f"{where}.properties.{k}") for k, v in properties.items()}
            if properties is not None
            else None
        ),
        items=fields.get("items", _schema, None),
        ref=fields.get("$ref", _str, None),
        format=fields.get("format", _str, None),
        any_of=(
            tuple(_schema(item, f"{where}.anyOf[{i}]") for i, item in any_of)
            if any_of is not None
            else None
        ),
        if_=fields.get("if", _schema, None),
        then=fields.get("then", _schema, None),
        else_=fields.get("else", _schema, None),
        const=value[const_key] if const_key else None,
        has_const=const_key is not None,
        definitions=fields.get("definitions", _definitions, None),
    )
    fields.ignore(*_CONST_KEYS, *_SCHEMA_IGNORED_KEYS)
    fields.finish()
    return node


def _const_key(value: Mapping[str, Any], where: str) -> str | None:
    """`const`, or `constant` (the reference's field name, `const` being its alias)."""
    present = [key for key in _CONST_KEYS if key in value]
    if len(present) > 1:
        raise RulesError(f"{where}: both `const` and `constant`; give one")
    return present[0] if present else None


def _untag(value: Any, where: str) -> tuple[str, Any]:
    """(kind, mapping) from a tagged transform/augment or one with a `method:` key."""
    if isinstance(value, Tagged):
        if value.value is None:
            return value.tag, {}
        return value.tag, value.value
    if isinstance(value, Mapping) and "method" in value:
        rest = {k: v for k, v in value.items() if k != "method"}
        return _str(value["method"], f"{where}.method"), rest
    raise RulesError(f"{where}: needs a type tag such as !<redact> (or a `method:` key)")


def _transforms(value: Any, where: str) -> tuple[Transform, ...]:
    return tuple(_transform(item, f"{where}[{i}]") for i, item in _items(value, where))


def _tagged_entry(
    value: Any, where: str, catalogue: Mapping[str, Mapping[str, Any]], noun: str
) -> tuple[str, _Fields, tuple[str, ...]]:
    """(kind, its fields positioned after `jsonPaths`, the paths) of a transform or augment."""
    kind, body = _untag(value, where)
    if kind not in catalogue:
        known = ", ".join(sorted(catalogue))
        raise RulesError(f"{where}: unknown {noun} {kind!r} (known: {known})")
    fields = _Fields(body, f"{where} ({kind})")
    return kind, fields, fields.get("jsonPaths", _str_list, ())


def _options(fields: _Fields, defaults: Mapping[str, Any]) -> dict[str, Any]:
    """The kind's options, each defaulted as the reference does; then no other key may remain."""
    options = {
        key: fields.get(key, _option_cast(default), default) for key, default in defaults.items()
    }
    fields.finish()
    return options


def _transform(value: Any, where: str) -> Transform:
    kind, fields, paths = _tagged_entry(value, where, TRANSFORM_OPTIONS, "transform")
    where = fields.where
    fields.ignore("fields")
    apply_only_when = fields.get("applyOnlyWhen", _str, None)
    options = _options(fields, TRANSFORM_OPTIONS[kind])
    _check_transform_options(kind, options, where)
    if not paths:
        log.warning("rules %s: no jsonPaths; the transform does nothing", where)
    return Transform(
        kind=kind,
        json_paths=paths,
        apply_only_when=apply_only_when if (apply_only_when or "").strip() else None,
        options=options,
    )


def _option_cast(default: Any) -> Callable[[Any, str], Any]:
    if isinstance(default, bool):
        return _bool
    if isinstance(default, list):
        return lambda value, where: list(_str_list(value, where))
    return _str


def _check_transform_options(kind: str, options: Mapping[str, Any], where: str) -> None:
    encoding = options.get("encoding")
    if encoding is not None and encoding not in PSEUDONYM_ENCODINGS:
        known = ", ".join(sorted(PSEUDONYM_ENCODINGS))
        raise RulesError(f"{where}.encoding: unknown encoding {encoding!r} (known: {known})")
    if kind == "pseudonymize" and options["includeOriginal"] and encoding == "URL_SAFE_TOKEN":
        raise RulesError(f"{where}: includeOriginal needs `encoding: JSON`")
    if kind == "pseudonymizeRegexMatches" and not options["regex"]:
        raise RulesError(f"{where}: needs a `regex`")
    needs_inner_path = kind == "textDigest" and options["isJsonEscaped"]
    if needs_inner_path and not options["jsonPathToProcessWhenEscaped"]:
        raise RulesError(f"{where}: isJsonEscaped needs jsonPathToProcessWhenEscaped")


def _augments(value: Any, where: str) -> tuple[Augment, ...]:
    return tuple(_augment(item, f"{where}[{i}]") for i, item in _items(value, where))


def _augment(value: Any, where: str) -> Augment:
    kind, fields, paths = _tagged_entry(value, where, AUGMENT_OPTIONS, "augment")
    return Augment(kind=kind, json_paths=paths, options=_options(fields, AUGMENT_OPTIONS[kind]))


def _check_refs(rules: Rules) -> None:
    """Every `$ref` must resolve now, not at the first response that reaches it."""

    def visit(node: SchemaNode | None, where: str) -> None:
        if node is None:
            return
        if node.ref is not None and node.ref != "#":
            name = node.ref.removeprefix("#/definitions/")
            if name == node.ref or name not in rules.definitions:
                raise RulesError(f"{where}: $ref {node.ref!r} does not resolve to a definition")
        for key, child in (node.properties or {}).items():
            visit(child, f"{where}.properties.{key}")
        visit(node.items, f"{where}.items")
        for i, option in enumerate(node.any_of or ()):
            visit(option, f"{where}.anyOf[{i}]")
        visit(node.if_, f"{where}.if")
        visit(node.then, f"{where}.then")
        visit(node.else_, f"{where}.else")

    for name, definition in rules.definitions.items():
        visit(definition, f"rules.definitions.{name}")
    for i, endpoint in enumerate(rules.endpoints):
        visit(endpoint.response_schema, f"rules.endpoints[{i}] ({endpoint.label}).responseSchema")
