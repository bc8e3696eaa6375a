"""The event catalog: every name is documented in the runbook, and failed requests map to the
event an operator acts on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from proxy.errors import (
    BlockedByRules,
    ConfigStoreUnavailable,
    ConfigurationError,
    MissingEncryptionKey,
    MissingSecretError,
    ProxyError,
    RefreshTokenRevoked,
    RulesError,
    SourceAuthBusy,
)
from proxy.log_events import LogEvent, error_event, event

RUNBOOK = Path(__file__).resolve().parents[1] / "docs" / "operations.md"


def test_every_event_has_a_runbook_section_and_the_runbook_no_unknown_one() -> None:
    sections = set(re.findall(r"^#### `([a-z_]+)`$", RUNBOOK.read_text("utf-8"), re.MULTILINE))
    assert sections == {name.value for name in LogEvent}


def test_event_names_are_stable_snake_case() -> None:
    for name in LogEvent:
        assert re.fullmatch(r"[a-z]+(_[a-z0-9]+)*", name.value), name


def test_event_extra_carries_the_name_and_the_fields() -> None:
    assert event(LogEvent.TOKEN_REFRESHED, rotated=True) == {
        "event": "token_refreshed",
        "fields": {"rotated": True},
    }


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ConfigStoreUnavailable("down"), LogEvent.STORE_UNAVAILABLE),
        (MissingSecretError("no salt"), LogEvent.CONFIG_ERROR),
        (RulesError("bad"), LogEvent.CONFIG_ERROR),
        (ConfigurationError("bad"), LogEvent.CONFIG_ERROR),
        (MissingEncryptionKey("no key"), LogEvent.CONFIG_ERROR),
        (BlockedByRules(), LogEvent.REQUEST_FAILED),
        (RefreshTokenRevoked("dead"), LogEvent.REQUEST_FAILED),  # refresh_invalid_grant is
        (SourceAuthBusy("busy"), LogEvent.REQUEST_FAILED),  # logged by the auth, once
        (ProxyError("bug"), LogEvent.REQUEST_FAILED),
    ],
)
def test_failed_requests_map_to_the_event_an_operator_acts_on(
    error: ProxyError, expected: LogEvent
) -> None:
    assert error_event(error) is expected
