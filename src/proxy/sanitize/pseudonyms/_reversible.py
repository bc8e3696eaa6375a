"""Salted hashes and reversible (AES) tokens: the cryptography behind every pseudonym.

- hash  = SHA-256(UTF-8(canonical value + salt)), 32 bytes;
- token = hash ‖ AES-256-CBC(original value), with IV = the first 16 bytes of the hash and the
  key derived by PBKDF2-HMAC-SHA256(password = encryption key, salt = salt, 65 536 rounds).

These are the reference's choices; keeping them byte for byte is what lets a deployment switch
implementations without losing the link between pseudonyms. The key derivation costs tens of
milliseconds, so it runs once per instance, on first use, never per value::

>>> crypto = TokenCrypto(Secret("salt"), Secret("secret"))
>>> token = crypto.seal("blah", crypto.hash("blah"))
>>> crypto.open(token)
'blah'
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import threading

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from proxy.errors import InvalidPseudonymToken, MissingEncryptionKey
from proxy.secret_value import Secret

__all__ = [
    "HASH_LENGTH",
    "NOT_OURS",
    "PBKDF2_ITERATIONS",
    "TokenCrypto",
    "b64url_decode",
    "b64url_encode",
]

HASH_LENGTH = 32
PBKDF2_ITERATIONS = 65_536
_IV_LENGTH = 16
_BLOCK_BITS = 128
_B64URL = re.compile(r"[A-Za-z0-9_-]*")
# One message for every token this deployment refuses, whatever the reason (see `Pseudonymizer.
# decrypt`): a caller must not learn whether a tampered token had a valid padding.
NOT_OURS = "a p~ token is not one this deployment made"


def b64url_encode(data: bytes) -> str:
    """Base64url without padding (a 32-byte hash gives 43 characters)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Strict inverse of `b64url_encode`; ValueError on any character outside the alphabet."""
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not unpadded base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as exc:
        raise ValueError("not unpadded base64url") from exc


class TokenCrypto:
    """Hashes and AES tokens under one salt and one (optional) encryption key.

    `key_setting` names the setting(s) to configure when a reversible operation finds no key.
    """

    def __init__(
        self,
        salt: Secret,
        encryption_key: Secret | None = None,
        *,
        key_setting: str = "PSOXY_ENCRYPTION_KEY",
    ) -> None:
        self._salt = salt.reveal().encode("utf-8", "replace")
        self._password = encryption_key if encryption_key else None
        self._key_setting = key_setting
        self._aes_key: bytes | None = None
        self._lock = threading.Lock()

    @property
    def can_reverse(self) -> bool:
        return self._password is not None

    def require_key(self) -> None:
        """Fail now, with the setting's name, if reversible tokens are impossible."""
        if self._password is None:
            raise MissingEncryptionKey(
                f"reversible pseudonyms need an encryption key: set {self._key_setting}"
            )

    def hash(self, canonical: str) -> bytes:
        """SHA-256 of the value then the salt (unpaired surrogates become `?`, as in Java)."""
        return hashlib.sha256(canonical.encode("utf-8", "replace") + self._salt).digest()

    def seal(self, original: str, digest: bytes) -> bytes:
        """`digest ‖ AES-CBC(original)`, the IV being the digest's first 16 bytes."""
        padder = padding.PKCS7(_BLOCK_BITS).padder()
        plain = padder.update(original.encode("utf-8", "replace")) + padder.finalize()
        encryptor = Cipher(algorithms.AES(self._key()), modes.CBC(digest[:_IV_LENGTH])).encryptor()
        return digest + encryptor.update(plain) + encryptor.finalize()

    def open(self, token: bytes) -> str:
        """The original value of a sealed token; InvalidPseudonymToken if it does not decrypt."""
        cipher_text = token[HASH_LENGTH:]
        if not cipher_text or len(cipher_text) % _IV_LENGTH:
            raise InvalidPseudonymToken(NOT_OURS)
        decryptor = Cipher(algorithms.AES(self._key()), modes.CBC(token[:_IV_LENGTH])).decryptor()
        unpadder = padding.PKCS7(_BLOCK_BITS).unpadder()
        try:
            plain = decryptor.update(cipher_text) + decryptor.finalize()
            return (unpadder.update(plain) + unpadder.finalize()).decode("utf-8")
        except ValueError as exc:  # bad padding, or not UTF-8 (UnicodeDecodeError)
            raise InvalidPseudonymToken(NOT_OURS) from exc

    def _key(self) -> bytes:
        """The AES key, derived on first use and kept for the life of the instance."""
        if self._aes_key is None:
            self.require_key()
            assert self._password is not None
            with self._lock:
                if self._aes_key is None:
                    self._aes_key = hashlib.pbkdf2_hmac(
                        "sha256",
                        self._password.reveal().encode("utf-8"),
                        self._salt,
                        PBKDF2_ITERATIONS,
                        dklen=32,
                    )
        return self._aes_key
