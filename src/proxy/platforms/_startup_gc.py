"""The garbage collector held off during an instance's first invocation, then frozen.

The first invocation imports most of the proxy and its dependencies, builds the settings, the
gateway and the rules: hundreds of thousands of long-lived objects, allocated in a burst that
sets off one collection after another (the full ones walk everything imported so far), and they
free nothing. Holding collection off until that invocation has answered took a fifth off the
cold start measured by `bench/bench_coldstart.py`. Afterwards `gc.freeze()` moves what startup
made into the permanent generation, so the collections of later requests no longer walk it;
the few cycles startup may have left as garbage stay with it (a bounded, one-time cost).

    startup = FirstInvocationGc()
    with startup:          # every invocation; only the first one pauses
        ...
"""

from __future__ import annotations

import gc
from types import TracebackType

__all__ = ["FirstInvocationGc"]


class FirstInvocationGc:
    """A context manager that pauses collection the first time it is entered, and never again."""

    def __init__(self) -> None:
        self._first = True
        self._resume = False

    def __enter__(self) -> None:
        if self._first:
            self._first = False
            self._resume = gc.isenabled()  # a host that disabled collection keeps it disabled
            gc.disable()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._resume:
            self._resume = False
            gc.freeze()
            gc.enable()
