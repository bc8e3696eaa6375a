"""Timing helpers: interleaved rounds, medians and percentiles.

The machine is shared and noisy, so a subject and its baseline are measured in alternating
rounds of the same run and compared by the ratio of their medians, never by absolute times.
CPU time of this process (`time.process_time`) is used for in-process work: it does not count
the time the scheduler gives to other people's processes.

    medians = interleaved({"orjson": round_trip, "sanitize": sanitize}, rounds=21)
    ratio = medians["sanitize"] / medians["orjson"]
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping, Sequence


def cpu_ms(run: Callable[[], object]) -> float:
    """CPU milliseconds of one call."""
    started = time.process_time()
    run()
    return (time.process_time() - started) * 1000


def interleaved(
    subjects: Mapping[str, Callable[[], object]], rounds: int, warmup: int = 2
) -> dict[str, float]:
    """Median CPU milliseconds per subject; each round runs every subject once, in turn."""
    samples: dict[str, list[float]] = {name: [] for name in subjects}
    for index in range(warmup + rounds):
        for name, run in subjects.items():
            elapsed = cpu_ms(run)
            if index >= warmup:
                samples[name].append(elapsed)
    return {name: statistics.median(values) for name, values in samples.items()}


def percentile(values: Sequence[float], fraction: float) -> float:
    """The `fraction` quantile (0.5 = median) by linear interpolation between order statistics."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    position = (len(ordered) - 1) * fraction
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)
