"""Pseudonyms of identifiers: byte-identical to the reference for the same salt and key.

`t~<hash>` hides a value for good, `p~<hash‖ciphertext>` hides it reversibly (the gateway turns
such tokens found in request URLs back into the value); emails are canonicalized before hashing
and keep their domain (as written, hashed, encrypted or dropped, by configuration)::

>>> pseudonymizer = Pseudonymizer(Secret("salt"))
>>> pseudonymizer.url_safe_token(pseudonymizer.pseudonymize("alice@acme.com"))
't~UFdK0TvVTvZ23c6QslyCy0o2MSq2DRtDjEXfTPJyyMk@acme.com'
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable
from typing import NamedTuple, Protocol

from proxy.errors import InvalidPseudonymToken, SanitizationError
from proxy.pseudonym_options import EmailCanonicalization, EmailDomainHandling
from proxy.sanitize.pseudonyms._account_ids import canonical_account_id
from proxy.sanitize.pseudonyms._emails import (
    Mailbox,
    canonical_email,
    parse_address_list,
    parse_mailbox,
)
from proxy.sanitize.pseudonyms._ip_addresses import IpPseudonymizer, canonical_ip
from proxy.sanitize.pseudonyms._reversible import (
    HASH_LENGTH,
    NOT_OURS,
    TokenCrypto,
    b64url_decode,
    b64url_encode,
)
from proxy.sanitize.pseudonyms._text import is_blank, java_json_string, java_number_text
from proxy.secret_value import Secret

__all__ = [
    "TOKEN_IN_TEXT",
    "IpPseudonymizer",
    "PseudonymizedIdentity",
    "Pseudonymizer",
    "ReverseTokens",
    "canonical_ip",
    "is_blank",
    "java_number_text",
]

HASH_PREFIX = "t~"
REVERSIBLE_PREFIX = "p~"
DOMAIN_HASH_PREFIX = "h~"
DOMAIN_ENCRYPTED_PREFIX = "e~"

# A reversible token in a URL or header, with the `@domain` the pseudonym may carry (a plain
# domain, or a hashed/encrypted one; the reference's pattern knew only plain domains and left
# `~…` of an `e~`/`h~` domain behind). The decrypted value already contains the domain.
TOKEN_IN_TEXT = re.compile(r"p~[A-Za-z0-9_-]{43,}(?:@(?:[eh]~[A-Za-z0-9_-]+|[A-Za-z0-9.-]+))?")
_DOMAIN_CACHE_SIZE = 1024


class ReverseTokens(Protocol):
    """`Pseudonymizer.reverse_tokens`: what the gateway needs to decrypt a request's `p~` tokens."""

    def __call__(self, text: str, *, escape: Callable[[str], str] | None = None) -> str: ...


class PseudonymizedIdentity(NamedTuple):
    """The reference's identity object; `hash` is base64url without prefix (43 characters)."""

    hash: str
    domain: str | None = None
    original: str | None = None
    reversible: str | None = None

    def to_json(self) -> str:
        """Compact JSON in the reference's key order; absent fields omitted (`h_4` never set)."""
        fields = (
            ("domain", self.domain),
            ("hash", self.hash),
            ("original", self.original),
            ("reversible", self.reversible),
        )
        body = ",".join(
            f'"{key}":{java_json_string(value)}' for key, value in fields if value is not None
        )
        return "{" + body + "}"


class Pseudonymizer:
    """Pseudonymizes values under one salt (and key, for reversible tokens) and reverses them.

    Email domains are hashed/encrypted under `domain_salt`/`domain_key` (`SALT_EMAIL_DOMAINS`,
    `ENCRYPTION_KEY_EMAIL_DOMAINS`), falling back to the main salt and key.
    """

    def __init__(
        self,
        salt: Secret,
        encryption_key: Secret | None = None,
        *,
        canonicalization: EmailCanonicalization = EmailCanonicalization.STRICT,
        domain_handling: EmailDomainHandling = EmailDomainHandling.PRESERVE,
        domain_salt: Secret | None = None,
        domain_key: Secret | None = None,
    ) -> None:
        self._crypto = TokenCrypto(salt, encryption_key)
        self._canonicalization = canonicalization
        self._domain_handling = domain_handling
        if domain_salt is None and domain_key is None:
            self._domain_crypto = self._crypto
        else:
            self._domain_crypto = TokenCrypto(
                domain_salt or salt,
                domain_key or encryption_key,
                key_setting="ENCRYPTION_KEY_EMAIL_DOMAINS or PSOXY_ENCRYPTION_KEY",
            )
        if domain_handling is EmailDomainHandling.ENCRYPT:
            self._domain_crypto.require_key()
        self._domains: dict[str, str] = {}  # hashed/encrypted domains, by domain

    def pseudonymize(
        self,
        value: str | int | float,
        *,
        include_reversible: bool = False,
        include_original: bool = False,
    ) -> PseudonymizedIdentity | None:
        """The identity of a string or number; None for a blank string. Emails are detected."""
        text = _value_text(value)
        if text is None:
            return None
        mailbox = parse_mailbox(text) if isinstance(value, str) else None
        if mailbox is None:
            digest = self._crypto.hash(text)
            domain = None
        else:
            digest = self._crypto.hash(canonical_email(mailbox, self._canonicalization))
            domain = self._domain(mailbox)
        reversible = None
        if include_reversible:
            reversible = REVERSIBLE_PREFIX + b64url_encode(self._crypto.seal(text, digest))
            reversible += _at(domain)
        return PseudonymizedIdentity(
            hash=b64url_encode(digest),
            domain=domain,
            original=text if include_original else None,
            reversible=reversible,
        )

    def url_safe_token(self, identity: PseudonymizedIdentity) -> str:
        """`p~…[@domain]` if the identity is reversible, else `t~<hash>[@domain]`."""
        return identity.reversible or HASH_PREFIX + identity.hash + _at(identity.domain)

    @property
    def can_reverse(self) -> bool:
        """Whether an encryption key is configured (reversible tokens are possible)."""
        return self._crypto.can_reverse

    def tokenize(self, value: str) -> str:
        """The `tokenize` transform: `p~` of the raw value, no canonicalization, no domain."""
        return REVERSIBLE_PREFIX + b64url_encode(self._crypto.seal(value, self._crypto.hash(value)))

    def tokenize_person(self, value: str) -> str:
        """A `p~` of `value` that joins the person's `t~` elsewhere; decrypts to `value` as is.

        An account id in any form (compact, `%3A`-encoded) is hashed as its canonical id, an
        email as its canonical address (and keeps its `@domain`); anything else as written, so
        a 24-hex id gives exactly what `tokenize` gives.
        """
        canonical = canonical_account_id(value)
        if canonical is None and parse_mailbox(value) is not None:
            identity = self.pseudonymize(value, include_reversible=True)
            assert identity is not None and identity.reversible is not None
            return identity.reversible
        digest = self._crypto.hash(canonical or value)
        return REVERSIBLE_PREFIX + b64url_encode(self._crypto.seal(value, digest))

    def decrypt(self, token: str) -> str:
        """The original value of a `p~…[@domain]` token made with this salt and key.

        Stricter than the reference: the hash part must match the decrypted value, so a token
        tampered with (or made under another salt) is refused rather than decrypted to garbage.
        Every refusal is the same error, and the hash is checked even when the token did not
        decrypt (on a stand-in of the same length): telling a bad padding from a wrong hash
        would be a padding oracle, each plaintext byte found in at most 256 tries by flipping
        bits of the cipher block before it (the first block's IV is the token's first bytes).
        """
        body = token.partition("@")[0]
        if not body.startswith(REVERSIBLE_PREFIX):
            raise InvalidPseudonymToken(NOT_OURS)
        try:
            sealed = b64url_decode(body[len(REVERSIBLE_PREFIX) :])
        except ValueError as exc:
            raise InvalidPseudonymToken(NOT_OURS) from exc
        original: str | None
        try:
            original = self._crypto.open(sealed)
        except InvalidPseudonymToken:
            original = None
        candidate = original if original is not None else _stand_in(len(sealed))
        matches = [
            hmac.compare_digest(self._crypto.hash(form), sealed[:HASH_LENGTH])
            for form in _hashed_forms(candidate)
        ]
        if original is None or not any(matches):
            raise InvalidPseudonymToken(NOT_OURS)
        return original

    def reverse_tokens(self, text: str, *, escape: Callable[[str], str] | None = None) -> str:
        """`text` with every `p~` token (and its `@domain`) replaced by the original value.

        `escape`, if given, is applied to each original (e.g. percent-encoding for a URL).
        """

        def original(match: re.Match[str]) -> str:
            value = self.decrypt(match.group())
            return escape(value) if escape else value

        return TOKEN_IN_TEXT.sub(original, text)

    def pseudonymize_email_header(self, value: str, *, json_encoding: bool) -> str | None:
        """An address-list header: `t~…@domain` joined by `,`, or a JSON array of identities.

        Blank gives `""`; a value that is not an RFC-2822 address list gives None.
        """
        if is_blank(value):
            return ""
        mailboxes = parse_address_list(value)
        if mailboxes is None:
            return None
        identities = [self.pseudonymize(mailbox.formatted()) for mailbox in mailboxes]
        present = [identity for identity in identities if identity is not None]
        if json_encoding:
            return "[" + ",".join(identity.to_json() for identity in present) + "]"
        return ",".join(self.url_safe_token(identity) for identity in present)

    def _domain(self, mailbox: Mailbox) -> str | None:
        """The domain as it follows `@` in the pseudonym, per the configured handling."""
        handling = self._domain_handling
        if handling is EmailDomainHandling.PRESERVE:
            return mailbox.domain
        if handling is EmailDomainHandling.REDACT:
            return None
        domain = mailbox.domain
        cached = self._domains.get(domain)
        if cached is None:
            digest = self._domain_crypto.hash(domain)
            if handling is EmailDomainHandling.TOKENIZE:
                cached = DOMAIN_HASH_PREFIX + b64url_encode(digest)
            else:
                sealed = self._domain_crypto.seal(domain, digest)
                cached = DOMAIN_ENCRYPTED_PREFIX + b64url_encode(sealed)
            if len(self._domains) >= _DOMAIN_CACHE_SIZE:
                self._domains.clear()
            self._domains[domain] = cached
        return cached


def _value_text(value: object) -> str | None:
    """The text that is hashed: strings as they are, numbers the Java way; None if blank."""
    if isinstance(value, str):
        return None if is_blank(value) else value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return java_number_text(value)
    raise SanitizationError(
        f"pseudonymize accepts strings and numbers, not {type(value).__name__} values"
    )


def _hashed_forms(original: str) -> list[str]:
    """Every text the reference may have hashed for this original: as is, or its canonical
    email under either canonicalization (the deployment's setting may have changed since);
    and ours, the canonical account id of a compact or encoded one (`tokenize_person`)."""
    forms = [original]
    canonical = canonical_account_id(original)
    if canonical is not None and canonical != original:
        forms.append(canonical)
    mailbox = parse_mailbox(original)
    if mailbox is not None:
        forms += [canonical_email(mailbox, option) for option in EmailCanonicalization]
    return forms


def _stand_in(sealed_length: int) -> str:
    """What a token that did not decrypt is hashed as: as long as its plaintext could be."""
    return "0" * max(sealed_length - HASH_LENGTH - 1, 0)


def _at(domain: str | None) -> str:
    return "@" + domain if domain else ""
