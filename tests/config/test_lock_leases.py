"""What a lease says and who may end it: the in-process lock of the ENV store, and the lock
file's contents and permissions."""

from __future__ import annotations

import logging
import os
import re
import stat
import threading
from pathlib import Path

import pytest

from proxy.config.locks import LockLease, ThreadLock
from proxy.config.locks._local_file import FileLock
from support.fake_clock import FakeClock


def test_the_thread_lock_is_exclusive_and_released_only_by_its_holder(clock: FakeClock) -> None:
    lock = ThreadLock("PSOXY_X_OAUTH_REFRESH_TOKEN", clock=clock.now)

    lease = lock.try_acquire()

    assert lease is not None
    assert (lease.name, lease.acquired_at) == ("PSOXY_X_OAUTH_REFRESH_TOKEN", clock.now())
    assert re.fullmatch(r"[0-9a-f]{32}", lease.owner)
    other: list[LockLease | None] = []
    thread = threading.Thread(target=lambda: other.append(lock.try_acquire()))
    thread.start()
    thread.join()
    assert other == [None]  # another thread does not wait: it gets nothing
    lock.release(LockLease(name=lease.name, owner="someone-else", acquired_at=0.0))
    assert lock.try_acquire() is None  # a stranger's release changed nothing

    # True: released, nothing for the caller to retry (the auth retries a False next request)
    assert lock.release(lease) is True
    again = lock.try_acquire()
    assert again is not None and again.owner != lease.owner
    lock.release(lease)  # a late release of the old lease does not free the new one
    assert lock.try_acquire() is None
    lock.release(again)
    assert lock.try_acquire() is not None


def test_releasing_a_thread_lock_nobody_holds_is_harmless(clock: FakeClock) -> None:
    lock = ThreadLock("L", clock=clock.now)

    for owner in ["", "anything"]:
        lock.release(LockLease(name="L", owner=owner, acquired_at=0.0))
    lease = lock.try_acquire()
    assert lease is not None
    lock.release(lease)
    for owner in ["", lease.owner]:  # after a release, nobody holds it again
        lock.release(LockLease(name="L", owner=owner, acquired_at=0.0))

    assert lock.try_acquire() is not None


def test_the_lock_file_names_its_holder_and_only_its_owner_can_read_it(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "refresh.lock"
    path.write_text("x" * 200)  # left over from an earlier holder
    os.chmod(path, 0o600)
    fresh = tmp_path / "fresh.lock"
    lock = FileLock(path, clock=clock.now)

    lease = lock.try_acquire()
    fresh_lease = FileLock(fresh, clock=clock.now).try_acquire()

    assert lease is not None and fresh_lease is not None
    assert (lease.name, lease.acquired_at) == (str(path), clock.now())
    assert path.read_text() == f"{lease.owner} pid={os.getpid()}\n"
    assert re.fullmatch(r"[0-9a-f]{32}", lease.owner)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600


def test_a_lease_without_a_file_descriptor_is_not_released(
    tmp_path: Path, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    lock = FileLock(tmp_path / "x.lock", clock=clock.now)
    lease = lock.try_acquire()
    assert lease is not None

    # True: there is nothing a retry could release (False would have the auth try again and
    # log this at every request)
    assert lock.release(LockLease(name=lease.name, owner=lease.owner, acquired_at=0.0)) is True

    assert [(r.levelno, r.getMessage(), r.__dict__["event"]) for r in caplog.records] == [
        (
            logging.WARNING,
            f"ignoring release of {tmp_path / 'x.lock'}: the lease holds no file descriptor",
            "lock_error",
        )
    ]
    assert FileLock(tmp_path / "x.lock", clock=clock.now).try_acquire() is None
    lock.release(lease)
