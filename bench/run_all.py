"""`make bench`: every benchmark of issue #8 in one run, then one machine-readable line.

1. sanitize throughput and peak memory (`bench_sanitize.py`, `bench_memory.py`);
2. cold start of the Lambda handler against `import boto3` (`bench_coldstart.py`, run as is);
3. proxy overhead against the simulator (`bench_overhead.py`).

The last line printed is
`RESULT sanitize_vs_orjson=<x> peak_mem_vs_payload=<x> coldstart_vs_boto3=<x> overhead_p50_ms=<x>`
with, in order: large-payload sanitize / orjson round trip (target ≤ 4), resident-set peak
rise / payload size (target ≤ 8), cold start wall time / `import boto3` wall time (≤ 1.5), and
the sequential p50 latency the proxy adds beyond sanitizing the body (≤ 2 ms).

    .venv/bin/python bench/run_all.py [--quick]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

from bench_overhead import measure_overhead, print_overhead
from bench_sanitize import measure_memory, measure_throughput, print_memory, print_throughput
from payloads import large_payload, small_payload

BENCH = Path(__file__).resolve().parent
_COLD_RATIO = re.compile(r"ratio proxy / baseline \(wall\)\s+([0-9.]+)")


def cold_start_ratio(runs: int) -> float:
    """Runs `bench_coldstart.py` (its own figures and import table are printed as they come)."""
    command = [sys.executable, str(BENCH / "bench_coldstart.py"), "--runs", str(runs)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    print(done.stdout, end="")
    if done.returncode != 0:
        raise SystemExit(f"bench_coldstart.py failed:\n{done.stderr[-3000:]}")
    found = _COLD_RATIO.search(done.stdout)
    if found is None:
        raise SystemExit("bench_coldstart.py printed no 'ratio proxy / baseline (wall)' line")
    return float(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke test)")
    quick = parser.parse_args().quick
    rounds, cold_runs, requests = (5, 3, 40) if quick else (31, 9, 300)
    started = time.monotonic()

    large = large_payload()
    rows = [
        measure_throughput("fixture (small)", small_payload(), rounds * 3),
        measure_throughput("results repeated (large)", large, rounds),
    ]
    print_throughput(rows, rounds)
    memory = measure_memory(large)
    print_memory(memory)
    print()
    cold = cold_start_ratio(cold_runs)
    print()
    overhead = measure_overhead(requests, threads=4)
    print_overhead(overhead)
    print(f"\n(all benchmarks: {time.monotonic() - started:.0f} s)")
    print(
        f"RESULT sanitize_vs_orjson={rows[1].ratio:.2f}"
        f" peak_mem_vs_payload={memory.sanitize_rss / memory.payload_bytes:.2f}"
        f" coldstart_vs_boto3={cold:.2f}"
        f" overhead_p50_ms={overhead.net_overhead_p50:.2f}"
    )


if __name__ == "__main__":
    main()
