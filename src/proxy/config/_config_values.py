"""`ConfigValues`: the reference's "config" chain — environment first, then the config store.

A few properties may be set either as env vars or as remote parameters (``<prefix>RULES`` in
SSM is how Terraform ships custom rules on AWS). Secrets never take this path.

    config = ConfigValues(settings, build_config_store(settings, store))
    rules_text = config.get("RULES")
"""

from __future__ import annotations

from proxy.config._settings import Settings
from proxy.config.stores._base import SecretStore

__all__ = ["ConfigValues"]

_FROM_SETTINGS = {
    "RULES": "rules",
    "CLIENT_ID": "client_id",
    "REFRESH_ENDPOINT": "refresh_endpoint",
    "OAUTH_SCOPES": "oauth_scopes",
}


class ConfigValues:
    """Reads a config property from `Settings` (env) or else from the config store (cached)."""

    def __init__(self, settings: Settings, store: SecretStore) -> None:
        self._settings = settings
        self._store = store

    def get(self, name: str) -> str | None:
        field = _FROM_SETTINGS.get(name)
        if field is not None:
            value = getattr(self._settings, field)
            if value is not None:
                return str(value)
        remote = self._store.get(name)
        return remote.reveal() if remote is not None else None
