"""The one rule for plain HTTP: only to a loopback host (the simulator, a local proxy).

Every URL the proxy or its tools call is https, except on this machine: `TARGET_HOST`,
`REFRESH_ENDPOINT`, `proxy call --url` and `proxy setup`'s endpoints all ask this predicate.

>>> [is_loopback_host(h) for h in ("localhost", "127.0.0.2", "[::1]", "10.0.0.1", "example.com")]
[True, True, True, False, False]
"""

from __future__ import annotations

import ipaddress

__all__ = ["is_loopback_host"]


def is_loopback_host(host: str) -> bool:
    """localhost, 127.0.0.0/8 or ::1 (bracketed or not): the only hosts plain HTTP may reach."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
