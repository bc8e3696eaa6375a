"""The Cloud Logging trace fields of a request, from Google's `X-Cloud-Trace-Context` header.

Cloud Logging groups the log entries of one request under the field
`logging.googleapis.com/trace` = `projects/<project>/traces/<trace id>` (with `spanId`), which
needs the project id. The header comes from Google's front end but is still request data: only
a well-formed trace id (32 hex digits, not all zero) and a numeric span id are used; anything
else is ignored. The W3C `traceparent` header is read when the Google one is absent.

    trace_fields(headers.get("X-Cloud-Trace-Context"), None, project="my-project")
"""

from __future__ import annotations

import re

__all__ = ["TRACE_FIELD", "trace_fields"]

TRACE_FIELD = "logging.googleapis.com/trace"
SPAN_FIELD = "logging.googleapis.com/spanId"
SAMPLED_FIELD = "logging.googleapis.com/trace_sampled"

_CLOUD_TRACE = re.compile(r"([0-9a-fA-F]{32})(?:/([0-9]{1,20}))?(?:;o=([01]))?")
_TRACEPARENT = re.compile(r"00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})")
_MAX_SPAN = 2**64 - 1


def trace_fields(
    cloud_trace_context: str | None, traceparent: str | None, *, project: str | None
) -> dict[str, object]:
    """The trace, span and sampled fields; empty without a project or a valid header."""
    if not project:
        return {}
    parsed = _from_cloud_trace(cloud_trace_context) or _from_traceparent(traceparent)
    if parsed is None:
        return {}
    trace_id, span_id, sampled = parsed
    fields: dict[str, object] = {TRACE_FIELD: f"projects/{project}/traces/{trace_id}"}
    if span_id is not None:
        fields[SPAN_FIELD] = span_id
    if sampled is not None:
        fields[SAMPLED_FIELD] = sampled
    return fields


def _from_cloud_trace(value: str | None) -> tuple[str, str | None, bool | None] | None:
    match = _CLOUD_TRACE.fullmatch(value.strip()) if value else None
    if match is None or int(match.group(1), 16) == 0:
        return None
    span = match.group(2)
    span_id = None
    if span is not None and 0 < int(span) <= _MAX_SPAN:
        span_id = f"{int(span):016x}"  # Cloud Logging wants the span as 16 hex digits
    sampled = None if match.group(3) is None else match.group(3) == "1"
    return match.group(1).lower(), span_id, sampled


def _from_traceparent(value: str | None) -> tuple[str, str | None, bool | None] | None:
    match = _TRACEPARENT.fullmatch(value.strip()) if value else None
    if match is None or int(match.group(1), 16) == 0:
        return None
    span_id = match.group(2) if int(match.group(2), 16) else None
    return match.group(1), span_id, bool(int(match.group(3), 16) & 1)
