"""Salted hashes and AES tokens, byte for byte as the reference makes them."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable

import pytest

from proxy.errors import InvalidPseudonymToken, MissingEncryptionKey
from proxy.sanitize.pseudonyms._reversible import (
    PBKDF2_ITERATIONS,
    TokenCrypto,
    b64url_decode,
    b64url_encode,
)
from proxy.secret_value import Secret

# `blah` under salt `salt` and key `secret` (UrlSafeTokenPseudonymEncoderTest, roundtrip).
BLAH_HASH = "nVPSMYD7ZO_ptGIMJ65TAFo5_vVVQQ2af5Bfg7bW0Jo"
BLAH_SEALED = "nVPSMYD7ZO_ptGIMJ65TAFo5_vVVQQ2af5Bfg7bW0Jq9JIOXfBWhts_zA5Ns0r4m"


@pytest.fixture(scope="module")
def crypto() -> TokenCrypto:
    return TokenCrypto(Secret("salt"), Secret("secret"))


def test_hash_is_sha256_of_value_then_salt(crypto: TokenCrypto) -> None:
    assert crypto.hash("blah") == hashlib.sha256(b"blahsalt").digest()
    assert b64url_encode(crypto.hash("blah")) == BLAH_HASH


def test_seal_is_hash_then_aes_cbc_with_hash_prefix_as_iv(crypto: TokenCrypto) -> None:
    sealed = crypto.seal("blah", crypto.hash("blah"))
    assert b64url_encode(sealed) == BLAH_SEALED
    assert len(sealed) == 48


def test_open_returns_the_original(crypto: TokenCrypto) -> None:
    for original in ["blah", "", "x" * 16, "ünïcødé 🌱", "alice@acme.com"]:
        assert crypto.open(crypto.seal(original, crypto.hash(original))) == original


def test_key_is_pbkdf2_hmac_sha256_of_key_and_salt(crypto: TokenCrypto) -> None:
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key = hashlib.pbkdf2_hmac("sha256", b"secret", b"salt", PBKDF2_ITERATIONS, 32)
    sealed = b64url_decode(BLAH_SEALED)
    decryptor = Cipher(algorithms.AES(key), modes.CBC(sealed[:16])).decryptor()
    unpadder = padding.PKCS7(128).unpadder()
    plain = decryptor.update(sealed[32:]) + decryptor.finalize()
    assert unpadder.update(plain) + unpadder.finalize() == b"blah"


@pytest.mark.parametrize(
    "token",
    [
        b"",
        b64url_decode(BLAH_HASH),  # hash only, no ciphertext
        b64url_decode(BLAH_SEALED)[:-1],  # truncated block
        b64url_decode(BLAH_SEALED)[:32] + bytes(16),  # garbage block: bad padding
    ],
)
def test_open_rejects_what_does_not_decrypt(crypto: TokenCrypto, token: bytes) -> None:
    with pytest.raises(InvalidPseudonymToken) as caught:
        crypto.open(token)
    assert caught.value.status == 409
    assert caught.value.code == "TOKENIZED_REQUEST_PARAMETER_INVALID"


def test_open_with_another_key_fails() -> None:
    other = TokenCrypto(Secret("salt"), Secret("another key"))
    with pytest.raises(InvalidPseudonymToken):
        other.open(b64url_decode(BLAH_SEALED))


@pytest.mark.parametrize("key", [None, Secret("")])
def test_reversible_operations_need_the_key(key: Secret | None) -> None:
    crypto = TokenCrypto(Secret("salt"), key)
    assert crypto.hash("blah") == hashlib.sha256(b"blahsalt").digest()
    assert not crypto.can_reverse
    for attempt in (
        lambda: crypto.seal("blah", crypto.hash("blah")),
        lambda: crypto.open(b64url_decode(BLAH_SEALED)),
        crypto.require_key,
    ):
        with pytest.raises(MissingEncryptionKey, match="PSOXY_ENCRYPTION_KEY"):
            attempt()


def test_missing_key_error_names_the_given_setting() -> None:
    crypto = TokenCrypto(
        Secret("salt"), None, key_setting="ENCRYPTION_KEY_IP or PSOXY_ENCRYPTION_KEY"
    )
    with pytest.raises(MissingEncryptionKey, match="ENCRYPTION_KEY_IP or PSOXY_ENCRYPTION_KEY"):
        crypto.require_key()


def _counting_pbkdf2(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real: Callable[..., bytes] = hashlib.pbkdf2_hmac

    def counting(*args: object, **kwargs: object) -> bytes:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(hashlib, "pbkdf2_hmac", counting)
    return calls


def test_key_is_derived_lazily_and_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counting_pbkdf2(monkeypatch)
    crypto = TokenCrypto(Secret("salt"), Secret("secret"))
    crypto.hash("no key needed")
    assert calls == []
    for n in range(200):
        crypto.open(crypto.seal(str(n), crypto.hash(str(n))))
    assert calls == [1]


def test_concurrent_first_use_derives_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counting_pbkdf2(monkeypatch)
    crypto = TokenCrypto(Secret("salt"), Secret("secret"))
    start = threading.Barrier(8)
    results: list[bytes] = []

    def seal() -> None:
        start.wait()
        results.append(crypto.seal("blah", crypto.hash("blah")))

    threads = [threading.Thread(target=seal) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == [1]
    assert {b64url_encode(result) for result in results} == {BLAH_SEALED}


def test_b64url_round_trip_without_padding() -> None:
    for size in range(0, 50):
        data = bytes(range(size))
        encoded = b64url_encode(data)
        assert "=" not in encoded
        assert b64url_decode(encoded) == data
    assert len(b64url_encode(bytes(32))) == 43


@pytest.mark.parametrize("text", ["ab+c", "ab/c", "abc=", "a", "abcde", "ab c", "ab~c"])
def test_b64url_decode_is_strict(text: str) -> None:
    with pytest.raises(ValueError, match="base64url"):
        b64url_decode(text)
