"""What `proxy call` prints: a status line per call, the body or a summary, and a hint on failure.

The hints name the next step for the failures operators meet: the proxy's `X-Psoxy-Error` codes,
the cloud's own refusals (AWS IAM, GCP invoker role) and Atlassian's answers passed on in the
proxy's safe summary.

    lines = describe(outcome, platform="aws", show_body=True, max_body_chars=4000)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from proxy.http import ERROR_HEADER
from proxy.tooling.calls import CallOutcome
from proxy.tooling.health_words import lifecycle_in_words

__all__ = ["describe", "summarize_all"]

_PROXY_HINTS = {
    "BLOCKED_BY_RULES": "the proxy's rules do not allow this request (path or query "
    "parameter): compare it with the example calls",
    "CONNECTION_SETUP": "the proxy could not get an Atlassian access token: check CLIENT_ID, "
    "CLIENT_SECRET and REFRESH_TOKEN in its secret store (--health-check lists what is missing)",
    "SOURCE_AUTH_INVALID_GRANT": "the refresh token is dead (revoked, unused for 90 days or "
    "older than a year): run `proxy setup confluence --store …` again",
    "SOURCE_AUTH_LOCK_CONTENTION": "another instance is refreshing the token: retry after "
    "the Retry-After seconds",
    "CONFIGURATION_FAILURE": "the proxy's configuration is incomplete: run --health-check",
    "HTTPS_REQUIRED": "call the proxy over https://",
    "UNAUTHORIZED_IP_ADDRESS": "this caller's IP is not in ALLOWED_DATA_ACCESS_IP_BLOCKS",
    "TOKENIZED_REQUEST_PARAMETER_INVALID": "a p~ token in the URL was not issued by this "
    "proxy (or its PSOXY_ENCRYPTION_KEY changed)",
    "SANITIZATION_FAILED": "the response could not be sanitized; nothing was returned "
    "(see the function's logs)",
    "API_ERROR": "Atlassian answered an error; the proxy passed its status on and replaced "
    "the body by a summary",
    "SOURCE_API_RESPONSE_INVALID": "Atlassian answered something that is not JSON; nothing was "
    "returned",
}
_CLOUD_HINTS = {
    "aws": "AWS refused the caller: the identity signing the request (or --aws-role-arn) must "
    "be allowed to invoke the function (Terraform: caller ARNs), and the region must be right",
    "gcp": "Google refused the ID token: the identity needs the invoker role on the function, "
    "and the token's audience must be the function URL",
}


def describe(
    outcome: CallOutcome, *, platform: str, show_body: bool, max_body_chars: int
) -> list[str]:
    """The lines printed for one call."""
    head = f"GET {outcome.call.label}"
    if outcome.status is None:
        return [f"{head}: no response ({outcome.failure}) after {outcome.elapsed_ms:.0f} ms"]
    size = len(outcome.body)
    lines = [f"{head}: {outcome.status} in {outcome.elapsed_ms:.0f} ms, {size} bytes"]
    value = _json(outcome.body)
    body_shown = (show_body or outcome.call.health_check) and bool(outcome.body.strip())
    if body_shown:
        lines.append(_truncate(_pretty(value, outcome.body), max_body_chars))
    elif outcome.ok:
        lines.append(f"  {_summary(value)}")
    if outcome.call.health_check:
        lines.extend(lifecycle_in_words(value, with_warnings=outcome.ok))
    if not outcome.ok:
        hints = _hints(outcome, value, platform, body_shown=body_shown)
        lines.extend(f"  hint: {hint}" for hint in hints)
    return lines


def summarize_all(outcomes: Sequence[CallOutcome]) -> str:
    failed = [o.call.label for o in outcomes if not o.ok]
    if not failed:
        return f"{len(outcomes)} calls, all succeeded"
    return f"{len(outcomes)} calls, {len(failed)} failed: {', '.join(failed)}"


def _hints(outcome: CallOutcome, value: Any, platform: str, *, body_shown: bool) -> list[str]:
    code = outcome.headers.get(ERROR_HEADER)
    hints = []
    if code in _PROXY_HINTS:
        hints.append(f"{code}: {_PROXY_HINTS[code]}")
    elif code:
        hints.append(code)
    if isinstance(value, dict) and isinstance(value.get("hint"), str) and not body_shown:
        hints.append(value["hint"])  # the proxy's summary of an Atlassian error
    if outcome.call.health_check and isinstance(value, dict):
        if missing := _texts(value.get("missingConfigProperties")):
            hints.append(f"missing: {', '.join(missing)}")
        hints.extend(_texts(value.get("warningMessages")))
    if not code and outcome.status in (401, 403) and platform in _CLOUD_HINTS:
        detail = outcome.headers.get("x-amzn-errortype") or outcome.headers.get("www-authenticate")
        hints.append(_CLOUD_HINTS[platform] + (f" ({detail})" if detail else ""))
    if outcome.status == 429 and (retry := outcome.headers.get("retry-after")):
        hints.append(f"rate limited: retry after {retry} s")
    return hints


def _texts(value: Any) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _pretty(value: Any, body: bytes) -> str:
    if value is None:
        return body.decode("utf-8", errors="replace").strip()
    return json.dumps(value, indent=2, ensure_ascii=False)


def _summary(value: Any) -> str:
    if isinstance(value, list):
        return f"JSON list, {_count(len(value), 'item')}"
    if isinstance(value, dict):
        results = value.get("results")
        if isinstance(results, list):
            more = " (more pages)" if (value.get("_links") or {}).get("next") else ""
            return f"{_count(len(results), 'result')}{more}"
        return f"JSON object with keys {', '.join(sorted(value)[:8])}"
    return "not JSON"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _truncate(text: str, limit: int) -> str:
    if limit <= 0 or len(text) <= limit:
        return text
    return text[:limit] + f"\n… ({len(text) - limit} more characters; --full shows all)"
