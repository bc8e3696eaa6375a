"""Fixtures for the auth tests: a simulator on a fake clock, a seeded local secrets file, and a
builder of `SourceAuth` instances wired through the public `build_source_auth`."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from proxy.auth import SourceAuth, build_source_auth
from proxy.config.stores import SecretStore
from proxy.simulator import AtlassianSimulator
from support.auth_backends import LocalFileBackend
from support.auth_rig import FlakyStore, auth_settings, operator_seed
from support.fake_clock import FakeClock
from support.oauth_setup import started_simulator


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def simulator(clock: FakeClock) -> Iterator[AtlassianSimulator]:
    simulator = started_simulator(clock.now)
    yield simulator
    simulator.stop()


@pytest.fixture(scope="session")
def http() -> Iterator[httpx.Client]:
    with httpx.Client() as client:
        yield client


@pytest.fixture
def secrets_path(tmp_path: Path, simulator: AtlassianSimulator, clock: FakeClock) -> Path:
    backend = LocalFileBackend(tmp_path / "secrets.json")
    backend.seed(operator_seed(simulator, now=clock.now()))
    return backend.path


@pytest.fixture
def store(secrets_path: Path, clock: FakeClock) -> FlakyStore:
    return FlakyStore(secrets_path, clock)


@pytest.fixture
def make_auth(
    simulator: AtlassianSimulator, http: httpx.Client, clock: FakeClock
) -> Callable[..., SourceAuth]:
    """Build an instance (one per simulated function instance) over a given store."""

    def build(store: SecretStore, *, use_shared_token: bool = True, seed: int = 0) -> SourceAuth:
        return build_source_auth(
            auth_settings(simulator.token_url, use_shared_token=use_shared_token),
            store,
            http,
            clock=clock.now,
            sleep=clock.sleep,
            rng=random.Random(seed),
        )

    return build
