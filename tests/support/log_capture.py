"""Reading what the proxy logs: a stand-in for the Lambda runtime's log handler, JSON lines
parsed into records, and the check that no planted secret appears in any of them.

The AWS Lambda Python runtime puts its own handler on the root logger before the function is
imported; `LambdaLoggerHandler` plays that part here (same class name, the runtime's text
format until the proxy configures it), keeping each formatted record as one log event.

    with lambda_runtime_logging() as runtime:
        handler(event, context)
    records = parse_json_lines(runtime.lines)
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

__all__ = [
    "LambdaLoggerHandler",
    "assert_no_secret",
    "events_of",
    "lambda_runtime_logging",
    "parse_json_lines",
    "restored_logging",
]

_CHATTY = ("httpx", "httpcore", "urllib3", "botocore", "google", "werkzeug", "grpc")


class LambdaLoggerHandler(logging.Handler):
    """Stands in for awslambdaric's root handler: one formatted record = one log event."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("[%(levelname)s]\t%(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@contextmanager
def restored_logging() -> Iterator[None]:
    """Whatever a test does to the root logger (handlers, levels) is undone afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {name: logging.getLogger(name).level for name in _CHATTY}
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, saved in levels.items():
            logging.getLogger(name).setLevel(saved)


@contextmanager
def lambda_runtime_logging() -> Iterator[LambdaLoggerHandler]:
    with restored_logging():
        runtime = LambdaLoggerHandler()
        logging.getLogger().addHandler(runtime)
        yield runtime


def parse_json_lines(lines: Iterable[str]) -> list[dict[str, Any]]:
    """Each line as a JSON object; fails on any line that is not one."""
    records = []
    for line in lines:
        if not line.strip():
            continue
        value = json.loads(line)
        assert isinstance(value, dict), line
        records.append(value)
    return records


def events_of(records: Sequence[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [record for record in records if record.get("event") == name]


def assert_no_secret(text: str, planted: Iterable[str]) -> None:
    """None of the planted values (tokens, secrets, salts, ids, raw URLs) is in `text`."""
    for value in planted:
        assert value, "an empty planted value proves nothing"
        assert value not in text, f"a planted secret appears in the logs: {value[:12]}…"
