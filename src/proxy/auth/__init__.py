"""Source authentication: how the proxy obtains credentials for the upstream (Atlassian) call."""

from proxy.auth.base import SourceAuth, UpstreamCredentials

__all__ = ["SourceAuth", "UpstreamCredentials"]
