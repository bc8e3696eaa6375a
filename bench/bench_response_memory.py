"""Peak resident memory per upstream byte of one big response through the Lambda handler.

The response-size policy (`proxy.http.upstream_cap_bytes`) caps what the proxy reads from
Confluence by the memory the function has; the cap divides that memory by the factor this
bench measures. Each figure is a fresh process that serves one generated content search of
10, 30 or 60 MB from the Atlassian simulator (in this process, so its copy of the payload is
not counted) through `make_handler(...)` exactly as on Lambda, and then serializes the result
as the Python 3.12 runtime does (`json.dumps(..., ensure_ascii=False).encode()`). Before the
big request the child has served a small one (imports, rules, token, caches), returned free
heap to the system (`malloc_trim`) and reset the kernel's high-water mark (`clear_refs`); the
figure is how far `VmHWM` then rose above `VmRSS`, divided by the upstream body's size.

    .venv/bin/python bench/bench_response_memory.py [--sizes 10 30 60] [--runs 3]

Run as `python bench/bench_response_memory.py --child ...` by the parent only.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import gc
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import orjson
from payloads import ROOT

from proxy.cli.serve_command import demo_environment, write_demo_secrets
from proxy.simulator.demo import start_simulator
from proxy.simulator.routes import SimRequest, SimResponse

EVENTS = ROOT / "tests" / "fixtures" / "aws-events"
ORIGINAL = ROOT / "example-api-responses" / "original"
SITE = "/ex/confluence/adcae078-765b-45bf-a38b-7cda232b9a94/wiki"
# shape -> (path, example file whose `results` are repeated); the big request asks limit=250.
SHAPES = {
    "search": (f"{SITE}/rest/api/content/search", "content_search.json"),
    "members": (f"{SITE}/rest/api/group/g1/membersByGroupId", "group_members.json"),
}
BIG_QUERY = "limit=250"
SMALL_QUERY = "limit=10"
MB = 1_000_000


def _event(path: str, query: str, *, gzip: bool) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / "lambda-function-url-v2.json").read_text())
    event["rawPath"] = path
    event["rawQueryString"] = query
    if not gzip:
        del event["headers"]["accept-encoding"]
    return event


def repeated_results(example: Path, target_bytes: int) -> bytes:
    """The example with its `results` repeated until the compact body reaches `target_bytes`."""
    document: dict[str, Any] = orjson.loads(example.read_bytes())
    results = document["results"]
    per_copy = len(orjson.dumps(results)) - 1
    copies = max(1, -(-target_bytes // per_copy))
    document["results"] = results * copies
    return orjson.dumps(document)


def _status_bytes(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    raise SystemExit(f"/proc/self/status has no {field} (this bench needs Linux)")


def child(environment: dict[str, str], path: str, gzip: bool) -> dict[str, int]:
    from proxy.config import Settings
    from proxy.platforms.aws_lambda import make_handler
    from proxy.platforms.composition import build_gateway

    handler = make_handler(lambda: build_gateway(Settings.from_env(environment)))
    warm = handler(_event(path, SMALL_QUERY, gzip=gzip), None)
    assert warm["statusCode"] == 200, warm
    del warm
    gc.collect()
    ctypes.CDLL(ctypes.util.find_library("c")).malloc_trim(0)
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
    before = _status_bytes("VmRSS")
    result = handler(_event(path, BIG_QUERY, gzip=gzip), None)
    posted = json.dumps(result, ensure_ascii=False).encode("utf-8")  # the runtime's copy
    return {
        "baseline_rss": before,
        "peak_extra": _status_bytes("VmHWM") - before,
        "status": int(result["statusCode"]),
        "result_bytes": len(posted),
    }


def measure(shape: str, size_mb: int, *, gzip: bool, runs: int) -> dict[str, float]:
    path, example = SHAPES[shape]
    small = (ORIGINAL / example).read_bytes()
    payload = repeated_results(ORIGINAL / example, size_mb * MB)

    def serve(request: SimRequest) -> SimResponse:
        body = payload if request.query == BIG_QUERY else small
        return SimResponse(200, {"Content-Type": "application/json"}, body)

    simulator, credentials = start_simulator()
    try:
        simulator.routes.add("GET", path.replace(SITE, ".*/wiki"), serve, first=True)
        with tempfile.TemporaryDirectory(prefix="bench-response-") as scratch:
            secrets_file = Path(scratch) / "secrets.json"
            samples = []
            for _ in range(runs):
                write_demo_secrets(credentials, secrets_file)
                environment = demo_environment(credentials, secrets_file, {})
                # Lift the memory-derived cap: this bench measures what the cap is derived from.
                environment["FUNCTION_MEMORY_MB"] = "10240"
                done = subprocess.run(
                    [sys.executable, __file__, "--child", json.dumps(environment), path, str(gzip)],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if done.returncode != 0:
                    raise SystemExit(f"child failed:\n{done.stderr[-3000:]}")
                samples.append(json.loads(done.stdout))
    finally:
        simulator.stop()
    peak = statistics.median(s["peak_extra"] for s in samples)
    return {
        "upstream_bytes": len(payload),
        "peak_extra": peak,
        "factor": peak / len(payload),
        "baseline_rss": statistics.median(s["baseline_rss"] for s in samples),
        "status": samples[0]["status"],
        "result_bytes": samples[0]["result_bytes"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 30, 60])
    parser.add_argument("--shapes", nargs="+", choices=sorted(SHAPES), default=sorted(SHAPES))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        environment, path, gzip = args.child
        print(json.dumps(child(json.loads(environment), path, gzip == "True")))
        return
    print("Peak resident memory of one big response through the Lambda handler")
    print(f"  (median of {args.runs} fresh processes; the result JSON as the runtime posts it)")
    print("  shape    upstream MB  gzip  status  result MB  peak extra MB  factor  baseline MB")
    factors = []
    for shape in args.shapes:
        for size in args.sizes:
            for gzip in (True, False):
                row = measure(shape, size, gzip=gzip, runs=args.runs)
                factors.append(row["factor"])
                _print_row(shape, gzip, row)
    print(f"RESULT peak_bytes_per_upstream_byte={max(factors):.2f}")


def _print_row(shape: str, gzip: bool, row: dict[str, float]) -> None:
    print(
        f"  {shape:7s}  {row['upstream_bytes'] / MB:11.1f}  {'yes' if gzip else 'no':>4}"
        f"  {row['status']:6.0f}  {row['result_bytes'] / MB:9.2f}"
        f"  {row['peak_extra'] / MB:13.1f}  {row['factor']:6.2f}"
        f"  {row['baseline_rss'] / MB:11.1f}"
    )


if __name__ == "__main__":
    main()
