"""The Lambda handler end to end: sample events → real gateway → Atlassian simulator → result."""

from __future__ import annotations

import base64
import gzip
from typing import Any
from urllib.parse import urlsplit

import orjson
import pytest
from platforms.aws_rig import SANITIZED, SEARCH_PATH, SPACES_PATH, SimulatedSite, load_event

from proxy.config import Settings
from proxy.platforms.aws_lambda import LambdaHandler, make_handler
from proxy.platforms.composition import build_gateway
from proxy.rules import resolve_rules
from proxy.sanitize import loads_values, pretty
from proxy.simulator.confluence import EXAMPLE_CALLS

SEARCH_CALL = next(c for c in EXAMPLE_CALLS if c.file == "content_search.json")


@pytest.fixture(scope="module")
def handler(site: SimulatedSite) -> LambdaHandler:
    return make_handler(lambda: build_gateway(Settings.from_env(site.environment)))


def function_url_event(url: str, *, accept_encoding: str | None) -> dict[str, Any]:
    parts = urlsplit(url)
    event = load_event(
        "lambda-function-url-v2.json", rawPath=parts.path, rawQueryString=parts.query
    )
    del event["headers"]["accept-encoding"]
    if accept_encoding is not None:
        event["headers"]["accept-encoding"] = accept_encoding
    return event


def body_of(result: dict[str, Any]) -> bytes:
    if result["isBase64Encoded"]:
        assert result["headers"]["Content-Encoding"] == "gzip"
        return gzip.decompress(base64.b64decode(result["body"]))
    return str(result["body"]).encode("utf-8")


def printed(body: bytes) -> str:
    return "\n".join(pretty(v) for v in loads_values(body)) + "\n"


def test_function_url_gzipped_response_decodes_to_the_sanitized_example(
    site: SimulatedSite, handler: LambdaHandler
) -> None:
    url = SEARCH_CALL.url(site.credentials.cloud_id)
    result = handler(function_url_event(url, accept_encoding="gzip, deflate, br"), None)
    assert result["statusCode"] == 200, result
    assert result["isBase64Encoded"] is True
    assert set(result) == {"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"}
    headers = result["headers"]
    assert headers["content-type"] == "application/json"
    assert headers["Content-Encoding"] == "gzip"
    assert headers["X-Psoxy-Rules-SHA"] == resolve_rules("confluence").sha
    assert headers["X-Psoxy-PII-Salt-Sha256"] == "pRwka918R7CEI6El1noIhIMJzqBGYUvvqXYHyMvxl2Y"
    assert "X-Psoxy-Error" not in headers
    assert printed(body_of(result)) == (SANITIZED / "content_search.json").read_text("utf-8")


def test_function_url_without_gzip_gets_text_and_the_warning(
    site: SimulatedSite, handler: LambdaHandler
) -> None:
    url = f"{SPACES_PATH}?limit=100"
    result = handler(function_url_event(url, accept_encoding=None), None)
    assert result["statusCode"] == 200, result
    assert result["isBase64Encoded"] is False
    assert result["headers"]["X-Psoxy-Warning"] == "compression-not-requested"
    assert printed(body_of(result)) == (SANITIZED / "spaces.json").read_text("utf-8")


def test_v1_event_with_stage_and_proxy_prefix_end_to_end(
    site: SimulatedSite, handler: LambdaHandler
) -> None:
    site.simulator.server.clear_requests()
    result = handler(load_event("api-gateway-http-v1-stage-proxy.json"), None)
    assert result["statusCode"] == 200, result
    assert result["isBase64Encoded"] is True
    assert printed(body_of(result)) == (SANITIZED / "content_search.json").read_text("utf-8")
    (received,) = [r for r in site.simulator.server.requests() if r.path == SEARCH_PATH]
    assert received.query == (
        "cql=lastmodified%3E%3D2025-08-01%20AND%20lastmodified%3C%3D2025-09-29%20AND%20"
        "space%3D%22~608a9b555426330072f9867d%22&limit=10"
    )


def test_http_api_v2_route_with_stage_end_to_end(
    site: SimulatedSite, handler: LambdaHandler
) -> None:
    event = load_event(
        "api-gateway-http-v2-iam.json",
        rawPath=f"/prod/confluence-cloud{SPACES_PATH}",
        rawQueryString="limit=100",
        routeKey="ANY /confluence-cloud/{proxy+}",
        body=None,
    )
    event["requestContext"].update(routeKey="ANY /confluence-cloud/{proxy+}", stage="prod")
    result = handler(event, None)
    assert result["statusCode"] == 200, result
    assert printed(body_of(result)) == (SANITIZED / "spaces.json").read_text("utf-8")


def test_health_check_through_lambda(handler: LambdaHandler) -> None:
    event = function_url_event("/", accept_encoding=None)
    event["headers"]["x-psoxy-health-check"] = "true"
    result = handler(event, None)
    assert result["statusCode"] == 200, result
    report = orjson.loads(body_of(result))
    assert report["configuredSource"] == "confluence"


def test_blocked_endpoint_never_reaches_the_simulator(
    site: SimulatedSite, handler: LambdaHandler
) -> None:
    site.simulator.server.clear_requests()
    url = f"/ex/confluence/{site.credentials.cloud_id}/wiki/rest/api/user/current"
    result = handler(function_url_event(url, accept_encoding="gzip"), None)
    assert result["statusCode"] == 403
    assert result["headers"]["X-Psoxy-Error"] == "BLOCKED_BY_RULES"
    assert [r for r in site.simulator.server.requests() if "/wiki/" in r.path] == []
