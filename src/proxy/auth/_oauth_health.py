"""What the refresh-token auth tells the health check: facts about tokens, never tokens.

{"strategy": "oauth2_refresh_token", "refreshTokenPresent": true, "lastRotation": "...",
 "lastRefreshError": "invalid_grant", "rotatedRefreshTokenUnsaved": false,
 "tokenFamilyGrantedAt": "...", "tokenFamilyExpiresAt": "...", "lastRefreshAt": "...",
 "missingConfigProperties": [], "warningMessages": ["..."]}

The token family's age and idleness come from `_token_lifecycle`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from proxy.auth._rotation import REFRESH_TOKEN
from proxy.auth._token_lifecycle import LifecycleReport
from proxy.config.stores import SecretStore
from proxy.errors import MissingSecretError, ProxyError

__all__ = ["describe_health"]

STRATEGY = "oauth2_refresh_token"


def describe_health(
    *,
    store: SecretStore,
    client_id: Callable[[], str],
    endpoint: Callable[[], object],
    pending: bool,
    last_rotation_at: float | None,
    last_error: str | None,
    lifecycle: LifecycleReport | None = None,
) -> dict[str, object]:
    missing = _missing_properties(store, client_id, endpoint)
    refresh_present = pending or REFRESH_TOKEN not in missing
    warnings: list[str] = []
    key = store.naming.instance_key(REFRESH_TOKEN)
    if last_error == "invalid_grant":
        warnings.append(
            "The Atlassian refresh token was rejected (invalid_grant): re-run the OAuth setup "
            f"(`proxy setup confluence`) and store the new refresh token in {key}."
        )
    if pending:
        warnings.append(
            f"A rotated refresh token could not be saved to {key}; it is kept in memory and "
            "retried on every request. Fix write access to the secret store."
        )
    if lifecycle is not None:
        warnings.extend(lifecycle.warnings)
    return {
        "strategy": STRATEGY,
        "refreshTokenPresent": refresh_present,
        "lastRotation": _iso(last_rotation_at),
        "lastRefreshError": last_error,
        "rotatedRefreshTokenUnsaved": pending,
        **(lifecycle.health_fields() if lifecycle is not None else {}),
        "missingConfigProperties": missing,
        "warningMessages": warnings,
    }


def _missing_properties(
    store: SecretStore, client_id: Callable[[], str], endpoint: Callable[[], object]
) -> list[str]:
    checks: dict[str, Callable[[], object]] = {
        "REFRESH_ENDPOINT": endpoint,
        "CLIENT_ID": client_id,
        "CLIENT_SECRET": lambda: store.require("CLIENT_SECRET"),
        REFRESH_TOKEN: lambda: store.require(REFRESH_TOKEN),
    }
    missing = []
    for name, check in checks.items():
        try:
            check()
        except MissingSecretError:
            missing.append(name)
        except ProxyError:
            continue  # unreachable store or bad value: not "missing"; reported elsewhere
    return missing


def _iso(at: float | None) -> str | None:
    if at is None:
        return None
    return datetime.fromtimestamp(at, UTC).isoformat().replace("+00:00", "Z")
