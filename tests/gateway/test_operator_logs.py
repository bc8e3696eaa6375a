"""What an operator reads in the logs: the endpoint of a failed request, why a health check
failed (never a bare `[]`)."""

from __future__ import annotations

import logging

import httpx
import pytest

from proxy.errors import MissingSecretError, UpstreamTimeout
from proxy.gateway import GatewayConfig, HealthFacts
from proxy.http import Headers, HttpRequest
from support.gateway_rig import FACTS, ScriptedAuth, build_gateway

SPACES = "/ex/confluence/c1/wiki/api/v2/spaces"
HEALTH = Headers([("X-Psoxy-Health-Check", "true")])


def access_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "proxy.gateway.pipeline"]


def test_a_request_failing_after_the_rules_matched_is_logged_with_its_endpoint(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("upstream too slow", request=request)

    caplog.set_level(logging.INFO)
    response = build_gateway(slow).handle(HttpRequest("GET", SPACES, "limit=1"))
    assert response.status == UpstreamTimeout.status
    last = access_lines(caplog)[-1]
    assert last.startswith(
        "GET /ex/confluence/{cloudId}/wiki/api/{version}/spaces -> 504 SOURCE_API_READ_TIMEOUT "
    )


def test_a_request_refused_before_matching_says_so(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    response = build_gateway(lambda r: httpx.Response(500)).handle(
        HttpRequest("GET", "/ex/confluence/c1/wiki/rest/api/user", None)
    )
    assert response.status == 403
    assert access_lines(caplog)[-1].startswith("GET (no rules endpoint) -> 403 BLOCKED_BY_RULES ")


def test_a_failed_health_check_logs_what_is_missing(caplog: pytest.LogCaptureFixture) -> None:
    def missing() -> object:
        raise MissingSecretError("PSOXY_SALT is not set", property_name="PSOXY_SALT")

    facts = HealthFacts(**{**FACTS._asdict(), "source": None, "target_host": None})
    gateway = build_gateway(
        lambda r: httpx.Response(500),
        build_runtime=missing,  # type: ignore[arg-type]
        config=GatewayConfig(facts=facts),
    )
    assert gateway.handle(HttpRequest("GET", "/", None, headers=HEALTH)).status == 412
    (warning,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warning.getMessage() == "health check failed: missing SOURCE, TARGET_HOST, PSOXY_SALT"
    assert warning.__dict__["event"] == "health_check_failed"  # what the alerts filter on


def test_a_health_check_failing_for_several_reasons_logs_them_all_in_one_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    facts = HealthFacts(**{**FACTS._asdict(), "source": None})
    gateway = build_gateway(
        lambda r: httpx.Response(500),
        config=GatewayConfig(facts=facts, allowed_ip_blocks="10.0.0.0/8"),
    )
    request = HttpRequest("GET", "/", None, headers=HEALTH, client_ip="192.0.2.1")
    assert gateway.handle(request).status == 412
    (warning,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warning == (
        "health check failed: missing SOURCE; "
        "Client IP is not authorized to access this proxy instance."
    )


def test_a_health_check_failing_without_a_stated_reason_points_to_the_response(
    caplog: pytest.LogCaptureFixture,
) -> None:
    revoked = ScriptedAuth(health_facts={"lastRefreshError": "invalid_grant"})
    gateway = build_gateway(lambda r: httpx.Response(500), auth=revoked)
    assert gateway.handle(HttpRequest("GET", "/", None, headers=HEALTH)).status == 412
    (warning,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warning == "health check failed: see the health check response"
