"""One call to the OAuth token endpoint (``grant_type=refresh_token``) through an injected client.

The request is what the reference sends: a form POST of grant_type, refresh_token, client_id
and client_secret with ``Accept: application/json`` and no Basic auth. The endpoint must be
https (plain http only on loopback, for the simulator). The result is a `TokenGrant` or a
`TokenFailure` whose ``reason`` is a short code (``invalid_grant``, ``invalid_client``,
``http_503``, ``unreachable``...) safe to show in the health check; bodies are never kept.
The call's timeout is cut to the request's deadline; a call the deadline cuts off raises
`DeadlineExceeded` (504), not a token failure.

    endpoint = TokenEndpoint("https://auth.atlassian.com/oauth/token", httpx.Client())
    result = endpoint.refresh(refresh_token, client_id, client_secret)
"""

from __future__ import annotations

import json
import logging
import re
from typing import NamedTuple

import httpx

from proxy.deadline import current_deadline
from proxy.errors import ConfigurationError
from proxy.http import is_loopback_host
from proxy.log_events import LogEvent, event
from proxy.secret_value import Secret

__all__ = ["TokenEndpoint", "TokenFailure", "TokenGrant", "validate_token_url"]

_log = logging.getLogger("proxy.auth.token_endpoint")  # stable name, as logged
_ERROR_CODE = re.compile(r"[a-z_]{1,64}")
DEFAULT_EXPIRES_IN = 3600


class TokenGrant(NamedTuple):
    """A successful exchange: a new access token and maybe a rotated refresh token."""

    access_token: Secret
    expires_in: int
    refresh_token: Secret | None


class TokenFailure(NamedTuple):
    """A failed exchange; ``reason`` is a short code, ``status`` the HTTP status if any."""

    reason: str
    status: int | None

    @property
    def invalid_grant(self) -> bool:
        return self.reason == "invalid_grant"

    def describe(self) -> str:
        if self.status is None:
            return f"token endpoint {self.reason}"
        return f"token endpoint answered {self.status} ({self.reason})"


def validate_token_url(url: str) -> str:
    """The URL if it is https (or http on a loopback host); `ConfigurationError` otherwise."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        raise ConfigurationError(f"REFRESH_ENDPOINT is not a valid URL: {url!r}") from None
    if parsed.scheme == "https" and parsed.host:
        return url
    if parsed.scheme == "http" and is_loopback_host(parsed.host):
        return url
    raise ConfigurationError(
        f"REFRESH_ENDPOINT must be an https:// URL (http only on localhost), got {url!r}"
    )


class TokenEndpoint:
    """Posts refresh-token grants to one token URL."""

    def __init__(
        self,
        url: str,
        client: httpx.Client,
        *,
        timeout_seconds: float = 30.0,
        user_agent: str | None = None,
    ) -> None:
        self.url = validate_token_url(url)
        self._client = client
        self._timeout = timeout_seconds
        self._headers = {"Accept": "application/json"}
        if user_agent:
            self._headers["User-Agent"] = user_agent

    def refresh(
        self, refresh_token: Secret, client_id: str, client_secret: Secret
    ) -> TokenGrant | TokenFailure:
        form = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token.reveal(),
            "client_id": client_id,
            "client_secret": client_secret.reveal(),
        }
        deadline = current_deadline()
        doing = "calling the token endpoint"
        try:
            response = self._client.post(
                self.url,
                data=form,
                headers=self._headers,
                timeout=deadline.budget(self._timeout, doing),
                follow_redirects=False,
            )
        except httpx.TimeoutException:
            deadline.check(doing)
            return TokenFailure("timeout", None)
        except httpx.TransportError as exc:
            _log.warning(
                "token endpoint unreachable (%s)",
                type(exc).__name__,
                extra=event(LogEvent.TOKEN_ENDPOINT_UNREACHABLE),
            )
            return TokenFailure("unreachable", None)
        if not response.is_success:
            return TokenFailure(
                _error_code(response) or f"http_{response.status_code}", response.status_code
            )
        return _grant(response)


def _error_code(response: httpx.Response) -> str | None:
    """The OAuth ``error`` field when it is a plain code (it is never free text we log)."""
    try:
        payload = json.loads(response.content)
    except ValueError:
        return None
    code = payload.get("error") if isinstance(payload, dict) else None
    return code if isinstance(code, str) and _ERROR_CODE.fullmatch(code) else None


def _grant(response: httpx.Response) -> TokenGrant | TokenFailure:
    try:
        payload = json.loads(response.content)
    except ValueError:
        return TokenFailure("invalid_response", response.status_code)
    if not isinstance(payload, dict):
        return TokenFailure("invalid_response", response.status_code)
    access_token = payload.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        return TokenFailure("invalid_response", response.status_code)
    expires_in = payload.get("expires_in")
    if isinstance(expires_in, bool) or not isinstance(expires_in, int) or expires_in <= 0:
        expires_in = DEFAULT_EXPIRES_IN
    rotated = payload.get("refresh_token")
    refresh_token = Secret(rotated) if isinstance(rotated, str) and rotated.strip() else None
    return TokenGrant(Secret(access_token), expires_in, refresh_token)
