"""Responses the proxy makes itself, exactly as the caller receives them, and what each request
leaves in the logs (the endpoint and outcome; the raw URL only in development mode)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import httpx
import orjson
import pytest

from proxy.auth._base import UpstreamCredentials
from proxy.errors import ProxyError, RefreshTokenRevoked, SourceAuthBusy
from proxy.gateway._pipeline import GatewayConfig
from proxy.http._models import Headers, HttpRequest
from support.custom_rules import ACCOUNT_RULES, LEGACY_ID, PROPERTY
from support.gateway_rig import FACTS, ScriptedAuth, build_gateway, custom_sanitizer

SPACES = "/ex/confluence/c1/wiki/api/v2/spaces"
SPACES_LABEL = "/ex/confluence/{cloudId}/wiki/api/{version}/spaces"
RULES = custom_sanitizer(ACCOUNT_RULES.read_text())


def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"results": [], "_links": {}})


class FailingAuth(ScriptedAuth):
    """Source auth that cannot hand out credentials."""

    def __init__(self, error: ProxyError) -> None:
        super().__init__()
        self.error = error

    def credentials(self) -> UpstreamCredentials:
        raise self.error

    def health(self) -> Mapping[str, object]:
        return {}


# --- errors of our own --------------------------------------------------------------------------


def test_https_required() -> None:
    response = build_gateway(ok).handle(HttpRequest("GET", SPACES, is_https=False))

    assert response.status == 400
    assert list(response.headers) == [
        ("X-Psoxy-Error", "HTTPS_REQUIRED"),
        ("Content-Type", "text/plain; charset=utf-8"),
    ]
    assert response.body == b"Requests MUST be sent over HTTPS"


def test_a_blocked_request_gets_only_the_error_header() -> None:
    response = build_gateway(ok).handle(HttpRequest("GET", SPACES + "/x"))

    assert (response.status, list(response.headers), response.body) == (
        403,
        [("X-Psoxy-Error", "BLOCKED_BY_RULES")],
        b"",
    )


def test_lock_contention_tells_the_caller_when_to_retry() -> None:
    busy = SourceAuthBusy("another instance holds the lock; retry shortly", retry_after_seconds=30)

    response = build_gateway(ok, auth=FailingAuth(busy)).handle(HttpRequest("GET", SPACES))

    assert response.status == 503
    assert list(response.headers) == [
        ("X-Psoxy-Error", "SOURCE_AUTH_LOCK_CONTENTION"),
        ("Retry-After", "30"),
        ("Content-Type", "text/plain; charset=utf-8"),
    ]
    assert response.body == b"another instance holds the lock; retry shortly"


def test_an_unexpected_error_is_a_plain_500() -> None:
    def upstream(request: httpx.Request) -> httpx.Response:
        raise ValueError("detail that must not leak")

    response = build_gateway(upstream).handle(HttpRequest("GET", SPACES))

    assert (response.status, list(response.headers), response.body) == (
        500,
        [("X-Psoxy-Error", "UNKNOWN"), ("Content-Type", "text/plain; charset=utf-8")],
        b"unexpected error; see the logs",
    )


def test_a_whitespace_body_on_a_get_counts_as_no_body() -> None:
    seen: list[bytes] = []

    def upstream(request: httpx.Request) -> httpx.Response:
        seen.append(request.content)
        return ok(request)

    response = build_gateway(upstream).handle(HttpRequest("GET", SPACES, body=b" \r\n\t"))

    assert response.status == 200
    assert seen == [b""]


def test_a_body_on_a_head_is_refused_with_a_message() -> None:
    prop = PROPERTY.format(account=LEGACY_ID)  # HEAD is allowed there

    response = build_gateway(ok, rules=RULES).handle(HttpRequest("HEAD", prop, body=b"{}"))

    assert (response.status, response.headers.get("X-Psoxy-Error"), response.body) == (
        400,
        "INVALID_REQUEST",
        b"Request body is not allowed for GET or HEAD requests",
    )


@pytest.mark.parametrize("query", ["limit=1#frag", "limit=1 2", "cql=%zz"])
def test_a_query_the_url_policy_refuses_is_blocked_before_matching(query: str) -> None:
    calls: list[httpx.Request] = []

    def upstream(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return ok(request)

    response = build_gateway(upstream).handle(HttpRequest("GET", SPACES, query))

    assert (response.status, response.headers.get("X-Psoxy-Error")) == (403, "BLOCKED_BY_RULES")
    assert calls == []


# --- upstream errors: our summary, never their body ---------------------------------------------

LONG_PREFIX = b"x" * (65536 - len(b"scope does not match") + 1)


@pytest.mark.parametrize(
    ("status", "body", "hint"),
    [
        (
            401,
            b'{"message":"Unauthorized; Scope Does Not Match"}',
            "The OAuth token lacks a scope this call needs: add the scope to the Atlassian app "
            "and run `proxy setup confluence` again.",
        ),
        (401, b"Unauthorized", "Atlassian rejected the access token even after a refresh."),
        (
            401,
            LONG_PREFIX + b"scope does not match",  # the marker ends one byte past 64 KiB
            "Atlassian rejected the access token even after a refresh.",
        ),
        (
            403,
            b"Forbidden",
            "The Atlassian app or user may not read this resource, or the site (cloudId) is not "
            "one the token was granted for.",
        ),
        (404, b"", "Not found: check the cloudId and the ids in the path."),
        (429, b"", "Rate limited by Atlassian: retry after the Retry-After header's seconds."),
        (500, b"scope does not match", "Atlassian had an error; retry later."),
        (501, b"", "Atlassian had an error; retry later."),
        (503, b"", "Atlassian had an error; retry later."),
        (400, b"scope does not match", None),
        (409, b"", None),
        (499, b"", None),
        (302, b"", None),
    ],
)
def test_upstream_errors_are_summarized_with_a_hint_where_one_helps(
    status: int, body: bytes, hint: str | None
) -> None:
    def upstream(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers={"Content-Type": "text/html"})

    response = build_gateway(upstream).handle(HttpRequest("GET", SPACES))

    expected: dict[str, object] = {"error": "API_ERROR", "status": status}
    if hint is not None:
        expected["hint"] = hint
    assert response.status == status
    assert orjson.loads(response.body) == expected
    assert response.headers.get_all("content-type") == ["application/json"]
    assert response.headers.get_all("x-psoxy-error") == ["API_ERROR"]


def test_an_upstream_errors_own_json_content_type_gives_way_to_the_summarys() -> None:
    def upstream(request: httpx.Request) -> httpx.Response:
        headers = {"Content-Type": "application/json; charset=utf-8", "Retry-After": "30"}
        return httpx.Response(429, headers=headers, content=b'{"message":"slow down"}')

    response = build_gateway(upstream).handle(HttpRequest("GET", SPACES))

    assert (response.status, list(response.headers)) == (
        429,
        [
            ("Content-Type", "application/json"),
            ("retry-after", "30"),
            ("X-Psoxy-Error", "API_ERROR"),
        ],
    )


def test_a_success_without_a_content_type_is_labelled_json() -> None:
    def upstream(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, headers={"X-RateLimit-Remaining": "5"}, content=b'{"results":[]}'
        )

    response = build_gateway(upstream).handle(HttpRequest("GET", SPACES))

    assert list(response.headers)[:2] == [
        ("x-ratelimit-remaining", "5"),
        ("content-type", "application/json"),
    ]


# --- logs ---------------------------------------------------------------------------------------


def messages(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    return [
        (r.levelno, r.getMessage()) for r in caplog.records if r.name == "proxy.gateway.pipeline"
    ]


def test_a_request_is_logged_by_endpoint_and_outcome_never_by_its_url(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    token_query = "limit=10&cursor=p~SECRETCURSOR"

    build_gateway(ok).handle(HttpRequest("GET", SPACES, token_query))
    build_gateway(ok).handle(HttpRequest("GET", SPACES + "/x", "q=alice"))

    (served, failed, blocked) = messages(caplog)
    assert served[0] == logging.INFO
    assert served[1].startswith(f"GET {SPACES_LABEL} -> 200  ")
    assert served[1].endswith("ms")
    assert failed == (logging.INFO, "GET failed: BLOCKED_BY_RULES (BLOCKED_BY_RULES)")
    assert blocked[1].startswith("GET (no rules endpoint) -> 403 BLOCKED_BY_RULES ")
    logged = "\n".join(text for _, text in messages(caplog))
    assert "SECRETCURSOR" not in logged and "alice" not in logged and "/x" not in logged


def test_in_development_mode_the_raw_url_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    config = GatewayConfig(facts=FACTS, development_mode=True)

    build_gateway(ok, config=config).handle(HttpRequest("GET", SPACES, "limit=10"))
    build_gateway(ok, config=config).handle(HttpRequest("GET", SPACES))

    first, second = (text for _, text in messages(caplog))
    assert first.startswith(f"GET {SPACES}?limit=10 -> 200 ")
    assert second.startswith(f"GET {SPACES} -> 200 ")


@pytest.mark.parametrize(
    ("error", "level"),
    [
        (RefreshTokenRevoked("revoked"), logging.WARNING),  # status 500: an operator must act
        (SourceAuthBusy("busy", retry_after_seconds=30), logging.WARNING),
    ],
)
def test_server_side_failures_are_logged_as_warnings(
    error: ProxyError, level: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)

    build_gateway(ok, auth=FailingAuth(error)).handle(HttpRequest("GET", SPACES))

    failed = messages(caplog)[0]
    assert failed == (level, f"GET failed: {error.code} ({error.message})")


def test_unexpected_errors_are_logged_with_their_stack_only_in_development_mode(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def upstream(request: httpx.Request) -> httpx.Response:
        raise KeyError("alice@example.com")

    build_gateway(upstream).handle(HttpRequest("GET", SPACES))
    development = GatewayConfig(facts=FACTS, development_mode=True)
    build_gateway(upstream, config=development).handle(HttpRequest("GET", SPACES))

    production, dev = (r for r in caplog.records if r.levelno == logging.ERROR)
    assert production.getMessage().startswith(
        "unexpected error handling a GET request: KeyError (message withheld)\n"
    )
    assert production.exc_info is None
    assert dev.getMessage() == "unexpected error handling a GET request"
    assert dev.exc_info is not None and dev.exc_info[0] is KeyError


def test_the_health_check_is_logged_under_its_own_name(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    health = Headers([("X-Psoxy-Health-Check", "1")])

    build_gateway(ok).handle(HttpRequest("GET", "/secret/path", "q=1", headers=health))

    (line,) = (text for _, text in messages(caplog))
    assert line.startswith("GET health-check -> 200  ")
