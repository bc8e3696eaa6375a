"""`proxy call --health-check` says the token family's lifecycle in words."""

from __future__ import annotations

from proxy.auth import DAY, format_instant
from proxy.tooling.health_words import lifecycle_in_words

NOW = 1_760_000_000.0  # 2025-10-09 08:53:20 UTC


def report(**auth: object) -> dict[str, object]:
    return {"sourceAuth": auth, "warningMessages": ["The Atlassian token family expires …"]}


def test_known_consent_and_refresh() -> None:
    lines = lifecycle_in_words(
        report(
            tokenFamilyGrantedAt=format_instant(NOW - 120 * DAY),
            tokenFamilyExpiresAt=format_instant(NOW + 245 * DAY),
            lastRefreshAt=format_instant(NOW - 3 * 3600),
        ),
        now=NOW,
    )
    assert lines == [
        "Token family: consented 2025-06-11 08:53 UTC (120 days ago); it expires "
        "2026-06-11 08:53 UTC (in 245 days).",
        "Last token refresh: 2025-10-09 05:53 UTC (3 hours ago); Atlassian revokes a refresh "
        "token after 90 days without one.",
        "warning: The Atlassian token family expires …",
    ]


def test_unknown_consent_and_no_refresh_yet_without_warnings() -> None:
    lines = lifecycle_in_words(
        report(tokenFamilyGrantedAt=None, tokenFamilyExpiresAt=None, lastRefreshAt=None),
        now=NOW,
        with_warnings=False,
    )
    assert lines == [
        "Token family: consent time unknown (no REFRESH_TOKEN_GRANTED_AT; `proxy setup "
        "confluence` records it), so its 365-day expiry cannot be foreseen.",
        "Last token refresh: none known yet.",
    ]


def test_an_expired_family_and_an_older_proxy() -> None:
    (family, _, _) = lifecycle_in_words(
        report(
            tokenFamilyGrantedAt=format_instant(NOW - 366 * DAY),
            tokenFamilyExpiresAt=format_instant(NOW - DAY),
            lastRefreshAt=None,
        ),
        now=NOW,
    )
    assert family.endswith("; it expired 2025-10-08 08:53 UTC (1 day ago).")
    assert lifecycle_in_words({"sourceAuth": {"strategy": "x"}}, now=NOW) == []
    assert lifecycle_in_words("not json", now=NOW) == []
