from __future__ import annotations

import httpx
import pytest

from proxy.simulator import DEFAULT_SCOPES, AtlassianSimulator, SimRequest
from support.fake_clock import FakeClock
from support.oauth_setup import CLIENT_ID, CLIENT_SECRET

INVALID_GRANT = {"error": "invalid_grant", "error_description": "Unknown or invalid refresh token."}


def refresh(http: httpx.Client, token: str, *, as_json: bool = False) -> httpx.Response:
    body = {
        "grant_type": "refresh_token",
        "refresh_token": token,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    if as_json:
        return http.post("/oauth/token", json=body)
    return http.post("/oauth/token", data=body)


@pytest.mark.parametrize("as_json", [False, True])
def test_refresh_rotates_and_issues_an_access_token(
    simulator: AtlassianSimulator, http: httpx.Client, as_json: bool
) -> None:
    first = simulator.oauth.issue_refresh_token(CLIENT_ID)

    response = refresh(http, first, as_json=as_json)

    assert response.status_code == 200
    body = response.json()
    assert sorted(body) == ["access_token", "expires_in", "refresh_token", "scope", "token_type"]
    assert (body["expires_in"], body["token_type"], body["scope"]) == (
        3600,
        "Bearer",
        DEFAULT_SCOPES,
    )
    assert body["refresh_token"] != first
    assert simulator.oauth.family_head(first) == body["refresh_token"]
    assert simulator.oauth.access_token_valid(body["access_token"])
    assert simulator.oauth.token_exchanges == 1


def test_wrong_client_secret_is_rejected(simulator: AtlassianSimulator, http: httpx.Client) -> None:
    token = simulator.oauth.issue_refresh_token(CLIENT_ID)

    response = http.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": token,
            "client_id": CLIENT_ID,
            "client_secret": "wrong",
        },
    )

    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")


def test_unknown_refresh_token_is_invalid_grant(http: httpx.Client) -> None:
    response = refresh(http, "never-issued")

    assert (response.status_code, response.json()) == (403, INVALID_GRANT)


def test_reuse_within_the_leeway_is_accepted(
    simulator: AtlassianSimulator, http: httpx.Client, clock: FakeClock
) -> None:
    first = simulator.oauth.issue_refresh_token(CLIENT_ID)
    refresh(http, first)
    clock.advance(599)

    again = refresh(http, first)

    assert again.status_code == 200
    assert simulator.oauth.family_head(first) == again.json()["refresh_token"]
    assert not simulator.oauth.is_family_revoked(first)


def test_reuse_after_the_leeway_revokes_the_whole_family(
    simulator: AtlassianSimulator, http: httpx.Client, clock: FakeClock
) -> None:
    first = simulator.oauth.issue_refresh_token(CLIENT_ID)
    second = refresh(http, first).json()["refresh_token"]
    clock.advance(600)

    reused = refresh(http, first)

    assert (reused.status_code, reused.json()) == (403, INVALID_GRANT)
    assert simulator.oauth.is_family_revoked(second)
    assert refresh(http, second).status_code == 403
    assert http.get("/_simulator/state").json()["revoked_families"] == 1


def test_zero_leeway_kills_a_rotated_token_at_once(clock: FakeClock) -> None:
    with AtlassianSimulator(clock=clock.now, reuse_leeway_seconds=0) as simulator:
        simulator.oauth.register_client(CLIENT_ID, CLIENT_SECRET)
        first = simulator.oauth.issue_refresh_token(CLIENT_ID)
        with httpx.Client(base_url=simulator.base_url) as http:
            assert refresh(http, first).status_code == 200
            assert refresh(http, first).status_code == 403
        assert simulator.oauth.is_family_revoked(first)


def test_expires_in_is_configurable_and_access_tokens_expire(clock: FakeClock) -> None:
    with AtlassianSimulator(clock=clock.now, expires_in=60) as simulator:
        simulator.oauth.register_client(CLIENT_ID, CLIENT_SECRET)
        with httpx.Client(base_url=simulator.base_url) as http:
            body = refresh(http, simulator.oauth.issue_refresh_token(CLIENT_ID)).json()
        assert body["expires_in"] == 60
        clock.advance(59)
        assert simulator.oauth.access_token_valid(body["access_token"])
        clock.advance(1)
        assert not simulator.oauth.access_token_valid(body["access_token"])


def test_without_rotation_no_refresh_token_is_returned(clock: FakeClock) -> None:
    with AtlassianSimulator(clock=clock.now, rotate_refresh_tokens=False) as simulator:
        simulator.oauth.register_client(CLIENT_ID, CLIENT_SECRET)
        with httpx.Client(base_url=simulator.base_url) as http:
            body = refresh(http, simulator.oauth.issue_refresh_token(CLIENT_ID)).json()
        assert "refresh_token" not in body


def test_authorization_code_starts_a_family(
    simulator: AtlassianSimulator, http: httpx.Client
) -> None:
    code = simulator.oauth.issue_authorization_code(CLIENT_ID, "http://localhost")
    body = {
        "grant_type": "authorization_code",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "code": code,
        "redirect_uri": "http://localhost",
    }

    first = http.post("/oauth/token", json=body)
    replay = http.post("/oauth/token", json=body)

    assert first.status_code == 200
    assert (
        simulator.oauth.family_head(first.json()["refresh_token"]) == first.json()["refresh_token"]
    )
    assert replay.status_code == 403


def test_unsupported_grant_and_bad_bodies(http: httpx.Client) -> None:
    unsupported = http.post(
        "/oauth/token",
        data={"grant_type": "password", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
    )
    not_json = http.post("/oauth/token", content=b"{", headers={"Content-Type": "application/json"})

    assert (unsupported.status_code, unsupported.json()["error"]) == (400, "unsupported_grant_type")
    assert (not_json.status_code, not_json.json()["error"]) == (400, "invalid_request")
    assert http.get("/_simulator/state").json()["token_exchanges"] == 2


def test_bearer_check_for_other_routes(simulator: AtlassianSimulator, http: httpx.Client) -> None:
    access = refresh(http, simulator.oauth.issue_refresh_token(CLIENT_ID)).json()["access_token"]

    def guarded(request: SimRequest) -> tuple[int, dict[str, str], bytes]:
        return simulator.oauth.check_bearer(request) or (200, {}, b"ok")

    simulator.routes.add("GET", r"/wiki", guarded)

    assert http.get("/wiki", headers={"Authorization": f"Bearer {access}"}).text == "ok"
    denied = http.get("/wiki", headers={"Authorization": "Bearer nope"})
    assert (denied.status_code, denied.json()) == (401, {"code": 401, "message": "Unauthorized"})
    simulator.oauth.revoke_access_token(access)
    assert http.get("/wiki", headers={"Authorization": f"Bearer {access}"}).status_code == 401
