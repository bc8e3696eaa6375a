"""The cross-instance lock that makes an OAuth refresh happen once across all instances.

Each secret store provides one (SSM parameter, GCP secret label, local file lock, in-process
lock). All share two rules: acquisition never blocks (the caller decides how long to back off),
and release is owner-checked, so a late release never deletes a lock someone else now holds.

    lease = lock.try_acquire()
    if lease is not None:
        try:
            ...refresh...
        finally:
            lock.release(lease)
"""

from __future__ import annotations

import logging
import threading
import uuid
from typing import NamedTuple, Protocol

from proxy.log_events import LogEvent, event
from proxy.timing import Clock

__all__ = [
    "DEFAULT_LOCK_TTL_SECONDS",
    "DistributedLock",
    "LockLease",
    "ThreadLock",
    "log_lock_failure",
    "new_owner_id",
]

DEFAULT_LOCK_TTL_SECONDS = 120.0
"""A lock older than this is stale: its holder is presumed dead (the reference's 2 minutes)."""


def log_lock_failure(logger: logging.Logger, lock: str, step: str, cause: str) -> None:
    """One `lock_error` warning for a store call a lock could not make: the step and the kind
    of error (an AWS error code, an exception class), never its message, which may quote data."""
    logger.warning("lock %s: %s failed (%s)", lock, step, cause, extra=event(LogEvent.LOCK_ERROR))


def new_owner_id() -> str:
    """A fresh random identity for one acquisition (fits in a GCP label value)."""
    return uuid.uuid4().hex


class LockLease(NamedTuple):
    """Proof of holding a lock: what `release` checks before letting go."""

    name: str
    owner: str
    acquired_at: float
    handle: object | None = None
    """What the lock keeps open while held (a file lock's descriptor); not in the repr."""

    def __repr__(self) -> str:
        return (
            f"LockLease(name={self.name!r}, owner={self.owner!r}, acquired_at={self.acquired_at!r})"
        )


class DistributedLock(Protocol):
    """A named, non-blocking, owner-checked lock shared by every instance of the proxy."""

    @property
    def name(self) -> str:
        """The lock's resource name (a parameter, secret or file), for logs and errors."""
        ...

    def try_acquire(self) -> LockLease | None:
        """Take the lock if it is free (or stale); None when someone else holds it."""
        ...

    def release(self, lease: LockLease) -> bool:
        """Let go, but only if we still hold it; never raises (problems are logged).

        False when the store could not be asked: the lock may still be held, so the caller
        should try again later (until then it stops other instances for its lifetime).
        """
        ...


class ThreadLock:
    """Lock within one process only: for the ENV store, where there is a single local process."""

    def __init__(self, name: str, *, clock: Clock) -> None:
        self._name = name
        self._clock = clock
        self._lock = threading.Lock()
        self._owner: str | None = None

    @property
    def name(self) -> str:
        return self._name

    def try_acquire(self) -> LockLease | None:
        if not self._lock.acquire(blocking=False):
            return None
        self._owner = new_owner_id()
        return LockLease(name=self._name, owner=self._owner, acquired_at=self._clock())

    def release(self, lease: LockLease) -> bool:
        if self._owner is not None and lease.owner == self._owner:
            self._owner = None
            self._lock.release()
        return True
