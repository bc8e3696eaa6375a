"""Rotated refresh tokens: persisted first, with retries, and never dropped silently.

Atlassian invalidates the refresh token we just used (after a short leeway), so the rotated one
is the only way forward. `persist` writes it with retries (past the request's deadline, within
its wrap-up time); if the store still refuses, the token is kept in memory as *pending* and
logged as unsaved: the next exchange uses it, every later request retries the write, and the
health check reports it until it is saved.

A pending token is abandoned only when the store already moved on past the token it replaces
(another instance rotated, or an operator stored a fresh token after re-consenting): writing
ours then would overwrite a newer token with an older sibling.

    rotation = RotatedRefreshTokens(store, clock=time.time, sleep=time.sleep)
    rotation.persist(new_token, used=old_token)
"""

from __future__ import annotations

import logging
import threading
from typing import NamedTuple

from proxy.config.stores import SecretStore
from proxy.deadline import current_deadline
from proxy.errors import ProxyError
from proxy.log_events import LogEvent, event
from proxy.secret_value import Secret
from proxy.timing import Clock, Sleep

__all__ = ["REFRESH_TOKEN", "PendingToken", "RotatedRefreshTokens"]

_log = logging.getLogger("proxy.auth.rotation")  # stable name, as logged
REFRESH_TOKEN = "REFRESH_TOKEN"  # noqa: S105 - a property name


class PendingToken(NamedTuple):
    """A rotated refresh token not yet in the store, and the stored token it supersedes."""

    value: Secret
    replaces: Secret
    since: float


class RotatedRefreshTokens:
    """Writes rotated refresh tokens to ``REFRESH_TOKEN``; keeps the unsaved one in memory."""

    def __init__(
        self,
        store: SecretStore,
        *,
        clock: Clock,
        sleep: Sleep,
        write_attempts: int = 3,
        retry_delay_seconds: float = 0.15,
    ) -> None:
        self._store = store
        self._clock = clock
        self._sleep = sleep
        self._attempts = max(1, write_attempts)
        self._delay = retry_delay_seconds
        self._pending: PendingToken | None = None
        self._lock = threading.Lock()

    @property
    def key(self) -> str:
        return self._store.naming.instance_key(REFRESH_TOKEN)

    @property
    def pending(self) -> PendingToken | None:
        return self._pending

    def persist(self, new: Secret, *, used: Secret) -> bool:
        """Write ``new`` (rotated from ``used``); True once stored, False if kept pending."""
        with self._lock:
            previous = self._pending
            replaces = previous.replaces if previous and previous.value == used else used
            deadline = current_deadline()
            for attempt in range(self._attempts):
                if attempt:
                    if deadline.wrap_up_over:
                        break
                    self._sleep(self._delay)
                try:
                    self._store.put(REFRESH_TOKEN, new.reveal())
                except ProxyError as exc:
                    _log.warning(
                        "write of rotated refresh token to %s failed (attempt %d/%d): %s",
                        self.key,
                        attempt + 1,
                        self._attempts,
                        exc.message,
                        extra=event(LogEvent.TOKEN_ROTATION_WRITE_FAILED, attempt=attempt + 1),
                    )
                    continue
                self._pending = None
                return True
            self._pending = PendingToken(value=new, replaces=replaces, since=self._clock())
            _log.error(
                "rotated refresh token could NOT be written to %s; it is kept in memory and "
                "retried on every request. Fix write access to the secret store before this "
                "instance stops, or the OAuth setup will have to be re-run.",
                self.key,
                extra=event(LogEvent.TOKEN_ROTATION_UNSAVED),
            )
            return False

    def retry_pending(self) -> None:
        """One more attempt to save a pending token (cheap no-op when nothing is pending)."""
        if self._pending is None or not self._lock.acquire(blocking=False):
            return
        try:
            pending = self._pending
            if pending is None:
                return
            try:
                stored = self._store.get_fresh(REFRESH_TOKEN)
                if stored == pending.value:
                    self._pending = None
                    return
                if stored is not None and stored != pending.replaces:
                    _log.warning(
                        "%s changed since our rotation (another instance or an operator stored "
                        "a newer token); our unsaved rotated token is superseded",
                        self.key,
                        extra=event(LogEvent.TOKEN_ROTATION_SUPERSEDED),
                    )
                    self._pending = None
                    return
                self._store.put(REFRESH_TOKEN, pending.value.reveal())
            except ProxyError as exc:
                _log.error(
                    "rotated refresh token still not saved to %s: %s",
                    self.key,
                    exc.message,
                    extra=event(LogEvent.TOKEN_ROTATION_UNSAVED),
                )
                return
            _log.warning(
                "rotated refresh token finally saved to %s",
                self.key,
                extra=event(LogEvent.TOKEN_ROTATION_RECOVERED),
            )
            self._pending = None
        finally:
            self._lock.release()

    def discard_if(self, value: Secret) -> None:
        """Forget the pending token if it is ``value`` (e.g. Atlassian rejected it)."""
        with self._lock:
            if self._pending is not None and self._pending.value == value:
                self._pending = None
