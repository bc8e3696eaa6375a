"""`RefreshTokenSourceAuth`: Atlassian OAuth 2.0 (3LO) with rotating refresh tokens, safe across
many instances (``SOURCE_AUTH_STRATEGY_IDENTIFIER=oauth2_refresh_token``).

Per call: reuse the in-memory access token, else the shared one (``ACCESS_TOKEN``, latest
expiry), unless it is inside the randomized refresh window. Otherwise refresh, once per
process (mutex) and once across instances (the store's ``OAUTH_REFRESH_TOKEN`` lock):

1. take the lock (on contention back off ``(4 s + jitter) x attempt``, never past the request's
   deadline, and look for a token someone else refreshed; after three attempts:
   `SourceAuthBusy`, 503 + Retry-After; when the deadline comes first: `DeadlineExceeded`);
2. inside the lock look again (in memory, shared) and only then exchange the refresh token,
   read fresh from the store (or the unsaved rotated one we still hold);
3. persist the rotated refresh token *first* (retries; kept in memory if it cannot be written),
   then share the access token, wait for eventual consistency, release the lock in ``finally``
   (a release the store fails is retried at the start of the next request).

`rejected` forgets exactly the token upstream refused, so the next call refreshes instead of
serving it again (from memory or the shared copy), at most once a minute: a 401 is something
a caller can provoke, and each forced refresh rotates the refresh token under the lock.
``invalid_grant`` raises `RefreshTokenRevoked` and stops further exchanges with that refresh
token until an operator stores a new one. Differences from the reference are documented in
``docs/configuration.md``.
"""

from __future__ import annotations

import logging
import random
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import NamedTuple

from proxy.auth._access_token import AccessToken, encode_shared, fingerprint, pick_latest_shared
from proxy.auth._base import UpstreamCredentials
from proxy.auth._oauth_health import describe_health
from proxy.auth._refresh_policy import RefreshWindow
from proxy.auth._rotation import REFRESH_TOKEN, RotatedRefreshTokens
from proxy.auth._token_endpoint import TokenEndpoint, TokenFailure
from proxy.auth._token_lifecycle import TokenLifecycle
from proxy.config.locks import DistributedLock, LockLease
from proxy.config.stores import SecretStore
from proxy.deadline import current_deadline
from proxy.errors import (
    ConfigStoreUnavailable,
    ProxyError,
    RefreshTokenRevoked,
    SourceAuthBusy,
    SourceAuthError,
)
from proxy.log_events import LogEvent, event
from proxy.secret_value import Secret
from proxy.timing import Clock, Sleep

__all__ = ["ACCESS_TOKEN", "LOCK_NAME", "RefreshTiming", "RefreshTokenSourceAuth"]

_log = logging.getLogger("proxy.auth.oauth")  # stable name, as logged
ACCESS_TOKEN = "ACCESS_TOKEN"  # noqa: S105 - a property name
LOCK_NAME = "OAUTH_REFRESH_TOKEN"
_REJECTED_MEMORY = 32


class RefreshTiming(NamedTuple):
    """The reference's numbers; tests shrink none of them, they inject clock and sleep."""

    min_proactive_seconds: int = 60
    max_proactive_seconds: int = 600
    lock_ttl_seconds: float = 120.0
    lock_attempts: int = 3
    lock_wait_seconds: float = 4.0
    lock_wait_jitter_seconds: float = 0.25
    consistency_allowance_seconds: float | None = None  # None: the store's propagation time
    write_attempts: int = 3
    write_retry_delay_seconds: float = 0.15
    busy_retry_after_seconds: int = 30
    forced_refresh_interval_seconds: float = 60.0  # a 401 forces at most one refresh per minute
    shared_token_versions: int = 5


class RefreshTokenSourceAuth:
    """The `SourceAuth` of the refresh-token grant; one per process, shared by its threads."""

    def __init__(
        self,
        *,
        store: SecretStore,
        endpoint: Callable[[], TokenEndpoint],
        client_id: Callable[[], str],
        use_shared_token: bool,
        clock: Clock,
        sleep: Sleep,
        rng: random.Random | None = None,
        timing: RefreshTiming | None = None,
        lock: DistributedLock | None = None,
    ) -> None:
        self._store = store
        self._endpoint = endpoint
        self._client_id = client_id
        self._use_shared = use_shared_token
        self._clock = clock
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not security
        self._timing = timing or RefreshTiming()
        self._window = RefreshWindow(
            self._timing.min_proactive_seconds, self._timing.max_proactive_seconds, self._rng
        )
        self._lock = lock or store.lock(LOCK_NAME, ttl_seconds=self._timing.lock_ttl_seconds)
        self._rotation = RotatedRefreshTokens(
            store,
            clock=clock,
            sleep=sleep,
            write_attempts=self._timing.write_attempts,
            retry_delay_seconds=self._timing.write_retry_delay_seconds,
        )
        self._mutex = threading.Lock()
        self._state = threading.Lock()
        self._token: AccessToken | None = None
        self._rejected: OrderedDict[str, None] = OrderedDict()
        self._dead_refresh_token: str | None = None
        self._last_rotation_at: float | None = None
        self._last_forced_refresh_at: float | None = None
        self._unreleased: LockLease | None = None
        self._last_error: str | None = None
        self._lifecycle = TokenLifecycle(store, clock=clock)

    # ------------------------------------------------------------------ SourceAuth
    def credentials(self) -> UpstreamCredentials:
        self._rotation.retry_pending()
        self._retry_release()
        token = self._reusable_token()
        if token is None:
            token = self._refresh_or_fallback()
        return UpstreamCredentials(
            headers={"Authorization": f"Bearer {token.value.reveal()}"}, token_id=token.token_id
        )

    def rejected(self, credentials: UpstreamCredentials) -> bool:
        now = self._clock()
        interval = self._timing.forced_refresh_interval_seconds
        with self._state:
            if credentials.token_id in self._rejected:
                return True  # another request reported it first; a fresh token is coming
            recent = self._last_forced_refresh_at
            if recent is not None and now - recent < interval:
                forget = False
            else:
                forget = True
                self._last_forced_refresh_at = now
                self._rejected[credentials.token_id] = None
                while len(self._rejected) > _REJECTED_MEMORY:
                    self._rejected.popitem(last=False)
                if self._token is not None and self._token.token_id == credentials.token_id:
                    self._token = None
        if forget:
            _log.info(
                "upstream rejected access token %s; it will not be used again",
                credentials.token_id,
                extra=event(LogEvent.TOKEN_REJECTED),
            )
        else:
            _log.warning(
                "upstream rejected access token %s; kept, as a refresh was forced less than "
                "%g s ago",
                credentials.token_id,
                interval,
                extra=event(LogEvent.TOKEN_REJECTION_THROTTLED),
            )
        return forget

    def health(self) -> Mapping[str, object]:
        return describe_health(
            store=self._store,
            client_id=self._client_id,
            endpoint=self._endpoint,
            pending=self._rotation.pending is not None,
            last_rotation_at=self._last_rotation_at,
            last_error=self._last_error,
            lifecycle=self._lifecycle.report(),
        )

    # ------------------------------------------------------------------ reuse
    def _reusable_token(self) -> AccessToken | None:
        """In-memory token, else the shared one, if outside the refresh window and not rejected."""
        now = self._clock()
        token = self._token
        usable = token is not None and token.token_id not in self._rejected
        if usable and not self._window.needs_refresh(token, now):
            return token
        if not self._use_shared:
            return None
        shared = self._shared_token()
        if shared is None:
            return None
        with self._state:
            current = self._token
            if current is None or (shared.expires_at or 0) > (current.expires_at or 0):
                self._token = shared
        return None if self._window.needs_refresh(shared, now) else shared

    def _shared_token(self) -> AccessToken | None:
        try:
            versions = self._store.versions(ACCESS_TOKEN, self._timing.shared_token_versions)
        except ProxyError as exc:
            _log.warning(
                "shared access token unavailable: %s",
                exc.message,
                extra=event(LogEvent.SHARED_TOKEN_UNAVAILABLE),
            )
            return None
        return pick_latest_shared(versions, skip=self._rejected)

    # ------------------------------------------------------------------ refresh
    def _refresh_or_fallback(self) -> AccessToken:
        try:
            return self._refresh()
        except ProxyError as exc:
            token = self._token
            now = self._clock()
            if (
                token is not None
                and not token.expired(now)
                and token.token_id not in self._rejected
            ):
                _log.warning(
                    "refresh failed (%s); using the current token until it expires",
                    exc.code,
                    extra=event(LogEvent.REFRESH_FAILED_TOKEN_KEPT, error_code=exc.code),
                )
                return token
            raise

    def _refresh(self) -> AccessToken:
        with self._mutex:
            token = self._reusable_token()
            if token is not None:
                return token
            deadline = current_deadline()
            for attempt in range(self._timing.lock_attempts):
                deadline.check("waiting for the token refresh lock")
                lease = self._lock.try_acquire()
                if lease is not None:
                    return self._refresh_holding(lease)
                self._sleep(deadline.budget(self._backoff(attempt), "waiting for the refresh lock"))
                token = self._reusable_token()
                if token is not None:
                    return token
            self._last_error = "lock_contention"
            _log.warning(
                "gave up waiting for the token refresh lock %s after %d attempts",
                self._lock.name,
                self._timing.lock_attempts,
                extra=event(LogEvent.LOCK_CONTENTION),
            )
            raise SourceAuthBusy(
                f"another instance holds the token refresh lock {self._lock.name}; retry shortly",
                retry_after_seconds=self._timing.busy_retry_after_seconds,
            )

    def _refresh_holding(self, lease: LockLease) -> AccessToken:
        try:
            token = self._reusable_token()
            if token is None:
                token = self._exchange()
                with self._state:
                    self._token = token
                allowance = self._timing.consistency_allowance_seconds
                hold = self._store.write_propagation_seconds if allowance is None else allowance
                self._sleep(max(0.0, min(hold, current_deadline().remaining())))
            return token
        finally:
            self._release(lease)

    def _release(self, lease: LockLease) -> None:
        """Let go of the lock; if the store fails, remember the lease to retry next request."""
        released = self._lock.release(lease)
        with self._state:
            self._unreleased = None if released else lease

    def _retry_release(self) -> None:
        """Release a lock a store outage left behind, so other instances need not wait it out.

        Skipped while this instance refreshes: that refresh takes its own lock back anyway, and
        a release racing with it could delete the lock it just took.
        """
        if self._unreleased is None or not self._mutex.acquire(blocking=False):
            return
        try:
            with self._state:
                lease, self._unreleased = self._unreleased, None
            if lease is not None:
                self._release(lease)
        finally:
            self._mutex.release()

    def _backoff(self, attempt: int) -> float:
        jitter = self._rng.uniform(0, self._timing.lock_wait_jitter_seconds)
        return (self._timing.lock_wait_seconds + jitter) * (attempt + 1)

    def _exchange(self) -> AccessToken:
        refresh_token = self._current_refresh_token()
        if fingerprint(refresh_token) == self._dead_refresh_token:
            raise RefreshTokenRevoked(self._revoked_message())
        endpoint = self._endpoint()
        client_id = self._client_id()
        client_secret = self._store.require("CLIENT_SECRET")
        result = endpoint.refresh(refresh_token, client_id, client_secret)
        if isinstance(result, TokenFailure):
            raise self._failed(result, refresh_token)
        now = self._clock()
        rotated = result.refresh_token is not None and result.refresh_token != refresh_token
        if result.refresh_token is not None and rotated:
            self._rotation.persist(result.refresh_token, used=refresh_token)
            self._last_rotation_at = now
        token = AccessToken(result.access_token, now + result.expires_in)
        _log.info(
            "refreshed the Atlassian access token (%s)",
            "refresh token rotated" if rotated else "refresh token unchanged",
            extra=event(
                LogEvent.TOKEN_REFRESHED,
                rotated=rotated,
                rotation_unsaved=self._rotation.pending is not None,
                expires_in_s=int(result.expires_in),
            ),
        )
        self._lifecycle.refreshed()
        if self._use_shared:
            self._share(token)
        self._last_error = None
        return token

    def _current_refresh_token(self) -> Secret:
        pending = self._rotation.pending
        if pending is not None:
            return pending.value
        try:
            stored = self._store.get_fresh(REFRESH_TOKEN)
        except ConfigStoreUnavailable:
            self._last_error = "store_unavailable"
            raise
        if stored is None:
            self._last_error = "missing_refresh_token"
            raise self._store.missing(REFRESH_TOKEN)
        return stored

    def _failed(self, failure: TokenFailure, refresh_token: Secret) -> SourceAuthError:
        self._last_error = failure.reason
        if failure.invalid_grant:
            self._dead_refresh_token = fingerprint(refresh_token)
            self._rotation.discard_if(refresh_token)
            _log.error(
                "token endpoint answered invalid_grant: %s",
                self._revoked_message(),
                extra=event(LogEvent.REFRESH_INVALID_GRANT),
            )
            return RefreshTokenRevoked(self._revoked_message())
        _log.error(
            "token refresh failed: %s",
            failure.describe(),
            extra=event(LogEvent.REFRESH_FAILED, reason=failure.reason),
        )
        return SourceAuthError(
            f"could not refresh the Atlassian access token: {failure.describe()}"
        )

    def _revoked_message(self) -> str:
        return (
            "the Atlassian refresh token was rejected (invalid_grant): its token family is "
            "revoked or expired. Re-run the OAuth setup (`proxy setup confluence`) and store "
            f"the new refresh token in {self._rotation.key}"
        )

    def _share(self, token: AccessToken) -> None:
        deadline = current_deadline()
        for attempt in range(self._timing.write_attempts):
            if attempt:
                if deadline.expired:  # optional: other instances then refresh their own
                    break
                self._sleep(self._timing.write_retry_delay_seconds)
            try:
                self._store.put(ACCESS_TOKEN, encode_shared(token))
                return
            except ProxyError as exc:
                _log.warning(
                    "sharing the access token failed: %s",
                    exc.message,
                    extra=event(LogEvent.SHARED_TOKEN_WRITE_FAILED),
                )
        _log.error(
            "the access token could not be shared; other instances will refresh their own",
            extra=event(LogEvent.SHARED_TOKEN_WRITE_FAILED),
        )
