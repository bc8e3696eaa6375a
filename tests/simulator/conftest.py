"""A running simulator per test, on a fake clock."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from proxy.simulator import AtlassianSimulator
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


@pytest.fixture
def http(simulator: AtlassianSimulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=simulator.base_url) as client:
        yield client
