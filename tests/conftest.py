"""Fixtures every test package may use: the real moto and GCP Secret Manager servers.

Both servers start once per session (moto takes ~1 s to load SSM) and are reset before each
test that asks for them, so tests never see each other's data.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

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
