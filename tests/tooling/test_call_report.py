"""What `proxy call` prints for a failed call: each hint once, lists as text."""

from __future__ import annotations

import json

import httpx

from proxy.tooling.call_report import describe
from proxy.tooling.calls import CallOutcome, PlannedCall

REVOKED = (
    "The Atlassian refresh token was revoked or has expired (invalid_grant): run "
    "`proxy setup confluence` again"
)


def outcome(call: PlannedCall, status: int, body: object, **headers: str) -> CallOutcome:
    return CallOutcome(call, status, 12.0, httpx.Headers(headers), json.dumps(body).encode())


def test_a_failed_health_check_lists_what_is_missing_as_text() -> None:
    report = {
        "missingConfigProperties": ["PSOXY_SALT", "REFRESH_TOKEN"],
        "warningMessages": [REVOKED],
    }
    lines = describe(
        outcome(PlannedCall.health_check_call(), 412, report),
        platform="none",
        show_body=False,
        max_body_chars=0,
    )
    assert lines[0] == f"GET health check: 412 in 12 ms, {len(json.dumps(report))} bytes"
    assert lines[-2:] == ["  hint: missing: PSOXY_SALT, REFRESH_TOKEN", f"  hint: {REVOKED}"]
    assert not any("['" in line for line in lines)


def test_an_atlassian_404_shows_its_hint_once() -> None:
    summary = {"error": "API_ERROR", "status": 404, "hint": "Not found: check the cloudId."}
    call = PlannedCall("/ex/confluence/x/wiki/api/v2/spaces")
    for show_body in (True, False):
        lines = describe(
            outcome(call, 404, summary, **{"X-Psoxy-Error": "API_ERROR"}),
            platform="none",
            show_body=show_body,
            max_body_chars=0,
        )
        assert sum("Not found: check the cloudId." in line for line in lines) == 1, lines
