"""Source authentication: how the proxy obtains credentials for the upstream (Atlassian) call.

auth = build_source_auth(settings, store, http_client)
"""

from proxy.auth._base import SourceAuth, UpstreamCredentials
from proxy.auth._factory import build_source_auth
from proxy.auth._oauth import RefreshTiming, RefreshTokenSourceAuth

__all__ = [
    "RefreshTiming",
    "RefreshTokenSourceAuth",
    "SourceAuth",
    "UpstreamCredentials",
    "build_source_auth",
]
