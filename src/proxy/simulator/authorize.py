"""Atlassian's consent step for the simulator: ``GET /authorize``, auto-approved, and what follows.

The real consent screen asks a person; this one approves at once and redirects to the
``redirect_uri`` with a one-time ``code`` and the caller's ``state``, so `proxy setup confluence`
runs end to end on a laptop. It checks what Atlassian checks and answers the failures operators
hit the way Atlassian does:

- unknown ``client_id`` or a ``redirect_uri`` that is not one of the app's callback URLs: an
  error page (400), no redirect;
- wrong ``audience``, ``response_type`` other than ``code``, unknown or no scopes: a redirect
  carrying ``error`` / ``error_description`` and the ``state``;
- the consent grants the requested scopes the app may have (all, unless `register_app` limits
  them). Without ``offline_access`` the code exchange returns **no refresh token**; a Confluence
  call outside the granted scopes answers ``401 {"code":401,"message":"Unauthorized; scope does
  not match"}``. Like Atlassian, ``read:task:confluence`` is granted but never echoed in the
  token response's ``scope`` nor in accessible-resources.

Tokens born of a consent are checked here, in front of the normal routes (Atlassian checks scopes
at its edge, before the product sees the request). Every other request goes to a private copy of
the Confluence routes, so tokens from `OAuthAuthority.issue_refresh_token` keep full access.

    authorize = AuthorizeEndpoint(simulator.oauth, cloud_id=EXAMPLE_CLOUD_ID)
    authorize.install(simulator.routes)
    authorize.register_app("client-id")               # the app of the developer console
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from proxy.simulator.confluence import example_response, install_confluence
from proxy.simulator.oauth import OAuthAuthority
from proxy.simulator.routes import RouteTable, SimRequest, SimResponse

__all__ = ["AUDIENCE", "AuthorizeEndpoint", "SimulatedSite"]

AUDIENCE = "api.atlassian.com"
OFFLINE_ACCESS = "offline_access"
_NOT_ECHOED = frozenset({"read:task:confluence"})
_SCOPE_SHAPE = re.compile(r"(read|write|manage|delete):[a-z-]+(:[a-z-]+)?")
_SCOPE_MISMATCH = {"code": 401, "message": "Unauthorized; scope does not match"}
_SITE = r"/ex/confluence/[^/]+/wiki"

#: Path regex -> the granular scope Atlassian requires (paths not listed need none here).
_REQUIRED_SCOPE: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(regex), scope)
    for regex, scope in (
        (rf"{_SITE}/rest/api/group(/.*)?", "read:group:confluence"),
        (rf"{_SITE}/rest/api/content/search", "read:content-details:confluence"),
        (rf"{_SITE}/api/v2/spaces(/.*)?", "read:space:confluence"),
        (rf"{_SITE}/api/v2/tasks(/.*)?", "read:task:confluence"),
        (rf"{_SITE}/api/v2/attachments/.*", "read:attachment:confluence"),
        (rf"{_SITE}/api/v2/blogposts/.*", "read:blogpost:confluence"),
        (rf"{_SITE}/api/v2/pages/.*", "read:page:confluence"),
        (rf"{_SITE}/api/v2/custom-content/.*", "read:custom-content:confluence"),
        (rf"{_SITE}/api/v2/(footer|inline)-comments/.*", "read:comment:confluence"),
    )
)


@dataclass(frozen=True)
class SimulatedSite:
    """One entry of accessible-resources (the scopes are filled in per token)."""

    id: str
    url: str
    name: str


@dataclass(frozen=True)
class _App:
    scopes: frozenset[str] | None
    callback_urls: frozenset[str] | None


class AuthorizeEndpoint:
    """Consent, code exchange bookkeeping and scope checks for tokens born of a consent."""

    def __init__(self, oauth: OAuthAuthority, *, cloud_id: str) -> None:
        self._oauth = oauth
        self._passthrough = RouteTable()
        install_confluence(self._passthrough, oauth, cloud_id=cloud_id)
        self._sites = [
            SimulatedSite(site["id"], site["url"], site["name"])
            for site in json.loads(example_response("accessible_resources.json"))
        ]
        self._lock = threading.Lock()
        self._apps: dict[str, _App] = {}
        self._code_scopes: dict[str, frozenset[str]] = {}
        self._token_scopes: dict[str, frozenset[str]] = {}

    # ------------------------------------------------------------------ set-up
    def register_app(
        self,
        client_id: str,
        *,
        scopes: Iterable[str] | None = None,
        callback_urls: Iterable[str] | None = None,
    ) -> None:
        """The app as configured in the developer console (None: any scope / any callback)."""
        with self._lock:
            self._apps[client_id] = _App(
                frozenset(scopes) if scopes is not None else None,
                frozenset(callback_urls) if callback_urls is not None else None,
            )

    def add_site(self, site: SimulatedSite, *, first: bool = False) -> None:
        """Another site the consenting user can reach (accessible-resources lists it)."""
        with self._lock:
            self._sites.insert(0 if first else len(self._sites), site)

    def install(self, routes: RouteTable) -> None:
        """``GET /authorize`` plus the checks in front of the token endpoint and the APIs."""
        routes.add("GET", r"/authorize", self.handle_authorize)
        routes.add("POST", r"/oauth/token", self._handle_token, first=True)
        routes.add("GET", r"/oauth/token/accessible-resources", self._handle_resources, first=True)
        routes.add("GET", rf"{_SITE}/.*", self._handle_api, first=True)

    # ------------------------------------------------------------------ /authorize
    def handle_authorize(self, request: SimRequest) -> SimResponse:
        query = dict(parse_qsl(request.query, keep_blank_values=True))
        with self._lock:
            app = self._apps.get(query.get("client_id", ""))
        if app is None:
            return _error_page("Unknown client_id: no app with this client id exists.")
        redirect_uri = query.get("redirect_uri", "")
        if not _acceptable_redirect(redirect_uri, app):
            return _error_page("redirect_uri does not match any callback URL of the app.")
        state = query.get("state")
        if query.get("audience") != AUDIENCE:
            return _redirect_error(redirect_uri, state, "invalid_request", "audience is invalid")
        if query.get("response_type") != "code":
            return _redirect_error(
                redirect_uri, state, "unsupported_response_type", "response_type must be code"
            )
        requested = frozenset(query.get("scope", "").split())
        unknown = sorted(s for s in requested if s != OFFLINE_ACCESS and not _SCOPE_SHAPE.match(s))
        if not requested or unknown:
            detail = f"unknown scope {unknown[0]}" if unknown else "no scope requested"
            return _redirect_error(redirect_uri, state, "invalid_scope", detail)
        granted = requested if app.scopes is None else requested & app.scopes
        code = self._oauth.issue_authorization_code(query["client_id"], redirect_uri)
        with self._lock:
            self._code_scopes[code] = granted
        return _redirect(redirect_uri, {"code": code, "state": state})

    # ------------------------------------------------------------------ token endpoint
    def _handle_token(self, request: SimRequest) -> SimResponse:
        form = _form(request)
        by_code = form.get("grant_type") == "authorization_code"
        with self._lock:
            if by_code:
                granted = self._code_scopes.get(form.get("code", ""))
            else:
                granted = self._token_scopes.get(form.get("refresh_token", ""))
        response = SimResponse(*self._oauth.handle_token_request(request))
        if granted is None or response.status != 200:
            return response
        if by_code:
            with self._lock:
                self._code_scopes.pop(form.get("code", ""), None)
        payload = json.loads(response.body)
        payload["scope"] = " ".join(sorted(granted - _NOT_ECHOED))
        if OFFLINE_ACCESS not in granted:
            payload.pop("refresh_token", None)
        with self._lock:
            for key in ("access_token", "refresh_token"):
                if key in payload:
                    self._token_scopes[payload[key]] = granted
        return SimResponse.json(200, payload)

    # ------------------------------------------------------------------ APIs
    def _handle_resources(self, request: SimRequest) -> SimResponse:
        granted = self._granted(request)
        if granted is None or self._oauth.check_bearer(request) is not None:
            return self._pass_on(request)
        echoed = sorted(granted - _NOT_ECHOED - {OFFLINE_ACCESS})
        with self._lock:
            sites = [{**asdict(site), "scopes": echoed} for site in self._sites]
        return SimResponse.json(200, sites)

    def _handle_api(self, request: SimRequest) -> SimResponse:
        granted = self._granted(request)
        if granted is not None and self._oauth.check_bearer(request) is None:
            needed = next((s for p, s in _REQUIRED_SCOPE if p.fullmatch(request.path)), None)
            if needed is not None and needed not in granted:
                return SimResponse.json(401, _SCOPE_MISMATCH)
        return self._pass_on(request)

    def _granted(self, request: SimRequest) -> frozenset[str] | None:
        scheme, _, token = (request.header("authorization") or "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        with self._lock:
            return self._token_scopes.get(token.strip())

    def _pass_on(self, request: SimRequest) -> SimResponse:
        resolved = self._passthrough.resolve(request.method, request.path)
        if resolved is None:
            return SimResponse.json(404, {"error": "not found"})
        route, match = resolved
        params = {k: v for k, v in match.groupdict().items() if v is not None}
        inner = SimRequest(
            request.method, request.path, request.query, request.headers, request.body, params
        )
        return SimResponse(*route.handler(inner))


def _acceptable_redirect(redirect_uri: str, app: _App) -> bool:
    if app.callback_urls is not None:
        return redirect_uri in app.callback_urls
    parts = urlsplit(redirect_uri)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _form(request: SimRequest) -> Mapping[str, str]:
    text = request.body.decode("utf-8", errors="replace")
    if (request.header("content-type") or "").startswith("application/json"):
        try:
            payload = json.loads(text)
        except json.JSONDecodeError:
            return {}
        return {str(k): str(v) for k, v in payload.items()} if isinstance(payload, dict) else {}
    return dict(parse_qsl(text))


def _redirect(redirect_uri: str, params: Mapping[str, str | None]) -> SimResponse:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    separator = "&" if urlsplit(redirect_uri).query else "?"
    return SimResponse(302, {"Location": f"{redirect_uri}{separator}{query}"}, b"")


def _redirect_error(
    redirect_uri: str, state: str | None, error: str, description: str
) -> SimResponse:
    return _redirect(
        redirect_uri, {"error": error, "error_description": description, "state": state}
    )


def _error_page(message: str) -> SimResponse:
    body = f"<html><body><h1>Something went wrong</h1><p>{message}</p></body></html>"
    return SimResponse(400, {"Content-Type": "text/html; charset=utf-8"}, body.encode())
