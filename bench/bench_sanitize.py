"""Benchmark: sanitizing Confluence content search, against an orjson round trip (prints figures).

Throughput: `Sanitizer.sanitize` (parse, schema filter, 21 transform paths, Jackson-compatible
output) of the fixture (~60 KB) and of its 1.2 MB, 5 MB and 25 MB variants, against
`orjson.loads` + `orjson.dumps` of the same bytes, in interleaved rounds; the ratio of the
medians is the figure, with the cost per MB. Target (issue #14): ≤ 2.5x at 1.2 MB and at 25 MB.

Memory: peak extra memory of one sanitize of the large payload, in a fresh process each time
(`bench_memory.py`): the rise of the resident-set high-water mark (Linux `VmHWM`), which
is what a Lambda or Cloud Function is limited and billed by, and the tracemalloc peak, which also
counts memory that is reserved but never touched. Target: ≤ 8x the payload size.

    .venv/bin/python bench/bench_sanitize.py [--rounds 21]
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

import orjson
from bench_memory import MemoryFigures, measure_memory
from payloads import content_search_sanitizer, large_payload, small_payload
from timing import interleaved


@dataclass(frozen=True)
class ThroughputFigures:
    label: str
    size: int
    round_trip_ms: float
    sanitize_ms: float

    @property
    def ratio(self) -> float:
        return self.sanitize_ms / self.round_trip_ms

    @property
    def megabytes_per_second(self) -> float:
        return self.size / 1e6 / (self.sanitize_ms / 1000)

    @property
    def ms_per_megabyte(self) -> float:
        return self.sanitize_ms / (self.size / 1e6)


def measure_throughput(label: str, payload: bytes, rounds: int) -> ThroughputFigures:
    sanitizer, endpoint = content_search_sanitizer()
    medians = interleaved(
        {
            "round_trip": lambda: orjson.dumps(orjson.loads(payload)),
            "sanitize": lambda: sanitizer.sanitize(endpoint, payload),
        },
        rounds=rounds,
    )
    return ThroughputFigures(label, len(payload), medians["round_trip"], medians["sanitize"])


def measure_sizes(rounds: int) -> list[ThroughputFigures]:
    """The fixture and its 1.2, 5 and 25 MB variants; fewer rounds as the payload grows."""
    return [
        measure_throughput("fixture (60 KB)", small_payload(), rounds * 3),
        measure_throughput("1.2 MB", large_payload(), rounds),
        measure_throughput("5 MB", large_payload(5_000_000), max(5, rounds // 2)),
        measure_throughput("25 MB", large_payload(25_000_000), max(5, rounds // 4)),
    ]


def print_throughput(rows: list[ThroughputFigures], rounds: int) -> None:
    print(
        f"Sanitize throughput, content search, bundled rules (median CPU ms; {rounds} rounds "
        "at 1.2 MB, 3x as many at 60 KB, fewer above)"
    )
    print(
        f"  {'payload':<16} {'orjson rt':>10} {'sanitize':>10} {'ratio':>7} {'MB/s':>7}"
        f" {'ms/MB':>7}"
    )
    for row in rows:
        print(
            f"  {row.label:<16} {row.round_trip_ms:>10.2f} {row.sanitize_ms:>10.2f} "
            f"{row.ratio:>6.2f}x {row.megabytes_per_second:>7.1f} {row.ms_per_megabyte:>7.1f}"
        )


def print_memory(figures: MemoryFigures) -> None:
    size = figures.payload_bytes
    print(f"Peak extra memory, one sanitize of {size / 1e6:.2f} MB in a fresh process")
    print(f"  {'measure':<34} {'sanitize':>10} {'orjson rt':>10}")
    print(
        f"  {'resident set (VmHWM rise)':<34} {figures.sanitize_rss / size:>9.2f}x "
        f"{figures.round_trip_rss / size:>9.2f}x"
    )
    print(
        f"  {'tracemalloc peak (reserved too)':<34} {figures.sanitize_traced / size:>9.2f}x "
        f"{figures.round_trip_traced / size:>9.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    rounds = parser.parse_args().rounds
    print_throughput(measure_sizes(rounds), rounds)
    print_memory(measure_memory(large_payload()))


if __name__ == "__main__":
    main()
