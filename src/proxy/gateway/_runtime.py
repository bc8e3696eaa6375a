"""What a request needs that depends on secrets and rules, built once per warm instance.

Building may fail for reasons an operator must fix (no salt, invalid rules) or that pass by
themselves (the secret store is briefly unreachable). Only a success is kept (`Lazy`), so a
transient failure is retried on the next request, and the health check can still answer.

The rules' three uses sit side by side: routing (`endpoints`, which endpoint allows a request),
the way back from pseudonyms (`reverse_tokens` and `decrypt_token`, for `p~` tokens in a
request) and sanitizing (`sanitizer`, for what leaves).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import NamedTuple

from proxy.auth import SourceAuth
from proxy.gateway._upstream import Upstream
from proxy.lazy import Lazy
from proxy.rules import EndpointMatcher, Rules
from proxy.sanitize import Sanitizer
from proxy.sanitize.pseudonyms import ReverseTokens
from proxy.secret_value import Secret

__all__ = ["LazyRuntime", "Runtime", "salt_sha256"]

_SALT_HASH_CONSTANT = "f33c366c-ae91-4819-b221-f9794ebb8145"


def salt_sha256(salt: Secret) -> str:
    """The reference's `saltSha256Hash`: lets an operator compare salts without seeing them."""
    digest = hashlib.sha256((salt.reveal() + _SALT_HASH_CONSTANT).encode("utf-8")).digest()
    return base64.b64encode(digest).decode("ascii").rstrip("=").replace("/", "_").replace("+", ".")


class Runtime(NamedTuple):
    rules: Rules
    endpoints: EndpointMatcher
    reverse_tokens: ReverseTokens
    decrypt_token: Callable[[str], str]
    """A `p~` token's plaintext (`Pseudonymizer.decrypt`): what an answer must not echo."""
    sanitizer: Sanitizer
    source_auth: SourceAuth
    upstream: Upstream
    salt_sha256: str
    rewrite_link_header: Callable[[str], str | None] | None = None
    """Makes an upstream `Link` header identifier-free; None (or a None result) drops it."""


LazyRuntime = Lazy[Runtime]
"""The runtime, built on the first request that needs it (see `proxy.lazy.Lazy`)."""
