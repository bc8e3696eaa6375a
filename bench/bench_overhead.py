"""Benchmark: latency the proxy adds, against the same requests straight to the simulator.

The proxy runs as `proxy serve` runs it (functions-framework → gunicorn, one worker, its default
threads) in a subprocess configured only through its environment, with the local file store, in
front of the Atlassian simulator (in this process). Each sample is one content-search request
(the ~60 KB fixture): through the proxy, and straight to the simulator with a bearer token,
alternating, so both see the same noise. Sequential: one client, one request at a time.
Concurrent: `--threads` clients at once. The proxy's net overhead is p50(proxy) - p50(direct)
minus the in-process sanitize time of that body. Target: net p50 overhead ≤ 2 ms.

For scale, the sequential rounds also call a *floor*: a functions-framework function that only
returns the proxy's (already sanitized) response, served the same way. Its p50 is what the
server stack alone costs per request, before any proxy code runs. And the gateway logs how long
it spent on each request (upstream call and sanitizing included): the p50 of those log lines
splits the proxied time into the gateway's part and the server's.

    .venv/bin/python bench/bench_overhead.py [--requests 200] [--threads 4]
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from payloads import content_search_sanitizer, small_payload
from timing import interleaved, percentile

from proxy.cli.serve_command import demo_environment, write_demo_secrets
from proxy.platforms import gcp_main
from proxy.simulator.app import AtlassianSimulator
from proxy.simulator.confluence import EXAMPLE_CALLS
from proxy.simulator.demo import SimulatorCredentials, start_simulator

SEARCH_CALL = next(call for call in EXAMPLE_CALLS if call.file == "content_search.json")
# The request record's message, in a text line or inside a JSON one (the proxy's log is a file).
_GATEWAY_LINE = re.compile(r"content/search -> 200 +([0-9.]+)ms(?:$|\")", re.MULTILINE)


@dataclass(frozen=True)
class Latencies:
    """Milliseconds per request, proxied and direct, of one mode (sequential or concurrent)."""

    mode: str
    proxied: list[float]
    direct: list[float]
    floor: list[float]  # the bare functions-framework function (sequential only)

    def p(self, which: str, fraction: float) -> float:
        return percentile(self.proxied if which == "proxied" else self.direct, fraction)

    @property
    def overhead_p50(self) -> float:
        return self.p("proxied", 0.5) - self.p("direct", 0.5)

    @property
    def overhead_p95(self) -> float:
        return self.p("proxied", 0.95) - self.p("direct", 0.95)


@dataclass(frozen=True)
class OverheadFigures:
    sequential: Latencies
    concurrent: Latencies
    threads: int
    sanitize_ms: float
    gateway_ms: list[float]  # per sequential request, from the gateway's own log line

    @property
    def net_overhead_p50(self) -> float:
        """Sequential p50 overhead beyond sanitizing: the figure the 2 ms target is about."""
        return self.sequential.overhead_p50 - self.sanitize_ms


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


FLOOR_FUNCTION = """
from pathlib import Path
BODY = (Path(__file__).parent / "body.json").read_bytes()
def route(request):
    return BODY, 200, {"Content-Type": "application/json"}
"""


@contextmanager
def running_proxy(credentials: SimulatorCredentials, scratch: Path) -> Iterator[str]:
    """The proxy under functions-framework; yields its base URL."""
    secrets_file = scratch / "secrets.json"
    write_demo_secrets(credentials, secrets_file)
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    environment = demo_environment(credentials, secrets_file, base)
    with running_function(Path(gcp_main.__file__), environment, scratch / "proxy.log") as url:
        yield url


@contextmanager
def running_floor(body: bytes, scratch: Path) -> Iterator[str]:
    """A functions-framework function answering `body` to every request."""
    source = scratch / "floor" / "main.py"
    source.parent.mkdir()
    source.write_text(FLOOR_FUNCTION, "utf-8")
    (source.parent / "body.json").write_bytes(body)
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    with running_function(source, base, scratch / "floor.log") as url:
        yield url


@contextmanager
def running_function(source: Path, environment: dict[str, str], log_path: Path) -> Iterator[str]:
    """`route` of `source` under functions-framework (gunicorn); yields its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "functions_framework", "--target", "route"]
    command += ["--source", str(source), "--host", "127.0.0.1", "--port", str(port)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_listening(port, process, log_path)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=15)


def _wait_until_listening(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the proxy exited early:\n{log.read_text(errors='replace')}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit("the proxy did not listen within 30 s")


def direct_token(simulator: AtlassianSimulator, credentials: SimulatorCredentials) -> str:
    """An access token of its own token family, so the proxy's refresh token is not touched."""
    refresh_token = simulator.oauth.issue_refresh_token(credentials.client_id)
    answer = httpx.post(
        f"{credentials.base_url}/oauth/token",
        data={
            "grant_type": "refresh_token",
            "client_id": credentials.client_id,
            "client_secret": credentials.client_secret,
            "refresh_token": refresh_token,
        },
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


Request = Callable[[httpx.Client], float]


def timed_get(url: str, headers: dict[str, str]) -> Request:
    def request(client: httpx.Client) -> float:
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"GET answered {response.status_code}: {response.text[:300]}")
        return elapsed

    return request


def sequential(proxied: Request, direct: Request, floor: Request, requests: int) -> Latencies:
    through: list[float] = []
    straight: list[float] = []
    bare: list[float] = []
    with (
        httpx.Client() as proxy_client,
        httpx.Client() as direct_client,
        httpx.Client() as floor_client,
    ):
        for _ in range(requests):
            through.append(proxied(proxy_client))
            straight.append(direct(direct_client))
            bare.append(floor(floor_client))
    return Latencies("sequential", through, straight, bare)


def concurrent(proxied: Request, direct: Request, requests: int, threads: int) -> Latencies:
    """`threads` clients at once, first all through the proxy, then all straight (alternating
    blocks of ten per client, so that both sides see the same background load)."""
    through: list[float] = []
    straight: list[float] = []
    lock = threading.Lock()

    def client_loop() -> None:
        mine_through: list[float] = []
        mine_straight: list[float] = []
        with httpx.Client() as proxy_client, httpx.Client() as direct_client:
            for block in range(max(1, requests // threads // 10)):
                for _ in range(10):
                    mine_through.append(proxied(proxy_client))
                for _ in range(10):
                    mine_straight.append(direct(direct_client))
                del block
        with lock:
            through.extend(mine_through)
            straight.extend(mine_straight)

    workers = [threading.Thread(target=client_loop) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return Latencies(f"concurrent x{threads}", through, straight, [])


def in_process_sanitize(rounds: int = 61) -> tuple[float, bytes]:
    """Median CPU milliseconds of sanitizing the fixture once in this process, and the output."""
    sanitizer, endpoint = content_search_sanitizer()
    payload = small_payload()
    medians = interleaved({"sanitize": lambda: sanitizer.sanitize(endpoint, payload)}, rounds)
    return medians["sanitize"], sanitizer.sanitize(endpoint, payload)


def measure_overhead(requests: int, threads: int) -> OverheadFigures:
    sanitize_ms, sanitized = in_process_sanitize()  # before any server competes for the CPU
    simulator, credentials = start_simulator()
    try:
        with (
            tempfile.TemporaryDirectory(prefix="bench-overhead-") as scratch,
            running_proxy(credentials, Path(scratch)) as proxy_url,
            running_floor(sanitized, Path(scratch)) as floor_url,
        ):
            path = SEARCH_CALL.url(credentials.cloud_id)
            proxied = timed_get(f"{proxy_url}{path}", {})
            bearer = {"Authorization": f"Bearer {direct_token(simulator, credentials)}"}
            direct = timed_get(f"{credentials.base_url}{path}", bearer)
            floor = timed_get(f"{floor_url}{path}", {})
            sequential(proxied, direct, floor, 20)  # warm: token exchange, connections, caches
            serial = sequential(proxied, direct, floor, requests)
            log = (Path(scratch) / "proxy.log").read_text("utf-8", errors="replace")
            gateway_ms = [float(ms) for ms in _GATEWAY_LINE.findall(log)][-requests:]
            parallel = concurrent(proxied, direct, requests, threads)
    finally:
        simulator.stop()
    return OverheadFigures(serial, parallel, threads, sanitize_ms, gateway_ms)


def print_overhead(figures: OverheadFigures) -> None:
    print("Proxy overhead, content search (~60 KB), ms per request, wall time")
    print(
        f"  {'mode':<15} {'n':>4} {'direct p50':>11} {'proxy p50':>10} {'direct p95':>11}"
        f" {'proxy p95':>10} {'+p50':>7} {'+p95':>7}"
    )
    for row in (figures.sequential, figures.concurrent):
        print(
            f"  {row.mode:<15} {len(row.proxied):>4} {row.p('direct', 0.5):>11.2f}"
            f" {row.p('proxied', 0.5):>10.2f} {row.p('direct', 0.95):>11.2f}"
            f" {row.p('proxied', 0.95):>10.2f} {row.overhead_p50:>7.2f} {row.overhead_p95:>7.2f}"
        )
    floor = percentile(figures.sequential.floor, 0.5)
    if figures.gateway_ms:
        gateway = percentile(figures.gateway_ms, 0.5)
        print(
            f"  inside the gateway (its log; upstream + sanitize + checks), p50: {gateway:.2f} ms"
        )
    print(f"  sanitize of the body in-process (median CPU): {figures.sanitize_ms:.2f} ms")
    print(f"  net sequential p50 overhead (beyond sanitizing): {figures.net_overhead_p50:.2f} ms")
    print(f"  floor: a functions-framework function returning that body, p50: {floor:.2f} ms")
    print(
        f"  net p50 overhead beyond sanitizing and the floor: "
        f"{figures.net_overhead_p50 - floor:.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    print_overhead(measure_overhead(args.requests, args.threads))


if __name__ == "__main__":
    main()
