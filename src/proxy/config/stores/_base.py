"""`SecretStore`: caching, placeholders and error policy written once; backends fetch and store.

Reads look in the instance namespace, then the shared one (``PSOXY_SALT``), each cached with the
reference's time-to-live (5 min instance, 20 min shared). A missing value is cached too
(negative caching). When the backend fails transiently and we hold an older value, the older
value is kept (keep-last-good) rather than failing the request. Read retries stop at the
request's deadline (`proxy.deadline`). The Terraform placeholder
``fill me`` means "unset" everywhere. Writes and version listings go to the instance namespace
and are never cached.

A backend subclass implements four hooks: `_read`, `_write`, `_versions` and `_lock`; it raises
`ConfigStoreUnavailable` for transient problems and returns None for "not there".

    store.get("PSOXY_SALT")            # Secret | None, cached
    store.require("CLIENT_SECRET")     # Secret, or MissingSecretError naming the keys looked at
    store.put("REFRESH_TOKEN", new)    # instance namespace, write-through
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from proxy.config._naming import SecretNaming
from proxy.config.locks import DEFAULT_LOCK_TTL_SECONDS, DistributedLock
from proxy.deadline import current_deadline
from proxy.errors import ConfigStoreUnavailable, MissingSecretError
from proxy.log_events import LogEvent, event
from proxy.secret_value import Secret
from proxy.timing import Clock, Sleep, system_clock, system_sleep

__all__ = ["CachePolicy", "SecretStore", "StoredVersion", "is_placeholder"]

_log = logging.getLogger("proxy.config.stores.base")  # stable name, as logged

PLACEHOLDERS = frozenset({"fill me", "placeholder value - fill me"})
"""Terraform's placeholders (AWS and GCP): a value equal to one of them counts as unset."""


def is_placeholder(value: str) -> bool:
    return value.strip() in PLACEHOLDERS


class StoredVersion(NamedTuple):
    """One stored version of a value, as listed by `SecretStore.versions`."""

    version: str
    value: Secret
    created_at: float | None = None


class CachePolicy(NamedTuple):
    """How long reads are trusted and how hard a first read tries (the reference's numbers)."""

    instance_ttl_seconds: float = 300.0
    shared_ttl_seconds: float = 1200.0
    read_attempts: int = 3
    read_retry_delay_seconds: float = 0.5


class _Entry(NamedTuple):
    value: str | None
    loaded_at: float


class SecretStore(ABC):
    """Base of every secret store; see the module docstring for the semantics."""

    description: str = "secret store"
    """Human name of the backend, used in error messages (never contains values)."""
    write_propagation_seconds: float = 0.0
    """How long a write may take to be visible to other readers; the refresh lock is held
    that long after a rotation. 0 for strongly consistent stores (local file, GCP)."""

    def __init__(
        self,
        naming: SecretNaming,
        *,
        clock: Clock = system_clock,
        sleep: Sleep = system_sleep,
        cache: CachePolicy | None = None,
    ) -> None:
        self.naming = naming
        self._clock = clock
        self._sleep = sleep
        self._policy = cache or CachePolicy()
        self._cache: dict[str, _Entry] = {}
        self._cache_lock = threading.Lock()

    # ----------------------------------------------------------------------- public API
    def get(self, name: str) -> Secret | None:
        """The value of property ``name`` (instance, then shared), served from the cache."""
        for key, ttl in self._keys_with_ttl(name):
            value = self._cached_read(key, ttl)
            if value is not None:
                return Secret(value)
        return None

    def get_fresh(self, name: str) -> Secret | None:
        """Like `get` but always asks the backend (and refreshes the cache); no keep-last-good.

        Used where a stale value is dangerous, e.g. the refresh token read inside the lock.
        """
        for key, _ in self._keys_with_ttl(name):
            value = self._read_with_retries(key)
            self._remember(key, value)
            if value is not None:
                return Secret(value)
        return None

    def require(self, name: str) -> Secret:
        """`get`, or `MissingSecretError` naming every key that was looked at."""
        value = self.get(name)
        if value is None:
            raise self.missing(name)
        return value

    def missing(self, name: str) -> MissingSecretError:
        """The error for an unset property, naming where it was looked for."""
        keys = " or ".join(self.naming.lookup_keys(name))
        return MissingSecretError(
            f"{name} is not set: no value for {keys} in {self.description}", property_name=name
        )

    def versions(self, name: str, limit: int = 5) -> list[StoredVersion]:
        """Up to ``limit`` stored versions of an instance property, newest first, uncached."""
        key = self.naming.instance_key(name)
        found = [v for v in self._versions(key, limit) if not is_placeholder(v.value.reveal())]
        return found[:limit]

    def put(self, name: str, value: str) -> None:
        """Write an instance property; raises `ProxyError` (usually `ConfigStoreUnavailable`)."""
        key = self.naming.instance_key(name)
        self._write(key, value)
        self._remember(key, value)

    def lock(self, name: str, *, ttl_seconds: float = DEFAULT_LOCK_TTL_SECONDS) -> DistributedLock:
        """The cross-instance lock named ``name`` in the instance namespace."""
        return self._lock(self.naming.instance_key(name), ttl_seconds)

    def prefetch(self, names: Iterable[str]) -> None:
        """Cache every lookup key of ``names`` at once where the backend reads many keys per
        call (SSM: ten). A cold start reads about seven properties, each in both namespaces;
        one by one that is fourteen round trips. Keys the batch could not settle are left for
        the reads themselves, with their own retries and error reporting."""
        keys = list(dict.fromkeys(key for name in names for key in self.naming.lookup_keys(name)))
        for key, value in self._read_many(keys).items():
            self._remember(key, None if value is None or is_placeholder(value) else value)

    def forget(self, name: str) -> None:
        """Drop cached entries of ``name`` so the next `get` asks the backend."""
        with self._cache_lock:
            for key in self.naming.lookup_keys(name):
                self._cache.pop(key, None)

    # ----------------------------------------------------------------------- backend hooks
    @abstractmethod
    def _read(self, key: str) -> str | None:
        """The current value of ``key``, None if absent; `ConfigStoreUnavailable` if transient."""

    @abstractmethod
    def _write(self, key: str, value: str) -> None:
        """Store ``value`` as the new current version of ``key``."""

    @abstractmethod
    def _versions(self, key: str, limit: int) -> Sequence[StoredVersion]:
        """At least ``limit`` recent versions of ``key`` (if that many exist), newest first."""

    @abstractmethod
    def _lock(self, key: str, ttl_seconds: float) -> DistributedLock:
        """The lock resource for ``key``."""

    def _read_many(self, keys: Sequence[str]) -> Mapping[str, str | None]:
        """Values of those ``keys`` it could read in few calls (None: absent); by default none."""
        return {}

    # ----------------------------------------------------------------------- caching
    def _keys_with_ttl(self, name: str) -> list[tuple[str, float]]:
        keys = self.naming.lookup_keys(name)
        ttls = (self._policy.instance_ttl_seconds, self._policy.shared_ttl_seconds)
        return list(zip(keys, ttls, strict=False))

    def _cached_read(self, key: str, ttl: float) -> str | None:
        now = self._clock()
        with self._cache_lock:
            entry = self._cache.get(key)
        if entry is not None and now - entry.loaded_at < ttl:
            return entry.value
        try:
            value = self._read_with_retries(key)
        except ConfigStoreUnavailable:
            if entry is None:
                raise
            _log.warning(
                "%s: keeping the last known value of %s",
                self.description,
                key,
                extra=event(LogEvent.STORE_VALUE_KEPT),
            )
            self._remember(key, entry.value)
            return entry.value
        if value is None and entry is not None and entry.value is not None:
            _log.warning(
                "%s: %s read back empty; keeping the last known value",
                self.description,
                key,
                extra=event(LogEvent.STORE_VALUE_KEPT),
            )
            value = entry.value
        self._remember(key, value)
        return value

    def _read_with_retries(self, key: str) -> str | None:
        attempts = max(1, self._policy.read_attempts)
        deadline = current_deadline()
        doing = f"reading {key} from {self.description}"
        for attempt in range(attempts):
            deadline.check(doing)
            try:
                value = self._read(key)
            except ConfigStoreUnavailable:
                if attempt + 1 == attempts:
                    raise
                self._sleep(deadline.budget(self._policy.read_retry_delay_seconds, doing))
                continue
            return None if value is None or is_placeholder(value) else value
        raise AssertionError("unreachable")  # pragma: no cover

    def _remember(self, key: str, value: str | None) -> None:
        with self._cache_lock:
            self._cache[key] = _Entry(value=value, loaded_at=self._clock())
