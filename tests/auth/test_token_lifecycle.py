"""The refresh-token family's lifecycle on a fake clock: consent time, last refresh, warnings
from 30 days before the 365-day expiry and after 60 days idle, and the daily event."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from proxy.auth import SourceAuth
from proxy.auth._token_lifecycle import DAY, TokenLifecycle, format_instant, parse_instant
from proxy.config.stores import LocalFileStore, StoredVersion
from proxy.errors import ConfigStoreUnavailable
from proxy.secret_value import Secret
from support.auth_backends import NAMING, PREFIX
from support.auth_rig import FlakyStore
from support.fake_clock import START, FakeClock

AuthFactory = Callable[..., SourceAuth]


class TimedStore(LocalFileStore):
    """A local-file store that keeps each write's time, as SSM, Secrets Manager and GCP do
    (`versions()[0].created_at`); `unreachable` makes version listings fail."""

    def __init__(self, path: Path, clock: FakeClock) -> None:
        super().__init__(path, NAMING, clock=clock.now, sleep=clock.sleep)
        self._clock = clock.now
        self.written_at: dict[str, float] = {}
        self.unreachable = False

    def _write(self, key: str, value: str) -> None:
        super()._write(key, value)
        self.written_at[key] = self._clock()

    def _versions(self, key: str, limit: int) -> Sequence[StoredVersion]:
        if self.unreachable:
            raise ConfigStoreUnavailable("listing refused by the test")
        value = self._load().get(key)
        if value is None:
            return []
        return [StoredVersion("1", Secret(value), created_at=self.written_at.get(key))]


@pytest.fixture
def timed_store(tmp_path: Path, clock: FakeClock) -> TimedStore:
    store = TimedStore(tmp_path / "secrets.json", clock)
    store.put("REFRESH_TOKEN", "rt-1")  # the setup stored it "now" (START)
    return store


def expiring_events(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if getattr(r, "event", None) == "token_family_expiring"]


def consent(store: LocalFileStore, days_ago: float, clock: FakeClock) -> float:
    granted = clock.now() - days_ago * DAY
    store.put("REFRESH_TOKEN_GRANTED_AT", format_instant(granted))
    return float(int(granted))


def test_the_health_fields_come_from_the_consent_and_the_stored_refresh_token(
    timed_store: TimedStore, clock: FakeClock
) -> None:
    granted = consent(timed_store, 100, clock)
    clock.advance(3 * DAY)
    report = TokenLifecycle(timed_store, clock=clock.now).report()
    assert report.health_fields() == {
        "tokenFamilyGrantedAt": format_instant(granted),
        "tokenFamilyExpiresAt": format_instant(granted + 365 * DAY),
        "lastRefreshAt": format_instant(START),  # when REFRESH_TOKEN was written
    }
    assert report.warnings == []


def test_expiry_warning_starts_30_days_before_the_365_day_limit(
    timed_store: TimedStore, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    granted = consent(timed_store, 334, clock)  # 31 days left
    lifecycle = TokenLifecycle(timed_store, clock=clock.now)
    assert lifecycle.report().warnings == []
    clock.advance(DAY)  # 30 days left: the window opens
    (warning,) = lifecycle.report().warnings
    assert warning == (
        f"The Atlassian token family expires at {format_instant(granted + 365 * DAY)}, in 30 "
        f"days (365 days after the consent of {format_instant(granted)}): re-run `proxy setup "
        "confluence` before then; the new consent starts a new family."
    )
    (record,) = expiring_events(caplog)
    assert record.levelno == logging.WARNING
    assert record.__dict__["fields"] == {
        "reason": "absolute_expiry",
        "dies_at": format_instant(granted + 365 * DAY),
        "days_left": 30,
    }


def test_on_the_last_day_the_warning_says_1_day(timed_store: TimedStore, clock: FakeClock) -> None:
    granted = consent(timed_store, 364, clock)
    (warning,) = TokenLifecycle(timed_store, clock=clock.now).report().warnings
    assert warning.startswith(
        f"The Atlassian token family expires at {format_instant(granted + 365 * DAY)}, in 1 day "
    )


def test_at_the_limit_itself_the_family_has_expired_with_no_day_left(
    timed_store: TimedStore, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    granted = consent(timed_store, 365, clock)
    assert granted + 365 * DAY == clock.now()
    (warning,) = TokenLifecycle(timed_store, clock=clock.now).report().warnings
    assert warning.startswith("The Atlassian token family expired at ")
    (record,) = expiring_events(caplog)
    assert record.__dict__["fields"]["days_left"] == 0


def test_past_the_limit_the_warning_says_it_expired(
    timed_store: TimedStore, clock: FakeClock
) -> None:
    consent(timed_store, 366, clock)
    (warning,) = TokenLifecycle(timed_store, clock=clock.now).report().warnings
    assert warning.startswith("The Atlassian token family expired at ")
    assert warning.endswith("re-run `proxy setup confluence`.")


def test_idle_warning_after_60_days_without_a_refresh(
    timed_store: TimedStore, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    lifecycle = TokenLifecycle(timed_store, clock=clock.now)
    clock.advance(59 * DAY + 23 * 3600)
    assert lifecycle.report().warnings == []
    clock.advance(3600)  # 60 days since REFRESH_TOKEN was last written
    (warning,) = lifecycle.report().warnings
    assert warning == (
        f"No token refresh for 60 days (last at {format_instant(START)}): Atlassian revokes a "
        f"refresh token unused for 90 days, at {format_instant(START + 90 * DAY)}. A data "
        "request through the proxy refreshes it (e.g. `proxy call --all`); the health check "
        "alone does not."
    )
    (record,) = expiring_events(caplog)
    assert record.__dict__["fields"]["reason"] == "idle"
    assert record.__dict__["fields"]["days_left"] == 30


def test_the_event_is_logged_at_most_once_per_utc_day(
    timed_store: TimedStore, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    consent(timed_store, 350, clock)
    lifecycle = TokenLifecycle(timed_store, clock=clock.now)
    midnight = (clock.now() // DAY + 1) * DAY
    clock.advance(midnight - clock.now() - 3600)  # 23:00 UTC
    lifecycle.report()
    lifecycle.refreshed()
    lifecycle.report()
    assert len(expiring_events(caplog)) == 1
    clock.advance(2 * 3600)  # 01:00 UTC, the next day
    lifecycle.refreshed()
    lifecycle.report()
    assert len(expiring_events(caplog)) == 2


def test_a_refresh_resets_the_idle_clock_and_warns_only_of_the_absolute_limit(
    timed_store: TimedStore, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    lifecycle = TokenLifecycle(timed_store, clock=clock.now)
    clock.advance(70 * DAY)
    lifecycle.refreshed()  # in memory; the store's version time is older
    assert not expiring_events(caplog)
    report = lifecycle.report()
    assert report.health_fields()["lastRefreshAt"] == format_instant(clock.now())
    assert report.warnings == []


def test_without_a_consent_time_the_expiry_is_unknown_not_guessed(
    timed_store: TimedStore, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    clock.advance(400 * DAY)  # whatever the age, nothing is assumed
    lifecycle = TokenLifecycle(timed_store, clock=clock.now)
    lifecycle.refreshed()
    report = lifecycle.report()
    assert report.health_fields() == {
        "tokenFamilyGrantedAt": None,
        "tokenFamilyExpiresAt": None,
        "lastRefreshAt": format_instant(clock.now()),
    }
    assert report.warnings == []
    assert not expiring_events(caplog)


def test_a_malformed_consent_time_is_reported_not_trusted(
    timed_store: TimedStore, clock: FakeClock
) -> None:
    timed_store.put("REFRESH_TOKEN_GRANTED_AT", "last tuesday")
    report = TokenLifecycle(timed_store, clock=clock.now).report()
    assert report.health_fields()["tokenFamilyGrantedAt"] is None
    (warning,) = report.warnings
    assert warning.startswith(f"{PREFIX}REFRESH_TOKEN_GRANTED_AT is not an ISO-8601 time")
    assert "last tuesday" not in warning  # store values are not echoed


def test_an_unreachable_store_leaves_facts_unknown_and_never_raises(
    timed_store: TimedStore, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="proxy.auth.token_lifecycle")
    timed_store.unreachable = True
    lifecycle = TokenLifecycle(timed_store, clock=clock.now)
    assert lifecycle.report().health_fields()["lastRefreshAt"] is None
    assert [
        (r.getMessage(), r.__dict__["event"])
        for r in caplog.records
        if r.name == "proxy.auth.token_lifecycle"
    ] == [("last refresh time unavailable: listing refused by the test", "token_lifecycle_unknown")]
    lifecycle.refreshed()
    assert lifecycle.report().health_fields()["lastRefreshAt"] == format_instant(clock.now())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-10-09T08:53:20Z", 1_760_000_000.0),
        ("2025-10-09T10:53:20+02:00", 1_760_000_000.0),
        ("2025-10-09T08:53:20", None),  # no zone: ambiguous
        ("2025-13-09T08:53:20Z", None),
        ("", None),
    ],
)
def test_consent_times_are_iso_8601_with_a_zone(text: str, expected: float | None) -> None:
    assert parse_instant(text) == expected
    if expected is not None:
        assert format_instant(expected) == "2025-10-09T08:53:20Z"


def test_the_refresh_token_auth_reports_the_lifecycle_and_warns_after_a_refresh(
    make_auth: AuthFactory,
    store: FlakyStore,
    secrets_path: Path,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    content = json.loads(secrets_path.read_text())
    granted = clock.now() - 340 * DAY
    content[PREFIX + "REFRESH_TOKEN_GRANTED_AT"] = format_instant(granted)
    secrets_path.write_text(json.dumps(content))
    auth = make_auth(store)

    auth.credentials()  # refreshes (the seeded shared token is expired)
    (record,) = expiring_events(caplog)
    assert record.__dict__["fields"]["reason"] == "absolute_expiry"
    health = auth.health()
    assert health["tokenFamilyGrantedAt"] == format_instant(granted)
    assert health["tokenFamilyExpiresAt"] == format_instant(granted + 365 * DAY)
    assert health["lastRefreshAt"] == format_instant(clock.now())
    warnings = health["warningMessages"]
    assert isinstance(warnings, list) and len(warnings) == 1
    assert "in 25 days" in warnings[0]
    assert len(expiring_events(caplog)) == 1  # the health check the same day adds none
