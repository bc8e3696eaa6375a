"""Stable names of what the proxy logs, so alerts and queries never parse sentences.

Every log record the proxy writes on purpose carries one `LogEvent` (the JSON field `event`)
and, where useful, a few fields. Alerts (CloudWatch metric filters, Cloud Logging log-based
metrics) and the runbook (`docs/operations.md`) key on these names: renaming one is a breaking
change for every deployment's alerts.

    log.error("token endpoint answered invalid_grant", extra=event(LogEvent.REFRESH_INVALID_GRANT))
"""

# ruff: noqa: S105 - the names contain "token"; they are event names, not passwords

from __future__ import annotations

from enum import StrEnum

from proxy.errors import ConfigStoreUnavailable, ConfigurationError, ProxyError

__all__ = ["LogEvent", "error_event", "event"]


class LogEvent(StrEnum):
    """The event names; `docs/operations.md` says what each means and what to do."""

    # one record per HTTP request, and why a request failed
    REQUEST = "request"
    REQUEST_FAILED = "request_failed"
    CONFIG_ERROR = "config_error"
    STORE_UNAVAILABLE = "store_unavailable"
    UNEXPECTED_ERROR = "unexpected_error"
    HEALTH_CHECK_FAILED = "health_check_failed"
    # the Atlassian token
    TOKEN_REFRESHED = "token_refreshed"
    TOKEN_REJECTED = "token_rejected"
    TOKEN_REJECTION_THROTTLED = "token_rejection_throttled"
    REFRESH_INVALID_GRANT = "refresh_invalid_grant"
    REFRESH_FAILED = "refresh_failed"
    REFRESH_FAILED_TOKEN_KEPT = "refresh_failed_token_kept"
    TOKEN_ENDPOINT_UNREACHABLE = "token_endpoint_unreachable"
    TOKEN_ROTATION_WRITE_FAILED = "token_rotation_write_failed"
    TOKEN_ROTATION_UNSAVED = "token_rotation_unsaved"
    TOKEN_ROTATION_RECOVERED = "token_rotation_recovered"
    TOKEN_ROTATION_SUPERSEDED = "token_rotation_superseded"
    SHARED_TOKEN_UNAVAILABLE = "shared_token_unavailable"
    SHARED_TOKEN_WRITE_FAILED = "shared_token_write_failed"
    TOKEN_FAMILY_EXPIRING = "token_family_expiring"
    TOKEN_LIFECYCLE_UNKNOWN = "token_lifecycle_unknown"
    # the cross-instance refresh lock
    LOCK_CONTENTION = "lock_contention"
    LOCK_LOST_RACE = "lock_lost_race"
    LOCK_STALE = "lock_stale"
    LOCK_NOT_OWNED = "lock_not_owned"
    LOCK_ERROR = "lock_error"
    # the secret store
    STORE_WRITE = "store_write"
    STORE_VALUE_KEPT = "store_value_kept"
    STORE_ACCESS_DENIED = "store_access_denied"
    STORE_CLEANUP_FAILED = "store_cleanup_failed"


def event(name: LogEvent, **fields: object) -> dict[str, object]:
    """The `extra=` of a log call: the event name, and fields the JSON record carries."""
    return {"event": name.value, "fields": fields}


def error_event(error: ProxyError) -> LogEvent:
    """The event of a request that failed with `error` (configuration problems get their own)."""
    if isinstance(error, ConfigStoreUnavailable):
        return LogEvent.STORE_UNAVAILABLE
    if isinstance(error, ConfigurationError) or error.code == "CONFIGURATION_FAILURE":
        return LogEvent.CONFIG_ERROR
    return LogEvent.REQUEST_FAILED
