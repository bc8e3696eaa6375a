"""The request pipeline against a scripted upstream: order of checks, headers, fail-closed."""

from __future__ import annotations

import gzip
import logging
from urllib.parse import parse_qsl

import httpx
import orjson
import pytest

from proxy.errors import ConfigStoreUnavailable, MissingSecretError
from proxy.gateway import Gateway, GatewayConfig, LazyRuntime, Upstream, UpstreamTarget, salt_sha256
from proxy.http import Headers, HttpRequest
from proxy.rules import load_rules
from proxy.sanitize import PseudonymKeys
from proxy.secret_value import Secret
from proxy.simulator.confluence import example_response
from support.engine import Engine
from support.gateway_rig import FACTS, KEY, SALT, ScriptedAuth, build_gateway, sanitizer

SPACES = "/ex/confluence/c1/wiki/api/v2/spaces"


def ok_spaces(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        200,
        headers={
            "Content-Type": "application/json",
            "X-RateLimit-Remaining": "99",
            "Set-Cookie": "a=b",
            "X-Vendor": "v",
        },
        content=example_response("spaces.json"),
    )


def get(path: str, query: str | None = None, **kwargs: object) -> HttpRequest:
    return HttpRequest("GET", path, query, **kwargs)  # type: ignore[arg-type]


def test_sanitized_response_with_reference_headers() -> None:
    seen: list[httpx.Request] = []

    def upstream(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return ok_spaces(request)

    response = build_gateway(upstream).handle(get(SPACES, "limit=10"))
    assert response.status == 200
    assert orjson.loads(response.body)["results"][0]["authorId"] == (
        "t~7Z5-G-SoDUxVDxHtoJZFqVZ-ri3XiGo3ylaDNUVtY6Q"
    )
    assert list(response.headers) == [
        ("content-type", "application/json"),
        ("x-ratelimit-remaining", "99"),
        ("X-Psoxy-Rules-SHA", sanitizer().rules.sha),
        ("X-Psoxy-Psoxy-Version", "v0.1.0"),
        ("X-Psoxy-PII-Salt-Sha256", salt_sha256(Secret("salt"))),
    ]
    (sent,) = seen
    assert sent.extensions["target"] == f"{SPACES}?limit=10".encode()
    assert sent.headers["authorization"] == "Bearer token-1"
    assert sent.headers["accept"] == "application/json"
    assert sent.headers["accept-encoding"] == "gzip"


def test_salt_hash_is_the_references() -> None:
    assert salt_sha256(Secret("salt")) == "pRwka918R7CEI6El1noIhIMJzqBGYUvvqXYHyMvxl2Y"


def test_blocked_request_is_403_with_no_body_and_nothing_forwarded() -> None:
    calls: list[httpx.Request] = []
    gateway = build_gateway(lambda r: calls.append(r) or ok_spaces(r))  # type: ignore[func-returns-value]
    for request in [
        get("/ex/confluence/c1/wiki/api/v2/pages/1"),
        get(SPACES, "limit=1&body-format=x"),
        HttpRequest("POST", SPACES, None),
        get(f"{SPACES}/../../rest/api/group"),
        get("/ex/confluence/c1%2Fx/wiki/api/v2/spaces"),
        get(SPACES + ";jsessionid=1"),
    ]:
        response = gateway.handle(request)
        assert (response.status, response.headers.get("X-Psoxy-Error"), response.body) == (
            403,
            "BLOCKED_BY_RULES",
            b"",
        ), request
    assert calls == []


def test_function_name_and_prefix_are_stripped_before_matching() -> None:
    config = GatewayConfig(
        facts=FACTS, function_name="psoxy-confluence", path_prefix_to_trim="/v1/"
    )
    seen: list[bytes] = []
    gateway = build_gateway(
        lambda r: seen.append(r.extensions["target"]) or ok_spaces(r), config=config
    )  # type: ignore[func-returns-value]
    assert gateway.handle(get("/v1/psoxy-confluence" + SPACES)).status == 200
    assert seen == [SPACES.encode()]


def test_https_is_required_when_the_platform_says_http() -> None:
    response = build_gateway(ok_spaces).handle(get(SPACES, is_https=False))
    assert (response.status, response.headers.get("X-Psoxy-Error")) == (400, "HTTPS_REQUIRED")


def test_ip_allow_list() -> None:
    config = GatewayConfig(facts=FACTS, allowed_ip_blocks="10.0.0.0/8, 192.168.1.7")
    gateway = build_gateway(ok_spaces, config=config)
    assert gateway.handle(get(SPACES, client_ip="10.1.2.3")).status == 200
    assert gateway.handle(get(SPACES, client_ip="192.168.1.7:5000")).status == 200
    for ip in ["11.0.0.1", None, "10.0.0.1, 11.0.0.1", "garbage"]:
        response = gateway.handle(get(SPACES, client_ip=ip))
        assert (response.status, response.headers.get("X-Psoxy-Error")) == (
            403,
            "UNAUTHORIZED_IP_ADDRESS",
        ), ip


def test_body_on_get_is_rejected() -> None:
    response = build_gateway(ok_spaces).handle(get(SPACES, body=b'{"a":1}'))
    assert (response.status, response.headers.get("X-Psoxy-Error")) == (400, "INVALID_REQUEST")


def test_reversible_tokens_in_the_url_are_decrypted_for_the_upstream_only() -> None:
    pseudonymizer = sanitizer().pseudonymizer
    token = pseudonymizer.tokenize("608a9b555426330072f9867d")
    seen: list[bytes] = []

    def upstream(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["target"])
        return httpx.Response(200, json={"results": [], "_links": {}})

    path = "/ex/confluence/c1/wiki/rest/api/content/search"
    query = f"cql=space%3D%22~{token}%22&limit=10"
    assert build_gateway(upstream).handle(get(path, query)).status == 200
    assert seen == [f"{path}?cql=space%3D%22~608a9b555426330072f9867d%22&limit=10".encode()]


def test_a_forged_token_is_409_and_not_forwarded() -> None:
    calls: list[httpx.Request] = []
    gateway = build_gateway(lambda r: calls.append(r) or ok_spaces(r))  # type: ignore[func-returns-value]
    forged = "p~" + "A" * 64
    response = gateway.handle(
        get("/ex/confluence/c1/wiki/rest/api/content/search", f"cql={forged}")
    )
    assert (response.status, response.headers.get("X-Psoxy-Error")) == (
        409,
        "TOKENIZED_REQUEST_PARAMETER_INVALID",
    )
    assert calls == []


def test_401_discards_the_token_and_retries_once_with_a_fresh_one() -> None:
    auth = ScriptedAuth()
    tokens: list[str] = []

    def upstream(request: httpx.Request) -> httpx.Response:
        tokens.append(request.headers["authorization"])
        if len(tokens) == 1:
            return httpx.Response(401, json={"code": 401, "message": "Unauthorized"})
        return ok_spaces(request)

    assert build_gateway(upstream, auth=auth).handle(get(SPACES)).status == 200
    assert tokens == ["Bearer token-1", "Bearer token-2"]
    assert auth.rejected_ids == ["token-1"]


def test_second_401_is_passed_through_as_api_error_with_a_hint_and_no_upstream_body() -> None:
    def upstream(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            401, json={"code": 401, "message": "Unauthorized; scope does not match"}
        )

    response = build_gateway(upstream).handle(get(SPACES))
    assert response.status == 401
    assert response.headers.get("X-Psoxy-Error") == "API_ERROR"
    body = orjson.loads(response.body)
    assert body["status"] == 401 and "scope" in body["hint"]
    assert b"Unauthorized" not in response.body


def test_429_keeps_retry_after_and_rate_limit_headers() -> None:
    def upstream(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            429,
            headers={"Retry-After": "30", "X-RateLimit-Reset": "2026-01-01T00:00Z"},
            json={"message": "Rate limited for user alice@example.com"},
        )

    response = build_gateway(upstream).handle(get(SPACES))
    assert response.status == 429
    assert response.headers.get("retry-after") == "30"
    assert response.headers.get("x-ratelimit-reset") == "2026-01-01T00:00Z"
    assert response.headers.get("X-Psoxy-Error") == "API_ERROR"
    assert b"alice" not in response.body


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"<html>Atlassian is down for alice@example.com</html>", "text/html"),
        (b'{"results":[{"authorId":"608a9b555426330072f9867d","title":"Hal', "application/json"),
    ],
)
def test_2xx_that_is_not_json_fails_closed(content: bytes, content_type: str) -> None:
    def upstream(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Type": content_type}, content=content)

    response = build_gateway(upstream).handle(get(SPACES))
    assert response.status == 502
    assert response.headers.get("X-Psoxy-Error") == "SOURCE_API_RESPONSE_INVALID"
    assert b"alice" not in response.body and b"608a9b" not in response.body


def test_gzip_upstream_bodies_are_decoded() -> None:
    def upstream(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
            content=gzip.compress(example_response("spaces.json")),
        )

    response = build_gateway(upstream).handle(get(SPACES))
    assert response.status == 200
    assert b"608a9b555426330072f9867d" not in response.body


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (httpx.ConnectError("refused"), 503, "CONNECTION_TO_SOURCE"),
        (httpx.ConnectTimeout("slow connect"), 503, "CONNECTION_TO_SOURCE"),
        (httpx.ReadTimeout("slow"), 504, "SOURCE_API_READ_TIMEOUT"),
        (httpx.RemoteProtocolError("bad"), 502, "CONNECTION_TO_SOURCE"),
    ],
)
def test_transport_failures_map_to_reference_codes(
    error: Exception, status: int, code: str
) -> None:
    def upstream(request: httpx.Request) -> httpx.Response:
        raise error

    response = build_gateway(upstream).handle(get(SPACES))
    assert (response.status, response.headers.get("X-Psoxy-Error")) == (status, code)
    assert b"Traceback" not in response.body


def test_unexpected_errors_are_500_without_details() -> None:
    def upstream(request: httpx.Request) -> httpx.Response:
        raise RuntimeError("secret detail")

    response = build_gateway(upstream).handle(get(SPACES))
    assert (response.status, response.headers.get("X-Psoxy-Error")) == (500, "UNKNOWN")
    assert b"secret detail" not in response.body


def test_runtime_failures_are_retried_on_the_next_request() -> None:
    attempts: list[int] = []
    real = build_gateway(ok_spaces)._runtime.get

    def flaky() -> object:
        attempts.append(1)
        if len(attempts) == 1:
            raise ConfigStoreUnavailable("SSM is unavailable")
        return real()

    gateway = build_gateway(ok_spaces, build_runtime=flaky)  # type: ignore[arg-type]
    first = gateway.handle(get(SPACES))
    assert (first.status, first.headers.get("X-Psoxy-Error")) == (503, "CONFIGURATION_FAILURE")
    assert gateway.handle(get(SPACES)).status == 200


def test_health_check_passes_with_sorted_keys_and_crlf() -> None:
    auth = ScriptedAuth(health_facts={"refresh_token_present": True})
    gateway = build_gateway(ok_spaces, auth=auth)
    request = get(
        "/anything", headers=Headers([("X-Psoxy-Health-Check", "1")]), client_ip="1.2.3.4"
    )
    response = gateway.handle(request)
    assert response.status == 200
    assert response.body.endswith(b"\r\n")
    report = orjson.loads(response.body)
    assert list(report) == sorted(report)
    assert report["callerIp"] == "1.2.3.4"
    assert report["configuredSource"] == "confluence"
    assert report["nonDefaultSalt"] is True
    assert report["saltSha256Hash"] == "pRwka918R7CEI6El1noIhIMJzqBGYUvvqXYHyMvxl2Y"
    assert report["missingConfigProperties"] == []
    assert report["sourceAuth"] == {"refresh_token_present": True}


def test_health_check_fails_412_naming_a_missing_secret() -> None:
    def missing() -> object:
        raise MissingSecretError("PSOXY_SALT")

    gateway = build_gateway(ok_spaces, build_runtime=missing)  # type: ignore[arg-type]
    response = gateway.handle(get("/", headers=Headers([("x-psoxy-health-check", "")])))
    assert response.status == 412
    report = orjson.loads(response.body)
    assert report["missingConfigProperties"] == ["PSOXY_SALT"]
    assert report["nonDefaultSalt"] is False


def test_health_check_tells_the_operator_to_re_run_setup_after_invalid_grant() -> None:
    auth = ScriptedAuth(
        health_facts={
            "lastRefreshError": "invalid_grant",
            "warningMessages": ["re-run the OAuth setup (proxy setup confluence)"],
        }
    )
    response = build_gateway(ok_spaces, auth=auth).handle(
        get("/", headers=Headers([("X-Psoxy-Health-Check", "true")]))
    )
    assert response.status == 412
    assert any(
        "proxy setup confluence" in w for w in orjson.loads(response.body)["warningMessages"]
    )


def test_unexpected_errors_are_logged_without_their_message(
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "@".join(["alice", "example.com"])  # not in any source line the stack shows

    def upstream(request: httpx.Request) -> httpx.Response:
        raise KeyError(secret)

    build_gateway(upstream).handle(get(SPACES))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "KeyError (message withheld)" in logged
    assert "alice@example.com" not in logged
    assert "upstream.py" in logged  # the stack says where


# ------------------------------------------------- decrypted tokens in headers and bodies
_HEADER_RULES = """
allowedRequestHeaders: [X-Owner]
endpoints:
  - pathTemplate: /things
    allowedMethods: [GET, POST]
    responseSchema: {type: object, properties: {ok: {type: boolean}}}
"""


def _custom_rules_gateway(seen: list[httpx.Request]) -> Gateway:
    custom = Engine(load_rules(_HEADER_RULES), PseudonymKeys(salt=SALT, encryption_key=KEY))
    client = httpx.Client(
        transport=httpx.MockTransport(
            lambda r: seen.append(r) or httpx.Response(200, json={"ok": True})
        )  # type: ignore[func-returns-value]
    )
    upstream = Upstream(client, UpstreamTarget.parse("api.atlassian.com"))
    runtime = LazyRuntime(lambda: custom.runtime(ScriptedAuth(), upstream, salt_sha256(SALT)))
    return Gateway(GatewayConfig(facts=FACTS), runtime)


def test_a_decrypted_header_value_cannot_split_the_header(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="proxy.gateway.pipeline")
    seen: list[httpx.Request] = []
    gateway = _custom_rules_gateway(seen)
    tokenize = sanitizer().pseudonymizer.tokenize
    for plaintext in ["a\r\nX-Evil: 1", "a\nb", "\x00"]:
        headers = Headers([("X-Owner", tokenize(plaintext))])
        response = gateway.handle(get("/things", headers=headers))
        assert (response.status, response.headers.get("X-Psoxy-Error")) == (403, "BLOCKED_BY_RULES")
    assert seen == []
    failed = [r.getMessage() for r in caplog.records if " failed: " in r.getMessage()]
    reason = "GET failed: BLOCKED_BY_RULES (a decrypted token is not a safe header value)"
    assert failed == [reason] * 3

    owner = "557058:f3a2b1c0-1234-4abc-9def-0123456789ab"
    response = gateway.handle(get("/things", headers=Headers([("X-Owner", tokenize(owner))])))
    assert response.status == 200
    assert seen[0].headers["x-owner"] == owner


def test_a_decrypted_form_value_stays_one_value() -> None:
    seen: list[httpx.Request] = []
    gateway = _custom_rules_gateway(seen)
    token = sanitizer().pseudonymizer.tokenize("a&b=c")
    request = HttpRequest(
        "POST",
        "/things",
        None,
        Headers([("Content-Type", "application/x-www-form-urlencoded")]),
        f"owner={token}&x=1".encode(),
    )
    assert gateway.handle(request).status == 200
    assert seen[0].content == b"owner=a%26b%3Dc&x=1"


def test_the_runtime_link_rewriter_decides_the_link_header_on_success_and_error() -> None:
    link = '</wiki/api/v2/spaces?cursor=abc>; rel="next"'

    def upstream(request: httpx.Request) -> httpx.Response:
        status = 429 if "limit=1" in str(request.extensions["target"]) else 200
        return httpx.Response(status, headers={"Link": link}, json={"results": [], "_links": {}})

    client = httpx.Client(transport=httpx.MockTransport(upstream))
    target = Upstream(client, UpstreamTarget.parse("api.atlassian.com"))
    rewritten: list[str] = []

    def rewrite(value: str) -> str | None:
        rewritten.append(value)
        return value.replace("abc", "p~x")

    for rewriter, expected in [(None, None), (rewrite, link.replace("abc", "p~x"))]:
        runtime = sanitizer().runtime(ScriptedAuth(), target, salt_sha256(SALT), rewriter)
        gateway = Gateway(GatewayConfig(facts=FACTS), LazyRuntime(lambda r=runtime: r))
        assert gateway.handle(get(SPACES, "limit=10")).headers.get("link") == expected
        assert gateway.handle(get(SPACES, "limit=1")).headers.get("link") == expected
    assert rewritten == [link, link]


def test_a_response_header_echoing_a_value_decrypted_from_a_request_header_is_dropped() -> None:
    tokenize = sanitizer().pseudonymizer.tokenize

    def echoing(request: httpx.Request) -> httpx.Response:
        owner = request.headers["x-owner"]
        headers = {"ETag": f'"{owner}"', "Retry-After": "7"}
        return httpx.Response(200, headers=headers, json={"ok": True})

    custom = Engine(load_rules(_HEADER_RULES), PseudonymKeys(salt=SALT, encryption_key=KEY))
    upstream = Upstream(
        httpx.Client(transport=httpx.MockTransport(echoing)),
        UpstreamTarget.parse("api.atlassian.com"),
    )
    runtime = LazyRuntime(lambda: custom.runtime(ScriptedAuth(), upstream, salt_sha256(SALT)))
    gateway = Gateway(GatewayConfig(facts=FACTS), runtime)

    response = gateway.handle(get("/things", headers=Headers([("X-Owner", tokenize("owner42"))])))

    assert (response.status, orjson.loads(response.body)) == (200, {"ok": True})
    assert response.headers.get("etag") is None  # upstream echoed the decrypted `owner42`
    assert response.headers.get("retry-after") == "7"
    # the same header without a token in the request is only the upstream's own tag
    response = gateway.handle(get("/things", headers=Headers([("X-Owner", "owner42")])))
    assert response.headers.get("etag") == '"owner42"'


def test_a_body_echoing_a_value_decrypted_from_the_query_fails_with_a_500() -> None:
    token = sanitizer().pseudonymizer.tokenize("dave-personal")

    def echoing(request: httpx.Request) -> httpx.Response:
        target = bytes(request.extensions["target"]).decode("ascii")
        kind = dict(parse_qsl(target.partition("?")[2]))["type"]
        results = [{"id": "1", "key": "SD", "name": "Support", "type": kind}]
        return httpx.Response(200, json={"results": results, "_links": {}})

    response = build_gateway(echoing).handle(get(SPACES, f"type={token}"))

    assert (response.status, response.headers.get("X-Psoxy-Error"), response.body) == (
        500,
        "SANITIZATION_FAILED",
        b"the response holds a value decrypted from the request",
    )
