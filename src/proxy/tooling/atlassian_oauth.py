"""The Atlassian side of `proxy setup confluence`: authorize URL, code exchange, sites, a test call.

Each function does one HTTP exchange through the injected `httpx.Client` and turns every known
failure into an `OperatorToolError` whose message says what to do (the failures operators hit:
no refresh token without `offline_access`, `invalid_client`, `invalid_grant`, `401 scope does not
match`). Nothing here prints or logs a token.

    url = authorize_url(ATLASSIAN_AUTH, "client-id", redirect_uri, state)
    grant = exchange_code(http, ATLASSIAN_AUTH, client_id="client-id", client_secret=secret,
                          code=code, redirect_uri=redirect_uri)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from proxy.errors import OperatorToolError
from proxy.secret_value import Secret

__all__ = [
    "ATLASSIAN_API",
    "ATLASSIAN_AUTH",
    "CONFLUENCE_SCOPES",
    "NOT_ECHOED_SCOPES",
    "REQUESTED_SCOPES",
    "Site",
    "TokenGrant",
    "accessible_sites",
    "authorize_url",
    "exchange_code",
    "verify_confluence_access",
]

ATLASSIAN_AUTH = "https://auth.atlassian.com"
ATLASSIAN_API = "https://api.atlassian.com"
AUDIENCE = "api.atlassian.com"

#: The granular read scopes the Confluence connector needs: the reference's list, plus
#: `read:custom-content:confluence`, which the custom-content versions endpoint of the rules needs.
CONFLUENCE_SCOPES = (
    "read:blogpost:confluence",
    "read:comment:confluence",
    "read:group:confluence",
    "read:user:confluence",
    "read:space:confluence",
    "read:attachment:confluence",
    "read:page:confluence",
    "read:task:confluence",
    "read:content-details:confluence",
    "read:content:confluence",
    "read:custom-content:confluence",
)
#: `offline_access` first: without it Atlassian issues no refresh token at all.
REQUESTED_SCOPES = ("offline_access", *CONFLUENCE_SCOPES)
#: Granted but never listed back by Atlassian (token response, accessible-resources).
NOT_ECHOED_SCOPES = frozenset({"read:task:confluence"})

_RERUN = "run `proxy setup confluence` again"


@dataclass(frozen=True)
class TokenGrant:
    """What the code exchange returned; `scopes` as Atlassian echoed them."""

    access_token: Secret
    refresh_token: Secret
    scopes: frozenset[str]


@dataclass(frozen=True)
class Site:
    """One entry of accessible-resources: `id` is the cloud id of `/ex/confluence/{cloudId}`."""

    id: str
    url: str
    name: str


def authorize_url(auth_base: str, client_id: str, redirect_uri: str, state: str) -> str:
    """Atlassian's consent URL for all scopes the connector needs; `prompt=consent` always."""
    query = urlencode(
        {
            "audience": AUDIENCE,
            "client_id": client_id,
            "scope": " ".join(REQUESTED_SCOPES),
            "redirect_uri": redirect_uri,
            "state": state,
            "response_type": "code",
            "prompt": "consent",
        },
        quote_via=quote,
    )
    return f"{auth_base.rstrip('/')}/authorize?{query}"


def exchange_code(
    http: httpx.Client,
    auth_base: str,
    *,
    client_id: str,
    client_secret: Secret,
    code: str,
    redirect_uri: str,
) -> TokenGrant:
    """POST the one-time code to the token endpoint (JSON body, as Atlassian documents it)."""
    url = f"{auth_base.rstrip('/')}/oauth/token"
    body = {
        "grant_type": "authorization_code",
        "client_id": client_id,
        "client_secret": client_secret.reveal(),
        "code": code,
        "redirect_uri": redirect_uri,
    }
    response = _send(http, "POST", url, "the Atlassian token endpoint", json=body)
    if not response.is_success:
        raise OperatorToolError(_token_failure(response))
    payload = _json_object(response)
    access, refresh = payload.get("access_token"), payload.get("refresh_token")
    if not isinstance(access, str) or not access:
        raise OperatorToolError("the token endpoint answered 200 without an access_token")
    if not isinstance(refresh, str) or not refresh:
        raise OperatorToolError(
            "Atlassian returned no refresh token: the consent did not include `offline_access`. "
            "The authorize URL of this tool always asks for it, so check that nothing rewrote "
            f"the URL and that the app may use it, then {_RERUN}."
        )
    scope = payload.get("scope")
    return TokenGrant(
        Secret(access),
        Secret(refresh),
        frozenset(scope.split()) if isinstance(scope, str) else frozenset(),
    )


def accessible_sites(http: httpx.Client, api_base: str, access_token: Secret) -> list[Site]:
    """The sites the grant covers (`/oauth/token/accessible-resources`)."""
    url = f"{api_base.rstrip('/')}/oauth/token/accessible-resources"
    response = _send(http, "GET", url, "accessible-resources", token=access_token)
    if not response.is_success:
        raise OperatorToolError(
            f"accessible-resources answered HTTP {response.status_code}: Atlassian did not "
            f"accept the new access token; {_RERUN}"
        )
    payload = _json_value(response)
    if not isinstance(payload, list):
        raise OperatorToolError("accessible-resources did not answer a JSON list")
    sites = [
        Site(str(item["id"]), str(item.get("url", "")), str(item.get("name", "")))
        for item in payload
        if isinstance(item, dict) and item.get("id")
    ]
    if not sites:
        raise OperatorToolError(
            "the grant covers no Atlassian site: on the consent screen pick the Confluence site "
            f"(the consenting user must be able to use it), then {_RERUN}"
        )
    return sites


def verify_confluence_access(
    http: httpx.Client, api_base: str, access_token: Secret, cloud_id: str
) -> None:
    """One cheap Confluence call (`/wiki/api/v2/spaces?limit=1`) with the new token."""
    url = f"{api_base.rstrip('/')}/ex/confluence/{quote(cloud_id, safe='')}/wiki/api/v2/spaces"
    response = _send(http, "GET", url + "?limit=1", "Confluence", token=access_token)
    if response.is_success:
        return
    text = response.text[:2000].lower()
    if response.status_code == 401 and "scope does not match" in text:
        raise OperatorToolError(
            "Confluence answered 401 `scope does not match`: the app lacks a scope. In the "
            "developer console (Permissions > Confluence API > granular scopes) add: "
            f"{', '.join(CONFLUENCE_SCOPES)}; then {_RERUN}."
        )
    if response.status_code == 404:
        raise OperatorToolError(
            f"Confluence answered 404 for site {cloud_id}: the site has no Confluence, or the "
            "consenting user cannot use it; pick another site with --site"
        )
    raise OperatorToolError(f"the test call to Confluence answered HTTP {response.status_code}")


def _send(
    http: httpx.Client,
    method: str,
    url: str,
    what: str,
    *,
    json: dict[str, str] | None = None,
    token: Secret | None = None,
) -> httpx.Response:
    headers = {"Accept": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token.reveal()}"
    try:
        return http.request(method, url, json=json, headers=headers)
    except httpx.HTTPError as exc:
        raise OperatorToolError(f"cannot reach {what} ({type(exc).__name__})") from exc


def _token_failure(response: httpx.Response) -> str:
    error = _json_object(response).get("error")
    status = response.status_code
    if error == "invalid_client":
        return (
            "Atlassian rejected the client id or secret (invalid_client): copy both again from "
            "the developer console (your app > Settings > Authentication details)"
        )
    if error == "invalid_grant":
        return (
            "Atlassian refused the authorization code (invalid_grant): a code works once and "
            "for 10 minutes, and only with the same callback URL as the authorize step; "
            f"{_RERUN}"
        )
    label = f" ({error})" if isinstance(error, str) else ""
    return f"the token endpoint answered HTTP {status}{label}"


def _json_value(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _json_object(response: httpx.Response) -> dict[str, Any]:
    value = _json_value(response)
    return value if isinstance(value, dict) else {}
