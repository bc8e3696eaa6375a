"""Typed readers over an environment mapping; each error names the key and the bad value.

Empty values count as unset everywhere, so a Terraform variable rendered as ``""`` falls back to
the default instead of becoming an empty prefix or an empty host.

>>> EnvReader({"REQUEST_TIMEOUT_SECONDS": "55"}).integer("REQUEST_TIMEOUT_SECONDS", default=180)
55
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from enum import Enum
from typing import TypeVar

from proxy.errors import ConfigurationError

__all__ = ["EnvReader", "IpNetwork"]

E = TypeVar("E", bound=Enum)
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_TRUE = "true"
_FALSE = "false"


class EnvReader:
    """Reads and validates single environment variables; never logs their values."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ

    def text(self, key: str) -> str | None:
        """The stripped value, or None when unset or blank."""
        value = self._environ.get(key)
        if value is None or not value.strip():
            return None
        return value.strip()

    def raw(self, key: str) -> str | None:
        """The value exactly as set (not stripped), or None when unset or empty."""
        value = self._environ.get(key)
        return value or None

    def boolean(self, key: str, *, default: bool) -> bool:
        value = self.text(key)
        if value is None:
            return default
        lowered = value.lower()
        if lowered in (_TRUE, _FALSE):
            return lowered == _TRUE
        raise ConfigurationError(f"{key} must be 'true' or 'false' (any case), got {value!r}")

    def integer(self, key: str, *, default: int, minimum: int = 1) -> int:
        value = self.text(key)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise ConfigurationError(f"{key} must be a whole number, got {value!r}") from None
        if number < minimum:
            raise ConfigurationError(f"{key} must be at least {minimum}, got {value!r}")
        return number

    def choice(self, key: str, enum: type[E], *, default: E) -> E:
        """A case-insensitive enum value, as the reference parses its enums."""
        value = self.text(key)
        if value is None:
            return default
        for member in enum:
            if str(member.value).lower() == value.lower():
                return member
        allowed = ", ".join(member.value for member in enum)
        raise ConfigurationError(f"{key} must be one of {allowed}; got {value!r}")

    def ip_blocks(self, key: str) -> tuple[IpNetwork, ...]:
        """Comma-separated IPs and CIDR blocks (v4 or v6); a single IP becomes a /32 or /128."""
        value = self.text(key)
        if value is None:
            return ()
        blocks: list[IpNetwork] = []
        for item in (part.strip() for part in value.split(",")):
            if not item:
                continue
            try:
                blocks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise ConfigurationError(
                    f"{key} must list IP addresses or CIDR blocks; {item!r} is neither"
                ) from None
        return tuple(blocks)
