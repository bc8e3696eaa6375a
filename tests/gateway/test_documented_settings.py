"""Settings the docs promise do what they say: BUNDLE_FILENAME and PSEUDONYMIZE_APP_IDS are
reported by the health check, and the reference's development-only `X-Psoxy-Skip-Sanitizer`
header is not honoured at all, even in development mode (it would return raw data)."""

from __future__ import annotations

import httpx
import orjson

from proxy.config import Settings
from proxy.gateway import GatewayConfig
from proxy.http import Headers, HttpRequest
from proxy.platforms.composition import build_gateway as compose
from proxy.simulator.confluence import example_response
from support.gateway_rig import ENV_STORE_ENVIRONMENT, FACTS, build_gateway

SPACES = "/ex/confluence/c1/wiki/api/v2/spaces"
RAW_ACCOUNT_ID = b"608a9b555426330072f9867d"
HEALTH_CHECK = Headers([("X-Psoxy-Health-Check", "1")])


def test_the_health_check_reports_bundle_filename_and_pseudonymize_app_ids() -> None:
    environment = ENV_STORE_ENVIRONMENT
    unset = compose(Settings.from_env(environment))
    configured = compose(
        Settings.from_env(
            {
                **environment,
                "BUNDLE_FILENAME": "psoxy-aws-0.6.9.jar",
                "PSEUDONYMIZE_APP_IDS": "true",
            }
        )
    )

    def report(gateway: object) -> dict[str, object]:
        response = gateway.handle(HttpRequest("GET", "/", headers=HEALTH_CHECK))  # type: ignore[attr-defined]
        return dict(orjson.loads(response.body))

    assert (report(unset)["bundleFilename"], report(unset)["pseudonymizeAppIds"]) == (None, False)
    assert report(configured)["bundleFilename"] == "psoxy-aws-0.6.9.jar"
    assert report(configured)["pseudonymizeAppIds"] is True


def test_the_skip_sanitizer_header_is_ignored_even_in_development_mode() -> None:
    seen: list[httpx.Request] = []

    def upstream(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=orjson.loads(example_response("spaces.json")))

    gateway = build_gateway(upstream, config=GatewayConfig(facts=FACTS, development_mode=True))
    skip = Headers([("X-Psoxy-Skip-Sanitizer", "true")])

    sanitized = gateway.handle(HttpRequest("GET", SPACES, "limit=10", headers=skip))
    blocked = gateway.handle(HttpRequest("GET", "/ex/confluence/c1/wiki/admin", None, headers=skip))

    assert RAW_ACCOUNT_ID in example_response("spaces.json")
    assert sanitized.status == 200
    assert RAW_ACCOUNT_ID not in sanitized.body
    assert sanitized.headers.get("X-Psoxy-Rules-SHA") is not None
    assert (blocked.status, blocked.headers.get("X-Psoxy-Error")) == (403, "BLOCKED_BY_RULES")
    assert len(seen) == 1
    assert "x-psoxy-skip-sanitizer" not in seen[0].headers
