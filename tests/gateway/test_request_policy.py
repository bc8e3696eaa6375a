"""Second tests for the gateway's security checks, each from the caller's side: the status and
headers the caller gets, and whether anything reached upstream.

Method allow-list (per endpoint), IP allow-list (IPv6, mapped and zoned addresses, fail
closed), and the filter on upstream response headers (success and error responses).
"""

from __future__ import annotations

import gzip
import logging

import httpx
import orjson
import pytest

from proxy.gateway._pipeline import GatewayConfig
from proxy.http._models import Headers, HttpRequest
from support.custom_rules import ACCOUNT_RULES, ATLASSIAN_ID, LEGACY_ID, MEMBERS, PROPERTY
from support.gateway_rig import FACTS, build_gateway, custom_sanitizer

RULES = custom_sanitizer(ACCOUNT_RULES.read_text())
SPACES = "/ex/confluence/c1/wiki/api/v2/spaces"


class Upstream:
    """Answers every request with an empty page and records it."""

    def __init__(self) -> None:
        self.received: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.received.append(request)
        if request.method == "HEAD":
            return httpx.Response(200, headers={"Content-Type": "application/json"})
        return httpx.Response(200, json={"results": [], "_links": {}})


def blocked(response_status: int, error: str | None) -> bool:
    return (response_status, error) == (403, "BLOCKED_BY_RULES")


# --- methods ------------------------------------------------------------------------------------


def test_each_endpoint_forwards_only_the_methods_its_rule_lists() -> None:
    upstream = Upstream()
    gateway = build_gateway(upstream, rules=RULES)
    prop = PROPERTY.format(account=LEGACY_ID)

    head = gateway.handle(HttpRequest("HEAD", prop))
    assert (head.status, head.body) == (200, b"")
    assert [r.method for r in upstream.received] == ["HEAD"]

    for method, path in [
        ("HEAD", MEMBERS),  # HEAD is listed for the property endpoint only
        ("POST", prop),
        ("PUT", prop),
        ("DELETE", prop),
        ("PATCH", prop),
        ("OPTIONS", prop),
        ("TRACE", prop),
        ("CONNECT", prop),
    ]:
        response = gateway.handle(HttpRequest(method, path))
        assert blocked(response.status, response.headers.get("X-Psoxy-Error")), (method, path)
    assert len(upstream.received) == 1


def test_a_lower_case_method_is_allowed_no_more_than_its_upper_case_form() -> None:
    upstream = Upstream()
    gateway = build_gateway(upstream, rules=RULES)

    for method, path in [("head", MEMBERS), ("post", PROPERTY.format(account=LEGACY_ID))]:
        response = gateway.handle(HttpRequest(method, path))
        assert blocked(response.status, response.headers.get("X-Psoxy-Error")), method
    assert upstream.received == []


# --- client IP allow-list -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("blocks", "client_ip"),
    [
        ("2001:db8::/32", "2001:db8::1"),
        ("2001:db8::/32", "[2001:db8:0:0::7]:443"),
        ("10.0.0.0/8", "::ffff:10.1.2.3"),  # IPv4-mapped IPv6 counts as its IPv4 address
        ("fe80::/10", "fe80::1%eth0"),  # the zone id is dropped
        ("10.0.0.0/8", "10.1.2.3%eth0"),  # ... from any address
        ("10.0.0.0/8", "10.1.2.3%eth0%1"),
        ("10.1.2.3/8", "10.200.0.1"),  # host bits in a block are ignored
        ("192.0.2.7", "192.0.2.7"),  # a single address
        ("198.51.100.0/24, 2001:db8::/32", " 198.51.100.200 "),
        ("garbage, 10.0.0.0/8", "10.200.0.1"),  # invalid entries are ignored...
        (" , ", "203.0.113.5"),  # ...and no entry at all means no lock-down
    ],
)
def test_addresses_inside_the_allowed_blocks_get_through(blocks: str, client_ip: str) -> None:
    upstream = Upstream()
    gateway = build_gateway(upstream, config=GatewayConfig(facts=FACTS, allowed_ip_blocks=blocks))

    response = gateway.handle(HttpRequest("GET", SPACES, client_ip=client_ip))

    assert response.status == 200
    assert len(upstream.received) == 1


@pytest.mark.parametrize(
    ("blocks", "client_ip"),
    [
        ("2001:db8::/32", "2001:db9::1"),
        ("2001:db8::/32", "10.0.0.1"),
        ("10.0.0.0/8", "::ffff:11.1.2.3"),
        ("10.0.0.0/8", "::1"),
        ("192.0.2.7", "192.0.2.8"),
        ("10.0.0.0/8", "10.0.0.1, 10.0.0.2"),  # a list is not one client
        ("::1/128", "[::1],[2001:db8::9]"),
        ("::1/128", "x::1]"),
        ("10.0.0.0/8", ""),
        ("10.0.0.0/8", "   "),
        ("10.0.0.0/8", "10.0.0"),
        ("not-an-ip, 999.1.1.1", "127.0.0.1"),  # every entry invalid: nobody (fail closed)
        ("not-an-ip", "999.1.1.1"),
    ],
)
def test_addresses_outside_the_allowed_blocks_are_refused_before_anything_else(
    blocks: str, client_ip: str
) -> None:
    upstream = Upstream()
    gateway = build_gateway(upstream, config=GatewayConfig(facts=FACTS, allowed_ip_blocks=blocks))

    # even a request the rules would block gets the IP refusal: the IP is checked first
    for path in [SPACES, "/ex/confluence/c1/wiki/api/v2/pages/1"]:
        response = gateway.handle(HttpRequest("GET", path, client_ip=client_ip))
        assert (response.status, response.headers.get("X-Psoxy-Error")) == (
            403,
            "UNAUTHORIZED_IP_ADDRESS",
        )
        assert response.body == b"Client IP is not authorized to access this proxy."
    assert upstream.received == []


def test_invalid_entries_are_named_in_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    build_gateway(
        Upstream(), config=GatewayConfig(facts=FACTS, allowed_ip_blocks="10.0.0.0/8, nope")
    )

    warnings = [r for r in caplog.records if r.name == "proxy.gateway.ip_allowlist"]
    assert [(r.levelno, r.getMessage()) for r in warnings] == [
        (logging.WARNING, "ignoring invalid ALLOWED_DATA_ACCESS_IP_BLOCKS entry 'nope'")
    ]
    assert [r.__dict__["event"] for r in warnings] == ["config_error"]


def test_the_health_check_answers_any_caller_but_reports_a_refused_ip() -> None:
    config = GatewayConfig(facts=FACTS, allowed_ip_blocks="10.0.0.0/8")
    gateway = build_gateway(Upstream(), config=config)
    health = Headers([("X-Psoxy-Health-Check", "1")])

    refused = gateway.handle(HttpRequest("GET", "/", headers=health, client_ip="192.0.2.1"))
    allowed = gateway.handle(HttpRequest("GET", "/", headers=health, client_ip="10.9.9.9"))

    assert refused.status == 412
    report = orjson.loads(refused.body)
    assert report["clientIpAuthorized"] is False
    assert (
        "Client IP is not authorized to access this proxy instance." in (report["warningMessages"])
    )
    assert allowed.status == 200
    assert orjson.loads(allowed.body)["clientIpAuthorized"] is True


def test_without_a_lock_down_the_health_check_says_nothing_about_the_ip() -> None:
    gateway = build_gateway(Upstream())
    health = Headers([("X-Psoxy-Health-Check", "1")])

    report = orjson.loads(gateway.handle(HttpRequest("GET", "/", headers=health)).body)

    assert "clientIpAuthorized" not in report
    assert report["callerIp"] == "unknown"


# --- upstream response headers ------------------------------------------------------------------

LEAKY_UPSTREAM_HEADERS = [
    ("Set-Cookie", "atlassian.xsrf.token=abc; Path=/"),
    ("X-AACCOUNTID", ATLASSIAN_ID),  # Atlassian names the calling account in this header
    ("Server", "AtlassianEdge"),
    ("Atl-Traceid", "7c1e0b3f9a2d4e5f"),
    ("X-Request-Id", "req-1"),
    ("Location", f"https://example.atlassian.net/wiki/people/{ATLASSIAN_ID}"),
    ("Strict-Transport-Security", "max-age=63072000"),
    ("Vary", "Accept-Encoding"),
    ("X-Vendor", "v"),
    ("Report-To", '{"endpoints":[{"url":"https://example.com/r"}]}'),
]


def test_only_pass_through_headers_reach_the_caller_of_a_sanitized_response() -> None:
    def upstream(request: httpx.Request) -> httpx.Response:
        body = orjson.dumps({"results": [], "_links": {}})
        return httpx.Response(
            200,
            headers=[
                ("Content-Type", "application/json"),
                ("Content-Encoding", "gzip"),  # decoded by the proxy: must not reach the caller
                ("X-RateLimit-Limit", "100"),
                ("Retry-After", "30"),
                *LEAKY_UPSTREAM_HEADERS,
            ],
            content=gzip.compress(body),
        )

    response = build_gateway(upstream).handle(HttpRequest("GET", SPACES))

    assert response.status == 200
    assert orjson.loads(response.body) == {"results": [], "_links": {}}
    assert {name.lower() for name, _ in response.headers} == {
        "content-type",
        "x-ratelimit-limit",
        "retry-after",
        "x-psoxy-rules-sha",
        "x-psoxy-psoxy-version",
        "x-psoxy-pii-salt-sha256",
    }
    assert response.headers.get("x-ratelimit-limit") == "100"
    assert response.headers.get("retry-after") == "30"
    assert all(ATLASSIAN_ID not in value for _, value in response.headers)


def test_only_pass_through_headers_reach_the_caller_of_an_upstream_error() -> None:
    def upstream(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            429,
            headers=[
                ("Retry-After", "30"),
                ("X-RateLimit-Remaining", "0"),
                *LEAKY_UPSTREAM_HEADERS,
            ],
            json={"message": f"Rate limited for {ATLASSIAN_ID}"},
        )

    response = build_gateway(upstream).handle(HttpRequest("GET", SPACES))

    assert response.status == 429
    assert {name.lower() for name, _ in response.headers} == {
        "content-type",
        "retry-after",
        "x-ratelimit-remaining",
        "x-psoxy-error",
    }
    assert response.headers.get("content-type") == "application/json"  # ours, not upstream's
    assert all(ATLASSIAN_ID not in value for _, value in response.headers)
    assert ATLASSIAN_ID.encode() not in response.body
