"""`Service`: something started in the background and stopped later, usable with `with`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from types import TracebackType
from typing import Self

__all__ = ["Service"]


class Service(ABC):
    """`with service:` starts it and always stops it, errors included."""

    @abstractmethod
    def start(self) -> object:
        """Start serving in the background (servers return their base URL)."""

    @abstractmethod
    def stop(self) -> None: ...

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
