"""Logging of a proxy instance: one line per event to stderr, nothing secret.

httpx and httpcore log every request URL at INFO; those URLs can carry decrypted identifiers,
so their loggers are held at WARNING outside development mode.
"""

from __future__ import annotations

import logging

__all__ = ["configure_logging"]

_CHATTY = ("httpx", "httpcore", "urllib3", "botocore", "google", "werkzeug", "grpc")


def configure_logging(*, development_mode: bool = False) -> None:
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(logging.DEBUG if development_mode else logging.INFO)
    for name in _CHATTY:
        logging.getLogger(name).setLevel(logging.INFO if development_mode else logging.WARNING)
