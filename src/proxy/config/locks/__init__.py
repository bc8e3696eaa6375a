"""Cross-instance locks for the single-flight token refresh, one implementation per store.

Owns the lock protocol (`DistributedLock`: acquisition never blocks, release is owner-checked)
and its implementations: an in-process lock, a lock file, an SSM parameter and a GCP secret
label (the last two private modules, imported with their stores).

May import: the kernel (`proxy.timing`, `proxy.errors`, `proxy.deadline`, logging helpers), and
the AWS error helpers its SSM lock shares with the AWS stores (`proxy.config._aws_errors`).

>>> from proxy.timing import system_clock
>>> lock = ThreadLock("OAUTH_REFRESH_TOKEN", clock=system_clock)
>>> lease = lock.try_acquire()
>>> lock.try_acquire() is None  # held: a second caller backs off
True
>>> lock.release(lease)  # only by its owner
True
"""

from proxy.config.locks._base import (
    DEFAULT_LOCK_TTL_SECONDS,
    DistributedLock,
    LockLease,
    ThreadLock,
    new_owner_id,
)
from proxy.config.locks._local_file import FileLock, exclusive_file_lock

__all__ = [
    "DEFAULT_LOCK_TTL_SECONDS",
    "DistributedLock",
    "FileLock",
    "LockLease",
    "ThreadLock",
    "exclusive_file_lock",
    "new_owner_id",
]
