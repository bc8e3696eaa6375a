"""Logging of a proxy instance: one record per line, JSON in the clouds, nothing secret.

`LOG_FORMAT` picks the format; unset, it is JSON on AWS Lambda and GCP (CloudWatch Logs
Insights and Cloud Logging read the fields without parsing rules) and, locally (`proxy serve`),
plain text on a terminal and JSON otherwise (a pipe or a file is read by tools).

On Lambda the runtime has already put its own handler on the root logger (it frames each record
as one log event, multi-line included); we only give it our formatter. Elsewhere we add a
handler on stderr, unless the host (pytest, an embedding program) configured logging itself.

httpx and httpcore log every request URL at INFO; those URLs can carry decrypted identifiers,
so their loggers are held at WARNING outside development mode.
"""

from __future__ import annotations

import logging
import sys

from proxy.config import LogFormat, Platform
from proxy.platforms._log_formats import JsonFormatter, TextFormatter

__all__ = ["LAMBDA_RUNTIME_HANDLERS", "configure_logging", "resolve_log_format"]

_CHATTY = ("httpx", "httpcore", "urllib3", "botocore", "google", "werkzeug", "grpc")
LAMBDA_RUNTIME_HANDLERS = frozenset({"LambdaLoggerHandler", "LambdaLoggerHandlerWithFrameType"})
"""Class names of the handlers the AWS Lambda Python runtime (awslambdaric) installs."""


class _ProxyHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Our stderr handler, recognisable so that configuring twice does not add a second one."""


def resolve_log_format(configured: LogFormat, platform: Platform, *, terminal: bool) -> LogFormat:
    """`LOG_FORMAT` if set; else JSON in the clouds, text on a terminal, JSON otherwise."""
    if configured is not LogFormat.AUTO:
        return configured
    if platform is Platform.LOCAL and terminal:
        return LogFormat.TEXT
    return LogFormat.JSON


def configure_logging(
    *,
    development_mode: bool = False,
    log_format: LogFormat = LogFormat.AUTO,
    platform: Platform = Platform.LOCAL,
) -> None:
    chosen = resolve_log_format(log_format, platform, terminal=sys.stderr.isatty())
    formatter: logging.Formatter = (
        JsonFormatter(development_mode=development_mode)
        if chosen is LogFormat.JSON
        else TextFormatter(development_mode=development_mode)
    )
    root = logging.getLogger()
    runtime = [h for h in root.handlers if type(h).__name__ in LAMBDA_RUNTIME_HANDLERS]
    ours = [h for h in root.handlers if isinstance(h, _ProxyHandler)]
    for handler in runtime + ours:
        handler.setFormatter(formatter)
    if not root.handlers:
        handler = _ProxyHandler()
        handler.setFormatter(formatter)
        root.addHandler(handler)
    root.setLevel(logging.DEBUG if development_mode else logging.INFO)
    for name in _CHATTY:
        logging.getLogger(name).setLevel(logging.INFO if development_mode else logging.WARNING)
