"""`ALLOWED_DATA_ACCESS_IP_BLOCKS`: which client IPs may fetch data (reference §3.3).

An empty list allows everyone. Once any entry is configured the lock-down is on: invalid
entries are logged and ignored, and if all are invalid nobody gets through (fail closed).
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable

from proxy.log_events import LogEvent, event

__all__ = ["IpAllowList"]

log = logging.getLogger("proxy.gateway.ip_allowlist")  # stable name, as logged

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class IpAllowList:
    """Parsed once at start; `allows(ip)` is a few comparisons per request."""

    def __init__(self, entries: Iterable[str]) -> None:
        cleaned = [e.strip() for e in entries if e.strip()]
        self.enabled = bool(cleaned)
        self._networks: list[IpNetwork] = []
        for entry in cleaned:
            try:
                self._networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                log.warning(
                    "ignoring invalid ALLOWED_DATA_ACCESS_IP_BLOCKS entry %r",
                    entry,
                    extra=event(LogEvent.CONFIG_ERROR),
                )

    @classmethod
    def from_setting(cls, value: str | None) -> IpAllowList:
        return cls((value or "").split(","))

    def allows(self, client_ip: str | None) -> bool:
        if not self.enabled:
            return True
        address = _parse_client_ip(client_ip)
        if address is None:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return any(address in network for network in self._networks)


def _parse_client_ip(raw: str | None) -> IpAddress | None:
    """The reference's normalization: one IP, optional `:port` on IPv4, zone id dropped."""
    if raw is None or not raw.strip() or "," in raw:
        return None
    value = raw.strip()
    if value.count(":") == 1:
        value = value.split(":", 1)[0]
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    value = value.split("%", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None
