"""`make bench`: every benchmark of issue #8 in one run, then one machine-readable line.

1. sanitize throughput and peak memory (`bench_sanitize.py`, `bench_memory.py`);
2. cold start of the Lambda zip against `import boto3`, and with SSM (`bench_coldstart.py`);
3. proxy overhead against the simulator (`bench_overhead.py`).

The last line printed is `RESULT sanitize_vs_orjson=<x> sanitize25_vs_orjson=<x>
peak_mem_vs_payload=<x> coldstart_zip_vs_boto3=<x> coldstart_ssm_vs_boto3=<x>
overhead_p50_ms=<x>` (one line) with, in order: sanitize / orjson round trip of the 1.2 MB
payload (target ≤ 2.5) and of the 25 MB one (≤ 2.5), resident-set peak rise / payload size
(≤ 8), cold start of the unpacked Lambda zip / `import boto3` (≤ 1.0), the same with SSM on
moto / `import boto3` + one `GetParameter` (≤ 1.3), and the sequential p50 latency the proxy
adds beyond sanitizing the body (≤ 2 ms). Issue #14 set these targets.

    .venv/bin/python bench/run_all.py [--quick]
"""

from __future__ import annotations

import argparse
import time

from bench_coldstart import measure_cold_start, print_cold_start
from bench_overhead import measure_overhead, print_overhead
from bench_sanitize import measure_memory, measure_sizes, print_memory, print_throughput
from payloads import large_payload


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke test)")
    quick = parser.parse_args().quick
    rounds, cold_runs, requests = (5, 3, 40) if quick else (31, 15, 300)
    started = time.monotonic()

    sizes = measure_sizes(rounds)
    print_throughput(sizes, rounds)
    memory = measure_memory(large_payload())
    print_memory(memory)
    print()
    cold = measure_cold_start(cold_runs)
    print_cold_start(cold)
    print()
    overhead = measure_overhead(requests, threads=4)
    print_overhead(overhead)
    print(f"\n(all benchmarks: {time.monotonic() - started:.0f} s)")
    print(
        f"RESULT sanitize_vs_orjson={sizes[1].ratio:.2f}"
        f" sanitize25_vs_orjson={sizes[3].ratio:.2f}"
        f" peak_mem_vs_payload={memory.sanitize_rss / memory.payload_bytes:.2f}"
        f" coldstart_zip_vs_boto3={cold.zip_vs_boto3:.2f}"
        f" coldstart_ssm_vs_boto3={cold.ssm_vs_boto3:.2f}"
        f" overhead_p50_ms={overhead.net_overhead_p50:.2f}"
    )


if __name__ == "__main__":
    main()
