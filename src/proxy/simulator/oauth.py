"""`OAuthAuthority`: Atlassian's token endpoint with real rotation semantics, for tests and demos.

``POST /oauth/token`` (form or JSON body) checks the client id/secret and:

- ``grant_type=refresh_token``: every exchange rotates, returning a new refresh token. A used
  refresh token may be reused within the leeway (default 600 s; 0 = dead once rotated); reuse
  after the leeway revokes the whole token family, answering ``403 invalid_grant`` from then on.
- ``grant_type=authorization_code``: a code from `issue_authorization_code` starts a family.

Issued access tokens are remembered so other routes can check ``Authorization: Bearer …``.
The clock is injectable; ``token_exchanges`` counts every request to the token endpoint.

    oauth = OAuthAuthority(clock=clock.now)
    oauth.register_client("client-id", "client-secret")
    refresh_token = oauth.issue_refresh_token("client-id")   # as if the user consented
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl

from proxy.simulator.routes import RouteTable, SimRequest, SimResponse
from proxy.timing import Clock

__all__ = ["DEFAULT_SCOPES", "OAuthAuthority"]

DEFAULT_SCOPES = (
    "offline_access read:blogpost:confluence read:comment:confluence read:group:confluence "
    "read:user:confluence read:space:confluence read:attachment:confluence "
    "read:page:confluence read:task:confluence read:content-details:confluence "
    "read:content:confluence read:custom-content:confluence"
)
_UNKNOWN_REFRESH_TOKEN = "Unknown or invalid refresh token."  # noqa: S105 - a message


@dataclass
class _Family:
    client_id: str
    head: str
    revoked: bool = False


@dataclass
class _RefreshToken:
    family: _Family
    used_at: float | None = None


@dataclass(frozen=True)
class _AccessToken:
    family: _Family
    expires_at: float


@dataclass(frozen=True)
class _AuthorizationCode:
    client_id: str
    redirect_uri: str
    expires_at: float


def _error(status: int, error: str, description: str) -> SimResponse:
    return SimResponse.json(status, {"error": error, "error_description": description})


class OAuthAuthority:
    """Clients, token families and issued tokens, behind one lock."""

    def __init__(
        self,
        *,
        clock: Clock = time.time,
        reuse_leeway_seconds: float = 600.0,
        expires_in: int = 3600,
        rotate_refresh_tokens: bool = True,
        scope: str = DEFAULT_SCOPES,
    ) -> None:
        self._clock = clock
        self.reuse_leeway_seconds = reuse_leeway_seconds
        self.expires_in = expires_in
        self.rotate_refresh_tokens = rotate_refresh_tokens
        self.scope = scope
        self._lock = threading.Lock()
        self._clients: dict[str, str] = {}
        self._refresh_tokens: dict[str, _RefreshToken] = {}
        self._access_tokens: dict[str, _AccessToken] = {}
        self._codes: dict[str, _AuthorizationCode] = {}
        self._exchanges = 0
        self._revoked_families = 0

    # ------------------------------------------------------------------ set-up
    def register_client(self, client_id: str, client_secret: str) -> None:
        with self._lock:
            self._clients[client_id] = client_secret

    def issue_refresh_token(self, client_id: str) -> str:
        """Start a token family, as a completed consent would; returns its refresh token."""
        with self._lock:
            return self._new_refresh_token(_Family(client_id=client_id, head=""))

    def issue_authorization_code(self, client_id: str, redirect_uri: str) -> str:
        """A one-time code, valid 10 minutes, for ``grant_type=authorization_code``."""
        code = secrets.token_urlsafe(16)
        with self._lock:
            self._codes[code] = _AuthorizationCode(client_id, redirect_uri, self._now() + 600)
        return code

    def install(self, routes: RouteTable) -> None:
        """Register ``POST /oauth/token`` in ``routes``."""
        routes.add("POST", r"/oauth/token", self.handle_token_request)

    # ------------------------------------------------------------------ introspection
    @property
    def token_exchanges(self) -> int:
        with self._lock:
            return self._exchanges

    def state(self) -> dict[str, object]:
        with self._lock:
            return {"token_exchanges": self._exchanges, "revoked_families": self._revoked_families}

    def family_head(self, refresh_token: str) -> str | None:
        """The newest refresh token of ``refresh_token``'s family (None if unknown)."""
        with self._lock:
            known = self._refresh_tokens.get(refresh_token)
            return known.family.head if known else None

    def is_family_revoked(self, refresh_token: str) -> bool:
        with self._lock:
            known = self._refresh_tokens.get(refresh_token)
            return known is not None and known.family.revoked

    def access_token_valid(self, access_token: str) -> bool:
        with self._lock:
            known = self._access_tokens.get(access_token)
            return known is not None and self._now() < known.expires_at

    def revoke_access_token(self, access_token: str) -> None:
        """Make upstream routes answer 401 to this token from now on."""
        with self._lock:
            self._access_tokens.pop(access_token, None)

    def check_bearer(self, request: SimRequest) -> SimResponse | None:
        """None if the request carries a valid bearer token, else Atlassian's 401 answer."""
        header = request.header("authorization") or ""
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "bearer" and self.access_token_valid(token.strip()):
            return None
        return SimResponse.json(401, {"code": 401, "message": "Unauthorized"})

    # ------------------------------------------------------------------ the endpoint
    def handle_token_request(self, request: SimRequest) -> SimResponse:
        with self._lock:
            self._exchanges += 1
        form = _parse_body(request)
        if form is None:
            return _error(400, "invalid_request", "Body must be form-encoded or JSON.")
        client_id = form.get("client_id", "")
        expected_secret = self._clients.get(client_id)
        if expected_secret is None or not secrets.compare_digest(
            expected_secret, form.get("client_secret", "")
        ):
            return _error(401, "invalid_client", "Client authentication failed.")
        grant_type = form.get("grant_type")
        if grant_type == "refresh_token":
            return self._refresh(client_id, form.get("refresh_token", ""))
        if grant_type == "authorization_code":
            return self._authorization_code(client_id, form)
        return _error(400, "unsupported_grant_type", "Unsupported grant type.")

    def _refresh(self, client_id: str, refresh_token: str) -> SimResponse:
        with self._lock:
            known = self._refresh_tokens.get(refresh_token)
            if known is None or known.family.client_id != client_id or known.family.revoked:
                return _error(403, "invalid_grant", _UNKNOWN_REFRESH_TOKEN)
            now = self._now()
            if known.used_at is not None and now - known.used_at >= self.reuse_leeway_seconds:
                known.family.revoked = True
                self._revoked_families += 1
                return _error(403, "invalid_grant", _UNKNOWN_REFRESH_TOKEN)
            if known.used_at is None:
                known.used_at = now
            new_refresh = (
                self._new_refresh_token(known.family) if self.rotate_refresh_tokens else None
            )
            return self._token_response(known.family, new_refresh)

    def _authorization_code(self, client_id: str, form: Mapping[str, str]) -> SimResponse:
        with self._lock:
            code = self._codes.pop(form.get("code", ""), None)
            if (
                code is None
                or code.client_id != client_id
                or code.redirect_uri != form.get("redirect_uri")
                or self._now() >= code.expires_at
            ):
                return _error(403, "invalid_grant", "Invalid authorization code.")
            family = _Family(client_id=client_id, head="")
            return self._token_response(family, self._new_refresh_token(family))

    # ------------------------------------------------------------------ helpers (lock held)
    def _new_refresh_token(self, family: _Family) -> str:
        token = "sim-rt-" + secrets.token_urlsafe(24)
        self._refresh_tokens[token] = _RefreshToken(family)
        family.head = token
        return token

    def _token_response(self, family: _Family, refresh_token: str | None) -> SimResponse:
        access_token = "sim-at-" + secrets.token_urlsafe(24)
        self._access_tokens[access_token] = _AccessToken(family, self._now() + self.expires_in)
        payload: dict[str, object] = {
            "access_token": access_token,
            "expires_in": self.expires_in,
            "token_type": "Bearer",
            "scope": self.scope,
        }
        if refresh_token is not None:
            payload["refresh_token"] = refresh_token
        return SimResponse.json(200, payload)

    def _now(self) -> float:
        return self._clock()


def _parse_body(request: SimRequest) -> dict[str, str] | None:
    content_type = (request.header("content-type") or "").split(";")[0].strip().lower()
    text = request.body.decode("utf-8", errors="replace")
    if content_type == "application/json":
        try:
            payload = json.loads(text)
        except json.JSONDecodeError:
            return None
        if not isinstance(payload, dict):
            return None
        return {str(k): str(v) for k, v in payload.items() if v is not None}
    if content_type in ("application/x-www-form-urlencoded", ""):
        return dict(parse_qsl(text, keep_blank_values=True))
    return None
