"""The small interface between the gateway and source authentication.

The gateway drives the flow (as httpx's ``Auth.auth_flow`` does): it asks for credentials,
makes the upstream call, and on a ``401`` tells the auth which credentials were rejected, then
asks once more. Everything about tokens, stores, locks and rotation stays behind this seam.
The gateway's `_call` does this, with an auth whose first token the upstream refuses here:

>>> class TwoTokens:
...     tokens = iter(["t1", "t2"])
...     def credentials(self):
...         token = next(self.tokens)
...         return UpstreamCredentials({"Authorization": f"Bearer {token}"}, token_id=token)
...     def rejected(self, credentials):
...         return True  # forgotten: the next credentials() carry another token
>>> def upstream(headers):
...     return 401 if headers["Authorization"] == "Bearer t1" else 200
>>> auth = TwoTokens()
>>> creds = auth.credentials()
>>> status = upstream(creds.headers)
>>> if status == 401 and auth.rejected(creds):
...     creds = auth.credentials()  # a fresh token, never the rejected one
...     status = upstream(creds.headers)
>>> status, creds.token_id
(200, 't2')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple, Protocol, runtime_checkable

__all__ = ["SourceAuth", "UpstreamCredentials"]


class UpstreamCredentials(NamedTuple):
    """Headers to add to one upstream call, plus an opaque id of the token they carry.

    ``token_id`` lets ``SourceAuth.rejected`` discard exactly the token that failed; it is a
    fingerprint (e.g. a short hash), never the token itself. ``headers`` hold the secret, so the
    repr hides them.
    """

    headers: Mapping[str, str]
    token_id: str

    def __repr__(self) -> str:
        return f"UpstreamCredentials(token_id={self.token_id!r})"


@runtime_checkable
class SourceAuth(Protocol):
    """Gives the headers for an upstream call; is told when the token it gave was rejected."""

    def credentials(self) -> UpstreamCredentials:
        """Credentials valid for at least the next call; may refresh (under a lock) first.

        Raises ``proxy.errors.SourceAuthError`` (or a subclass) when none can be obtained.
        """
        ...

    def rejected(self, credentials: UpstreamCredentials) -> bool:
        """Upstream answered 401 to these credentials: forget them everywhere they are cached.

        True when the next `credentials()` carries another token (a retry is worth it); False
        when the token is kept, e.g. because a 401 anyone can provoke must not drive refresh
        token rotations faster than the auth allows.
        """
        ...

    def health(self) -> Mapping[str, object]:
        """JSON-able status for the health check: never tokens, only facts about them."""
        ...
