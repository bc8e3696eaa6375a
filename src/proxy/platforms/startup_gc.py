"""The garbage collector held off while a Lambda instance starts, then frozen.

The handler's import and its first invocation load most of the proxy and its dependencies and
build the settings, the gateway and the rules: hundreds of thousands of long-lived objects,
allocated in a burst that sets off one collection after another (the full ones walk everything
imported so far), and they free nothing. Holding collection off until the first invocation has
answered took a fifth off the cold start measured by `bench/bench_coldstart.py`. Afterwards
`gc.freeze()` moves what startup made into the permanent generation, so the collections of
later requests do not walk it either; the few cycles startup may have left as garbage stay with
it (a bounded, one-time cost).

The pause begins when `proxy.platforms` is imported by the Lambda runtime for our handler
(`_HANDLER`, which the runtime sets, names it), else at a handler's first invocation.

    startup = StartupGc()
    with startup:          # every invocation; only the first one pauses and resumes
        ...
"""

from __future__ import annotations

import gc
from collections.abc import Mapping
from types import TracebackType

__all__ = ["LAMBDA_HANDLER", "LAMBDA_STARTUP", "StartupGc", "begin_if_lambda_is_loading_us"]

LAMBDA_HANDLER = "proxy.platforms.aws_lambda.handler"


class StartupGc:
    """Collection paused from `begin()` or the first `with` until the end of that first `with`."""

    def __init__(self) -> None:
        self._began = False
        self._ended = False
        self._resume = False

    def begin(self) -> None:
        if not self._began:
            self._began = True
            self._resume = gc.isenabled()  # a host that disabled collection keeps it disabled
            gc.disable()

    def __enter__(self) -> None:
        self.begin()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if not self._ended:
            self._ended = True
            if self._resume:
                gc.freeze()
                gc.enable()


LAMBDA_STARTUP = StartupGc()
"""The startup of `proxy.platforms.aws_lambda.handler`, the module-level handler."""


def begin_if_lambda_is_loading_us(environment: Mapping[str, str]) -> bool:
    """Begin `LAMBDA_STARTUP` when the Lambda runtime is importing our handler."""
    if environment.get("_HANDLER") != LAMBDA_HANDLER:
        return False
    LAMBDA_STARTUP.begin()
    return True
