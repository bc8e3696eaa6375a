"""The reference's GCP lock: label ``locked`` on secret ``<instance prefix>OAUTH_REFRESH_TOKEN``.

Acquire: read the secret; if its ``locked`` label (epoch millis) is missing or older than the
time-to-live, set it to now, together with ``locked_by=<owner>``, in an update conditioned on
the etag we read; a concurrent update makes ours fail (FAILED_PRECONDITION), so exactly one
instance wins. Release removes both labels only while ``locked_by`` is still ours.

Unlike the reference, a missing lock secret is an error naming the secret (the reference
silently failed every refresh). Calls end at the request's deadline; release gets its wrap-up
time, so a lock taken just before the deadline is still let go.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from google.api_core import exceptions as gexc
from google.cloud.secretmanager_v1 import types

from proxy.config.locks._base import LockLease, log_lock_failure, new_owner_id
from proxy.deadline import current_deadline
from proxy.errors import MissingSecretError
from proxy.log_events import LogEvent, event
from proxy.timing import Clock

if TYPE_CHECKING:
    from google.cloud.secretmanager_v1 import SecretManagerServiceClient

__all__ = ["GcpSecretLabelLock"]

_log = logging.getLogger("proxy.config.locks.gcp_secret_label")  # stable name, as logged
LOCKED = "locked"
LOCKED_BY = "locked_by"
_RELEASE_ATTEMPTS = 3


class GcpSecretLabelLock:
    """Owner-checked lock held as labels on a Secret Manager secret, guarded by its etag."""

    def __init__(
        self,
        client: SecretManagerServiceClient,
        secret_path: str,
        *,
        ttl_seconds: float,
        clock: Clock,
        rpc_timeout: float,
    ) -> None:
        self._client = client
        self._path = secret_path
        self._ttl_ms = int(ttl_seconds * 1000)
        self._clock = clock
        self._timeout = rpc_timeout

    @property
    def name(self) -> str:
        return self._path

    def try_acquire(self) -> LockLease | None:
        now = self._clock()
        now_ms = int(now * 1000)
        timeout = current_deadline().budget(self._timeout, "taking the token refresh lock")
        try:
            secret = self._client.get_secret(name=self._path, timeout=timeout)
        except gexc.NotFound:
            raise MissingSecretError(
                f"lock secret {self._path} does not exist; create it (Terraform does) and grant "
                "the function's service account permission to update it"
            ) from None
        except gexc.GoogleAPICallError as exc:
            log_lock_failure(_log, self._path, "read", type(exc).__name__)
            return None
        locked_since = _millis(secret.labels.get(LOCKED))
        if locked_since is not None and now_ms - locked_since < self._ttl_ms:
            return None
        if locked_since is not None:
            _log.warning(
                "lock %s: stale (holder presumed dead); taking it over",
                self._path,
                extra=event(LogEvent.LOCK_STALE),
            )
        owner = new_owner_id()
        labels = dict(secret.labels)
        labels.update({LOCKED: str(now_ms), LOCKED_BY: owner})
        if not self._update_labels(secret, labels, timeout):
            return None
        return LockLease(name=self._path, owner=owner, acquired_at=now)

    def release(self, lease: LockLease) -> bool:
        for _ in range(_RELEASE_ATTEMPTS):
            timeout = current_deadline().wrap_up_budget(self._timeout)
            try:
                secret = self._client.get_secret(name=self._path, timeout=timeout)
            except gexc.GoogleAPICallError as exc:
                log_lock_failure(_log, self._path, "release read", type(exc).__name__)
                return False
            if secret.labels.get(LOCKED_BY) != lease.owner:
                _log.warning(
                    "lock %s: not ours any more; left in place",
                    self._path,
                    extra=event(LogEvent.LOCK_NOT_OWNED),
                )
                return True
            labels = {k: v for k, v in secret.labels.items() if k not in (LOCKED, LOCKED_BY)}
            if self._update_labels(secret, labels):
                return True
        _log.warning(
            "lock %s: release kept conflicting; it will go stale",
            self._path,
            extra=event(LogEvent.LOCK_ERROR),
        )
        return False

    def _update_labels(
        self, secret: types.Secret, labels: dict[str, str], timeout: float | None = None
    ) -> bool:
        """Conditional update (etag); False when someone else changed the secret meanwhile.

        Without `timeout`, the update lets go of the lock: it gets the deadline's wrap-up time.
        """
        update = types.Secret(name=secret.name, labels=labels, etag=secret.etag)
        if timeout is None:
            timeout = current_deadline().wrap_up_budget(self._timeout)
        try:
            self._client.update_secret(
                request={"secret": update, "update_mask": {"paths": ["labels"]}},
                timeout=timeout,
            )
        except (gexc.FailedPrecondition, gexc.Aborted):
            return False
        except gexc.GoogleAPICallError as exc:
            log_lock_failure(_log, self._path, "label update", type(exc).__name__)
            return False
        return True


def _millis(value: str | None) -> int | None:
    """The label as epoch millis; a malformed label counts as missing (so, stale)."""
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
