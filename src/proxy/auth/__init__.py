"""Source authentication: how the proxy obtains credentials for the upstream (Atlassian) call.

Owns the OAuth 2.0 refresh-token strategy: the access-token cache (shared between instances
through the store), the single-flight refresh under a cross-instance lock, the rotated refresh
token written back before it is used, one forced refresh after a 401, the token endpoint
client, and the token's lifecycle facts (consent time, idle and absolute limits) that the
health check and `proxy setup` report. The gateway sees only `SourceAuth`.

May import: `proxy.config` (settings, secret stores and locks), `proxy.http`, and the kernel
(`proxy.errors`, `proxy.deadline`, `proxy.timing`, `proxy.secret_value`, logging helpers).

    auth = build_source_auth(settings, store, http_client)
    headers = auth.credentials().headers   # {"Authorization": "Bearer …"}
"""

from proxy.auth._base import SourceAuth, UpstreamCredentials
from proxy.auth._factory import build_source_auth
from proxy.auth._oauth import RefreshTiming, RefreshTokenSourceAuth
from proxy.auth._token_lifecycle import (
    ABSOLUTE_LIFETIME_DAYS,
    DAY,
    GRANTED_AT,
    IDLE_LIMIT_DAYS,
    format_instant,
    parse_instant,
)

__all__ = [
    "ABSOLUTE_LIFETIME_DAYS",
    "DAY",
    "GRANTED_AT",
    "IDLE_LIMIT_DAYS",
    "RefreshTiming",
    "RefreshTokenSourceAuth",
    "SourceAuth",
    "UpstreamCredentials",
    "build_source_auth",
    "format_instant",
    "parse_instant",
]
