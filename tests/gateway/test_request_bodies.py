"""Request bodies a deployment's rules let through (a POST endpoint without `requestBody`): what
upstream receives, with the `p~` tokens in them decrypted, and which bodies are refused."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import httpx
import orjson
import pytest

from proxy.http._models import Headers, HttpRequest
from support.custom_rules import (
    ACCOUNT_RULES,
    ATLASSIAN_ID,
    LEGACY_ID,
    USERS_BULK,
    USERS_LOOKUP,
)
from support.gateway_rig import build_gateway, custom_sanitizer

RULES = custom_sanitizer(ACCOUNT_RULES.read_text())
TOKEN_A = RULES.pseudonymizer.tokenize(ATLASSIAN_ID)
TOKEN_L = RULES.pseudonymizer.tokenize(LEGACY_ID)


class Upstream:
    def __init__(self) -> None:
        self.received: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.received.append(request)
        return httpx.Response(200, json={"results": []})

    @property
    def only(self) -> httpx.Request:
        (request,) = self.received
        return request


def post(
    body: bytes, content_type: str | None, path: str = USERS_BULK
) -> tuple[int, Headers, bytes, Upstream]:
    upstream = Upstream()
    headers = Headers([("Content-Type", content_type)] if content_type else [])
    response = build_gateway(upstream, rules=RULES).handle(
        HttpRequest("POST", path, headers=headers, body=body)
    )
    return response.status, response.headers, response.body, upstream


def content_type_sent(request: httpx.Request) -> list[tuple[bytes, bytes]]:
    return [(k, v) for k, v in request.headers.raw if k.lower() == b"content-type"]


@pytest.mark.parametrize(
    "content_type",
    ["application/json; charset=utf-8", "Application/JSON", "application/vnd.atlassian+json"],
)
def test_tokens_anywhere_in_a_json_body_are_decrypted(content_type: str) -> None:
    document = {
        "accountIds": [TOKEN_A, TOKEN_L],
        "filter": {"owner": TOKEN_A, "limit": 3, "active": True, "since": None},
        "note": f"owner {TOKEN_L} only",
    }

    status, _, _, upstream = post(orjson.dumps(document), content_type)

    assert status == 200
    assert upstream.only.content == orjson.dumps(
        {
            "accountIds": [ATLASSIAN_ID, LEGACY_ID],
            "filter": {"owner": ATLASSIAN_ID, "limit": 3, "active": True, "since": None},
            "note": f"owner {LEGACY_ID} only",
        }
    )
    assert content_type_sent(upstream.only) == [(b"Content-Type", content_type.encode())]


def test_a_body_without_a_content_type_is_json_and_labelled_so() -> None:
    status, _, _, upstream = post(orjson.dumps([TOKEN_A]), None)

    assert status == 200
    assert upstream.only.content == orjson.dumps([ATLASSIAN_ID])
    assert content_type_sent(upstream.only) == [(b"Content-Type", b"application/json")]


def test_tokens_in_form_values_are_decrypted_and_blank_values_kept() -> None:
    form = f"accountId={TOKEN_A}&blank=&other={TOKEN_L}&n=1".encode()

    status, _, _, upstream = post(form, "application/x-www-form-urlencoded")

    assert status == 200
    assert upstream.only.content == urlencode(
        [("accountId", ATLASSIAN_ID), ("blank", ""), ("other", LEGACY_ID), ("n", "1")]
    ).encode("ascii")
    assert content_type_sent(upstream.only) == [
        (b"Content-Type", b"application/x-www-form-urlencoded")
    ]


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b'{"accountIds": [', "application/json", b"request body is not valid JSON"),
        (b"a=1&&b", "application/x-www-form-urlencoded", b"request body is not a valid form"),
        (b"a=\xff", "application/x-www-form-urlencoded", b"request body is not a valid form"),
        (
            b"accountId=1",
            "text/plain",
            b"request bodies of type 'text/plain' are not supported",
        ),
    ],
)
def test_bodies_that_cannot_be_read_are_refused_and_not_forwarded(
    body: bytes, content_type: str, message: bytes
) -> None:
    status, headers, response_body, upstream = post(body, content_type)

    assert (status, headers.get("X-Psoxy-Error"), response_body) == (
        400,
        "INVALID_REQUEST",
        message,
    )
    assert upstream.received == []


def test_a_forged_token_in_a_body_is_409_and_not_forwarded() -> None:
    status, headers, _, upstream = post(orjson.dumps({"id": "p~" + "B" * 64}), "application/json")

    assert (status, headers.get("X-Psoxy-Error")) == (409, "TOKENIZED_REQUEST_PARAMETER_INVALID")
    assert upstream.received == []


# --- an endpoint whose rule checks the body (`requestBody`) -------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "forwarded"),
    [
        (
            orjson.dumps({"accountIds": [TOKEN_A]}),
            "application/json",
            orjson.dumps({"accountIds": [ATLASSIAN_ID]}),
        ),
        (
            f"accountId={TOKEN_L}".encode(),
            "application/x-www-form-urlencoded",
            (f"accountId={LEGACY_ID}".encode()),
        ),
    ],
)
def test_a_body_the_schema_accepts_is_forwarded_decrypted(
    body: bytes, content_type: str, forwarded: bytes
) -> None:
    status, _, _, upstream = post(body, content_type, USERS_LOOKUP)

    assert status == 200
    assert upstream.only.content == forwarded


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (orjson.dumps({"accountIds": [TOKEN_A], "expand": "all"}), "application/json"),
        (orjson.dumps({"accountIds": "not-a-list"}), None),
        (b"accountId=1&other=2", "application/x-www-form-urlencoded"),
        (b"other=2", "application/x-www-form-urlencoded; charset=utf-8"),
        (b"", "application/json"),  # the body is required
        (b"{not json", "application/json"),
    ],
)
def test_a_body_the_schema_refuses_is_blocked_and_not_forwarded(
    body: bytes, content_type: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)

    status, headers, response_body, upstream = post(body, content_type, USERS_LOOKUP)

    assert (status, headers.get("X-Psoxy-Error"), response_body) == (403, "BLOCKED_BY_RULES", b"")
    assert upstream.received == []
    assert "POST failed: BLOCKED_BY_RULES (request body not allowed by the rules)" in [
        r.getMessage() for r in caplog.records
    ]
