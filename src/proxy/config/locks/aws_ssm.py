"""The reference's SSM lock: parameter ``<instance prefix>OAUTH_REFRESH_TOKEN_lock``.

Acquire: create the parameter with ``Overwrite=False`` (put-if-absent), wait 100-300 ms, read
it back and hold the lock only if it still carries our value. A lock older than its
time-to-live (120 s, by the parameter's LastModifiedDate) is stale: it is deleted and the
caller tries again on its next attempt. Release deletes the parameter only if it still carries
our value, so we never delete a lock another instance took after ours went stale.

The value is ``locked_<epochMillis>_<owner>``; Java instances only test presence and age, so
both can share one lock during a migration.
"""

from __future__ import annotations

import logging
import random
from typing import TYPE_CHECKING

from proxy.config.locks.base import LockLease, new_owner_id
from proxy.config.stores.aws_errors import AWS_ERRORS, aws_error_code
from proxy.config.timing import Clock, Sleep
from proxy.log_events import LogEvent, event

if TYPE_CHECKING:
    from mypy_boto3_ssm.client import SSMClient

__all__ = ["SsmParameterLock"]

_log = logging.getLogger(__name__)


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

    @property
    def name(self) -> str:
        return self._name

    def try_acquire(self) -> LockLease | None:
        now = self._clock()
        value = f"locked_{int(now * 1000)}_{new_owner_id()}"
        try:
            self._client.put_parameter(Name=self._name, Value=value, Type="String", Overwrite=False)
        except AWS_ERRORS as exc:
            if aws_error_code(exc) == "ParameterAlreadyExists":
                self._remove_if_stale()
            else:
                _log.warning(
                    "lock %s: put failed (%s)",
                    self._name,
                    aws_error_code(exc),
                    extra=event(LogEvent.LOCK_ERROR),
                )
            return None
        lease = LockLease(name=self._name, owner=value, acquired_at=now)
        self._sleep(0.1 + self._rng.random() * 0.2)
        try:
            current = self._current_value()
        except AWS_ERRORS as exc:
            _log.warning(
                "lock %s: read-back failed (%s)",
                self._name,
                aws_error_code(exc),
                extra=event(LogEvent.LOCK_ERROR),
            )
            self.release(lease)
            return None
        if current != value:
            _log.info(
                "lock %s: lost the race to another instance",
                self._name,
                extra=event(LogEvent.LOCK_LOST_RACE),
            )
            return None
        return lease

    def release(self, lease: LockLease) -> None:
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
            if aws_error_code(exc) != "ParameterNotFound":
                _log.warning(
                    "lock %s: release failed (%s)",
                    self._name,
                    aws_error_code(exc),
                    extra=event(LogEvent.LOCK_ERROR),
                )

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
            if aws_error_code(exc) != "ParameterNotFound":
                _log.warning(
                    "lock %s: stale check failed (%s)",
                    self._name,
                    aws_error_code(exc),
                    extra=event(LogEvent.LOCK_ERROR),
                )
