"""When to stop reusing an access token: the reference's randomized proactive window.

A token is refreshed when ``now > expiry - G``, with ``G`` drawn afresh on every check from
[60, 600) seconds: never used in its last minute, always reused with more than ten minutes
left, refreshed at random in between (so many instances do not all refresh at once).

    window = RefreshWindow(rng=random.Random(1))
    window.needs_refresh(token, now)
"""

from __future__ import annotations

import random

from proxy.auth._access_token import AccessToken

__all__ = ["RefreshWindow"]


class RefreshWindow:
    """The window's bounds and the random source its margins are drawn from."""

    __slots__ = ("max_seconds", "min_seconds", "rng")

    def __init__(
        self, min_seconds: int = 60, max_seconds: int = 600, rng: random.Random | None = None
    ) -> None:
        self.min_seconds = min_seconds
        self.max_seconds = max_seconds
        self.rng = rng if rng is not None else random.Random()  # noqa: S311 - not for secrets

    def needs_refresh(self, token: AccessToken | None, now: float) -> bool:
        if token is None or token.expires_at is None:
            return True
        margin = self.rng.randrange(self.min_seconds, self.max_seconds)
        return now > token.expires_at - margin
