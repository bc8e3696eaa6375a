"""Access tokens as the refresh flow holds them, and the reference's shared-token JSON.

The shared copy lives in the store as ``ACCESS_TOKEN``: compact JSON
``{"token":"<access token>","expirationDate":<epoch millis>}`` (keys in that order, as the
reference writes it), so Java and Python instances can share one token during a migration.

>>> encode_shared(AccessToken(Secret("at"), expires_at=1700000000.0))
'{"token":"at","expirationDate":1700000000000}'
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Container, Sequence
from typing import NamedTuple

from proxy.config.stores import StoredVersion
from proxy.secret_value import Secret

__all__ = ["AccessToken", "decode_shared", "encode_shared", "fingerprint", "pick_latest_shared"]


def fingerprint(secret: Secret) -> str:
    """A short, stable, non-reversible id of a token: safe to log and to compare."""
    return "sha256:" + hashlib.sha256(secret.reveal().encode()).hexdigest()[:16]


class AccessToken(NamedTuple):
    """A bearer token and when it expires (epoch seconds; None = unknown, treated as expired)."""

    value: Secret
    expires_at: float | None

    @property
    def token_id(self) -> str:
        return fingerprint(self.value)

    def expired(self, now: float) -> bool:
        return self.expires_at is None or now >= self.expires_at


def encode_shared(token: AccessToken) -> str:
    expiration = None if token.expires_at is None else int(token.expires_at * 1000)
    payload = {"token": token.value.reveal(), "expirationDate": expiration}
    return json.dumps(payload, separators=(",", ":"))


def decode_shared(text: str) -> AccessToken | None:
    """The token in a shared value, or None if the value is not the expected JSON."""
    try:
        payload = json.loads(text)
    except json.JSONDecodeError:
        return None
    if not isinstance(payload, dict):
        return None
    value, expiration = payload.get("token"), payload.get("expirationDate")
    if not isinstance(value, str) or not value:
        return None
    if expiration is not None and (isinstance(expiration, bool) or not isinstance(expiration, int)):
        return None
    return AccessToken(Secret(value), None if expiration is None else expiration / 1000)


def pick_latest_shared(
    versions: Sequence[StoredVersion], *, skip: Container[str] = ()
) -> AccessToken | None:
    """The parseable token with the latest expiry (unknown expiry last); ties go to the newer
    version. Tokens whose id is in ``skip`` (rejected upstream) are ignored."""
    best: tuple[float, int, AccessToken] | None = None
    for version in versions:
        token = decode_shared(version.value.reveal())
        if token is None or token.token_id in skip:
            continue
        expiry = token.expires_at if token.expires_at is not None else float("-inf")
        rank = (expiry, _version_rank(version.version), token)
        if best is None or rank[:2] > best[:2]:
            best = rank
    return best[2] if best is not None else None


def _version_rank(version: str) -> int:
    """Numeric versions compare as numbers (the reference compared strings: "9" > "10")."""
    return int(version) if version.isdigit() else -1
