"""Edges of hashing and reversible tokens: unpaired surrogates hash as `?` (as in Java), a
deployment without a key is told which setting to add, and malformed tokens are refused."""

from __future__ import annotations

import pytest

from proxy.errors import InvalidPseudonymToken, MissingEncryptionKey
from proxy.sanitize.pseudonyms._pseudonymizer import Pseudonymizer
from proxy.sanitize.pseudonyms._reversible import NOT_OURS, b64url_encode
from proxy.secret_value import Secret

PSEUDONYMS = Pseudonymizer(Secret("salt"), Secret("secret"))


def identity_hash(pseudonymizer: Pseudonymizer, value: str) -> str:
    identity = pseudonymizer.pseudonymize(value)
    assert identity is not None
    return identity.hash


def test_an_unpaired_surrogate_hashes_and_seals_as_a_question_mark() -> None:
    assert identity_hash(PSEUDONYMS, "user\ud800x") == identity_hash(PSEUDONYMS, "user?x")
    assert PSEUDONYMS.decrypt(PSEUDONYMS.tokenize("user\udfffx")) == "user?x"


def test_a_salt_with_an_unpaired_surrogate_counts_as_a_question_mark() -> None:
    odd, plain = Pseudonymizer(Secret("s\ud800")), Pseudonymizer(Secret("s?"))

    assert identity_hash(odd, "alice") == identity_hash(plain, "alice")


def test_without_a_key_the_setting_to_add_is_named() -> None:
    with pytest.raises(MissingEncryptionKey) as error:
        Pseudonymizer(Secret("salt")).tokenize("alice")
    assert (
        error.value.message
        == "reversible pseudonyms need an encryption key: set PSOXY_ENCRYPTION_KEY"
    )


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("alice", NOT_OURS),
        ("p~" + b64url_encode(bytes(40)), NOT_OURS),
        ("p~" + b64url_encode(bytes(32)), NOT_OURS),
    ],
    ids=["no-prefix", "ciphertext-not-whole-blocks", "no-ciphertext"],
)
def test_malformed_tokens_are_refused_with_one_message(token: str, message: str) -> None:
    with pytest.raises(InvalidPseudonymToken) as error:
        PSEUDONYMS.decrypt(token)
    assert error.value.message == message
