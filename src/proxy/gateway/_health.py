"""The health check (`X-Psoxy-Health-Check` header): the reference's JSON plus our additions.

Status 200 when the instance can serve data, 412 otherwise; keys sorted; compact JSON ending in
CRLF, as the reference writes it. Our additions: `rulesSha`, `sourceAuth` (facts about the
refresh token, never its value) and, when the refresh token was revoked, a warning telling the
operator to run the OAuth setup again.
"""

from __future__ import annotations

import logging
from typing import Any, NamedTuple

import orjson

from proxy.errors import MissingSecretError, ProxyError
from proxy.gateway._ip_allowlist import IpAllowList
from proxy.gateway._runtime import LazyRuntime
from proxy.http import Headers, HttpRequest, HttpResponse
from proxy.log_events import LogEvent, event

__all__ = ["HEALTH_CHECK_HEADER", "HealthCheck", "HealthFacts"]

HEALTH_CHECK_HEADER = "X-Psoxy-Health-Check"

log = logging.getLogger("proxy.gateway.health")  # stable name, as logged


class HealthFacts(NamedTuple):
    """Configuration facts the health check reports (values of non-secret settings)."""

    source: str | None
    target_host: str | None
    auth_strategy: str | None
    grant_type: str | None
    pseudonym_implementation: str | None
    user_agent: str
    version: str
    bundle_filename: str | None = None
    pseudonymize_app_ids: bool | None = None


class HealthCheck:
    def __init__(self, facts: HealthFacts, runtime: LazyRuntime, ips: IpAllowList) -> None:
        self._facts = facts
        self._runtime = runtime
        self._ips = ips

    def respond(self, request: HttpRequest) -> HttpResponse:
        report, passed = self.report(request.client_ip)
        if not passed:
            log.warning(
                "health check failed: %s",
                _failure_summary(self._facts, report),
                extra=event(LogEvent.HEALTH_CHECK_FAILED),
            )
        body = orjson.dumps(report, option=orjson.OPT_SORT_KEYS) + b"\r\n"
        headers = Headers([("Content-Type", "application/json")])
        return HttpResponse(200 if passed else 412, headers, body)

    def report(self, client_ip: str | None) -> tuple[dict[str, Any], bool]:
        facts = self._facts
        warnings: list[str] = []
        missing: list[str] = []
        if not facts.target_host:
            missing.append("TARGET_HOST")
        runtime = None
        try:
            runtime = self._runtime.get()
        except MissingSecretError as exc:
            missing.append(exc.property_name or exc.message)
        except ProxyError as exc:
            warnings.append(f"{exc.code}: {exc.message}")
        report: dict[str, Any] = {
            "bundleFilename": facts.bundle_filename,
            "callerIp": client_ip or "unknown",
            "configPropertiesLastModified": {},
            "configuredHost": facts.target_host,
            "configuredSource": facts.source,
            "javaSourceCodeVersion": facts.version,
            "missingConfigProperties": missing,
            "nonDefaultSalt": runtime is not None,
            "pseudonymizeAppIds": facts.pseudonymize_app_ids,
            "saltSha256Hash": runtime.salt_sha256 if runtime else None,
            "sourceAuthGrantType": facts.grant_type,
            "sourceAuthStrategy": facts.auth_strategy,
            "userAgent": facts.user_agent,
            "version": facts.version,
            "warningMessages": warnings,
        }
        if facts.pseudonym_implementation:
            report["pseudonymImplementation"] = facts.pseudonym_implementation
        ip_ok = True
        if self._ips.enabled:
            ip_ok = self._ips.allows(client_ip)
            report["clientIpAuthorized"] = ip_ok
            if not ip_ok:
                warnings.append("Client IP is not authorized to access this proxy instance.")
        auth_ok = True
        if runtime is not None:
            report["rulesSha"] = runtime.rules.sha
            auth = dict(runtime.source_auth.health())
            report["sourceAuth"] = auth
            missing.extend(str(name) for name in _strings(auth.get("missingConfigProperties")))
            warnings.extend(_strings(auth.get("warningMessages")))
            auth_ok = auth.get("lastRefreshError") != "invalid_grant"
        passed = bool(facts.source) and runtime is not None and not missing and ip_ok and auth_ok
        return report, passed


def _failure_summary(facts: HealthFacts, report: dict[str, Any]) -> str:
    """One readable line: what is missing, then the warnings (never a bare `[]`)."""
    missing = ([] if facts.source else ["SOURCE"]) + _strings(report["missingConfigProperties"])
    parts = [f"missing {', '.join(missing)}"] if missing else []
    parts.extend(_strings(report["warningMessages"]))
    return "; ".join(parts) or "see the health check response"


def _strings(value: Any) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []
