"""The two log formats: one JSON object per line (clouds, pipes) and plain text (a terminal).

JSON uses Cloud Logging's field names, which CloudWatch Logs Insights reads as they are:

    {"severity":"INFO","message":"GET /ex/confluence/{cloudId}/wiki/api/{version}/spaces -> 200",
     "event":"request","status":200,...,"logger":"proxy.gateway.pipeline",
     "time":"2025-10-09T08:53:20.123Z","aws_request_id":"…"}

Only what the proxy put there goes in: `event` and `fields` of the record (`proxy.log_events`),
the request's ids (`_log_context`), never arbitrary attributes other libraries attach. An
exception attached to a record is written as its type chain and stack, without its message,
outside development mode (messages can quote data). Plain `logging` plus orjson: measured, a
JSON logging library cost more at import and per record than it saved (docs/operations.md).
"""

from __future__ import annotations

import logging
import time
import traceback
from typing import Any

import orjson

from proxy.platforms._log_context import current_log_context
from proxy.safe_logging import describe_withheld

__all__ = ["JsonFormatter", "TextFormatter"]


def _utc(created: float, msecs: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created)) + f".{int(msecs):03d}Z"


def _exception_text(record: logging.LogRecord, development_mode: bool) -> str | None:
    exc = record.exc_info[1] if record.exc_info else None
    if exc is None:
        return None
    if development_mode:
        return "".join(traceback.format_exception(exc)).rstrip()
    return describe_withheld(exc)


class JsonFormatter(logging.Formatter):
    """One compact JSON object per record (no newline inside: one line, one log event)."""

    def __init__(self, *, development_mode: bool = False) -> None:
        super().__init__()
        self._development_mode = development_mode

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {"severity": record.levelname, "message": record.getMessage()}
        attributes = record.__dict__
        name = attributes.get("event")
        if name is not None:
            entry["event"] = name
        fields = attributes.get("fields")
        if fields:
            entry.update(fields)
        entry["logger"] = record.name
        entry["time"] = _utc(record.created, record.msecs)
        entry.update(current_log_context())
        stack = _exception_text(record, self._development_mode)
        if stack is not None:
            entry["stack"] = stack
        return orjson.dumps(entry, default=str).decode("utf-8")


class TextFormatter(logging.Formatter):
    """`LEVEL logger: message`, as `proxy serve` has always printed on a terminal."""

    def __init__(self, *, development_mode: bool = False) -> None:
        super().__init__("%(levelname)s %(name)s: %(message)s")
        self._development_mode = development_mode

    def format(self, record: logging.LogRecord) -> str:
        line = f"{record.levelname} {record.name}: {record.getMessage()}"
        stack = _exception_text(record, self._development_mode)
        return line if stack is None else f"{line}\n{stack}"
