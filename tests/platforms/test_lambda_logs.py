"""The JSON log records of the Lambda handler, end to end: real gateway, Atlassian simulator,
local secret store, and the Lambda runtime's root handler (a stand-in) given our formatter.

Each scenario plants recognizable secrets (salt, key, client secret, refresh and access tokens,
account ids, a raw URL) and checks that none of them appears in any record.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from platforms.aws_rig import load_event

from proxy.auth import DAY, format_instant
from proxy.cli.serve_command import DEMO_PREFIX, demo_environment, write_demo_secrets
from proxy.platforms._entry import gateway_from_environment
from proxy.platforms.aws_lambda import LambdaHandler, make_handler
from proxy.simulator.app import AtlassianSimulator
from proxy.simulator.demo import SimulatorCredentials, start_simulator
from support.log_capture import (
    LambdaLoggerHandler,
    assert_no_secret,
    events_of,
    lambda_runtime_logging,
    parse_json_lines,
)

SALT = "planted-salt-3f9d1c77"
KEY = "planted-key-8e2b4a19"
DEAD_REFRESH_TOKEN = "planted-dead-refresh-token-0c4d"
ACCOUNT_ID = "608a9b555426330072f9867d"  # in the simulator's spaces response
BLOCKED_ACCOUNT = "5b1e0000planted00account"
SPACES_LABEL = "/ex/confluence/{cloudId}/wiki/api/{version}/spaces"


@dataclass
class LambdaSite:
    simulator: AtlassianSimulator
    credentials: SimulatorCredentials
    secrets_file: Path
    runtime: LambdaLoggerHandler
    handler: LambdaHandler

    def call(self, path: str, query: str = "", *, request_id: str, **headers: str) -> Any:
        event = load_event("lambda-function-url-v2.json", rawPath=path, rawQueryString=query)
        event["headers"].update(headers)
        return self.handler(event, SimpleNamespace(aws_request_id=request_id))

    def stored(self, name: str) -> str:
        return str(json.loads(self.secrets_file.read_text())[DEMO_PREFIX + name])

    def records(self) -> list[dict[str, Any]]:
        return parse_json_lines(self.runtime.lines)

    def planted(self) -> list[str]:
        shared = self.stored("ACCESS_TOKEN")  # "fill me" until a refresh shares one
        access = [json.loads(shared)["token"]] if shared.startswith("{") else []
        return [
            *access,
            SALT,
            KEY,
            self.credentials.client_secret,
            self.credentials.refresh_token,
            self.stored("REFRESH_TOKEN"),
            DEAD_REFRESH_TOKEN,
            ACCOUNT_ID,
            BLOCKED_ACCOUNT,
            self.credentials.cloud_id,
        ]


def _site(tmp_path: Path, **stored: str) -> Iterator[LambdaSite]:
    simulator, credentials = start_simulator()
    secrets_file = tmp_path / "secrets.json"
    secrets_file.write_text(json.dumps({"PSOXY_SALT": SALT, "PSOXY_ENCRYPTION_KEY": KEY}))
    write_demo_secrets(credentials, secrets_file)
    content = json.loads(secrets_file.read_text())
    content.update({DEMO_PREFIX + name: value for name, value in stored.items()})
    secrets_file.write_text(json.dumps(content))
    environment = demo_environment(credentials, secrets_file, {"LOG_FORMAT": "json"})
    try:
        with lambda_runtime_logging() as runtime:
            handler = make_handler(lambda: gateway_from_environment(environment))
            yield LambdaSite(simulator, credentials, secrets_file, runtime, handler)
    finally:
        simulator.stop()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[LambdaSite]:
    yield from _site(tmp_path)


@pytest.fixture
def dead_site(tmp_path: Path) -> Iterator[LambdaSite]:
    """A deployment whose stored refresh token Atlassian no longer knows (family revoked)."""
    yield from _site(tmp_path, REFRESH_TOKEN=DEAD_REFRESH_TOKEN)


GRANTED = time.time() - 340 * DAY  # a consent 340 days ago: 25 days before the family expires


@pytest.fixture
def old_consent_site(tmp_path: Path) -> Iterator[LambdaSite]:
    yield from _site(tmp_path, REFRESH_TOKEN_GRANTED_AT=format_instant(GRANTED))


def spaces_path(site: LambdaSite) -> str:
    return f"/ex/confluence/{site.credentials.cloud_id}/wiki/api/v2/spaces"


def test_a_successful_request_logs_the_rotation_and_one_request_record(site: LambdaSite) -> None:
    result = site.call(spaces_path(site), "limit=100", request_id="req-ok-1")
    assert result["statusCode"] == 200, result

    records = site.records()
    (refreshed,) = events_of(records, "token_refreshed")
    assert refreshed["severity"] == "INFO"
    assert refreshed["rotated"] is True
    assert refreshed["rotation_unsaved"] is False
    assert refreshed["expires_in_s"] == 3600
    assert refreshed["logger"] == "proxy.auth.oauth"
    (request,) = events_of(records, "request")
    assert {key: request[key] for key in ("severity", "method", "endpoint", "status")} == {
        "severity": "INFO",
        "method": "GET",
        "endpoint": SPACES_LABEL,
        "status": 200,
    }
    assert request["error_code"] is None
    assert request["response_bytes"] == len(result["body"].encode("utf-8"))
    assert request["message"] == f"GET {SPACES_LABEL} -> 200  {request['total_ms']:.1f}ms"
    assert request["upstream_ms"] > 0 and request["sanitize_ms"] > 0
    assert request["total_ms"] + 0.02 >= request["upstream_ms"] + request["sanitize_ms"]
    assert "url" not in request  # the raw URL only in development mode
    for record in records:
        assert record["aws_request_id"] == "req-ok-1", record
        assert set(record) >= {"severity", "message", "event", "logger", "time"}, record
    assert_no_secret("\n".join(site.runtime.lines), site.planted())


def test_a_blocked_request_is_recorded_without_its_url(site: LambdaSite) -> None:
    path = f"/ex/confluence/{site.credentials.cloud_id}/wiki/rest/api/user"
    result = site.call(path, f"accountId={BLOCKED_ACCOUNT}", request_id="req-blocked")
    assert result["statusCode"] == 403

    records = site.records()
    (request,) = events_of(records, "request")
    assert request["status"] == 403
    assert request["error_code"] == "BLOCKED_BY_RULES"
    assert request["endpoint"] is None
    assert request["upstream_ms"] == 0.0 and request["sanitize_ms"] == 0.0
    assert request["response_bytes"] == 0
    (failed,) = events_of(records, "request_failed")
    assert failed["error_code"] == "BLOCKED_BY_RULES"
    assert failed["aws_request_id"] == "req-blocked"
    assert not events_of(records, "token_refreshed")  # nothing was forwarded
    assert_no_secret("\n".join(site.runtime.lines), site.planted())


def test_invalid_grant_is_its_own_event_and_a_500_request_record(dead_site: LambdaSite) -> None:
    result = dead_site.call(spaces_path(dead_site), "limit=100", request_id="req-dead")
    assert result["statusCode"] == 500
    assert result["headers"]["X-Psoxy-Error"] == "SOURCE_AUTH_INVALID_GRANT"

    records = dead_site.records()
    (invalid,) = events_of(records, "refresh_invalid_grant")
    assert invalid["severity"] == "ERROR"
    assert "proxy setup confluence" in invalid["message"]
    (request,) = events_of(records, "request")
    assert (request["status"], request["error_code"]) == (500, "SOURCE_AUTH_INVALID_GRANT")
    assert request["severity"] == "WARNING"
    assert request["upstream_ms"] == 0.0  # Confluence was never called
    assert {r["aws_request_id"] for r in records} == {"req-dead"}
    assert_no_secret("\n".join(dead_site.runtime.lines), dead_site.planted())


def test_health_check_reports_the_token_family_and_warns_once_a_day(
    old_consent_site: LambdaSite,
) -> None:
    site, granted = old_consent_site, GRANTED
    assert site.call(spaces_path(site), "limit=100", request_id="r1")["statusCode"] == 200
    result = site.call("/", request_id="r2", **{"x-psoxy-health-check": "true"})
    assert result["statusCode"] == 200  # a warning, not a failure: the proxy still works
    report = json.loads(result["body"])
    auth = report["sourceAuth"]
    assert auth["tokenFamilyGrantedAt"] == format_instant(granted)
    assert auth["tokenFamilyExpiresAt"] == format_instant(granted + 365 * DAY)
    assert auth["lastRefreshAt"] is not None
    (warning,) = [w for w in report["warningMessages"] if "token family expires" in w]
    assert "in 25 days" in warning and "proxy setup confluence" in warning

    (expiring,) = events_of(site.records(), "token_family_expiring")  # once, not per call
    assert expiring["reason"] == "absolute_expiry"
    assert expiring["days_left"] == 25
    assert expiring["aws_request_id"] == "r1"  # logged after the refresh of the first request
