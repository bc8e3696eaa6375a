"""The sanitizer: rules compiled once, then per response parse → schema → transforms → JSON.

Built at cold start from the rules and the pseudonym keys; every endpoint's pipeline is
compiled eagerly so that a bad rule (path, regex, `$ref`, a reversible transform without
`PSOXY_ENCRYPTION_KEY`) stops the deployment from starting instead of failing a request.

    sanitizer = Sanitizer.build(rules, PseudonymKeys(salt=Secret("salt")))
    endpoint = sanitizer.match("GET", "/ex/confluence/c/wiki/api/v2/spaces", "limit=10")
    body = sanitizer.sanitize(endpoint, upstream_body)   # or BlockedByRules if endpoint is None
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from proxy.errors import MissingEncryptionKey, ProxyError, SanitizationError
from proxy.pseudonym_options import EmailCanonicalization, EmailDomainHandling
from proxy.rules._matching import EndpointMatcher
from proxy.rules._model import Endpoint, Rules
from proxy.rules._request_body import check_request_body
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
from proxy.sanitize.jsonpath import JsonFunction
from proxy.sanitize.pseudonyms._pseudonymizer import IpPseudonymizer, Pseudonymizer
from proxy.sanitize.transforms._augments import compile_augments
from proxy.sanitize.transforms._compile import PseudonymTools, compile_transforms
from proxy.secret_value import Secret

__all__ = ["PseudonymKeys", "Sanitizer"]


@dataclass(frozen=True)
class PseudonymKeys:
    """Salts and keys of one deployment (`PSOXY_SALT`, `PSOXY_ENCRYPTION_KEY`, ...)."""

    salt: Secret
    encryption_key: Secret | None = None
    canonicalization: EmailCanonicalization = EmailCanonicalization.STRICT
    domain_handling: EmailDomainHandling = EmailDomainHandling.PRESERVE
    ip_salt: Secret | None = None  # SALT_IP, defaults to the salt
    ip_encryption_key: Secret | None = None  # ENCRYPTION_KEY_IP, defaults to the key
    domain_salt: Secret | None = None  # SALT_EMAIL_DOMAINS
    domain_encryption_key: Secret | None = None  # ENCRYPTION_KEY_EMAIL_DOMAINS


@dataclass(frozen=True)
class _EndpointPipeline:
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
    """Matches requests to endpoints and sanitizes their responses; immutable once built."""

    def __init__(self, rules: Rules, tools: PseudonymTools) -> None:
        self.rules = rules
        self.pseudonymizer = tools.pseudonymizer  # the gateway decrypts `p~` tokens with it
        self._matcher = EndpointMatcher(rules)
        self._pipelines: dict[int, _EndpointPipeline] = {}
        for index, endpoint in enumerate(rules.endpoints):
            where = f"rules.endpoints[{index}] ({endpoint.label})"
            if endpoint.request_body is not None:
                check_request_body(endpoint.request_body, f"{where}.requestBody")
            schema = endpoint.response_schema
            self._pipelines[id(endpoint)] = _EndpointPipeline(
                augments=compile_augments(endpoint.augments, where),
                schema=(
                    compile_schema(schema, rules.definitions, keep_augments=bool(endpoint.augments))
                    if schema
                    else None
                ),
                transforms=compile_transforms(endpoint.transforms, tools, where),
            )

    @classmethod
    def build(cls, rules: Rules, keys: PseudonymKeys) -> Sanitizer:
        """Sanitizer for these rules with this deployment's salts and keys."""
        domain_key = keys.domain_encryption_key or keys.encryption_key
        if keys.domain_handling is EmailDomainHandling.ENCRYPT and domain_key is None:
            raise MissingEncryptionKey(
                "EMAIL_DOMAIN_HANDLING=ENCRYPT needs PSOXY_ENCRYPTION_KEY "
                "(or ENCRYPTION_KEY_EMAIL_DOMAINS), which is not configured"
            )
        pseudonymizer = Pseudonymizer(
            keys.salt,
            keys.encryption_key,
            canonicalization=keys.canonicalization,
            domain_handling=keys.domain_handling,
            domain_salt=keys.domain_salt,
            domain_key=keys.domain_encryption_key,
        )
        ip_key = keys.ip_encryption_key or keys.encryption_key
        ips = IpPseudonymizer(keys.ip_salt or keys.salt, ip_key)
        tools = PseudonymTools(
            pseudonymizer=pseudonymizer,
            ips=ips,
            has_encryption_key=keys.encryption_key is not None,
            has_ip_encryption_key=ip_key is not None,
        )
        return cls(rules, tools)

    def match(self, method: str, raw_path: str, raw_query: str | None) -> Endpoint | None:
        """The endpoint allowing this request, or None when the rules block it."""
        return self._matcher.match(method, raw_path, raw_query)

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
