"""Request-body checks of an endpoint's `requestBody` (reference §1.8), for non-GET endpoints.

JSON bodies are validated with a real JSON-Schema (2020-12) validator, as the reference does;
the `jsonschema` package is imported only when a rule actually declares a JSON body schema.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import orjson

from proxy.errors import RulesError
from proxy.rules._model import RequestBody

__all__ = ["body_allowed", "check_request_body"]

_JSON = "application/json"
_FORM = "application/x-www-form-urlencoded"


def check_request_body(body: RequestBody, where: str) -> None:
    """Load-time check: every declared media type must be one we can validate."""
    for media_type, schema in (body.content or {}).items():
        normalized = media_type.split(";")[0].strip().lower()
        if normalized not in (_JSON, _FORM):
            raise RulesError(f"{where}.content: cannot validate bodies of type {media_type!r}")
        try:
            from jsonschema import Draft202012Validator
        except ImportError as exc:  # pragma: no cover - jsonschema is a declared dependency
            raise RulesError(f"{where}: validating request bodies needs `jsonschema`") from exc
        try:
            Draft202012Validator.check_schema(_schema_of(schema))
        except Exception as exc:
            raise RulesError(f"{where}.content.{media_type}: invalid JSON schema") from exc


def _schema_of(entry: Any) -> Any:
    """Accept `{mime: schema}` and the OpenAPI-style `{mime: {schema: ...}}`."""
    if isinstance(entry, dict) and set(entry) == {"schema"}:
        return entry["schema"]
    return entry


def body_allowed(rule: RequestBody | None, content_type: str | None, body: bytes) -> bool:
    """Whether the body passes the endpoint's `requestBody` rule (absent rule: any body)."""
    if rule is None:
        return True
    if not body:
        return not rule.required
    if not rule.content:
        return True
    normalized = (content_type or _JSON).split(";")[0].strip().lower() or _JSON
    entry = rule.content.get(content_type or "", rule.content.get(normalized))
    if entry is None:
        return True
    try:
        if normalized == _JSON:
            document: Any = orjson.loads(body)
        else:
            document = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except (orjson.JSONDecodeError, UnicodeDecodeError):
        return False
    from jsonschema import Draft202012Validator

    return bool(Draft202012Validator(_schema_of(entry)).is_valid(document))
