"""Which rules endpoint (if any) allows a request: the reference's matching, made deterministic.

Routing is the rules' job: the matcher also checks, at load, that every `requestBody` it may
have to validate is one it can (the gateway validates bodies with `body_allowed`).

Inputs are the method and the **raw** (still percent-encoded) path and query of the request,
after the gateway removed its own prefixes. Templates become case-insensitive full-match regexes
where `{var}` is one non-empty raw segment; `pathRegex` sees `path?query`. The first matching
endpoint in file order wins (the reference picks an arbitrary one).

>>> from proxy.rules import resolve_rules
>>> matcher = EndpointMatcher(resolve_rules("confluence"))
>>> matcher.match("GET", "/ex/confluence/c1/wiki/api/v2/spaces", "limit=10").label
'/ex/confluence/{cloudId}/wiki/api/{version}/spaces'
>>> matcher.match("GET", "/ex/confluence/c1/wiki/api/v2/spaces", "secret=1") is None
True
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple

from proxy.errors import RulesError
from proxy.rules._javaregex import compile_java_regex
from proxy.rules._model import Endpoint, ParameterSchema, Rules
from proxy.rules._parameters import (
    check_parameter_schema,
    fold_name,
    parse_query,
    schema_accepts,
    validate_query_schemas,
)
from proxy.rules._request_body import check_request_body

__all__ = ["EndpointMatcher", "template_to_regex"]

_OPTIONAL_PARAM = re.compile(r"\{([A-Za-z][A-Za-z0-9]*)\?\}")
_PARAM = re.compile(r"\{([A-Za-z][A-Za-z0-9]*)\}")
_ESCAPED = set(".^$<>*+[]()-=?!")
_PLACEHOLDER = "\x00{}\x00"


def template_to_regex(template: str) -> str:
    """`/api/v1/users/{id}` → `^/api/v1/users/(?<id>[^/]+)$` (Java syntax, as the reference)."""
    optional: list[str] = []

    def hold(match: re.Match[str]) -> str:
        optional.append(match.group(1))
        return _PLACEHOLDER.format(len(optional) - 1)

    held = _OPTIONAL_PARAM.sub(hold, template)
    escaped = "".join(f"\\{c}" if c in _ESCAPED else c for c in held)
    regex = _PARAM.sub(lambda m: f"(?<{m.group(1)}>[^/]+)", escaped)
    for index, name in enumerate(optional):
        regex = regex.replace(_PLACEHOLDER.format(index), f"(?<{name}>[^/]*)")
    return f"^{regex}$"


class _CompiledEndpoint(NamedTuple):
    endpoint: Endpoint
    pattern: re.Pattern[str]
    uses_query: bool  # pathRegex endpoints match against `path?query`
    allowed_params: frozenset[str] | None  # folded (`fold_name`)


class EndpointMatcher:
    """Compiles every endpoint once; `match` is then a few regex calls per request."""

    def __init__(self, rules: Rules) -> None:
        self._compiled = tuple(
            _compile(endpoint, f"rules.endpoints[{i}] ({endpoint.label})")
            for i, endpoint in enumerate(rules.endpoints)
        )

    def match(self, method: str, raw_path: str, raw_query: str | None) -> Endpoint | None:
        """The first endpoint allowing this request, or None (blocked).

        `raw_query` is None when the URL has no `?` at all and "" for a bare `?`.
        """
        params = parse_query(raw_query) if raw_query else []
        upper_method = method.upper()
        for compiled in self._compiled:
            if _matches(compiled, upper_method, raw_path, raw_query, params):
                return compiled.endpoint
        return None


def _compile(endpoint: Endpoint, where: str) -> _CompiledEndpoint:
    if endpoint.path_regex:
        regex, uses_query = endpoint.path_regex, True
    else:
        assert endpoint.path_template is not None  # the loader guarantees one of the two
        regex, uses_query = template_to_regex(endpoint.path_template), False
        if "{" in regex or "}" in regex:  # Java rejects these too ("illegal repetition")
            raise RulesError(f"{where}: pathTemplate has a malformed {{parameter}}")
    try:
        pattern = compile_java_regex(regex, case_insensitive=True)
    except RulesError as exc:
        raise RulesError(f"{where}: {exc.message}") from exc
    for name, schema in (endpoint.path_parameter_schemas or {}).items():
        if not uses_query and name not in pattern.groupindex:
            raise RulesError(f"{where}: pathParameterSchemas.{name} names no {{{name}}} in path")
        check_parameter_schema(schema, f"{where}.pathParameterSchemas.{name}")
    for name, schema in (endpoint.query_param_schemas or {}).items():
        check_parameter_schema(schema, f"{where}.queryParamSchemas.{name}")
    if endpoint.request_body is not None:
        check_request_body(endpoint.request_body, f"{where}.requestBody")
    allowed = endpoint.allowed_query_params
    return _CompiledEndpoint(
        endpoint=endpoint,
        pattern=pattern,
        uses_query=uses_query,
        allowed_params=frozenset(map(fold_name, allowed)) if allowed is not None else None,
    )


def _matches(
    compiled: _CompiledEndpoint,
    method: str,
    raw_path: str,
    raw_query: str | None,
    params: list[tuple[str, str | None]],
) -> bool:
    endpoint = compiled.endpoint
    if endpoint.allowed_methods is not None and method not in endpoint.allowed_methods:
        return False
    if compiled.uses_query:
        target = raw_path if raw_query is None else f"{raw_path}?{raw_query}"
        if not compiled.pattern.fullmatch(target):
            return False
    else:
        found = compiled.pattern.fullmatch(raw_path)
        if not found or not _path_params_ok(endpoint.path_parameter_schemas, found):
            return False
    if compiled.allowed_params is not None and any(
        fold_name(name) not in compiled.allowed_params for name, _ in params
    ):
        return False
    schemas = endpoint.query_param_schemas
    return schemas is None or validate_query_schemas(schemas, params)


def _path_params_ok(schemas: Mapping[str, ParameterSchema] | None, found: re.Match[str]) -> bool:
    if not schemas:
        return True
    return all(schema_accepts(schema, found.group(name)) for name, schema in schemas.items())
