"""Fixtures for the config tests: real moto and gRPC servers (session), reset per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from support.fake_clock import FakeClock
from support.gcp_secret_manager_fake import FakeSecretManager, shared_gcp_fake
from support.moto_server import MotoServer, shared_moto_server


@pytest.fixture(scope="session")
def moto_server() -> MotoServer:
    return shared_moto_server()


@pytest.fixture
def moto(moto_server: MotoServer) -> Iterator[MotoServer]:
    moto_server.reset()
    yield moto_server


@pytest.fixture(scope="session")
def gcp_fake_server() -> FakeSecretManager:
    return shared_gcp_fake()


@pytest.fixture
def gcp_fake(gcp_fake_server: FakeSecretManager) -> Iterator[FakeSecretManager]:
    gcp_fake_server.reset()
    yield gcp_fake_server


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
