"""One deadline per request, so the proxy (not the platform) decides what a slow request gets.

Lambda ends an invocation at its timeout and resets the environment; Cloud Run answers 504 at
its timeout while the instance keeps working; API Gateway gives up after 30 s. Any of these
cuts the request off with a bare 5xx, may leave the refresh lock held, and may lose a rotated
refresh token held only in memory. So every request gets one `Deadline`, set by the platform
adapter and the gateway (the earliest wins), and every wait on the request's path takes its
time from it: the upstream call and its body, the token call, the refresh lock's back-off,
secret-store reads. When it runs out, the work stops with `DeadlineExceeded` (504 +
`Retry-After`), and the *wrap-up* (saving a rotated token, releasing the lock, answering)
still has `WRAP_UP_SECONDS` before the platform's own limit, which lies
`PLATFORM_MARGIN_SECONDS` after the deadline.

The active deadline travels in a context variable rather than through every signature: it
crosses the `SourceAuth`, `SecretStore` and lock interfaces, which stay as they are. Code
outside a request (the CLI tools) sees `UNBOUNDED` and keeps its own timeouts.

    with deadline_scope(Deadline.after(25.0)):
        gateway.handle(request)
    # deep inside: timeout = current_deadline().budget(30.0, "calling the token endpoint")
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import NamedTuple

from proxy.errors import DeadlineExceeded

__all__ = [
    "DEADLINE_RETRY_AFTER_SECONDS",
    "PLATFORM_MARGIN_SECONDS",
    "UNBOUNDED",
    "WRAP_UP_SECONDS",
    "Deadline",
    "current_deadline",
    "deadline_scope",
]

PLATFORM_MARGIN_SECONDS = 5.0
"""The deadline lies this far before the platform's limit (Terraform sets REQUEST_TIMEOUT_SECONDS
to the function timeout minus this; the Lambda handler subtracts it from the remaining time)."""

WRAP_UP_SECONDS = 3.0
"""After the deadline: time still given to saving a rotated token and releasing the lock."""

MIN_WRAP_UP_CALL_SECONDS = 1.0
"""A store write that keeps a rotated token is always tried once, with at least this timeout."""

DEADLINE_RETRY_AFTER_SECONDS = 10
"""`Retry-After` of a 504 for a request that ran out of time (a slow upstream is usually brief)."""


class Deadline(NamedTuple):
    """An instant on `clock` (monotonic seconds by default) by which the request's work ends."""

    expires_at: float
    clock: Callable[[], float] = time.monotonic

    def __repr__(self) -> str:
        return f"Deadline(expires_at={self.expires_at!r})"

    @classmethod
    def after(cls, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> Deadline:
        return cls(clock() + seconds, clock)

    def remaining(self) -> float:
        """Seconds left (negative once passed; `inf` when unbounded)."""
        return self.expires_at - self.clock()

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0

    def check(self, doing: str) -> None:
        """`DeadlineExceeded` once the deadline has passed; `doing` says where (for the log)."""
        if self.expired:
            raise DeadlineExceeded(
                f"the request ran out of time while {doing}",
                retry_after_seconds=DEADLINE_RETRY_AFTER_SECONDS,
            )

    def budget(self, limit: float, doing: str) -> float:
        """A timeout for one wait of the work: `limit`, or less if the deadline is nearer."""
        self.check(doing)
        return min(limit, self.remaining())

    def wrap_up_budget(self, limit: float) -> float:
        """A timeout for saving state after (or near) the deadline; never below a minimal try."""
        return min(limit, max(MIN_WRAP_UP_CALL_SECONDS, self.remaining() + WRAP_UP_SECONDS))

    @property
    def wrap_up_over(self) -> bool:
        """True once even the wrap-up time is spent: no further retries of a write."""
        return self.remaining() + WRAP_UP_SECONDS <= 0

    def earliest(self, other: Deadline) -> Deadline:
        return self if self.expires_at <= other.expires_at else other


UNBOUNDED = Deadline(math.inf)
"""No deadline: outside a request (CLI tools, tests of single parts)."""

_current: ContextVar[Deadline] = ContextVar("proxy_request_deadline", default=UNBOUNDED)


def current_deadline() -> Deadline:
    """The deadline of the request being handled on this thread, or `UNBOUNDED`."""
    return _current.get()


@contextmanager
def deadline_scope(deadline: Deadline) -> Iterator[Deadline]:
    """Make `deadline` (or an earlier one already in force) the current one within the block."""
    effective = _current.get().earliest(deadline)
    token = _current.set(effective)
    try:
        yield effective
    finally:
        _current.reset(token)
