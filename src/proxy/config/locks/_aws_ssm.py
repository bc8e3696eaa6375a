"""The reference's SSM lock: parameter ``<instance prefix>OAUTH_REFRESH_TOKEN_lock``.

Acquire: create the parameter with ``Overwrite=False`` (put-if-absent), wait 100-300 ms, read
it back and hold the lock only if it still carries our value. A lock older than its
time-to-live (120 s, by the parameter's LastModifiedDate) is stale: it is deleted and the
caller tries again on its next attempt. Release deletes the parameter only if it still carries
our value, so we never delete a lock another instance took after ours went stale.

The value is ``locked_<epochMillis>_<instance>``, where ``<instance>`` is fixed for the life of
this lock object (one per warm instance). A release the store failed leaves the parameter
behind; other instances wait for its lifetime to end, but this one, finding its own value and
no lease of its own still in use, deletes it and takes the lock at once. Java instances only
test presence and age, so both can share one lock during a migration.
"""

from __future__ import annotations

import logging
import random
import threading
from typing import TYPE_CHECKING

from proxy.config._aws_errors import AWS_ERRORS, aws_error_code
from proxy.config.locks._base import LockLease, log_lock_failure, new_owner_id
from proxy.log_events import LogEvent, event
from proxy.timing import Clock, Sleep

if TYPE_CHECKING:
    from mypy_boto3_ssm.client import SSMClient

__all__ = ["SsmParameterLock"]

_log = logging.getLogger("proxy.config.locks.aws_ssm")  # stable name, as logged


class SsmParameterLock:
    """Owner-checked lock held as an SSM String parameter."""

    def __init__(
        self,
        client: SSMClient,
        parameter_name: str,
        *,
        ttl_seconds: float,
        clock: Clock,
        sleep: Sleep,
        rng: random.Random | None = None,
    ) -> None:
        self._client = client
        self._name = parameter_name
        self._ttl = ttl_seconds
        self._clock = clock
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not security
        self._instance = new_owner_id()
        self._in_use: set[str] = set()  # values of leases handed out and not yet let go
        self._in_use_lock = threading.Lock()

    @property
    def name(self) -> str:
        return self._name

    def try_acquire(self) -> LockLease | None:
        now = self._clock()
        value = f"locked_{int(now * 1000)}_{self._instance}"
        with self._in_use_lock:
            self._in_use.add(value)  # before the put: never mistaken for an orphan of ours
        if not self._put_if_absent(value, reclaim=True):
            self._let_go(value)
            return None
        lease = LockLease(name=self._name, owner=value, acquired_at=now)
        self._sleep(0.1 + self._rng.random() * 0.2)
        try:
            current = self._current_value()
        except AWS_ERRORS as exc:
            self._failed("read-back", exc)
            self.release(lease)
            return None
        if current != value:
            _log.info(
                "lock %s: lost the race to another instance",
                self._name,
                extra=event(LogEvent.LOCK_LOST_RACE),
            )
            self._let_go(value)
            return None
        return lease

    def release(self, lease: LockLease) -> bool:
        self._let_go(lease.owner)
        try:
            if self._current_value() == lease.owner:
                self._client.delete_parameter(Name=self._name)
            else:
                _log.warning(
                    "lock %s: not ours any more; left in place",
                    self._name,
                    extra=event(LogEvent.LOCK_NOT_OWNED),
                )
        except AWS_ERRORS as exc:
            return self._already_gone(exc, "release")
        return True

    def _put_if_absent(self, value: str, *, reclaim: bool) -> bool:
        """Create the lock parameter; on a conflict, take back our orphan or clear a stale one."""
        try:
            self._client.put_parameter(Name=self._name, Value=value, Type="String", Overwrite=False)
        except AWS_ERRORS as exc:
            if aws_error_code(exc) != "ParameterAlreadyExists":
                self._failed("put", exc)
            elif reclaim and self._remove_own_orphan():
                return self._put_if_absent(value, reclaim=False)
            else:
                self._remove_if_stale()
            return False
        return True

    def _remove_own_orphan(self) -> bool:
        """Delete the lock if it is ours and no lease of ours is in use: a release that failed."""
        try:
            current = self._current_value()
            with self._in_use_lock:
                orphan = current is not None and current not in self._in_use
            if not orphan or current is None or not current.endswith(f"_{self._instance}"):
                return False
            _log.warning(
                "lock %s: left behind by a failed release; taking it back",
                self._name,
                extra=event(LogEvent.LOCK_STALE),
            )
            self._client.delete_parameter(Name=self._name)
        except AWS_ERRORS as exc:
            return self._already_gone(exc, "take-back")
        return True

    def _already_gone(self, exc: Exception, step: str) -> bool:
        """True when `step` failed only because the lock parameter is gone (what it wanted);
        any other failure is logged and False."""
        if aws_error_code(exc) == "ParameterNotFound":
            return True
        self._failed(step, exc)
        return False

    def _failed(self, step: str, exc: Exception) -> None:
        log_lock_failure(_log, self._name, step, aws_error_code(exc))

    def _let_go(self, value: str) -> None:
        with self._in_use_lock:
            self._in_use.discard(value)

    def _current_value(self) -> str | None:
        try:
            return self._client.get_parameter(Name=self._name)["Parameter"].get("Value")
        except AWS_ERRORS as exc:
            if aws_error_code(exc) == "ParameterNotFound":
                return None
            raise

    def _remove_if_stale(self) -> None:
        """Delete a lock whose holder is presumed dead; the next attempt may then take it."""
        try:
            parameter = self._client.get_parameter(Name=self._name)["Parameter"]
            modified = parameter.get("LastModifiedDate")
            if modified is None or self._clock() - modified.timestamp() <= self._ttl:
                return
            if self._current_value() == parameter.get("Value"):
                _log.warning(
                    "lock %s: stale (holder presumed dead); removing it",
                    self._name,
                    extra=event(LogEvent.LOCK_STALE),
                )
                self._client.delete_parameter(Name=self._name)
        except AWS_ERRORS as exc:
            self._already_gone(exc, "stale check")
