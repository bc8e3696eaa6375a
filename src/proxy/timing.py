"""Injectable time: every wait and every "now" in config, auth and the simulator goes through these.

Tests pass a fake clock and a sleep that returns at once, so no test waits for the reference's
seconds-long backoffs. Production passes ``time.time`` and ``time.sleep``.

    store = LocalFileStore(path, naming, clock=fake_clock.now, sleep=fake_clock.advance)
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["Clock", "Sleep", "system_clock", "system_sleep"]

Clock = Callable[[], float]
"""Returns the current time as epoch seconds (like ``time.time``)."""

Sleep = Callable[[float], None]
"""Waits the given number of seconds (like ``time.sleep``)."""

system_clock: Clock = time.time
system_sleep: Sleep = time.sleep
