"""`build_source_auth`: the composition root of source authentication.

Reads only `Settings` and the secret store; validates what the environment must provide
(strategy, grant type) at once, and resolves REFRESH_ENDPOINT / CLIENT_ID lazily (they may live
in the store, and the health check must be able to report them missing).

    auth = build_source_auth(settings, store, httpx.Client())
    creds = auth.credentials()
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable

import httpx

from proxy.auth._base import SourceAuth
from proxy.auth._oauth import RefreshTiming, RefreshTokenSourceAuth
from proxy.auth._token_endpoint import TokenEndpoint
from proxy.config import ConfigValues, Settings
from proxy.config.stores import SecretStore
from proxy.errors import ConfigurationError
from proxy.timing import Clock, Sleep, system_clock, system_sleep

__all__ = ["SUPPORTED_STRATEGIES", "build_source_auth"]

SUPPORTED_STRATEGIES = ("oauth2_refresh_token",)
_SUPPORTED_GRANTS = ("refresh_token",)
_TOKEN_CALL_TIMEOUT_SECONDS = 30.0


def build_source_auth(
    settings: Settings,
    store: SecretStore,
    http_client: httpx.Client,
    *,
    clock: Clock = system_clock,
    sleep: Sleep = system_sleep,
    rng: random.Random | None = None,
    timing: RefreshTiming | None = None,
) -> SourceAuth:
    """The `SourceAuth` SOURCE_AUTH_STRATEGY_IDENTIFIER names; `ConfigurationError` if unusable."""
    strategy = settings.source_auth_strategy
    if strategy is None:
        raise ConfigurationError("SOURCE_AUTH_STRATEGY_IDENTIFIER is not set")
    if strategy not in SUPPORTED_STRATEGIES:
        raise ConfigurationError(
            f"SOURCE_AUTH_STRATEGY_IDENTIFIER={strategy!r} is not supported; "
            f"use one of {', '.join(SUPPORTED_STRATEGIES)}"
        )
    if settings.grant_type not in _SUPPORTED_GRANTS:
        raise ConfigurationError(
            f"GRANT_TYPE must be 'refresh_token' for {strategy}, got {settings.grant_type!r}"
        )
    if settings.token_response_type not in (None, "DEFAULT"):
        raise ConfigurationError(
            f"TOKEN_RESPONSE_TYPE={settings.token_response_type!r} is not supported"
        )
    config = ConfigValues(settings, store)  # REFRESH_ENDPOINT and CLIENT_ID: env, then store
    return RefreshTokenSourceAuth(
        store=store,
        endpoint=_endpoint_resolver(settings, config, http_client),
        client_id=lambda: config.require("CLIENT_ID"),
        use_shared_token=settings.use_shared_token,
        clock=clock,
        sleep=sleep,
        rng=rng,
        timing=timing,
    )


def _endpoint_resolver(
    settings: Settings, config: ConfigValues, http_client: httpx.Client
) -> Callable[[], TokenEndpoint]:
    """REFRESH_ENDPOINT from env (checked now) or from the store (checked when read)."""
    timeout = min(_TOKEN_CALL_TIMEOUT_SECONDS, float(settings.request_timeout_seconds))

    def make(url: str) -> TokenEndpoint:
        return TokenEndpoint(
            url, http_client, timeout_seconds=timeout, user_agent=settings.user_agent
        )

    built: dict[str, TokenEndpoint] = {}
    lock = threading.Lock()
    configured = config.from_environment("REFRESH_ENDPOINT")
    if configured is not None:
        built[configured] = make(configured)  # a bad URL stops the start, not a request

    def endpoint() -> TokenEndpoint:
        url = config.require("REFRESH_ENDPOINT")
        with lock:
            if url not in built:
                built[url] = make(url)
            return built[url]

    return endpoint
