"""Cross-instance locks for the single-flight token refresh (one implementation per store)."""

from proxy.config.locks._base import (
    DEFAULT_LOCK_TTL_SECONDS,
    DistributedLock,
    LockLease,
    ThreadLock,
    new_owner_id,
)

__all__ = ["DEFAULT_LOCK_TTL_SECONDS", "DistributedLock", "LockLease", "ThreadLock", "new_owner_id"]
