"""`hashIp` / `encryptIp`: pseudonyms of IP addresses, equal for every spelling of one address.

The address is first written the way Java's `InetAddress.getHostAddress()` writes it (IPv4
dotted decimal; IPv6 as eight lower-case hex groups, no `::`; IPv4-mapped IPv6 as IPv4), so
`2001:0db8::1` and `2001:db8:0:0:0:0:0:1` get the same pseudonym::

>>> ips = IpPseudonymizer(Secret("salt"))
>>> ips.hash_ip("010.0.0.1")
't~3BU4goNN07w3ofq8v5ig2enxSWj9xnAnPOThel4mHTk'
>>> ips.hash_ip("10.0.0.1") == ips.hash_ip("010.0.0.1")
True
"""

from __future__ import annotations

import ipaddress
import re

from proxy.sanitize.pseudonyms._reversible import TokenCrypto, b64url_encode
from proxy.secret_value import Secret

__all__ = ["IpPseudonymizer", "canonical_ip"]

# The reference's two gates before asking Java to parse: strict dotted quad, or hex/colon/dot.
_IPV4 = re.compile(r"(?:[0-9]{1,3}\.){3}[0-9]{1,3}")
_IPV6_LIKE = re.compile(r"[0-9a-fA-F:.]+")
_OCTET_MAX = 255


def canonical_ip(value: str) -> str | None:
    """Java's canonical text of an IP literal, or None if `value` is not one.

    Octets with leading zeros are decimal (`010.0.0.1` -> `10.0.0.1`), as in Java. Words that
    only look hex (`cafe`) are not addresses; Java would have tried a DNS lookup for them.
    """
    if _IPV4.fullmatch(value):
        octets = [int(part) for part in value.split(".")]
        if max(octets) > _OCTET_MAX:
            return None
        return ".".join(map(str, octets))
    if ":" not in value or not _IPV6_LIKE.fullmatch(value):
        return None
    try:
        address = ipaddress.IPv6Address(value)
    except ValueError:
        return None
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    groups = address.packed
    return ":".join(f"{int.from_bytes(groups[i : i + 2], 'big'):x}" for i in range(0, 16, 2))


class IpPseudonymizer:
    """Hashes and encrypts IP addresses under their own salt and key.

    Pass `SALT_IP` / `ENCRYPTION_KEY_IP` when configured, else `PSOXY_SALT` /
    `PSOXY_ENCRYPTION_KEY` (`IpPseudonymizer.configured` does that choice).
    """

    def __init__(self, salt: Secret, encryption_key: Secret | None = None) -> None:
        self._crypto = TokenCrypto(
            salt, encryption_key, key_setting="ENCRYPTION_KEY_IP or PSOXY_ENCRYPTION_KEY"
        )

    @classmethod
    def configured(
        cls,
        salt: Secret,
        encryption_key: Secret | None,
        ip_salt: Secret | None = None,
        ip_key: Secret | None = None,
    ) -> IpPseudonymizer:
        """The IP salt and key if set (and not empty), else the main ones."""
        return cls(ip_salt or salt, ip_key or encryption_key)

    def hash_ip(self, value: str) -> str | None:
        """`t~<hash of the canonical address>`, or None if `value` is not an IP address."""
        canonical = canonical_ip(value)
        if canonical is None:
            return None
        return "t~" + b64url_encode(self._crypto.hash(canonical))

    def encrypt_ip(self, value: str) -> str | None:
        """`p~<hash ‖ AES(canonical address)>`, or None if `value` is not an IP address."""
        canonical = canonical_ip(value)
        if canonical is None:
            return None
        return "p~" + b64url_encode(self._crypto.seal(canonical, self._crypto.hash(canonical)))
