"""Logging an unexpected exception without what its message may quote.

A traceback's last line repeats the exception's message, and messages of library errors can
quote data (a `KeyError` names the missing key, a decoder quotes the bad input). Outside
development mode we log the exception type and the stack only; the stack says where, which is
what an operator needs to report a bug.

    log_unexpected(log, "unexpected error handling a GET request", exc, development_mode=False)
"""

from __future__ import annotations

import logging
import traceback

from proxy.log_events import LogEvent, event

__all__ = ["describe_withheld", "log_unexpected"]


def log_unexpected(
    logger: logging.Logger, what: str, exc: BaseException, *, development_mode: bool
) -> None:
    extra = event(LogEvent.UNEXPECTED_ERROR, exception=type(exc).__name__)
    if development_mode:
        logger.error(what, exc_info=exc, extra=extra)
        return
    logger.error("%s: %s", what, describe_withheld(exc), extra=extra)


def describe_withheld(exc: BaseException) -> str:
    """`KeyError <- ValueError (message withheld)` and the stack, without any message."""
    frames = "".join(traceback.format_list(traceback.extract_tb(exc.__traceback__)))
    chain: list[str] = []
    cause: BaseException | None = exc
    while cause is not None and len(chain) < 5:
        chain.append(type(cause).__name__)
        cause = cause.__cause__ or cause.__context__
    return f"{' <- '.join(chain)} (message withheld)\n{frames.rstrip()}"
