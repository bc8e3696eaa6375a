"""`p~` tokens the proxy did not make are refused with 409 and a message saying what is wrong
with them; nothing reaches upstream. (Reversible tokens can be sent back, so they are input.)"""

from __future__ import annotations

import httpx
import pytest

from proxy.http._models import HttpRequest
from proxy.sanitize.pseudonyms._pseudonymizer import Pseudonymizer
from proxy.sanitize.pseudonyms._reversible import b64url_decode, b64url_encode
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
        ("p~" + "A" * 65, b"a p~ token is not one this deployment made"),  # 65: not base64
        # one message for every token that fails to decrypt or to match its hash: a message per
        # reason would be a padding oracle (flip IV bytes until the answer changes)
        ("p~" + "A" * 64, b"a p~ token is not one this deployment made"),
        (OTHER_KEY, b"a p~ token is not one this deployment made"),
        (ALTERED, b"a p~ token is not one this deployment made"),
    ],
    ids=["not-base64url", "garbage", "other-key", "hash-altered"],
)
def test_a_token_made_elsewhere_is_refused_with_one_message(token: str, message: bytes) -> None:
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
