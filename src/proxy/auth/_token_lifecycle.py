"""When the Atlassian refresh-token family dies, told weeks before it happens.

A token family (the chain of rotated refresh tokens one consent started) dies 365 days after
the consent, whatever happens, and after 90 days without a refresh. Both are known in advance:

- the consent time is the optional secret ``REFRESH_TOKEN_GRANTED_AT`` (ISO-8601 UTC) that
  `proxy setup` writes; deployments set up otherwise (e.g. by the reference) lack it, and then
  the expiry is unknown rather than guessed;
- the last refresh is the newest version of ``REFRESH_TOKEN`` in the store (every refresh
  rotates it, so every instance sees the same time without any extra write), or this instance's
  own last refresh when that is later or the store keeps no version times (local stores).

The health check reports both and warns from 30 days before the absolute expiry and after 60
days without a refresh. In that window the proxy logs `token_family_expiring`, at most once per
UTC day per instance, after a refresh and on a health check: the alert on that event fires weeks
ahead. Nothing here ever fails a request: an unreadable store just leaves a fact unknown.

    lifecycle = TokenLifecycle(store, clock=time.time)
    lifecycle.refreshed()          # after each successful token exchange
    lifecycle.report().warnings    # for the health check
"""

from __future__ import annotations

import logging
import math
import threading
from datetime import UTC, datetime
from typing import NamedTuple

from proxy.auth._rotation import REFRESH_TOKEN
from proxy.config.stores import SecretStore
from proxy.errors import ProxyError
from proxy.log_events import LogEvent, event
from proxy.timing import Clock

__all__ = [
    "ABSOLUTE_LIFETIME_DAYS",
    "DAY",
    "EXPIRY_WARNING_DAYS",
    "GRANTED_AT",
    "IDLE_LIMIT_DAYS",
    "IDLE_WARNING_DAYS",
    "LifecycleReport",
    "TokenLifecycle",
    "format_instant",
    "parse_instant",
]

_log = logging.getLogger("proxy.auth.token_lifecycle")  # stable name, as logged

GRANTED_AT = "REFRESH_TOKEN_GRANTED_AT"
"""Property (after the instance prefix) holding the consent time, written by `proxy setup`."""
DAY = 86_400.0
ABSOLUTE_LIFETIME_DAYS = 365
EXPIRY_WARNING_DAYS = 30
IDLE_LIMIT_DAYS = 90
IDLE_WARNING_DAYS = 60


def format_instant(at: float) -> str:
    """`2025-10-09T08:53:20Z`: epoch seconds as ISO-8601 UTC, to the second."""
    return datetime.fromtimestamp(int(at), UTC).isoformat().replace("+00:00", "Z")


def parse_instant(text: str) -> float | None:
    """Epoch seconds of an ISO-8601 time with a zone (`Z` or an offset); None otherwise."""
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.timestamp()


class Expiring(NamedTuple):
    """Why the family is in its warning window, and the day it dies."""

    reason: str  # "absolute_expiry" or "idle"
    dies_at: float
    message: str


class LifecycleReport(NamedTuple):
    """The facts the health check reports, and the warnings they call for."""

    granted_at: float | None
    last_refresh_at: float | None
    expiring: tuple[Expiring, ...]
    notes: tuple[str, ...] = ()

    @property
    def expires_at(self) -> float | None:
        if self.granted_at is None:
            return None
        return self.granted_at + ABSOLUTE_LIFETIME_DAYS * DAY

    @property
    def warnings(self) -> list[str]:
        return [item.message for item in self.expiring] + list(self.notes)

    def health_fields(self) -> dict[str, object]:
        return {
            "tokenFamilyGrantedAt": _optional_instant(self.granted_at),
            "tokenFamilyExpiresAt": _optional_instant(self.expires_at),
            "lastRefreshAt": _optional_instant(self.last_refresh_at),
        }


class TokenLifecycle:
    """Tracks the token family's age and idleness for one proxy instance (thread-safe)."""

    def __init__(self, store: SecretStore, *, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._last_refresh: float | None = None
        self._warned_day: int | None = None
        self._lock = threading.Lock()

    def refreshed(self) -> None:
        """A token exchange just succeeded: remember it; warn if the family nears its end."""
        now = self._clock()
        with self._lock:
            self._last_refresh = now
        granted, notes = self._granted_at()
        self._warn_daily(_assess(now, granted, now, notes), now)

    def report(self) -> LifecycleReport:
        """Everything the health check shows (reads the store; never raises)."""
        now = self._clock()
        granted, notes = self._granted_at()
        last = _latest(self._last_refresh, self._stored_refresh_time())
        report = _assess(now, granted, last, notes)
        self._warn_daily(report, now)
        return report

    # ------------------------------------------------------------------ reading the store
    def _granted_at(self) -> tuple[float | None, tuple[str, ...]]:
        try:
            stored = self._store.get(GRANTED_AT)
        except ProxyError as exc:
            _log.info(
                "consent time unavailable: %s",
                exc.message,
                extra=event(LogEvent.TOKEN_LIFECYCLE_UNKNOWN),
            )
            return None, ()
        if stored is None:
            return None, ()
        granted = parse_instant(stored.reveal())
        if granted is None:
            key = self._store.naming.instance_key(GRANTED_AT)
            return None, (
                f"{key} is not an ISO-8601 time with a zone (e.g. 2025-10-09T08:53:20Z); "
                "the token family's expiry is unknown until it is fixed or `proxy setup` runs.",
            )
        return granted, ()

    def _stored_refresh_time(self) -> float | None:
        """When REFRESH_TOKEN was last written (a rotation, or the setup), if the store knows."""
        try:
            versions = self._store.versions(REFRESH_TOKEN, 1)
        except ProxyError as exc:
            _log.info(
                "last refresh time unavailable: %s",
                exc.message,
                extra=event(LogEvent.TOKEN_LIFECYCLE_UNKNOWN),
            )
            return None
        return versions[0].created_at if versions else None

    # ------------------------------------------------------------------ the daily event
    def _warn_daily(self, report: LifecycleReport, now: float) -> None:
        if not report.expiring:
            return
        day = int(now // DAY)
        with self._lock:
            if self._warned_day == day:
                return
            self._warned_day = day
        for item in report.expiring:
            _log.warning(
                "%s",
                item.message,
                extra=event(
                    LogEvent.TOKEN_FAMILY_EXPIRING,
                    reason=item.reason,
                    dies_at=format_instant(item.dies_at),
                    days_left=_days_until(item.dies_at, now),
                ),
            )


def _assess(
    now: float,
    granted: float | None,
    last_refresh: float | None,
    notes: tuple[str, ...],
) -> LifecycleReport:
    expiring: list[Expiring] = []
    if granted is not None:
        dies_at = granted + ABSOLUTE_LIFETIME_DAYS * DAY
        if now >= dies_at - EXPIRY_WARNING_DAYS * DAY:
            expiring.append(Expiring("absolute_expiry", dies_at, _expiry_message(now, granted)))
    if last_refresh is not None and now - last_refresh >= IDLE_WARNING_DAYS * DAY:
        dies_at = last_refresh + IDLE_LIMIT_DAYS * DAY
        expiring.append(Expiring("idle", dies_at, _idle_message(now, last_refresh)))
    return LifecycleReport(granted, last_refresh, tuple(expiring), notes)


def _expiry_message(now: float, granted: float) -> str:
    dies_at = granted + ABSOLUTE_LIFETIME_DAYS * DAY
    when = format_instant(dies_at)
    consent = format_instant(granted)
    if now >= dies_at:
        return (
            f"The Atlassian token family expired at {when} ({ABSOLUTE_LIFETIME_DAYS} days after "
            f"the consent of {consent}): re-run `proxy setup confluence`."
        )
    left = _count_days(_days_until(dies_at, now))
    return (
        f"The Atlassian token family expires at {when}, in {left} "
        f"({ABSOLUTE_LIFETIME_DAYS} days after the consent of {consent}): re-run `proxy setup "
        "confluence` before then; the new consent starts a new family."
    )


def _idle_message(now: float, last_refresh: float) -> str:
    dies_at = last_refresh + IDLE_LIMIT_DAYS * DAY
    return (
        f"No token refresh for {_count_days(int((now - last_refresh) // DAY))} (last at "
        f"{format_instant(last_refresh)}): Atlassian revokes a refresh token unused for "
        f"{IDLE_LIMIT_DAYS} days, at {format_instant(dies_at)}. A data request through the proxy "
        "refreshes it (e.g. `proxy call --all`); the health check alone does not."
    )


def _days_until(at: float, now: float) -> int:
    """Whole days left, rounded up: 24.9 days left is "in 25 days"."""
    return max(0, math.ceil((at - now) / DAY))


def _count_days(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"


def _latest(*times: float | None) -> float | None:
    known = [at for at in times if at is not None]
    return max(known) if known else None


def _optional_instant(at: float | None) -> str | None:
    return None if at is None else format_instant(at)
