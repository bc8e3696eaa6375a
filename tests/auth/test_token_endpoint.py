from __future__ import annotations

from urllib.parse import parse_qsl

import httpx
import pytest

from proxy.auth._token_endpoint import TokenEndpoint, TokenFailure, TokenGrant, validate_token_url
from proxy.errors import ConfigurationError
from proxy.secret_value import Secret
from proxy.simulator import AtlassianSimulator, SimRequest, SimResponse
from support.oauth_setup import CLIENT_ID, CLIENT_SECRET


def endpoint(simulator: AtlassianSimulator, http: httpx.Client) -> TokenEndpoint:
    return TokenEndpoint(simulator.token_url, http, user_agent="proxy-test/1")


def refresh(simulator: AtlassianSimulator, http: httpx.Client, token: str) -> object:
    return endpoint(simulator, http).refresh(Secret(token), CLIENT_ID, Secret(CLIENT_SECRET))


def test_sends_the_reference_form_request(
    simulator: AtlassianSimulator, http: httpx.Client
) -> None:
    seen: list[SimRequest] = []

    def capture(request: SimRequest) -> SimResponse:
        seen.append(request)
        return simulator.oauth.handle_token_request(request)

    simulator.routes.add("POST", r"/oauth/token", capture, first=True)
    token = simulator.oauth.issue_refresh_token(CLIENT_ID)

    result = refresh(simulator, http, token)

    assert isinstance(result, TokenGrant)
    (request,) = seen
    assert request.header("content-type") == "application/x-www-form-urlencoded"
    assert request.header("accept") == "application/json"
    assert request.header("user-agent") == "proxy-test/1"
    assert request.header("authorization") is None
    assert dict(parse_qsl(request.body.decode())) == {
        "grant_type": "refresh_token",
        "refresh_token": token,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }


def test_a_grant_carries_the_rotated_token(
    simulator: AtlassianSimulator, http: httpx.Client
) -> None:
    first = simulator.oauth.issue_refresh_token(CLIENT_ID)

    result = refresh(simulator, http, first)

    assert isinstance(result, TokenGrant)
    assert result.expires_in == 3600
    assert result.refresh_token == Secret(simulator.oauth.family_head(first) or "")
    assert simulator.oauth.access_token_valid(result.access_token.reveal())


def test_invalid_grant_is_recognised(simulator: AtlassianSimulator, http: httpx.Client) -> None:
    result = refresh(simulator, http, "dead")

    assert result == TokenFailure("invalid_grant", 403)
    assert isinstance(result, TokenFailure) and result.invalid_grant


def test_wrong_client_is_a_distinct_failure(
    simulator: AtlassianSimulator, http: httpx.Client
) -> None:
    token = simulator.oauth.issue_refresh_token(CLIENT_ID)

    result = endpoint(simulator, http).refresh(Secret(token), CLIENT_ID, Secret("wrong"))

    assert result == TokenFailure("invalid_client", 401)
    assert result.describe() == "token endpoint answered 401 (invalid_client)"


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (503, b"<html>down</html>", TokenFailure("http_503", 503)),
        (400, b'{"error": "Some Free Text"}', TokenFailure("http_400", 400)),
        (200, b"not json", TokenFailure("invalid_response", 200)),
        (200, b'{"token_type": "Bearer"}', TokenFailure("invalid_response", 200)),
    ],
)
def test_bad_answers_become_short_reasons(
    simulator: AtlassianSimulator,
    http: httpx.Client,
    status: int,
    body: bytes,
    expected: TokenFailure,
) -> None:
    simulator.routes.add("POST", r"/oauth/token", lambda r: (status, {}, body), first=True)

    assert refresh(simulator, http, "any") == expected


def test_defaults_when_optional_fields_are_missing(
    simulator: AtlassianSimulator, http: httpx.Client
) -> None:
    simulator.routes.add(
        "POST",
        r"/oauth/token",
        lambda r: SimResponse.json(200, {"access_token": "at", "refresh_token": "  "}),
        first=True,
    )

    assert refresh(simulator, http, "any") == TokenGrant(Secret("at"), 3600, None)


def test_unreachable_endpoint(http: httpx.Client) -> None:
    closed = TokenEndpoint("http://127.0.0.1:9/oauth/token", http)

    result = closed.refresh(Secret("rt"), CLIENT_ID, Secret(CLIENT_SECRET))

    assert result == TokenFailure("unreachable", None)
    assert result.describe() == "token endpoint unreachable"


@pytest.mark.parametrize(
    "url",
    [
        "https://auth.atlassian.com/oauth/token",
        "http://127.0.0.1:8080/oauth/token",
        "http://localhost/oauth/token",
        "http://[::1]:9000/oauth/token",
    ],
)
def test_https_or_loopback_http_is_accepted(url: str) -> None:
    assert validate_token_url(url) == url


@pytest.mark.parametrize(
    "url", ["http://auth.atlassian.com/oauth/token", "ftp://x/y", "auth.atlassian.com/oauth/token"]
)
def test_other_urls_are_refused(url: str) -> None:
    with pytest.raises(ConfigurationError) as error:
        validate_token_url(url)

    assert error.value.message == (
        f"REFRESH_ENDPOINT must be an https:// URL (http only on localhost), got {url!r}"
    )
