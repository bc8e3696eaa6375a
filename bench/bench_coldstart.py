"""Benchmark: cold start of the Lambda artifact, against a fresh `import boto3` (prints figures).

What Lambda runs: the bench builds the Lambda zip (`build_lambda_zip`, the code `proxy build`
runs) for this machine's architecture and a CPython of the runtime's minor version (3.12, or
`--python`; this machine's own Python only when it has no 3.12), unpacks it into a read-only
directory, and runs every sample with `-I -S -B`: isolated from the virtualenv and unable to
write bytecode, as Lambda's `/var/task` is. boto3 lives beside it in a *runtime* directory with
its bytecode compiled, as the Lambda runtime provides it.

Each round runs, in fresh interpreters of that Python, one after the other:

1. **zip**: import `proxy.platforms.aws_lambda`, invoke `handler` with a function-URL event
   for `/wiki/api/v2/spaces` against the Atlassian simulator, local file store: settings,
   gateway, rules, token exchange, upstream call and sanitizing all happen in that request;
2. **import boto3**: the baseline: the least any Python Lambda using SSM pays;
3. **zip without .pyc**: the same zip stripped of its bytecode (the artifact before #14);
4. **zip, SSM**: the zip with `SECRETS_STORE=AWS_SSM_PARAMETER_STORE` against a moto server
   on loopback, boto3 from the runtime directory: boto3's import and client creation included;
5. **boto3 + GetParameter**: its baseline: `import boto3`, an SSM client, one `GetParameter`.

Every local-store sample starts without a cached access token (a token exchange with the
simulator, as since issue #5). The SSM samples find the shared access token another instance
stored (what a cold start usually finds): a refresh there holds 2 s after sharing the new
token, as the reference does for SSM, which would drown every other figure. The figures are
wall times including interpreter start, medians over the rounds, and beside them the CPU time
of each sample's process (less disturbed by the machine's other tenants). The ratios are taken
within each round, where both samples saw the same background load, and their median is the
figure: (1)/(2) is `coldstart_zip_vs_boto3`, (4)/(5) `coldstart_ssm_vs_boto3` (wall time).

    .venv/bin/python bench/bench_coldstart.py [--runs 9] [--python /path/to/python3.12]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from moto_ssm import MotoSsm

from proxy.cli.serve_command import DEMO_PREFIX, demo_environment, write_demo_secrets
from proxy.config import SecretNaming
from proxy.packaging.artifacts import build_lambda_zip
from proxy.packaging.bytecode import (
    Interpreter,
    InterpreterNotFound,
    compile_bytecode,
    find_interpreter,
)
from proxy.packaging.requirements import installed_constraints, pinned
from proxy.packaging.wheels import LAMBDA_ARM64, TargetPlatform, host_target, install_wheels
from proxy.simulator.demo import SimulatorCredentials, start_simulator

ROOT = Path(__file__).resolve().parent.parent
EVENT = ROOT / "tests/fixtures/aws-events/lambda-function-url-v2.json"
WHEELS = ROOT / "build" / "wheels"
COLD_START = """
import json, sys, time
started = time.perf_counter()
sys.path[0:0] = sys.argv[2].split(":")
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
sys.path[0:0] = sys.argv[1].split(":")
import boto3
imported = time.perf_counter()
if len(sys.argv) > 2:
    boto3.client("ssm").get_parameter(Name=sys.argv[2], WithDecryption=True)
print(json.dumps({"import": imported - started, "first": time.perf_counter() - imported,
                  "modules": len(sys.modules)}))
"""
# Each subject beside its baseline; odd rounds run the list backwards, so that within a pair
# neither always goes first, and the ratios are taken round by round.
SUBJECTS = ("zip", "import boto3", "zip without .pyc", "zip, SSM", "boto3 + GetParameter")
PAIRS = (
    ("zip", "import boto3"),
    ("zip without .pyc", "import boto3"),
    ("zip, SSM", "boto3 + GetParameter"),
)


@dataclass(frozen=True)
class Sample:
    wall: float
    figures: dict[str, float]
    cpu: float  # user + system seconds of the sample's process (interpreter start included)


@dataclass(frozen=True)
class Trees:
    """The unpacked zip, the same without bytecode, and the runtime's boto3, in `scratch`."""

    scratch: Path
    task: Path
    bare: Path
    runtime: Path


@dataclass(frozen=True)
class ColdStartFigures:
    python: str  # e.g. "CPython 3.12.1"
    runs: int
    samples: dict[str, list[Sample]]
    import_rows: list[tuple[int, int, str]]
    bytecode_written: int  # files that appeared in the read-only trees during the runs

    def wall(self, subject: str) -> float:
        return statistics.median(sample.wall for sample in self.samples[subject])

    def figure(self, subject: str, key: str) -> float:
        return statistics.median(sample.figures[key] for sample in self.samples[subject])

    def cpu(self, subject: str) -> float:
        return statistics.median(sample.cpu for sample in self.samples[subject])

    def ratio(self, subject: str, baseline: str) -> float:
        """Median over the rounds of subject / baseline, both of the same round (wall)."""
        pairs = zip(self.samples[subject], self.samples[baseline], strict=True)
        return statistics.median(mine.wall / base.wall for mine, base in pairs)

    def cpu_ratio(self, subject: str, baseline: str) -> float:
        """The same of CPU time, which the machine's other tenants disturb less."""
        pairs = zip(self.samples[subject], self.samples[baseline], strict=True)
        return statistics.median(mine.cpu / base.cpu for mine, base in pairs)

    @property
    def zip_vs_boto3(self) -> float:
        return self.ratio("zip", "import boto3")

    @property
    def no_pyc_vs_boto3(self) -> float:
        return self.ratio("zip without .pyc", "import boto3")

    @property
    def ssm_vs_boto3(self) -> float:
        return self.ratio("zip, SSM", "boto3 + GetParameter")


def timed(command: list[str], env: dict[str, str]) -> Sample:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"sample failed: {command[:4]}\n{done.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Sample(wall, json.loads(done.stdout.strip().splitlines()[-1]), cpu)


def spaces_event(cloud_id: str) -> str:
    event = json.loads(EVENT.read_text("utf-8"))
    event["rawPath"] = f"/ex/confluence/{cloud_id}/wiki/api/v2/spaces"
    event["rawQueryString"] = "limit=100"
    return json.dumps(event)


def runtime_interpreter(explicit: Path | None) -> tuple[Interpreter, str]:
    """A CPython of the Lambda runtime's version, else this one (with a note saying so)."""
    try:
        return find_interpreter(LAMBDA_ARM64.python_version, explicit), ""
    except InterpreterNotFound as missing:
        if explicit is not None:
            raise SystemExit(str(missing)) from missing
        here = find_interpreter(host_target().python_version)
        return here, f" (no CPython {LAMBDA_ARM64.python_version} here: {missing})"


def unpacked_zip(target: TargetPlatform, interpreter: Interpreter, scratch: Path) -> Path:
    """The Lambda zip for this machine and `interpreter`, unpacked into `scratch/task`."""
    artifact = build_lambda_zip(
        scratch / "lambda.zip", cache=WHEELS, target=target, interpreter=interpreter
    )
    task = scratch / "task"
    shutil.unpack_archive(artifact.path, task)
    return task


def boto3_runtime(target: TargetPlatform, interpreter: Interpreter, scratch: Path) -> Path:
    """boto3 as the Lambda runtime provides it: installed for the target, bytecode compiled."""
    runtime = scratch / "runtime"
    constraints = installed_constraints()
    install_wheels(pinned(["boto3"]), runtime, target, cache=WHEELS, constraints=constraints)
    sources: dict[str, Path | bytes] = {
        path.relative_to(runtime).as_posix(): path for path in runtime.rglob("*.py")
    }
    for name, compiled in compile_bytecode(sources, interpreter, scratch / "boto3-pyc").items():
        (runtime / name).parent.mkdir(exist_ok=True)
        shutil.copyfile(compiled, runtime / name)
    return runtime


@contextmanager
def read_only(*trees: Path) -> Iterator[None]:
    """Files 0444, directories 0555 while the samples run (root can still write: hence -B)."""
    for tree in trees:
        for path in [*tree.rglob("*"), tree]:
            path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        yield
    finally:
        for tree in trees:
            for path in [tree, *tree.rglob("*")]:
                path.chmod(0o755 if path.is_dir() else 0o644)


def file_count(*trees: Path) -> int:
    return sum(1 for tree in trees for path in tree.rglob("*") if path.is_file())


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


def measure_cold_start(runs: int, python: Path | None = None) -> ColdStartFigures:
    interpreter, note = runtime_interpreter(python)
    target = host_target(interpreter.version)
    simulator, credentials = start_simulator()
    try:
        with (
            tempfile.TemporaryDirectory(prefix="bench-coldstart-") as scratch_dir,
            MotoSsm() as ssm,
        ):
            scratch = Path(scratch_dir)
            task = unpacked_zip(target, interpreter, scratch)
            bare = scratch / "task-without-pyc"
            shutil.copytree(task, bare, ignore=shutil.ignore_patterns("__pycache__"))
            runtime = boto3_runtime(target, interpreter, scratch)
            trees = Trees(scratch, task, bare, runtime)
            with read_only(task, bare, runtime):
                files = file_count(task, bare, runtime)
                samples, rows = _rounds(interpreter, credentials, ssm, trees, runs)
                written = file_count(task, bare, runtime) - files
    finally:
        simulator.stop()
    python_name = f"CPython {interpreter.full_version}{note}"
    return ColdStartFigures(python_name, runs, samples, rows, written)


def _rounds(
    interpreter: Interpreter,
    credentials: SimulatorCredentials,
    ssm: MotoSsm,
    trees: Trees,
    runs: int,
) -> tuple[dict[str, list[Sample]], list[tuple[int, int, str]]]:
    python = [str(interpreter.path), "-I", "-S", "-B"]
    event = spaces_event(credentials.cloud_id)
    task, bare, runtime = trees.task, trees.bare, str(trees.runtime)
    secrets_file = trees.scratch / "secrets.json"
    local_env = demo_environment(credentials, secrets_file, {"PATH": os.environ["PATH"]})
    ssm_env = {
        **{k: v for k, v in local_env.items() if k != "LOCAL_SECRETS_FILE"},
        **ssm.environment,
        "SECRETS_STORE": "AWS_SSM_PARAMETER_STORE",
    }
    baseline_env = {"PATH": os.environ["PATH"], **ssm.environment}
    salt_parameter = ssm.write_demo_secrets(credentials, SecretNaming(instance_prefix=DEMO_PREFIX))
    commands = {
        "zip": ([*python, "-c", COLD_START, event, f"{task}:{runtime}"], local_env),
        "zip without .pyc": ([*python, "-c", COLD_START, event, f"{bare}:{runtime}"], local_env),
        "import boto3": ([*python, "-c", BASELINE, runtime], baseline_env),
        "zip, SSM": ([*python, "-c", COLD_START, event, f"{task}:{runtime}"], ssm_env),
        "boto3 + GetParameter": (
            [*python, "-c", BASELINE, runtime, salt_parameter],
            baseline_env,
        ),
    }

    def sample(subject: str) -> Sample:
        write_demo_secrets(credentials, secrets_file)  # no cached access token: an exchange
        command, env = commands[subject]
        return timed(command, env)

    for subject in SUBJECTS:  # warm the OS file cache and moto; share an access token in SSM
        sample(subject)
    samples: dict[str, list[Sample]] = {subject: [] for subject in SUBJECTS}
    for index in range(runs):
        for subject in SUBJECTS if index % 2 == 0 else reversed(SUBJECTS):
            samples[subject].append(sample(subject))
    write_demo_secrets(credentials, secrets_file)
    command, env = commands["zip"]
    return samples, import_profile(command, env)


def print_cold_start(figures: ColdStartFigures) -> None:
    print(
        f"Cold start of the Lambda zip, {figures.python}, read-only, -B; median of "
        f"{figures.runs} rounds of fresh processes (wall includes interpreter start)"
    )
    print(
        f"  {'subject':<24} {'wall':>8} {'cpu':>6} {'import':>8} {'1st req':>8} {'2nd req':>8}"
        f" {'mods':>5}"
    )
    for subject in SUBJECTS:
        has_second = "second" in figures.samples[subject][0].figures
        second = f"{figures.figure(subject, 'second') * 1000:8.0f}" if has_second else " " * 8
        print(
            f"  {subject:<24} {figures.wall(subject) * 1000:8.0f}"
            f" {figures.cpu(subject) * 1000:6.0f}"
            f" {figures.figure(subject, 'import') * 1000:8.0f}"
            f" {figures.figure(subject, 'first') * 1000:8.0f} {second}"
            f" {figures.figure(subject, 'modules'):5.0f}"
        )
    print("  (ms; for the baselines 'import' is import boto3, '1st req' the SSM client + call)")
    print(f"  bytecode files written during the runs: {figures.bytecode_written}")
    print(
        "  ratios, median of the rounds' own ratios [ratio of the medians], wall (the RESULT) "
        "and CPU:"
    )
    for subject, baseline in PAIRS:
        label = f"{subject} / {baseline}"
        of_medians = figures.wall(subject) / figures.wall(baseline)
        print(
            f"    {label:<40} {figures.ratio(subject, baseline):6.2f}  [{of_medians:.2f}]"
            f"   CPU {figures.cpu_ratio(subject, baseline):.2f}"
        )
    rows = figures.import_rows
    print("\nTop 10 imports by self time (-X importtime; one run of 'zip', import + 1st request):")
    for self_us, cumulative_us, name in sorted(rows, reverse=True)[:10]:
        print(
            f"  {self_us / 1000:6.1f} ms self  {cumulative_us / 1000:7.1f} ms cum.  {name.strip()}"
        )
    print("Top 10 top-level imports by cumulative time:")
    top_level = [row for row in rows if not row[2].startswith(" ")]
    for _, cumulative_us, name in sorted(top_level, key=lambda row: -row[1])[:10]:
        print(f"  {cumulative_us / 1000:7.1f} ms  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--python", type=Path, help="a CPython 3.12 (default: found)")
    args = parser.parse_args()
    print_cold_start(measure_cold_start(args.runs, args.python))


if __name__ == "__main__":
    main()
