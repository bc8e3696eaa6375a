"""What upstream receives for a caller's request: the proxy's own bearer token, only the request
headers the rules list, and `p~` tokens decrypted wherever they stand in the URL.

The rules are a deployment's own (tests/fixtures/custom-rules/): they list `Authorization`,
`Cookie`, `Host` and an `X-Psoxy-*` header for forwarding on purpose, and address users by
`/{accountId}` path templates fed with the `p~` tokens the proxy itself handed out.
"""

from __future__ import annotations

import logging
from urllib.parse import unquote, urlsplit

import httpx
import orjson
import pytest

from proxy.http._models import Headers, HttpRequest
from support.custom_rules import (
    ACCOUNT_RULES,
    ATLASSIAN_ID,
    LEGACY_ID,
    MEMBERS,
    PROPERTY,
)
from support.decrypted_values import UNSAFE_EVERYWHERE, UNSAFE_IN_A_SEGMENT, query_encodings
from support.gateway_rig import build_gateway, custom_sanitizer

RULES = custom_sanitizer(ACCOUNT_RULES.read_text())


class Upstream:
    """A scripted Confluence that records every request the proxy sends it; with `empty`, every
    answer is an empty page (for endpoints of the bundled rules, such as content search)."""

    def __init__(self, *, empty: bool = False) -> None:
        self.received: list[httpx.Request] = []
        self._empty = empty

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.received.append(request)
        if self._empty:
            return httpx.Response(200, json={"results": [], "_links": {}})
        if target_path(request).endswith("/membersByGroupId"):
            members = [
                {"accountId": ATLASSIAN_ID, "email": "ada@example.com", "publicName": "Ada"},
                {"accountId": LEGACY_ID, "email": "bob@example.com", "publicName": "Bob"},
            ]
            return httpx.Response(200, json={"results": members, "size": 2})
        return httpx.Response(200, json={"results": [{"key": "theme"}], "size": 1})

    @property
    def only(self) -> httpx.Request:
        (request,) = self.received
        return request


def target_path(request: httpx.Request) -> str:
    """The path exactly as sent on the wire (the request target, without its query)."""
    return urlsplit(bytes(request.extensions["target"]).decode("ascii")).path


def get(path: str, query: str | None = None, headers: Headers | None = None) -> HttpRequest:
    return HttpRequest("GET", path, query, headers or Headers())


def tokens_handed_out() -> dict[str, str]:
    """Plaintext account id -> the `p~` token the proxy returned for it."""
    upstream = Upstream()
    response = build_gateway(upstream, rules=RULES).handle(get(MEMBERS, "limit=50"))
    assert response.status == 200
    results = orjson.loads(response.body)["results"]
    tokens = [member["accountId"] for member in results]
    assert all(token.startswith("p~") for token in tokens)
    assert ATLASSIAN_ID.encode() not in response.body and LEGACY_ID.encode() not in response.body
    return dict(zip([ATLASSIAN_ID, LEGACY_ID], tokens, strict=True))


TOKENS = tokens_handed_out()


# --- the caller's credentials and Host ----------------------------------------------------------


def test_the_callers_authorization_cookie_and_host_never_reach_upstream_even_when_listed() -> None:
    upstream = Upstream()
    caller = Headers(
        [
            ("Authorization", "Bearer the-callers-own-token"),
            ("Cookie", "cloud.session.token=the-callers-session"),
            ("Host", "psoxy.example.com"),
            ("X-Psoxy-Signature", "signed-by-the-caller"),
            ("If-None-Match", '"v7"'),
        ]
    )

    response = build_gateway(upstream, rules=RULES).handle(
        get(PROPERTY.format(account=LEGACY_ID), headers=caller)
    )

    assert response.status == 200
    sent = upstream.only.headers
    assert sent.get_list("authorization") == ["Bearer token-1"]  # the proxy's own, alone
    assert sent.get_list("host") == ["api.atlassian.com"]
    assert "cookie" not in sent
    assert "x-psoxy-signature" not in sent
    assert sent.get_list("if-none-match") == ['"v7"']  # the same rule's other headers do pass


def test_after_a_401_the_retry_carries_the_fresh_proxy_token_not_the_callers() -> None:
    seen: list[list[str]] = []

    def upstream(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get_list("authorization"))
        status = 401 if len(seen) == 1 else 200
        return httpx.Response(status, json={"results": []})

    caller = Headers([("Authorization", "Bearer the-callers-own-token")])
    response = build_gateway(upstream, rules=RULES).handle(
        get(PROPERTY.format(account=LEGACY_ID), headers=caller)
    )

    assert response.status == 200
    assert seen == [["Bearer token-1"], ["Bearer token-2"]]


# --- the request-header allow-list --------------------------------------------------------------

CALLER_HEADERS = Headers(
    [
        ("x-trace-id", "trace-7"),  # listed for every endpoint (as X-Trace-Id)
        ("If-None-Match", '"v7"'),  # listed for the property endpoint only
        ("ACCEPT-LANGUAGE", "de-CH"),  # listed for the property endpoint only
        ("X-Forwarded-For", "203.0.113.9"),
        ("X-Atlassian-Token", "no-check"),
        ("Origin", "https://evil.example"),
        ("Referer", "https://evil.example/page"),
        ("User-Agent", "caller-agent/1.0"),
        ("Accept", "text/html"),
        ("Accept-Encoding", "br"),
    ]
)
CALLER_NAMES = {name.lower() for name, _ in CALLER_HEADERS}


def received_caller_headers(request: httpx.Request) -> dict[str, list[str]]:
    """The caller's header names that upstream received, each with every value it got."""
    return {
        name: request.headers.get_list(name) for name in CALLER_NAMES if name in request.headers
    }


def test_an_endpoint_forwards_exactly_its_listed_headers_and_the_rules_wide_ones() -> None:
    upstream = Upstream()

    response = build_gateway(upstream, rules=RULES).handle(
        get(PROPERTY.format(account=LEGACY_ID), headers=CALLER_HEADERS)
    )

    assert response.status == 200
    assert received_caller_headers(upstream.only) == {
        "x-trace-id": ["trace-7"],
        "if-none-match": ['"v7"'],
        "accept-language": ["de-CH"],
        # the proxy's own values, never the caller's:
        "user-agent": ["confluence-psoxy (gzip)"],
        "accept": ["application/json"],
        "accept-encoding": ["gzip"],
    }


def test_headers_listed_for_another_endpoint_are_not_forwarded() -> None:
    upstream = Upstream()

    response = build_gateway(upstream, rules=RULES).handle(
        get(MEMBERS, "limit=50", headers=CALLER_HEADERS)
    )

    assert response.status == 200
    assert received_caller_headers(upstream.only) == {
        "x-trace-id": ["trace-7"],
        "user-agent": ["confluence-psoxy (gzip)"],
        "accept": ["application/json"],
        "accept-encoding": ["gzip"],
    }


def test_rules_listing_no_headers_forward_none_of_the_callers() -> None:
    upstream = Upstream(empty=True)
    spaces = "/ex/confluence/c1/wiki/api/v2/spaces"  # the bundled rules list no headers
    response = build_gateway(upstream).handle(get(spaces, "limit=10", headers=CALLER_HEADERS))

    assert response.status == 200
    sent = upstream.only
    assert received_caller_headers(sent) == {
        "user-agent": ["confluence-psoxy (gzip)"],
        "accept": ["application/json"],
        "accept-encoding": ["gzip"],
    }


# --- `p~` tokens in path segments ---------------------------------------------------------------


@pytest.mark.parametrize("account", [ATLASSIAN_ID, LEGACY_ID], ids=["atlassian-id", "legacy-id"])
def test_a_token_in_a_path_segment_reaches_upstream_as_the_account_id(account: str) -> None:
    upstream = Upstream()

    response = build_gateway(upstream, rules=RULES).handle(
        get(PROPERTY.format(account=TOKENS[account]), "limit=5")
    )

    assert response.status == 200
    sent = upstream.only
    assert unquote(target_path(sent)) == PROPERTY.format(account=account)
    assert bytes(sent.extensions["target"]).endswith(b"/property?limit=5")
    assert b"p~" not in bytes(sent.extensions["target"])


def test_every_token_in_the_path_is_decrypted() -> None:
    upstream = Upstream()
    path = PROPERTY.format(account=TOKENS[ATLASSIAN_ID]) + "/" + TOKENS[LEGACY_ID]

    response = build_gateway(upstream, rules=RULES).handle(get(path))

    assert response.status == 200
    expected = PROPERTY.format(account=ATLASSIAN_ID) + "/" + LEGACY_ID
    assert unquote(target_path(upstream.only)) == expected


def test_a_forged_token_in_the_path_is_409_and_not_forwarded() -> None:
    upstream = Upstream()
    forged = "p~" + "A" * 64

    response = build_gateway(upstream, rules=RULES).handle(get(PROPERTY.format(account=forged)))

    assert (response.status, response.headers.get("X-Psoxy-Error")) == (
        409,
        "TOKENIZED_REQUEST_PARAMETER_INVALID",
    )
    assert upstream.received == []


def test_an_account_id_in_a_path_segment_is_sent_as_it_is_and_other_characters_encoded() -> None:
    upstream = Upstream()
    path = (
        PROPERTY.format(account=TOKENS[ATLASSIAN_ID])
        + "/"
        + RULES.pseudonymizer.tokenize("a b\u00e9@x")
    )

    response = build_gateway(upstream, rules=RULES).handle(get(path))

    assert response.status == 200
    expected = PROPERTY.format(account=ATLASSIAN_ID) + "/a%20b%C3%A9@x"  # `:` and `@` are pchar
    assert bytes(upstream.only.extensions["target"]) == expected.encode()


# --- decrypted values are data, never structure -------------------------------------------------
# A plaintext planted upstream must not do, once decrypted into the request, what the URL safety
# policy refused from the caller. The operator's log names the decrypted token as the reason.

SEARCH = "/ex/confluence/c1/wiki/rest/api/content/search"  # bundled rules: `cql` is allowed


def failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The gateway's one log line per refused request: `<method> failed: <code> (<reason>)`."""
    lines = [r.getMessage() for r in caplog.records if r.name == "proxy.gateway.pipeline"]
    return [line for line in lines if " failed: " in line]


@pytest.mark.parametrize("plaintext", UNSAFE_IN_A_SEGMENT)
@pytest.mark.parametrize("segment", ["{token}", "x{token}"], ids=["whole", "inside"])
def test_a_decrypted_value_that_is_not_a_safe_path_segment_is_refused(
    plaintext: str, segment: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="proxy.gateway.pipeline")
    upstream = Upstream()
    token = RULES.pseudonymizer.tokenize(plaintext)

    response = build_gateway(upstream, rules=RULES).handle(
        get(PROPERTY.format(account=segment.format(token=token)))
    )

    assert (response.status, response.headers.get("X-Psoxy-Error"), response.body) == (
        403,
        "BLOCKED_BY_RULES",
        b"",
    )
    assert upstream.received == []
    assert failures(caplog) == [
        "GET failed: BLOCKED_BY_RULES (a decrypted token is not a safe path segment)"
    ]


@pytest.mark.parametrize(("plaintext", "encoded"), query_encodings(ATLASSIAN_ID))
def test_a_value_decrypted_into_the_query_is_percent_encoded_in_full(
    plaintext: str, encoded: str
) -> None:
    upstream = Upstream(empty=True)
    token = RULES.pseudonymizer.tokenize(plaintext)
    response = build_gateway(upstream).handle(get(SEARCH, f"cql=creator%3D%22{token}%22&limit=10"))

    assert response.status == 200
    sent = upstream.only
    assert bytes(sent.extensions["target"]) == (
        f"{SEARCH}?cql=creator%3D%22{encoded}%22&limit=10".encode()
    )


@pytest.mark.parametrize("plaintext", UNSAFE_EVERYWHERE)
def test_a_decrypted_value_that_is_not_a_safe_query_value_is_refused(
    plaintext: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="proxy.gateway.pipeline")
    upstream = Upstream(empty=True)
    token = RULES.pseudonymizer.tokenize(plaintext)
    response = build_gateway(upstream).handle(get(SEARCH, f"cql=creator%3D%22{token}%22"))

    assert (response.status, response.headers.get("X-Psoxy-Error")) == (403, "BLOCKED_BY_RULES")
    assert upstream.received == []
    assert failures(caplog) == [
        "GET failed: BLOCKED_BY_RULES (a decrypted token is not a safe query value)"
    ]
