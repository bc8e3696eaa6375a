"""Fields every log record of the current request carries: the platform's request id.

The adapter binds them when a request arrives (Lambda's `aws_request_id`, GCP's trace) and the
log formatter adds them to each record, so the token refresh a request triggered shows up under
that request's id without the core passing ids around.

    with request_log_context({"aws_request_id": context.aws_request_id}):
        response = gateway.handle(request)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType

__all__ = ["current_log_context", "request_log_context"]

_EMPTY: Mapping[str, object] = MappingProxyType({})
_context: ContextVar[Mapping[str, object]] = ContextVar("proxy_log_context", default=_EMPTY)


def current_log_context() -> Mapping[str, object]:
    return _context.get()


@contextmanager
def request_log_context(fields: Mapping[str, object]) -> Iterator[None]:
    """Bind `fields` for the records logged inside the block (nothing bound when empty)."""
    if not fields:
        yield
        return
    token = _context.set(MappingProxyType(dict(fields)))
    try:
        yield
    finally:
        _context.reset(token)
