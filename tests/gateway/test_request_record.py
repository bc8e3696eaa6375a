"""The request record: one per request, its fields, its timings, and no URL outside
development mode."""

from __future__ import annotations

import logging

import httpx
import pytest

from proxy.gateway import GatewayConfig
from proxy.http import HttpRequest
from proxy.simulator.confluence import example_response
from support.gateway_rig import FACTS, ScriptedAuth, build_gateway

SPACES = "/ex/confluence/planted-cloud-id/wiki/api/v2/spaces"
LABEL = "/ex/confluence/{cloudId}/wiki/api/{version}/spaces"


def ok_spaces(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=example_response("spaces.json"))


def request_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if getattr(r, "event", None) == "request"]


def fields(record: logging.LogRecord) -> dict[str, object]:
    value = record.__dict__["fields"]
    assert isinstance(value, dict)
    return value


def get(query: str | None = "limit=10") -> HttpRequest:
    return HttpRequest(method="GET", raw_path=SPACES, raw_query=query)


def test_a_sanitized_answer_is_one_record_with_its_timings(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    response = build_gateway(ok_spaces).handle(get())
    (record,) = request_records(caplog)
    values = fields(record)
    assert {k: values[k] for k in ("method", "endpoint", "status", "error_code")} == {
        "method": "GET",
        "endpoint": LABEL,
        "status": 200,
        "error_code": None,
    }
    assert values["response_bytes"] == len(response.body)
    total, upstream, sanitize = (values[k] for k in ("total_ms", "upstream_ms", "sanitize_ms"))
    assert isinstance(total, float) and isinstance(upstream, float)
    assert isinstance(sanitize, float)
    assert upstream > 0 and sanitize > 0 and total + 0.02 >= upstream + sanitize
    assert "url" not in values
    assert "planted-cloud-id" not in record.getMessage()


def test_an_upstream_error_is_recorded_with_its_code_and_no_sanitizing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    build_gateway(lambda request: httpx.Response(503, json={"message": "down"})).handle(get())
    (record,) = request_records(caplog)
    values = fields(record)
    assert (values["status"], values["error_code"], values["sanitize_ms"]) == (
        503,
        "API_ERROR",
        0.0,
    )
    assert record.levelno == logging.WARNING  # a 5xx answer


def test_a_401_retry_counts_both_upstream_calls(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    calls: list[str] = []

    def upstream(request: httpx.Request) -> httpx.Response:
        calls.append(request.headers["authorization"])
        return httpx.Response(401) if len(calls) == 1 else ok_spaces(request)

    auth = ScriptedAuth()
    assert build_gateway(upstream, auth=auth).handle(get()).status == 200
    assert auth.rejected_ids == ["token-1"]
    (record,) = request_records(caplog)  # one record for the request, not one per call
    assert fields(record)["status"] == 200


def test_development_mode_adds_the_raw_url(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    config = GatewayConfig(facts=FACTS, development_mode=True)
    build_gateway(ok_spaces, config=config).handle(get("limit=10"))
    (record,) = request_records(caplog)
    assert fields(record)["url"] == f"{SPACES}?limit=10"
    assert f"GET {SPACES}?limit=10 -> 200" in record.getMessage()
