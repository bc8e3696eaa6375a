"""The JSON and text log formats, the format choice, the Lambda runtime's handler, and the
Cloud Logging trace fields read from request headers."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from proxy.config import LogFormat, Platform
from proxy.log_events import LogEvent, event
from proxy.platforms._gcp_trace import trace_fields
from proxy.platforms._log_context import current_log_context, request_log_context
from proxy.platforms._log_formats import JsonFormatter, TextFormatter
from proxy.platforms._logs import configure_logging, resolve_log_format
from proxy.safe_logging import log_unexpected
from support.log_capture import LambdaLoggerHandler, restored_logging

SECRET = "planted-secret-in-an-exception-message"
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


def record(message: str = "hello %s", *args: object, **extra: object) -> logging.LogRecord:
    return logging.getLogger("proxy.test").makeRecord(
        "proxy.test", logging.WARNING, __file__, 1, message, args or ("world",), None, extra=extra
    )


def failing_record() -> logging.LogRecord:
    try:
        raise KeyError(SECRET)
    except KeyError:
        info = sys.exc_info()
    return logging.getLogger("proxy.test").makeRecord(
        "proxy.test", logging.ERROR, __file__, 1, "it broke", (), info
    )


def test_json_record_has_cloud_logging_names_the_event_and_its_fields() -> None:
    line = JsonFormatter().format(record(**event(LogEvent.LOCK_STALE, attempt=2)))
    assert "\n" not in line
    value = json.loads(line)
    assert list(value)[:4] == ["severity", "message", "event", "attempt"]
    assert value["severity"] == "WARNING"
    assert value["message"] == "hello world"
    assert value["event"] == "lock_stale"
    assert value["attempt"] == 2
    assert value["logger"] == "proxy.test"
    assert value["time"].endswith("Z") and len(value["time"]) == len("2025-10-09T08:53:20.123Z")


def test_json_record_ignores_attributes_others_attach() -> None:
    value = json.loads(JsonFormatter().format(record(url="/ex/confluence/secret-id", user="x")))
    assert "url" not in value and "user" not in value
    assert "event" not in value  # a record without an event has none


def test_json_record_carries_the_request_context_only_inside_it() -> None:
    with request_log_context({"aws_request_id": "req-1"}):
        inside = json.loads(JsonFormatter().format(record()))
    outside = json.loads(JsonFormatter().format(record()))
    assert inside["aws_request_id"] == "req-1"
    assert "aws_request_id" not in outside
    assert current_log_context() == {}


def test_values_json_cannot_encode_are_written_as_text() -> None:
    value = json.loads(
        JsonFormatter().format(record(**event(LogEvent.STORE_WRITE, at=Platform.GCP)))
    )
    assert value["at"] == "GCP"


@pytest.mark.parametrize("formatter", [JsonFormatter(), TextFormatter()], ids=["json", "text"])
def test_exception_messages_are_withheld_outside_development_mode(
    formatter: logging.Formatter,
) -> None:
    text = formatter.format(failing_record())
    assert SECRET not in text
    assert "KeyError (message withheld)" in text
    assert "test_log_formats.py" in text  # the stack says where


def test_development_mode_shows_exception_messages() -> None:
    value = json.loads(JsonFormatter(development_mode=True).format(failing_record()))
    assert SECRET in value["stack"]


def test_log_unexpected_names_the_event_and_withholds_the_message(
    caplog: pytest.LogCaptureFixture,
) -> None:
    try:
        raise ValueError(SECRET)
    except ValueError as exc:
        log_unexpected(logging.getLogger("proxy.test"), "boom", exc, development_mode=False)
    (logged,) = caplog.records
    line = JsonFormatter().format(logged)
    assert json.loads(line)["event"] == "unexpected_error"
    assert json.loads(line)["exception"] == "ValueError"
    assert SECRET not in line


def test_text_format_is_the_terminal_line() -> None:
    assert TextFormatter().format(record(**event(LogEvent.LOCK_STALE))) == (
        "WARNING proxy.test: hello world"
    )


@pytest.mark.parametrize(
    ("configured", "platform", "terminal", "expected"),
    [
        (LogFormat.AUTO, Platform.LOCAL, True, LogFormat.TEXT),
        (LogFormat.AUTO, Platform.LOCAL, False, LogFormat.JSON),
        (LogFormat.AUTO, Platform.AWS_LAMBDA, True, LogFormat.JSON),
        (LogFormat.AUTO, Platform.GCP, False, LogFormat.JSON),
        (LogFormat.TEXT, Platform.GCP, False, LogFormat.TEXT),
        (LogFormat.JSON, Platform.LOCAL, True, LogFormat.JSON),
    ],
)
def test_format_choice(
    configured: LogFormat, platform: Platform, terminal: bool, expected: LogFormat
) -> None:
    assert resolve_log_format(configured, platform, terminal=terminal) is expected


def test_on_lambda_the_runtime_handler_gets_the_json_formatter_and_nothing_is_added() -> None:
    with restored_logging():
        root = logging.getLogger()
        runtime = LambdaLoggerHandler()
        root.addHandler(runtime)
        others = list(root.handlers)
        formatters = {id(h): h.formatter for h in others if h is not runtime}
        configure_logging(log_format=LogFormat.AUTO, platform=Platform.AWS_LAMBDA)
        assert root.handlers == others  # no second handler: one record, one log event
        assert isinstance(runtime.formatter, JsonFormatter)
        assert {id(h): h.formatter for h in others if h is not runtime} == formatters
        assert root.level == logging.INFO
        assert logging.getLogger("httpx").level == logging.WARNING
        logging.getLogger("proxy.test").info("hi", extra=event(LogEvent.STORE_WRITE))
        assert json.loads(runtime.lines[-1])["event"] == "store_write"


def test_without_any_handler_one_stderr_handler_is_added_once() -> None:
    with restored_logging():
        root = logging.getLogger()
        root.handlers[:] = []
        configure_logging(log_format=LogFormat.TEXT)
        configure_logging(log_format=LogFormat.JSON)
        (handler,) = root.handlers
        assert isinstance(handler.formatter, JsonFormatter)


@pytest.mark.parametrize(
    ("cloud", "parent", "expected"),
    [
        (
            f"{TRACE}/12345;o=1",
            None,
            {
                "logging.googleapis.com/trace": f"projects/p1/traces/{TRACE}",
                "logging.googleapis.com/spanId": "0000000000003039",
                "logging.googleapis.com/trace_sampled": True,
            },
        ),
        (TRACE.upper(), None, {"logging.googleapis.com/trace": f"projects/p1/traces/{TRACE}"}),
        (
            None,
            f"00-{TRACE}-00f067aa0ba902b7-00",
            {
                "logging.googleapis.com/trace": f"projects/p1/traces/{TRACE}",
                "logging.googleapis.com/spanId": "00f067aa0ba902b7",
                "logging.googleapis.com/trace_sampled": False,
            },
        ),
        ("0" * 32 + "/1", None, {}),  # an all-zero trace id is invalid
        (f"{TRACE}/1;o=1 injected", None, {}),
        (f'{TRACE}"}},{{"x', None, {}),
        ("not-a-trace", f"00-{TRACE}-zz-01", {}),
        (None, None, {}),
    ],
)
def test_trace_fields_from_headers(
    cloud: str | None, parent: str | None, expected: dict[str, object]
) -> None:
    assert trace_fields(cloud, parent, project="p1") == expected


def test_no_trace_field_without_a_project() -> None:
    assert trace_fields(f"{TRACE}/1;o=1", None, project=None) == {}
