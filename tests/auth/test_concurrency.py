"""Many instances, one refresh: threads and processes sharing one store and one simulator.

Every instance starts with an expired shared access token and the one refresh token the
operator stored; all need a token at once. Exactly one exchange may reach Atlassian, every
caller must get a valid token, the store must end with the newest refresh token, and the
token family must survive. The same holds when a lock holder dies mid-refresh.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from proxy.auth import RefreshTiming, SourceAuth, UpstreamCredentials, build_source_auth
from proxy.auth._token_endpoint import TokenEndpoint, TokenGrant
from proxy.errors import SourceAuthBusy
from proxy.secret_value import Secret
from proxy.simulator import AtlassianSimulator
from support.auth_backends import (
    Backend,
    GcpBackend,
    LocalFileBackend,
    SecretsManagerBackend,
    SsmBackend,
)
from support.auth_rig import auth_settings, compressed_sleep, operator_seed
from support.fake_clock import FakeClock
from support.oauth_setup import CLIENT_ID, CLIENT_SECRET, started_simulator

INSTANCES = 16
PATIENT = RefreshTiming(lock_attempts=20)
TESTS_DIR = Path(__file__).resolve().parents[1]


@pytest.fixture
def live_simulator() -> Iterator[AtlassianSimulator]:
    simulator = started_simulator(time.time)
    yield simulator
    simulator.stop()


@pytest.fixture(params=["local_file", "ssm", "secrets_manager", "gcp"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    kind = request.param
    if kind == "local_file":
        return LocalFileBackend(tmp_path / "secrets.json")
    if kind == "ssm":
        return SsmBackend(request.getfixturevalue("moto"))
    if kind == "secrets_manager":
        return SecretsManagerBackend(request.getfixturevalue("moto"))
    return GcpBackend(request.getfixturevalue("gcp_fake"))


def bearer(creds: UpstreamCredentials) -> str:
    return creds.headers["Authorization"].removeprefix("Bearer ")


def call_all_at_once(instances: list[SourceAuth]) -> list[UpstreamCredentials]:
    barrier = threading.Barrier(len(instances))
    results: list[UpstreamCredentials | BaseException | None] = [None] * len(instances)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = instances[index].credentials()
        except BaseException as exc:
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(instances))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(isinstance(r, UpstreamCredentials) for r in results), results
    return [r for r in results if isinstance(r, UpstreamCredentials)]


def assert_single_flight(
    simulator: AtlassianSimulator,
    backend: Backend,
    first_refresh_token: str,
    results: list[UpstreamCredentials],
    *,
    exchanges: int = 1,
) -> None:
    assert simulator.oauth.token_exchanges == exchanges
    assert len({bearer(creds) for creds in results}) == 1
    assert simulator.oauth.access_token_valid(bearer(results[0]))
    assert backend.read("REFRESH_TOKEN") == simulator.oauth.family_head(first_refresh_token)
    assert not simulator.oauth.is_family_revoked(first_refresh_token)


def test_sixteen_instances_refresh_exactly_once(
    backend: Backend, live_simulator: AtlassianSimulator, http: httpx.Client
) -> None:
    seeded = operator_seed(live_simulator, now=time.time())
    backend.seed(seeded)
    settings = auth_settings(live_simulator.token_url)
    instances = [
        build_source_auth(
            settings,
            backend.store(clock=time.time, sleep=compressed_sleep),
            http,
            sleep=compressed_sleep,
            rng=random.Random(i),
            timing=PATIENT,
        )
        for i in range(INSTANCES)
    ]

    results = call_all_at_once(instances)

    assert_single_flight(live_simulator, backend, seeded["REFRESH_TOKEN"], results)


def test_sixteen_threads_of_one_instance_refresh_exactly_once(
    tmp_path: Path, live_simulator: AtlassianSimulator
) -> None:
    backend = LocalFileBackend(tmp_path / "secrets.json")
    seeded = operator_seed(live_simulator, now=time.time())
    backend.seed(seeded)
    with httpx.Client() as http:
        instance = build_source_auth(
            auth_settings(live_simulator.token_url),
            backend.store(clock=time.time, sleep=compressed_sleep),
            http,
            sleep=compressed_sleep,
        )

        results = call_all_at_once([instance] * INSTANCES)

    assert_single_flight(live_simulator, backend, seeded["REFRESH_TOKEN"], results)


@pytest.mark.parametrize("kind", ["ssm", "secrets_manager", "gcp"])
def test_a_lock_left_by_a_crashed_holder_is_recovered(
    kind: str, request: pytest.FixtureRequest
) -> None:
    backend: Backend = (
        GcpBackend(request.getfixturevalue("gcp_fake"))
        if kind == "gcp"
        else (SsmBackend if kind == "ssm" else SecretsManagerBackend)(
            request.getfixturevalue("moto")
        )
    )
    clock = FakeClock(start=time.time())
    simulator = started_simulator(clock.now)
    try:
        seeded = operator_seed(simulator, now=clock.now())
        backend.seed(seeded)
        with httpx.Client() as http:
            # The crashed instance took the lock and exchanged, then died: nothing persisted.
            crashed = backend.store(clock=clock.now, sleep=lambda s: None)
            assert crashed.lock("OAUTH_REFRESH_TOKEN").try_acquire() is not None
            lost = TokenEndpoint(simulator.token_url, http).refresh(
                Secret(seeded["REFRESH_TOKEN"]), CLIENT_ID, Secret(CLIENT_SECRET)
            )
            assert isinstance(lost, TokenGrant)
            survivor = build_source_auth(
                auth_settings(simulator.token_url),
                backend.store(clock=clock.now, sleep=clock.sleep),
                http,
                clock=clock.now,
                sleep=clock.sleep,
            )

            with pytest.raises(SourceAuthBusy):
                survivor.credentials()  # ~24 s of backoff: the lock is not stale yet
            clock.advance(100)  # now older than the 120 s time-to-live
            creds = survivor.credentials()

        assert_single_flight(simulator, backend, seeded["REFRESH_TOKEN"], [creds], exchanges=2)
    finally:
        simulator.stop()


# ------------------------------------------------------------------------ processes
def start_workers(
    count: int, secrets: Path, token_url: str, work: Path, *, crash: bool = False
) -> list[subprocess.Popen[str]]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(TESTS_DIR), os.environ.get("PYTHONPATH", "")]),
    }
    workers = []
    for n in range(count):
        command = [
            sys.executable,
            "-m",
            "support.refresh_worker",
            str(secrets),
            token_url,
            str(work / f"ready-{n}"),
            str(work / "go"),
        ]
        workers.append(
            subprocess.Popen(
                [*command, "--crash"] if crash else command,
                stdout=subprocess.PIPE,
                text=True,
                env=env,
                cwd=TESTS_DIR,
            )
        )
    deadline = time.monotonic() + 60
    while not all((work / f"ready-{n}").exists() for n in range(count)):
        assert time.monotonic() < deadline, "workers did not start"
        time.sleep(0.01)
    return workers


def collect(workers: list[subprocess.Popen[str]]) -> list[tuple[int, str]]:
    return [(w.wait(timeout=120), w.communicate()[0]) for w in workers]


def test_processes_sharing_a_local_file_refresh_exactly_once(
    tmp_path: Path, live_simulator: AtlassianSimulator
) -> None:
    backend = LocalFileBackend(tmp_path / "secrets.json")
    seeded = operator_seed(live_simulator, now=time.time())
    backend.seed(seeded)

    workers = start_workers(4, backend.path, live_simulator.token_url, tmp_path)
    (tmp_path / "go").touch()
    outcomes = collect(workers)

    assert [code for code, _ in outcomes] == [0, 0, 0, 0]
    results = [UpstreamCredentials(headers=json.loads(out), token_id="") for _, out in outcomes]
    assert_single_flight(live_simulator, backend, seeded["REFRESH_TOKEN"], results)


def test_a_process_dying_mid_refresh_loses_nothing(
    tmp_path: Path, live_simulator: AtlassianSimulator
) -> None:
    backend = LocalFileBackend(tmp_path / "secrets.json")
    seeded = operator_seed(live_simulator, now=time.time())
    backend.seed(seeded)
    crash_dir, survivors_dir = tmp_path / "crash", tmp_path / "survivors"
    crash_dir.mkdir()
    survivors_dir.mkdir()

    crashing = start_workers(1, backend.path, live_simulator.token_url, crash_dir, crash=True)
    (crash_dir / "go").touch()
    assert collect(crashing) == [(3, "")]  # died holding the lock, after Atlassian rotated
    assert live_simulator.oauth.token_exchanges == 1
    assert backend.read("REFRESH_TOKEN") == seeded["REFRESH_TOKEN"]  # that rotation was lost

    survivors = start_workers(3, backend.path, live_simulator.token_url, survivors_dir)
    (survivors_dir / "go").touch()
    outcomes = collect(survivors)

    assert [code for code, _ in outcomes] == [0, 0, 0]
    results = [UpstreamCredentials(headers=json.loads(out), token_id="") for _, out in outcomes]
    assert_single_flight(live_simulator, backend, seeded["REFRESH_TOKEN"], results, exchanges=2)
