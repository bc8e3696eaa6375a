"""The request pipeline: one platform-neutral request in, one response out, fail closed.

Owns the data path (HTTPS, health check, IP allow-list, path normalization, URL safety, rules
match, request bodies, `p~` tokens decrypted as data, source auth, the upstream call with one
retry after a 401, sanitizing, response headers), the health check, the one upstream client
(the proxy's only data egress) and the per-instance `Runtime` built lazily from secrets and
rules. Every deliberate error is a `ProxyError`, converted to a response in `Gateway.handle`.

May import: `proxy.http`, `proxy.rules`, `proxy.sanitize`, `proxy.auth` (the `SourceAuth`
interface), and the kernel (`proxy.errors`, `proxy.deadline`, `proxy.lazy`, logging helpers);
never a cloud SDK, `proxy.config` or a platform. `proxy.platforms.composition` builds it.

    gateway = Gateway(GatewayConfig(facts=facts), LazyRuntime(build_runtime))
    response = gateway.handle(HttpRequest("GET", "/ex/confluence/c1/wiki/api/v2/spaces"))
"""

from proxy.gateway._health import HEALTH_CHECK_HEADER, HealthFacts
from proxy.gateway._outbound import OutboundRequest
from proxy.gateway._pipeline import Gateway, GatewayConfig
from proxy.gateway._runtime import LazyRuntime, Runtime, salt_sha256
from proxy.gateway._upstream import Upstream, UpstreamResponse, UpstreamTarget, timeouts_for

__all__ = [
    "HEALTH_CHECK_HEADER",
    "Gateway",
    "GatewayConfig",
    "HealthFacts",
    "LazyRuntime",
    "OutboundRequest",
    "Runtime",
    "Upstream",
    "UpstreamResponse",
    "UpstreamTarget",
    "salt_sha256",
    "timeouts_for",
]
