"""The health check's whole report, key by key (the reference's JSON plus our additions), for a
healthy instance and for each way one can be unhealthy."""

from __future__ import annotations

import logging

import httpx
import orjson
import pytest

from proxy.errors import ConfigStoreUnavailable
from proxy.gateway._health import HealthFacts
from proxy.gateway._pipeline import GatewayConfig
from proxy.http._models import Headers, HttpRequest, HttpResponse
from support.gateway_rig import FACTS, ScriptedAuth, build_gateway, sanitizer

SALT_HASH = "pRwka918R7CEI6El1noIhIMJzqBGYUvvqXYHyMvxl2Y"
HEALTH = Headers([("X-Psoxy-Health-Check", "1")])


def never_called(request: httpx.Request) -> httpx.Response:
    raise AssertionError("the health check never calls upstream")


def health(
    *,
    facts: HealthFacts = FACTS,
    auth: ScriptedAuth | None = None,
    runtime_error: Exception | None = None,
) -> HttpResponse:
    def failing_runtime() -> object:
        assert runtime_error is not None
        raise runtime_error

    gateway = build_gateway(
        never_called,
        auth=auth,
        config=GatewayConfig(facts=facts),
        build_runtime=failing_runtime if runtime_error else None,  # type: ignore[arg-type]
    )
    return gateway.handle(HttpRequest("GET", "/", headers=HEALTH, client_ip="198.51.100.4"))


def test_a_healthy_instance_reports_every_key() -> None:
    facts = FACTS._replace(pseudonym_implementation="v0.4")
    auth = ScriptedAuth(health_facts={"strategy": "oauth2_refresh_token"})

    response = health(facts=facts, auth=auth)

    assert response.status == 200
    assert list(response.headers) == [("Content-Type", "application/json")]
    assert response.body.endswith(b"}\r\n")
    assert orjson.loads(response.body) == {
        "bundleFilename": None,
        "callerIp": "198.51.100.4",
        "configPropertiesLastModified": {},
        "configuredHost": "api.atlassian.com",
        "configuredSource": "confluence",
        "javaSourceCodeVersion": "v0.1.0",
        "missingConfigProperties": [],
        "nonDefaultSalt": True,
        "pseudonymImplementation": "v0.4",
        "pseudonymizeAppIds": None,
        "rulesSha": sanitizer().rules.sha,
        "saltSha256Hash": SALT_HASH,
        "sourceAuth": {"strategy": "oauth2_refresh_token"},
        "sourceAuthGrantType": "refresh_token",
        "sourceAuthStrategy": "oauth2_refresh_token",
        "userAgent": "confluence-psoxy/test",
        "version": "v0.1.0",
        "warningMessages": [],
    }


def test_no_target_host_and_no_source_fail_the_check(caplog: pytest.LogCaptureFixture) -> None:
    facts = FACTS._replace(source=None, target_host=None)

    response = health(facts=facts)

    assert response.status == 412
    report = orjson.loads(response.body)
    assert report["missingConfigProperties"] == ["TARGET_HOST"]
    assert (report["configuredSource"], report["configuredHost"]) == (None, None)
    assert "pseudonymImplementation" not in report
    (record,) = [r for r in caplog.records if r.name == "proxy.gateway.health"]
    assert record.levelno == logging.WARNING
    assert record.getMessage() == "health check failed: missing SOURCE, TARGET_HOST"


def test_without_a_source_alone_the_check_fails() -> None:
    response = health(facts=FACTS._replace(source=None))

    assert response.status == 412
    assert orjson.loads(response.body)["missingConfigProperties"] == []


def test_a_runtime_that_cannot_be_built_is_reported_as_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    response = health(runtime_error=ConfigStoreUnavailable("SSM is unavailable"))

    assert response.status == 412
    report = orjson.loads(response.body)
    assert report["warningMessages"] == ["CONFIGURATION_FAILURE: SSM is unavailable"]
    assert report["missingConfigProperties"] == []
    assert (report["nonDefaultSalt"], report["saltSha256Hash"]) == (False, None)
    assert "rulesSha" not in report and "sourceAuth" not in report
    (record,) = [r for r in caplog.records if r.name == "proxy.gateway.health"]
    assert record.getMessage() == ("health check failed: CONFIGURATION_FAILURE: SSM is unavailable")


def test_what_source_auth_misses_and_warns_about_joins_the_report() -> None:
    auth = ScriptedAuth(
        health_facts={
            "missingConfigProperties": ["REFRESH_TOKEN", 7],
            "warningMessages": ["rotated token unsaved"],
        }
    )

    report = orjson.loads(health(auth=auth).body)

    assert report["missingConfigProperties"] == ["REFRESH_TOKEN", "7"]
    assert report["warningMessages"] == ["rotated token unsaved"]


def test_source_auth_facts_that_are_not_lists_are_ignored() -> None:
    auth = ScriptedAuth(health_facts={"missingConfigProperties": "REFRESH_TOKEN"})

    response = health(auth=auth)

    assert response.status == 200
    assert orjson.loads(response.body)["missingConfigProperties"] == []


def test_a_refresh_error_other_than_invalid_grant_keeps_the_check_passing() -> None:
    auth = ScriptedAuth(health_facts={"lastRefreshError": "http_503"})

    assert health(auth=auth).status == 200
