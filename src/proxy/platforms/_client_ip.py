"""Who is calling: the client IP the allow-list checks, from what the platform vouches for.

`X-Forwarded-For` is a list the caller starts and every proxy on the way appends to, so only
its last entries, those appended by proxies we trust, can be believed:

- **Lambda** (not here, see `_aws_events`): `requestContext` only, never a header.
- **GCP** (Cloud Run / Cloud Functions gen2): Google's front end appends the address of the
  peer it accepted the connection from as the **last** entry; everything before it is the
  caller's to write. (The reference took the second-to-last entry, which a caller sets by
  sending one `X-Forwarded-For` entry of its own.)
- **Locally** (`proxy serve`): no header is trusted; the client is the socket peer.
- `TRUSTED_PROXY_HOPS=N` trusts N more proxies in front, each appending the address of its
  own peer: the client is then the (N+1)-th entry from the end on GCP, the N-th locally. A
  header with fewer entries gives no client IP (refused when an allow-list is configured).

>>> ForwardedFor(trusted_entries=1).client_ip("10.1.2.3, 203.0.113.7", peer="169.254.1.1")
'203.0.113.7'
"""

from __future__ import annotations

from dataclasses import dataclass

from proxy.config import Platform, Settings

__all__ = ["ForwardedFor"]


@dataclass(frozen=True)
class ForwardedFor:
    """How many `X-Forwarded-For` entries, counted from the end, trusted proxies appended."""

    trusted_entries: int = 0

    @classmethod
    def for_settings(cls, settings: Settings) -> ForwardedFor:
        """Google's front end on GCP, none locally, plus `TRUSTED_PROXY_HOPS`."""
        front_end = 1 if settings.platform is Platform.GCP else 0
        return cls(front_end + settings.trusted_proxy_hops)

    def client_ip(self, forwarded_for: str | None, *, peer: str | None) -> str | None:
        """The caller's IP: the peer when no proxy is trusted, else the last trusted entry."""
        if self.trusted_entries == 0:
            return peer
        entries = [entry.strip() for entry in (forwarded_for or "").split(",")]
        if forwarded_for is None or len(entries) < self.trusted_entries:
            return None
        return entries[-self.trusted_entries] or None
