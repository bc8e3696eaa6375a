"""A ready-to-use simulator: Confluence endpoints, one registered client, one consented user.

Shared by `proxy simulate`, `proxy serve --demo` and the tests, so they all see the same site.

    simulator, credentials = start_simulator()
    credentials.refresh_token   # what `proxy setup` would have stored
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from proxy.simulator.app import AtlassianSimulator
from proxy.simulator.authorize import AuthorizeEndpoint
from proxy.simulator.confluence import EXAMPLE_CLOUD_ID, install_confluence
from proxy.simulator.faults import inject_fault

__all__ = ["SimulatorCredentials", "start_simulator"]


@dataclass(frozen=True)
class SimulatorCredentials:
    """What an operator would have after the OAuth setup against the real Atlassian."""

    base_url: str
    client_id: str
    client_secret: str
    refresh_token: str
    cloud_id: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def start_simulator(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    token_ttl_seconds: int = 3600,
    reuse_leeway_seconds: float = 600.0,
    faults: Iterable[tuple[str, str]] = (),
) -> tuple[AtlassianSimulator, SimulatorCredentials]:
    """Start a simulator in a background thread; stop it with `simulator.stop()`."""
    simulator = AtlassianSimulator(
        host=host,
        port=port,
        expires_in=token_ttl_seconds,
        reuse_leeway_seconds=reuse_leeway_seconds,
    )
    install_confluence(simulator.routes, simulator.oauth, cloud_id=EXAMPLE_CLOUD_ID)
    authorize = AuthorizeEndpoint(simulator.oauth, cloud_id=EXAMPLE_CLOUD_ID)
    authorize.install(simulator.routes)  # `proxy setup confluence` works against the demo too
    for path_regex, spec in faults:
        inject_fault(simulator.routes, path_regex, spec)
    client_id = f"sim-client-{secrets.token_hex(4)}"
    client_secret = secrets.token_urlsafe(24)
    simulator.oauth.register_client(client_id, client_secret)
    authorize.register_app(client_id)
    refresh_token = simulator.oauth.issue_refresh_token(client_id)
    base_url = simulator.start()
    return simulator, SimulatorCredentials(
        base_url=base_url,
        client_id=client_id,
        client_secret=client_secret,
        refresh_token=refresh_token,
        cloud_id=EXAMPLE_CLOUD_ID,
    )
