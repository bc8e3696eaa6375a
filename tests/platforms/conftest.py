"""Fixtures of the platform tests: sample events and a simulator-backed proxy environment."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator

import pytest
from platforms.aws_rig import REFERENCE_SECRETS, EventFactory, SimulatedSite, load_event

from proxy.cli.serve_command import demo_environment, write_demo_secrets
from proxy.simulator.demo import start_simulator


@pytest.fixture
def event() -> EventFactory:
    """`event(file, **top_level_overrides)`: a fresh copy of a sample with fields replaced."""
    return load_event


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatedSite]:
    """The simulator, and the environment of a proxy instance using it (local file store)."""
    simulator, credentials = start_simulator()
    secrets_file = tmp_path_factory.mktemp("lambda-site") / "secrets.json"
    secrets_file.write_text(json.dumps(REFERENCE_SECRETS), "utf-8")
    write_demo_secrets(credentials, secrets_file)
    environment = demo_environment(credentials, secrets_file, {})
    try:
        yield SimulatedSite(simulator, credentials, environment)
    finally:
        simulator.stop()


@pytest.fixture(autouse=True)
def unfrozen_collector() -> Iterator[None]:
    """A handler's first invocation freezes the objects it finds (`startup_gc`): in this shared
    test process, thaw them again so later tests' garbage is collected as usual."""
    yield
    gc.unfreeze()
