"""A gateway over the bundled rules (or rules a test writes), with an upstream that tests script
(httpx.MockTransport) or a real one (`upstream=`, e.g. the simulator over loopback HTTP)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import httpx

from proxy.auth import SourceAuth, UpstreamCredentials
from proxy.gateway import (
    Gateway,
    GatewayConfig,
    HealthFacts,
    LazyRuntime,
    Runtime,
    Upstream,
    UpstreamTarget,
    salt_sha256,
)
from proxy.rules import load_rules, resolve_rules
from proxy.sanitize import PseudonymKeys
from proxy.secret_value import Secret
from support.engine import Engine

SALT = Secret("salt")
#: The environment of a whole proxy (the composition root) whose secrets are env variables.
ENV_STORE_ENVIRONMENT = {
    "SOURCE": "confluence",
    "TARGET_HOST": "api.atlassian.com",
    "SOURCE_AUTH_STRATEGY_IDENTIFIER": "oauth2_refresh_token",
    "GRANT_TYPE": "refresh_token",
    "SECRETS_STORE": "ENV",
    "PSOXY_SALT": SALT.reveal(),
}
KEY = Secret("secret")
FACTS = HealthFacts(
    source="confluence",
    target_host="api.atlassian.com",
    auth_strategy="oauth2_refresh_token",
    grant_type="refresh_token",
    pseudonym_implementation=None,
    user_agent="confluence-psoxy/test",
    version="v0.1.0",
)


@dataclass
class ScriptedAuth:
    """A SourceAuth handing out numbered tokens; records which ones were rejected."""

    issued: int = 0
    rejected_ids: list[str] = field(default_factory=list)
    health_facts: dict[str, object] = field(default_factory=dict)

    def credentials(self) -> UpstreamCredentials:
        self.issued += 1
        token = f"token-{self.issued}"
        return UpstreamCredentials(headers={"Authorization": f"Bearer {token}"}, token_id=token)

    def rejected(self, credentials: UpstreamCredentials) -> bool:
        self.rejected_ids.append(credentials.token_id)
        return True

    def health(self) -> Mapping[str, object]:
        return self.health_facts


def sanitizer() -> Engine:
    return Engine(resolve_rules("confluence"), PseudonymKeys(salt=SALT, encryption_key=KEY))


def custom_sanitizer(rules_yaml: str) -> Engine:
    """The engine over rules a test writes (a deployment's `RULES`), same salt and key."""
    return Engine(load_rules(rules_yaml), PseudonymKeys(salt=SALT, encryption_key=KEY))


_SANITIZER = sanitizer()


def build_gateway(
    handler: Callable[[httpx.Request], httpx.Response] | None = None,
    *,
    auth: SourceAuth | None = None,
    config: GatewayConfig | None = None,
    build_runtime: Callable[[], Runtime] | None = None,
    rules: Engine | None = None,
    upstream: Upstream | None = None,
) -> Gateway:
    """`handler` scripts the upstream; or pass a real `upstream` (then no handler)."""
    if upstream is None:
        assert handler is not None, "script the upstream with a handler, or pass one"
        client = httpx.Client(transport=httpx.MockTransport(handler))
        upstream = Upstream(client, UpstreamTarget.parse("api.atlassian.com"))
    auth = auth or ScriptedAuth()
    chosen = rules or _SANITIZER
    runtime = LazyRuntime(
        build_runtime or (lambda: chosen.runtime(auth, upstream, salt_sha256(SALT)))
    )
    return Gateway(config or GatewayConfig(facts=FACTS), runtime)
