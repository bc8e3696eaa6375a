"""A lock file held with ``flock``: shared by every process (and thread) on one machine.

The kernel drops a ``flock`` when its holder dies, so a crashed holder never leaves a stale
lock behind; no time-to-live is needed. Each acquisition opens its own file descriptor, which
makes two threads of one process exclude each other too (flock locks belong to the open file,
not to the process).

    lock = FileLock(Path("secrets.json.OAUTH_REFRESH_TOKEN.lock"), clock=time.time)
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from collections.abc import Iterator
from pathlib import Path

from proxy.config.locks._base import LockLease, new_owner_id
from proxy.errors import ConfigStoreUnavailable
from proxy.log_events import LogEvent, event
from proxy.timing import Clock

__all__ = ["FileLock", "exclusive_file_lock"]

_log = logging.getLogger("proxy.config.locks.local_file")  # stable name, as logged


class FileLock:
    """Non-blocking, owner-checked lock on one file."""

    def __init__(self, path: Path, *, clock: Clock) -> None:
        self._path = path
        self._clock = clock

    @property
    def name(self) -> str:
        return str(self._path)

    def try_acquire(self) -> LockLease | None:
        try:
            fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise ConfigStoreUnavailable(
                f"cannot open lock file {self._path}: {exc.strerror}"
            ) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        owner = new_owner_id()
        os.ftruncate(fd, 0)
        os.write(fd, f"{owner} pid={os.getpid()}\n".encode())
        return LockLease(name=self.name, owner=owner, acquired_at=self._clock(), handle=fd)

    def release(self, lease: LockLease) -> bool:
        if not isinstance(lease.handle, int):
            _log.warning(
                "ignoring release of %s: the lease holds no file descriptor",
                self.name,
                extra=event(LogEvent.LOCK_ERROR),
            )
            return True
        try:
            fcntl.flock(lease.handle, fcntl.LOCK_UN)
        finally:
            os.close(lease.handle)  # the kernel drops the lock with the descriptor
        return True


@contextlib.contextmanager
def exclusive_file_lock(path: Path) -> Iterator[None]:
    """Blocking exclusive ``flock`` for a short critical section (e.g. a read-modify-write)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
