"""The rules' three uses side by side, built as the composition root builds them: routing
(`EndpointMatcher`), the way back from `p~` tokens (the pseudonymizer) and sanitizing."""

from __future__ import annotations

from collections.abc import Callable

from proxy.auth import SourceAuth
from proxy.gateway import Runtime, Upstream
from proxy.rules import Endpoint, EndpointMatcher, Rules
from proxy.sanitize import PseudonymKeys, PseudonymTools, Sanitizer


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
