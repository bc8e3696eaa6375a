"""The simulator's consent step answers like Atlassian, including the failures operators hit."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from proxy.simulator.confluence import EXAMPLE_CLOUD_ID
from support.consent_rig import CLIENT_ID, CLIENT_SECRET, ConsentRig

CALLBACK = "http://localhost:9000/psoxy-setup-callback"
ALL_SCOPES = (
    "offline_access read:blogpost:confluence read:comment:confluence read:group:confluence "
    "read:user:confluence read:space:confluence read:attachment:confluence read:page:confluence "
    "read:task:confluence read:content-details:confluence read:content:confluence"
)
SPACES = f"/ex/confluence/{EXAMPLE_CLOUD_ID}/wiki/api/v2/spaces?limit=1"
GROUPS = f"/ex/confluence/{EXAMPLE_CLOUD_ID}/wiki/rest/api/group"


def authorize(rig: ConsentRig, **overrides: str) -> httpx.Response:
    params = {
        "audience": "api.atlassian.com",
        "client_id": CLIENT_ID,
        "scope": ALL_SCOPES,
        "redirect_uri": CALLBACK,
        "state": "state-123",
        "response_type": "code",
        "prompt": "consent",
        **overrides,
    }
    return httpx.get(f"{rig.base_url}/authorize?{urlencode(params)}")


def redirect_params(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith(CALLBACK + "?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def exchange(rig: ConsentRig, code: str) -> httpx.Response:
    return httpx.post(
        rig.simulator.token_url,
        json={
            "grant_type": "authorization_code",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "code": code,
            "redirect_uri": CALLBACK,
        },
    )


def get(rig: ConsentRig, path: str, token: str) -> httpx.Response:
    return httpx.get(rig.base_url + path, headers={"Authorization": f"Bearer {token}"})


def test_consent_redirects_with_code_and_state_and_the_code_buys_tokens(
    consent: ConsentRig,
) -> None:
    params = redirect_params(authorize(consent))
    assert set(params) == {"code", "state"}
    assert params["state"] == "state-123"
    tokens = exchange(consent, params["code"]).json()
    assert set(tokens) == {"access_token", "refresh_token", "expires_in", "token_type", "scope"}
    # Like Atlassian: read:task:confluence is granted but not echoed.
    assert tokens["scope"].split() == sorted(set(ALL_SCOPES.split()) - {"read:task:confluence"})
    sites = get(consent, "/oauth/token/accessible-resources", tokens["access_token"]).json()
    assert [(s["id"], s["url"]) for s in sites] == [
        (EXAMPLE_CLOUD_ID, "https://some-org.atlassian.net")
    ]
    assert sites[0]["scopes"] == sorted(
        set(ALL_SCOPES.split()) - {"read:task:confluence", "offline_access"}
    )
    assert get(consent, SPACES, tokens["access_token"]).status_code == 200
    assert consent.refresh_works(tokens["refresh_token"])


def test_a_code_works_once(consent: ConsentRig) -> None:
    code = redirect_params(authorize(consent))["code"]
    assert exchange(consent, code).status_code == 200
    second = exchange(consent, code)
    assert (second.status_code, second.json()["error"]) == (403, "invalid_grant")


def test_without_offline_access_there_is_no_refresh_token(consent: ConsentRig) -> None:
    scopes = ALL_SCOPES.replace("offline_access ", "")
    code = redirect_params(authorize(consent, scope=scopes))["code"]
    tokens = exchange(consent, code).json()
    assert "refresh_token" not in tokens
    assert "access_token" in tokens


def test_unknown_client_and_foreign_callback_get_an_error_page_not_a_redirect(
    consent: ConsentRig,
) -> None:
    unknown = authorize(consent, client_id="nobody")
    assert unknown.status_code == 400
    assert "location" not in unknown.headers
    assert "Unknown client_id" in unknown.text
    consent.authorize.register_app(CLIENT_ID, callback_urls=["http://localhost:9001/cb"])
    foreign = authorize(consent)
    assert foreign.status_code == 400
    assert "redirect_uri does not match" in foreign.text


@pytest.mark.parametrize(
    ("override", "error", "description"),
    [
        ({"audience": "example.com"}, "invalid_request", "audience is invalid"),
        ({"response_type": "token"}, "unsupported_response_type", "response_type must be code"),
        ({"scope": "offline_access superuser"}, "invalid_scope", "unknown scope superuser"),
        ({"scope": ""}, "invalid_scope", "no scope requested"),
    ],
)
def test_bad_requests_redirect_with_error_and_state(
    consent: ConsentRig, override: dict[str, str], error: str, description: str
) -> None:
    assert redirect_params(authorize(consent, **override)) == {
        "error": error,
        "error_description": description,
        "state": "state-123",
    }


def test_a_scope_the_app_lacks_gives_401_scope_does_not_match_also_after_refresh(
    consent: ConsentRig,
) -> None:
    app_scopes = set(ALL_SCOPES.split()) - {"read:space:confluence"}
    consent.authorize.register_app(CLIENT_ID, scopes=app_scopes)
    tokens = exchange(consent, redirect_params(authorize(consent))["code"]).json()
    assert "read:space:confluence" not in tokens["scope"].split()
    denied = get(consent, SPACES, tokens["access_token"])
    assert (denied.status_code, denied.json()) == (
        401,
        {"code": 401, "message": "Unauthorized; scope does not match"},
    )
    assert get(consent, GROUPS, tokens["access_token"]).status_code == 200
    refreshed = httpx.post(
        consent.simulator.token_url,
        data={
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    ).json()
    assert refreshed["scope"] == tokens["scope"]
    assert get(consent, SPACES, refreshed["access_token"]).status_code == 401


def test_tokens_not_born_of_a_consent_keep_full_access(consent: ConsentRig) -> None:
    refresh_token = consent.simulator.oauth.issue_refresh_token(CLIENT_ID)
    tokens = httpx.post(
        consent.simulator.token_url,
        data={
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    ).json()
    assert get(consent, SPACES, tokens["access_token"]).status_code == 200
    resources = get(consent, "/oauth/token/accessible-resources", tokens["access_token"])
    assert resources.json()[0]["id"] == EXAMPLE_CLOUD_ID
    assert get(consent, SPACES, "not-a-token").status_code == 401
    wrong_site = get(consent, "/ex/confluence/other/wiki/api/v2/spaces", tokens["access_token"])
    assert wrong_site.status_code == 404


def test_a_failed_exchange_does_not_forget_the_consents_scopes(consent: ConsentRig) -> None:
    consent.authorize.register_app(CLIENT_ID, scopes=set(ALL_SCOPES.split()) - {"offline_access"})
    code = redirect_params(authorize(consent))["code"]
    refused = httpx.post(
        consent.simulator.token_url,
        json={
            "grant_type": "authorization_code",
            "client_id": CLIENT_ID,
            "client_secret": "wrong",
            "code": code,
            "redirect_uri": CALLBACK,
        },
    )
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")
    assert "refresh_token" not in exchange(consent, code).json()
