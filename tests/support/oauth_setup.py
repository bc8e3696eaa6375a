"""The OAuth client every simulator-backed test uses, and a simulator already knowing it."""

from __future__ import annotations

from proxy.simulator import AtlassianSimulator
from proxy.timing import Clock

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "started_simulator"]

CLIENT_ID = "client-id"
CLIENT_SECRET = "client-secret"


def started_simulator(clock: Clock, **options: float) -> AtlassianSimulator:
    """A running simulator with `CLIENT_ID` registered; the caller stops it."""
    simulator = AtlassianSimulator(clock=clock, **options)  # type: ignore[arg-type]
    simulator.oauth.register_client(CLIENT_ID, CLIENT_SECRET)
    simulator.start()
    return simulator
