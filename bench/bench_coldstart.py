"""Benchmark: cold start of the Lambda handler, against a fresh `import boto3` (prints figures).

Each sample is a fresh interpreter that imports `proxy.platforms.aws_lambda` and invokes
`handler` with a function-URL event for `/wiki/api/v2/spaces` against the Atlassian simulator
(started here), with the local file store: settings, gateway, rules, token exchange, upstream
call and sanitizing all happen in that first request. The baseline is a fresh interpreter that
only runs `import boto3`, the least any Python Lambda using SSM pays. Medians of `--runs`.

By default the interpreter is this virtualenv's; `--unpacked DIR` runs from an unpacked Lambda
zip instead (`proxy build lambda --host-platform`, then unzip), isolated with `-I -S`.

    .venv/bin/python bench/bench_coldstart.py [--runs 7] [--unpacked /tmp/task]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from proxy.cli.serve_command import demo_environment, write_demo_secrets
from proxy.simulator.demo import SimulatorCredentials, start_simulator

EVENT = Path(__file__).resolve().parent.parent / "tests/fixtures/aws-events"
COLD_START = """
import json, sys, time
started = time.perf_counter()
if len(sys.argv) > 2:
    sys.path.insert(0, sys.argv[2])
from proxy.platforms.aws_lambda import handler
imported = time.perf_counter()
result = handler(json.loads(sys.argv[1]), None)
first = time.perf_counter()
assert result["statusCode"] == 200, result
handler(json.loads(sys.argv[1]), None)
second = time.perf_counter()
print(json.dumps({"import": imported - started, "first": first - imported,
                  "second": second - first, "modules": len(sys.modules)}))
"""
BASELINE = """
import json, sys, time
started = time.perf_counter()
import boto3
print(json.dumps({"import": time.perf_counter() - started, "modules": len(sys.modules)}))
"""


def spaces_event(cloud_id: str) -> str:
    event = json.loads((EVENT / "lambda-function-url-v2.json").read_text("utf-8"))
    event["rawPath"] = f"/ex/confluence/{cloud_id}/wiki/api/v2/spaces"
    event["rawQueryString"] = "limit=100"
    return json.dumps(event)


def timed(command: list[str], env: dict[str, str] | None) -> tuple[float, dict[str, float]]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"sample failed:\n{done.stderr[-3000:]}")
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return wall, figures


def import_profile(command: list[str], env: dict[str, str]) -> list[tuple[int, int, str]]:
    """(self µs, cumulative µs, module) of every import, from `-X importtime`."""
    done = subprocess.run(
        [command[0], "-X", "importtime", *command[1:]],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, name = line.removeprefix("import time:").split("|")
        rows.append((int(self_us), int(cumulative_us), name.rstrip()[1:]))
    return rows


@dataclass(frozen=True)
class Setup:
    cold: list[str]
    baseline: list[str]
    env: dict[str, str]
    secrets_file: Path
    credentials: SimulatorCredentials

    def fresh_secrets(self) -> None:
        """Rewrite the store, so every sample starts without a cached access token."""
        write_demo_secrets(self.credentials, self.secrets_file)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--unpacked", type=Path, help="an unpacked Lambda zip to import from")
    args = parser.parse_args()

    simulator, credentials = start_simulator()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-coldstart-") as scratch:
            secrets_file = Path(scratch) / "secrets.json"
            isolation = ["-I", "-S"] if args.unpacked else []
            cold = [
                sys.executable,
                *isolation,
                "-c",
                COLD_START,
                spaces_event(credentials.cloud_id),
            ]
            if args.unpacked:
                cold.append(str(args.unpacked.resolve()))
            env = demo_environment(credentials, secrets_file, {})
            setup = Setup(cold, [sys.executable, "-c", BASELINE], env, secrets_file, credentials)
            measure(setup, args.runs)
            print_import_profile(setup)
    finally:
        simulator.stop()


def measure(setup: Setup, runs: int) -> None:
    setup.fresh_secrets()
    timed(setup.cold, setup.env)  # warm the OS file cache once, as for every later sample
    timed(setup.baseline, None)
    cold_samples = []
    for _ in range(runs):
        setup.fresh_secrets()
        cold_samples.append(timed(setup.cold, setup.env))
    base_samples = [timed(setup.baseline, None) for _ in range(runs)]

    cold_wall = statistics.median(wall for wall, _ in cold_samples)
    base_wall = statistics.median(wall for wall, _ in base_samples)
    print(f"Cold start, median of {runs} fresh processes (wall time includes interpreter start)")
    print(f"  proxy: import + first request   {cold_wall * 1000:7.0f} ms wall")
    for key, label in (
        ("import", "import handler"),
        ("first", "first request"),
        ("second", "second request"),
        ("modules", "modules loaded"),
    ):
        value = statistics.median(figures[key] for _, figures in cold_samples)
        unit = "" if key == "modules" else " ms"
        print(f"    {label:<28} {value * (1 if key == 'modules' else 1000):7.0f}{unit}")
    boto3_import = statistics.median(figures["import"] for _, figures in base_samples)
    print(f"  baseline: import boto3 only     {base_wall * 1000:7.0f} ms wall")
    print(f"    import boto3                 {boto3_import * 1000:7.0f} ms")
    print(f"  ratio proxy / baseline (wall)   {cold_wall / base_wall:7.2f}")


def print_import_profile(setup: Setup) -> None:
    setup.fresh_secrets()
    rows = import_profile(setup.cold, setup.env)
    print("\nTop 10 imports by self time (-X importtime; one run, import + first request):")
    for self_us, cumulative_us, name in sorted(rows, reverse=True)[:10]:
        print(
            f"  {self_us / 1000:6.1f} ms self  {cumulative_us / 1000:7.1f} ms cum.  {name.strip()}"
        )
    print("Top 10 top-level imports by cumulative time:")
    top_level = [row for row in rows if not row[2].startswith(" ")]
    for _, cumulative_us, name in sorted(top_level, key=lambda row: -row[1])[:10]:
        print(f"  {cumulative_us / 1000:7.1f} ms  {name}")


if __name__ == "__main__":
    main()
