"""A manual clock whose ``sleep`` advances time instead of waiting (thread-safe).

clock = FakeClock()
store = LocalFileStore(path, naming, clock=clock.now, sleep=clock.sleep)
clock.advance(301)   # the instance cache has expired
"""

from __future__ import annotations

import threading

__all__ = ["FakeClock"]

START = 1_760_000_000.0  # 2025-10-09, a fixed point so stored timestamps are predictable


class FakeClock:
    """`now()` returns a settable epoch time; `sleep(s)` records the wait and advances by ``s``."""

    def __init__(self, start: float = START) -> None:
        self._now = start
        self._lock = threading.Lock()
        self.sleeps: list[float] = []

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self._now += seconds
