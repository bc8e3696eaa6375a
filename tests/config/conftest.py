"""Fixtures for the config tests: real moto and gRPC servers (session), reset per test."""

from __future__ import annotations

import pytest

from support.fake_clock import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
