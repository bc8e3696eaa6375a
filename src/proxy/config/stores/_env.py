"""`EnvSecretStore`: secrets from environment variables, for local mode only.

Keys are the full names (``PSOXY_SALT``, ``PSOXY_CONFLUENCE_CLOUD_CLIENT_SECRET``). The
environment cannot be written, so `put` fails: a rotated refresh token is then kept in memory by
the auth and reported by the health check. Use the LOCAL_FILE store for anything that rotates.

    store = EnvSecretStore(settings.env_secrets, settings.naming)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from proxy.config._naming import SecretNaming
from proxy.config.locks import DistributedLock, ThreadLock
from proxy.config.stores._base import CachePolicy, SecretStore, StoredVersion
from proxy.errors import ConfigurationError
from proxy.secret_value import Secret
from proxy.timing import Clock, Sleep, system_clock, system_sleep

__all__ = ["EnvSecretStore"]


class EnvSecretStore(SecretStore):
    """Read-only store over a mapping of environment variables."""

    description = "environment variables"

    def __init__(
        self,
        environ: Mapping[str, Secret],
        naming: SecretNaming,
        *,
        clock: Clock = system_clock,
        sleep: Sleep = system_sleep,
        cache: CachePolicy | None = None,
    ) -> None:
        super().__init__(naming, clock=clock, sleep=sleep, cache=cache)
        self._environ = environ
        self._locks: dict[str, ThreadLock] = {}

    def _read(self, key: str) -> str | None:
        value = self._environ.get(key)
        return value.reveal() if value is not None else None

    def _write(self, key: str, value: str) -> None:
        raise ConfigurationError(
            f"cannot write {key}: environment variables are read-only "
            "(use SECRETS_STORE=LOCAL_FILE to keep rotated tokens)"
        )

    def _versions(self, key: str, limit: int) -> Sequence[StoredVersion]:
        value = self._environ.get(key)
        return [StoredVersion(version="1", value=value)] if value is not None else []

    def _lock(self, key: str, ttl_seconds: float) -> DistributedLock:
        return self._locks.setdefault(key, ThreadLock(key, clock=self._clock))
