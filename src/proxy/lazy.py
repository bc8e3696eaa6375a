"""`Lazy`: build something once, on first use, from any thread; remember only a success.

A warm serverless instance builds its gateway (and the gateway its secrets-dependent runtime)
on the first request. A failure (a secret store briefly unreachable, a secret not set yet) is
raised to that request and the build is tried again on the next one.

>>> builds = []
>>> value = Lazy(lambda: builds.append("built") or len(builds))
>>> value.get(), value.get(), builds
(1, 1, ['built'])
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["Lazy"]

T = TypeVar("T")


class Lazy(Generic[T]):
    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._value: T | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        value = self._value
        if value is not None:
            return value
        with self._lock:
            if self._value is None:
                self._value = self._build()
            return self._value
