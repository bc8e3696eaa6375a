"""The rules' three uses side by side, built as the composition root builds them: routing
(`EndpointMatcher`), the way back from `p~` tokens (the pseudonymizer) and sanitizing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from proxy.auth import SourceAuth
from proxy.gateway import Runtime, Upstream
from proxy.rules import Endpoint, EndpointMatcher, Rules, load_rules
from proxy.sanitize import PseudonymKeys, PseudonymTools, Sanitizer
from proxy.secret_value import Secret

#: The reference's test configuration (reference notes §5): salt "salt", key "secret".
REFERENCE_KEYS = PseudonymKeys(salt=Secret("salt"), encryption_key=Secret("secret"))


class Engine:
    def __init__(self, rules: Rules, keys: PseudonymKeys) -> None:
        tools = PseudonymTools.from_keys(keys)
        self.rules = rules
        self.endpoints = EndpointMatcher(rules)
        self.sanitizer = Sanitizer(rules, tools)
        self.pseudonymizer = tools.pseudonymizer

    def match(self, method: str, raw_path: str, raw_query: str | None) -> Endpoint | None:
        return self.endpoints.match(method, raw_path, raw_query)

    def sanitize(self, endpoint: Endpoint, body: bytes) -> bytes:
        return self.sanitizer.sanitize(endpoint, body)

    def runtime(
        self,
        source_auth: SourceAuth,
        upstream: Upstream,
        salt_sha256: str,
        rewrite_link_header: Callable[[str], str | None] | None = None,
    ) -> Runtime:
        return Runtime(
            rules=self.rules,
            endpoints=self.endpoints,
            reverse_tokens=self.pseudonymizer.reverse_tokens,
            decrypt_token=self.pseudonymizer.decrypt,
            sanitizer=self.sanitizer,
            source_auth=source_auth,
            upstream=upstream,
            salt_sha256=salt_sha256,
            rewrite_link_header=rewrite_link_header,
        )


def apply_transforms(
    transform_yaml: str, document: Any, keys: PseudonymKeys = REFERENCE_KEYS
) -> Any:
    """Sanitize `document` with one endpoint (`/x`) whose transforms are `transform_yaml`."""
    indented = "\n".join(f"      {line}" for line in transform_yaml.strip().splitlines())
    rules = load_rules(f"endpoints:\n  - pathTemplate: /x\n    transforms:\n{indented}\n")
    engine = Engine(rules, keys)
    endpoint = engine.match("GET", "/x", None)
    assert endpoint is not None
    return orjson.loads(engine.sanitize(endpoint, orjson.dumps(document)))
