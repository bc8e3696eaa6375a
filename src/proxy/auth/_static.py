"""`NoSourceAuth`: for upstreams that need no credentials (tests, `proxy sanitize`)."""

from __future__ import annotations

from collections.abc import Mapping

from proxy.auth._base import UpstreamCredentials

__all__ = ["NoSourceAuth"]


class NoSourceAuth:
    """A `SourceAuth` that adds no header; a rejection changes nothing, so nothing is retried."""

    def credentials(self) -> UpstreamCredentials:
        return UpstreamCredentials(headers={}, token_id="none")  # noqa: S106 - not a secret

    def rejected(self, credentials: UpstreamCredentials) -> bool:
        return False  # no other credentials to try

    def health(self) -> Mapping[str, object]:
        return {"strategy": "none"}
