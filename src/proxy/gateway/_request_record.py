"""The one log record per request (`event: request`), and the timings it reports.

The pipeline marks where time goes with two hooks (`upstream_timer`, `sanitize_timer`) around
the upstream call and the sanitizer; `log_request` then writes one record with what an operator
needs to see a request without seeing its data:

    {"event": "request", "method": "GET", "endpoint": "/ex/confluence/{cloudId}/wiki/...",
     "status": 200, "error_code": null, "total_ms": 4.2, "upstream_ms": 1.9,
     "sanitize_ms": 1.2, "response_bytes": 6123}

`endpoint` is the rules endpoint that matched (its path template), never the URL: URLs carry
ids and decrypted `p~` tokens. Only in development mode does the record add the raw `url`.
Timings live in a context variable, so the hooks need no new parameters in the pipeline.

    timings = start_timings()
    with upstream_timer():
        response = upstream.send(request)
    log_request(request, response, label, timings, development_mode=False)
"""

from __future__ import annotations

import logging
import time
from contextvars import ContextVar
from types import TracebackType

from proxy.http import ERROR_HEADER, HttpRequest, HttpResponse
from proxy.log_events import LogEvent

__all__ = [
    "RequestTimings",
    "log_request",
    "request_fields",
    "sanitize_timer",
    "start_timings",
    "upstream_timer",
]

log = logging.getLogger("proxy.gateway.pipeline")

NO_ENDPOINT = "(no rules endpoint)"
"""The label of a request no rules endpoint matched (blocked, or refused before matching)."""


class RequestTimings:
    """Seconds spent per request: since the start, in upstream calls, in the sanitizer."""

    __slots__ = ("sanitize", "started", "upstream")

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.upstream = 0.0
        self.sanitize = 0.0


_current: ContextVar[RequestTimings | None] = ContextVar("proxy_request_timings", default=None)


def start_timings() -> RequestTimings:
    """New timings for the request this thread (or task) is handling now."""
    timings = RequestTimings()
    _current.set(timings)
    return timings


class _Timer:
    """Adds the time spent in the `with` block to one field of the current timings."""

    __slots__ = ("_field", "_started")

    def __init__(self, field: str) -> None:
        self._field = field
        self._started = 0.0

    def __enter__(self) -> None:
        self._started = time.perf_counter()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        timings = _current.get()
        if timings is not None:
            spent = time.perf_counter() - self._started
            setattr(timings, self._field, getattr(timings, self._field) + spent)


def upstream_timer() -> _Timer:
    """`with upstream_timer():` around a call to Confluence."""
    return _Timer("upstream")


def sanitize_timer() -> _Timer:
    """`with sanitize_timer():` around the sanitizer."""
    return _Timer("sanitize")


def request_fields(
    request: HttpRequest,
    response: HttpResponse,
    label: str,
    timings: RequestTimings,
    *,
    development_mode: bool,
) -> dict[str, object]:
    """The fields of the request record (no URL outside development mode)."""
    total = time.perf_counter() - timings.started
    fields: dict[str, object] = {
        "method": request.method,
        "endpoint": None if label == NO_ENDPOINT else label,
        "status": response.status,
        "error_code": response.headers.get(ERROR_HEADER),
        "total_ms": round(total * 1000, 2),
        "upstream_ms": round(timings.upstream * 1000, 2),
        "sanitize_ms": round(timings.sanitize * 1000, 2),
        "response_bytes": len(response.body),
    }
    if development_mode:
        fields["url"] = _raw_url(request)
    return fields


def log_request(
    request: HttpRequest,
    response: HttpResponse,
    label: str,
    timings: RequestTimings,
    *,
    development_mode: bool,
) -> None:
    """Write the request record: INFO, WARNING when the answer is a 5xx."""
    fields = request_fields(request, response, label, timings, development_mode=development_mode)
    shown = fields["url"] if development_mode else label
    log.log(
        logging.WARNING if response.status >= 500 else logging.INFO,
        "%s %s -> %d %s %.1fms",
        request.method,
        shown,
        response.status,
        fields["error_code"] or "",
        fields["total_ms"],
        extra={"event": LogEvent.REQUEST.value, "fields": fields},
    )


def _raw_url(request: HttpRequest) -> str:
    query = f"?{request.raw_query}" if request.raw_query is not None else ""
    return f"{request.raw_path}{query}"
