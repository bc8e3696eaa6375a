"""`AtlassianSimulator`: the simulator server with the OAuth token endpoint installed.

Other modules add routes (Confluence endpoints, accessible-resources, authorize, faults) to
``simulator.routes`` and guard them with ``simulator.oauth.check_bearer(request)``.

    simulator = AtlassianSimulator(clock=clock.now, reuse_leeway_seconds=0)
    simulator.oauth.register_client("client-id", "client-secret")
    base_url = simulator.start()       # token endpoint: f"{base_url}/oauth/token"
"""

from __future__ import annotations

import time

from proxy.lifecycle import Service
from proxy.simulator.oauth import OAuthAuthority
from proxy.simulator.routes import RouteTable
from proxy.simulator.server import SimulatorServer
from proxy.timing import Clock

__all__ = ["AtlassianSimulator"]


class AtlassianSimulator(Service):
    """Route table + OAuth authority + HTTP server, wired together."""

    def __init__(
        self,
        *,
        clock: Clock = time.time,
        reuse_leeway_seconds: float = 600.0,
        expires_in: int = 3600,
        rotate_refresh_tokens: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.routes = RouteTable()
        self.oauth = OAuthAuthority(
            clock=clock,
            reuse_leeway_seconds=reuse_leeway_seconds,
            expires_in=expires_in,
            rotate_refresh_tokens=rotate_refresh_tokens,
        )
        self.oauth.install(self.routes)
        self.server = SimulatorServer(self.routes, host=host, port=port)
        self.server.add_state(self.oauth.state)

    def start(self) -> str:
        """Start serving; returns the base URL (``http://127.0.0.1:<port>``)."""
        return self.server.start()

    def stop(self) -> None:
        self.server.stop()

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def token_url(self) -> str:
        return self.server.base_url + "/oauth/token"
