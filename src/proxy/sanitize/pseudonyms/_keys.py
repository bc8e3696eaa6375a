"""A deployment's salts and keys, and the pseudonymizers built from them once per instance.

The same `PseudonymTools` serve the response transforms (hash, encrypt) and the gateway (turn
`p~` tokens in a request back into values), so both see one key and one cache.
"""

from __future__ import annotations

from typing import NamedTuple

from proxy.errors import MissingEncryptionKey
from proxy.pseudonym_options import EmailCanonicalization, EmailDomainHandling
from proxy.sanitize.pseudonyms._ip_addresses import IpPseudonymizer
from proxy.sanitize.pseudonyms._pseudonymizer import Pseudonymizer
from proxy.secret_value import Secret

__all__ = ["PseudonymKeys", "PseudonymTools"]


class PseudonymKeys(NamedTuple):
    """Salts and keys of one deployment (`PSOXY_SALT`, `PSOXY_ENCRYPTION_KEY`, ...)."""

    salt: Secret
    encryption_key: Secret | None = None
    canonicalization: EmailCanonicalization = EmailCanonicalization.STRICT
    domain_handling: EmailDomainHandling = EmailDomainHandling.PRESERVE
    ip_salt: Secret | None = None  # SALT_IP, defaults to the salt
    ip_encryption_key: Secret | None = None  # ENCRYPTION_KEY_IP, defaults to the key
    domain_salt: Secret | None = None  # SALT_EMAIL_DOMAINS
    domain_encryption_key: Secret | None = None  # ENCRYPTION_KEY_EMAIL_DOMAINS


class PseudonymTools(NamedTuple):
    """What the pseudonym transforms need; which keys exist decides what rules may ask for."""

    pseudonymizer: Pseudonymizer
    ips: IpPseudonymizer
    has_encryption_key: bool
    has_ip_encryption_key: bool

    @classmethod
    def from_keys(cls, keys: PseudonymKeys) -> PseudonymTools:
        """The pseudonymizers of these keys; `MissingEncryptionKey` when an option needs one."""
        domain_key = keys.domain_encryption_key or keys.encryption_key
        if keys.domain_handling is EmailDomainHandling.ENCRYPT and domain_key is None:
            raise MissingEncryptionKey(
                "EMAIL_DOMAIN_HANDLING=ENCRYPT needs PSOXY_ENCRYPTION_KEY "
                "(or ENCRYPTION_KEY_EMAIL_DOMAINS), which is not configured"
            )
        pseudonymizer = Pseudonymizer(
            keys.salt,
            keys.encryption_key,
            canonicalization=keys.canonicalization,
            domain_handling=keys.domain_handling,
            domain_salt=keys.domain_salt,
            domain_key=keys.domain_encryption_key,
        )
        ip_key = keys.ip_encryption_key or keys.encryption_key
        return cls(
            pseudonymizer=pseudonymizer,
            ips=IpPseudonymizer(keys.ip_salt or keys.salt, ip_key),
            has_encryption_key=keys.encryption_key is not None,
            has_ip_encryption_key=ip_key is not None,
        )
