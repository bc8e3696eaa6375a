"""`ConfigValues`: the reference's "config" chain — environment first, then the config store.

A few properties may be set either as env vars or as remote parameters (``<prefix>RULES`` in
SSM is how Terraform ships custom rules on AWS; ``REFRESH_ENDPOINT`` and ``CLIENT_ID`` may sit
beside the refresh token). This is the only place that order is written down. The store is
asked only when the environment has no value, and may be given as a function that builds it:
on AWS with Secrets Manager the config store is SSM, whose client need not exist otherwise.

>>> from proxy.config import Settings
>>> from proxy.config.stores import EnvSecretStore
>>> settings = Settings.from_env({"REFRESH_ENDPOINT": "https://auth.example/oauth/token"})
>>> config = ConfigValues(settings, EnvSecretStore({}, settings.naming))
>>> config.get("REFRESH_ENDPOINT"), config.get("CLIENT_ID")
('https://auth.example/oauth/token', None)
"""

from __future__ import annotations

from collections.abc import Callable

from proxy.config._settings import Settings
from proxy.config.stores import SecretStore
from proxy.errors import MissingSecretError

__all__ = ["ConfigValues"]

_FROM_SETTINGS = {
    "RULES": "rules",
    "CLIENT_ID": "client_id",
    "REFRESH_ENDPOINT": "refresh_endpoint",
}


class ConfigValues:
    """Reads a config property from `Settings` (env) or else from the config store (cached)."""

    def __init__(self, settings: Settings, store: SecretStore | Callable[[], SecretStore]) -> None:
        self._settings = settings
        self._store = store

    def from_environment(self, name: str) -> str | None:
        """The environment's value alone (a setting that can be checked before any request)."""
        field = _FROM_SETTINGS.get(name)
        value = getattr(self._settings, field) if field is not None else None
        return str(value) if value is not None else None

    def get(self, name: str) -> str | None:
        """The environment's value, else the store's; None when neither has one."""
        value = self.from_environment(name)
        if value is not None:
            return value
        remote = self.store.get(name)
        return remote.reveal() if remote is not None else None

    def require(self, name: str) -> str:
        """`get`, or `MissingSecretError` naming both places to set the property."""
        value = self.get(name)
        if value is None:
            store = self.store
            raise MissingSecretError(
                f"{name} is not set (env var, or {store.naming.instance_key(name)} in "
                f"{store.description})",
                property_name=name,
            )
        return value

    @property
    def store(self) -> SecretStore:
        if not isinstance(self._store, SecretStore):
            self._store = self._store()
        return self._store
