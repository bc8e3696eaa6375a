"""The cyclic garbage collector paused while documents are sanitized, shared by every thread.

A parsed JSON document is a tree: reference counting frees all of it, and the collector finds
nothing. Yet every few hundred container allocations start a collection, and the older
generations are scanned again and again while a large document is built and copied: without
the pause that cost 8-12% of a 1.2 MB sanitize and 29% of a 25 MB one.

Collection is process-wide, and the threaded server sanitizes several responses at once, so
the pause is counted: the first sanitize in pauses, the last one out resumes (only if the
collector was enabled when the first came in, so a caller's own `gc.disable()` is kept).
Overlapping requests could chain a pause without end, leaving cycles made elsewhere (exception
tracebacks, the HTTP client) uncollected; a pause older than `max_seconds` therefore resumes at
the next exit, and the sanitizes still running finish with the collector on.

    with GC_PAUSE:
        document = transform(orjson.loads(body))
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable
from types import TracebackType

__all__ = ["GC_PAUSE", "GcPause"]


class GcPause:
    """A counted, thread-safe pause of `gc`; a context manager (re-entrant, any thread)."""

    def __init__(
        self, max_seconds: float = 1.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._max_seconds = max_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._inside = 0
        self._resume = False  # the collector was on when this pause began, and is off now
        self._since = 0.0

    def __enter__(self) -> None:
        with self._lock:
            if self._inside == 0:
                self._resume = gc.isenabled()
                self._since = self._clock()
                gc.disable()
            self._inside += 1

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        with self._lock:
            self._inside -= 1
            expired = self._clock() - self._since > self._max_seconds
            if self._resume and (self._inside == 0 or expired):
                gc.enable()
                self._resume = False


GC_PAUSE = GcPause()
"""The process's one pause: every `Sanitizer.sanitize` holds it."""
