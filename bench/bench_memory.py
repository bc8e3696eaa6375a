"""Peak extra memory of one sanitize (or one orjson round trip), each in a fresh process.

A fresh process per figure, so that nothing large was allocated and freed before: the child
reads the payload from a file, warms the code up on the small fixture, returns free heap to the
system (`malloc_trim`), resets the kernel's high-water mark of its resident set (Linux
`/proc/self/clear_refs`), and reports how far one call raised it above the resident set it had
just before. tracemalloc runs in its own child, as its bookkeeping would inflate the resident set.

    figures = measure_memory(payload)
    figures.sanitize_rss / figures.payload_bytes

Run as `python bench/bench_memory.py CHILD_MODE PAYLOAD_FILE` by `measure_memory` only.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import json
import subprocess
import sys
import tempfile
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson

MODES = ("sanitize-rss", "sanitize-traced", "round-trip-rss", "round-trip-traced")


@dataclass(frozen=True)
class MemoryFigures:
    payload_bytes: int
    sanitize_rss: int
    sanitize_traced: int
    round_trip_rss: int
    round_trip_traced: int


def measure_memory(payload: bytes) -> MemoryFigures:
    """Each figure is the median of three fresh processes."""
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as scratch:
        path = Path(scratch) / "payload.json"
        path.write_bytes(payload)
        figures = {mode: _median_child(mode, path) for mode in MODES}
    return MemoryFigures(
        payload_bytes=len(payload),
        sanitize_rss=figures["sanitize-rss"],
        sanitize_traced=figures["sanitize-traced"],
        round_trip_rss=figures["round-trip-rss"],
        round_trip_traced=figures["round-trip-traced"],
    )


def _median_child(mode: str, path: Path) -> int:
    values = []
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, __file__, mode, str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"memory child {mode} failed:\n{done.stderr[-3000:]}")
        values.append(int(json.loads(done.stdout)["peak_extra_bytes"]))
    return sorted(values)[1]


def _child(mode: str, path: Path) -> int:
    from payloads import content_search_sanitizer, small_payload

    payload = path.read_bytes()
    sanitizer, endpoint = content_search_sanitizer()
    run: Callable[[bytes], object]
    if mode.startswith("sanitize"):
        run = lambda body: sanitizer.sanitize(endpoint, body)  # noqa: E731
    else:
        run = lambda body: orjson.dumps(orjson.loads(body))  # noqa: E731
    run(small_payload())  # first-call work (caches, lazy imports) is not part of the figure
    gc.collect()
    if mode.endswith("traced"):
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        run(payload)
        return tracemalloc.get_traced_memory()[1] - before
    ctypes.CDLL(ctypes.util.find_library("c")).malloc_trim(0)
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
    before = _status_bytes("VmRSS")
    run(payload)
    return _status_bytes("VmHWM") - before


def _status_bytes(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024  # the kernel reports kB
    raise SystemExit(f"/proc/self/status has no {field} (this figure needs Linux)")


if __name__ == "__main__":
    mode, file = sys.argv[1], Path(sys.argv[2])
    if mode not in MODES:
        raise SystemExit(f"unknown mode {mode!r}")
    print(json.dumps({"peak_extra_bytes": _child(mode, file)}))
