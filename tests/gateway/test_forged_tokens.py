"""`p~` tokens the proxy did not make are refused with 409 and a message saying what is wrong
with them; nothing reaches upstream. (Reversible tokens can be sent back, so they are input.)"""

from __future__ import annotations

import httpx
import pytest

from proxy.gateway.models import HttpRequest
from proxy.sanitize.pseudonyms import Pseudonymizer
from proxy.sanitize.reversible import b64url_decode, b64url_encode
from proxy.secret_value import Secret
from support.custom_rules import ACCOUNT_RULES, LEGACY_ID, PROPERTY
from support.gateway_rig import build_gateway, custom_sanitizer

RULES = custom_sanitizer(ACCOUNT_RULES.read_text())
OTHER_KEY = Pseudonymizer(Secret("salt"), Secret("another-key")).tokenize(LEGACY_ID)


def with_hash_altered(token: str) -> str:
    """The same ciphertext and IV (the hash's first 16 bytes), the hash's tail changed."""
    sealed = bytearray(b64url_decode(token.removeprefix("p~")))
    sealed[20] ^= 0x01
    return "p~" + b64url_encode(bytes(sealed))


ALTERED = with_hash_altered(RULES.pseudonymizer.tokenize(LEGACY_ID))


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("p~" + "A" * 65, b"a p~ token is not valid base64url"),  # 65 characters: not base64
        ("p~" + "A" * 64, b"a p~ token could not be decrypted with this deployment's key"),
        (OTHER_KEY, b"a p~ token could not be decrypted with this deployment's key"),
        (ALTERED, b"a p~ token does not match its hash"),
    ],
    ids=["not-base64url", "garbage", "other-key", "hash-altered"],
)
def test_a_token_made_elsewhere_is_refused_with_its_reason(token: str, message: bytes) -> None:
    received: list[httpx.Request] = []

    def upstream(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(200, json={})

    response = build_gateway(upstream, rules=RULES).handle(
        HttpRequest("GET", PROPERTY.format(account=token))
    )

    assert (response.status, response.headers.get("X-Psoxy-Error"), response.body) == (
        409,
        "TOKENIZED_REQUEST_PARAMETER_INVALID",
        message,
    )
    assert received == []
