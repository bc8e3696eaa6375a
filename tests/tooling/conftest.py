"""Fixtures for the operator tools: a simulator with the consent step, the shared moto and GCP
fakes, and a browser stand-in that follows the authorize redirect to the callback server."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import httpx
import pytest

from support.consent_rig import ConsentRig, start_consent_rig

Browser = Callable[[str], httpx.Response]


@pytest.fixture
def consent() -> Iterator[ConsentRig]:
    rig = start_consent_rig()
    yield rig
    rig.stop()


@pytest.fixture
def browser() -> Browser:
    """What a browser does with the authorize URL: follow the redirect to the callback."""

    def approve(authorize_url: str) -> httpx.Response:
        return httpx.get(authorize_url, follow_redirects=True, timeout=10)

    return approve


@pytest.fixture
def port() -> int:
    """A port that was free a moment ago (for the callback server)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
