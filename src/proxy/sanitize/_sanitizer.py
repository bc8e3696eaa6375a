"""The sanitizer: rules compiled once, then per response parse → schema → transforms → JSON.

Built at cold start from the rules and the pseudonym tools; every endpoint's pipeline is
compiled eagerly so that a bad rule (path, regex, `$ref`, a reversible transform without
`PSOXY_ENCRYPTION_KEY`) stops the deployment from starting instead of failing a request. Which
endpoint a request belongs to is the rules' business (`proxy.rules.EndpointMatcher`); this
module only turns an endpoint's upstream body into what may leave.

    sanitizer = Sanitizer(rules, PseudonymTools.from_keys(keys))
    body = sanitizer.sanitize(endpoint, upstream_body)   # raises, never returns raw input
"""

from __future__ import annotations

from typing import Any, NamedTuple

from proxy.errors import ProxyError, RulesError, SanitizationError
from proxy.rules import Endpoint, Rules
from proxy.sanitize._gc_pause import GC_PAUSE
from proxy.sanitize._json_codec import (
    InexactNumber,
    checked_double,
    dumps,
    java_doubles,
    loads_unchecked,
    loads_values,
)
from proxy.sanitize._schema_filter import compile_schema
from proxy.sanitize.jsonpath import JsonFunction, JsonPathError
from proxy.sanitize.pseudonyms import PseudonymKeys, PseudonymTools
from proxy.sanitize.transforms import compile_augments, compile_transforms

__all__ = ["Sanitizer"]


class _EndpointPipeline(NamedTuple):
    augments: JsonFunction | None
    schema: JsonFunction | None
    transforms: JsonFunction | None

    def run(self, document: Any) -> Any:
        if self.augments is not None:
            document = self.augments(document)
        if self.schema is not None:
            document = self.schema(document)
        else:
            document = java_doubles(document, checked_double)
        if self.transforms is not None:
            document = self.transforms(document)
        return document

    def run_all(self, body: bytes) -> list[bytes]:
        """Each top-level value sanitized. Parsed first without the scan for big integers; a
        float that may stand for one (`InexactNumber`) restarts from an exact parse. Augments
        match before the schema checks numbers, so their endpoints always parse exactly."""
        if self.augments is None:
            try:
                return [dumps(self.run(value)) for value in loads_unchecked(body)]
            except InexactNumber:
                pass
        return [dumps(self.run(java_doubles(value))) for value in loads_values(body)]


class Sanitizer:
    """Sanitizes the responses of the rules' endpoints; immutable once built."""

    def __init__(self, rules: Rules, tools: PseudonymTools) -> None:
        self._pipelines: dict[int, _EndpointPipeline] = {}
        for index, endpoint in enumerate(rules.endpoints):
            where = f"rules.endpoints[{index}] ({endpoint.label})"
            try:
                self._pipelines[id(endpoint)] = _compile(endpoint, rules, tools, where)
            except JsonPathError as exc:  # the one place a bad JSONPath becomes a rules error
                raise RulesError(f"{exc.where or where}: {exc}") from exc

    @classmethod
    def build(cls, rules: Rules, keys: PseudonymKeys) -> Sanitizer:
        """Sanitizer for these rules with this deployment's salts and keys."""
        return cls(rules, PseudonymTools.from_keys(keys))

    def sanitize(self, endpoint: Endpoint, body: bytes) -> bytes:
        """Sanitized JSON for a 2xx body of this endpoint; raises, never returns raw input."""
        if not body.strip():
            return b""
        pipeline = self._pipelines[id(endpoint)]
        try:
            with GC_PAUSE:  # the document is a tree: refcounting frees it, collections cost
                outputs = pipeline.run_all(body)
        except ProxyError:
            raise
        except RecursionError as exc:
            raise SanitizationError("response JSON is nested too deeply") from exc
        except Exception as exc:
            raise SanitizationError(f"sanitizing failed for endpoint {endpoint.label}") from exc
        return b"\n".join(outputs)


def _compile(
    endpoint: Endpoint, rules: Rules, tools: PseudonymTools, where: str
) -> _EndpointPipeline:
    schema = endpoint.response_schema
    return _EndpointPipeline(
        augments=compile_augments(endpoint.augments, where),
        schema=(
            compile_schema(schema, rules.definitions, keep_augments=bool(endpoint.augments))
            if schema
            else None
        ),
        transforms=compile_transforms(endpoint.transforms, tools, where),
    )
