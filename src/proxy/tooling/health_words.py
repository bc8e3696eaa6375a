"""The token family's lifecycle from a health-check answer, said in words for `proxy call`.

    Token family: consented 2025-10-09 08:53 UTC (120 days ago); it expires 2026-10-09 08:53 UTC
      (in 245 days).
    Last token refresh: 2026-02-06 10:00 UTC (3 hours ago); Atlassian revokes a refresh token
      after 90 days without one.

Older proxies (and the reference) do not report these facts: then nothing is printed.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from proxy.auth import (
    ABSOLUTE_LIFETIME_DAYS,
    DAY,
    GRANTED_AT,
    IDLE_LIMIT_DAYS,
    parse_instant,
)

__all__ = ["lifecycle_in_words"]

_FACTS = ("tokenFamilyGrantedAt", "tokenFamilyExpiresAt", "lastRefreshAt")


def lifecycle_in_words(
    report: Any, *, now: float | None = None, with_warnings: bool = True
) -> list[str]:
    """Lines about the token family for a health-check body (parsed JSON); [] if none.

    `with_warnings` adds the report's warning messages (a failed health check has them among
    its hints already)."""
    auth = report.get("sourceAuth") if isinstance(report, Mapping) else None
    if not isinstance(auth, Mapping) or not any(key in auth for key in _FACTS):
        return []
    now = time.time() if now is None else now
    granted = _instant(auth.get("tokenFamilyGrantedAt"))
    expires = _instant(auth.get("tokenFamilyExpiresAt"))
    last = _instant(auth.get("lastRefreshAt"))
    if granted is None:
        family = (
            f"Token family: consent time unknown (no {GRANTED_AT}; `proxy setup confluence` "
            f"records it), so its {ABSOLUTE_LIFETIME_DAYS}-day expiry cannot be foreseen."
        )
    else:
        family = f"Token family: consented {_when(granted, now)}"
        if expires is not None:
            verb = "expired" if expires <= now else "expires"
            family += f"; it {verb} {_when(expires, now)}"
        family += "."
    if last is None:
        refresh = "Last token refresh: none known yet."
    else:
        refresh = (
            f"Last token refresh: {_when(last, now)}; Atlassian revokes a refresh token after "
            f"{IDLE_LIMIT_DAYS} days without one."
        )
    lines = [family, refresh]
    warnings = report.get("warningMessages") if with_warnings else None
    if isinstance(warnings, list):
        lines.extend(f"warning: {warning}" for warning in warnings if isinstance(warning, str))
    return lines


def _instant(value: object) -> float | None:
    return parse_instant(value) if isinstance(value, str) else None


def _when(at: float, now: float) -> str:
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(at))
    return f"{stamp} ({_ago(at, now)})"


def _ago(at: float, now: float) -> str:
    seconds = now - at
    ahead = seconds < 0
    seconds = abs(seconds)
    if seconds >= DAY:
        amount = _count(int(seconds // DAY), "day")
    elif seconds >= 3600:
        amount = _count(int(seconds // 3600), "hour")
    else:
        amount = _count(int(seconds // 60), "minute")
    return f"in {amount}" if ahead else f"{amount} ago"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
