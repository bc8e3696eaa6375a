"""A running simulator with the consent step (`/authorize`) and one registered app, for the
operator-tool tests (`proxy setup confluence` end to end)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from proxy.simulator.app import AtlassianSimulator
from proxy.simulator.authorize import AuthorizeEndpoint
from proxy.simulator.confluence import EXAMPLE_CLOUD_ID, install_confluence

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "ConsentRig", "start_consent_rig"]

CLIENT_ID = "setup-client"
CLIENT_SECRET = "setup-client-secret"


@dataclass
class ConsentRig:
    """The simulator and its consent step; the app `CLIENT_ID` is registered with both."""

    simulator: AtlassianSimulator
    authorize: AuthorizeEndpoint

    @property
    def base_url(self) -> str:
        return self.simulator.base_url

    def refresh_works(self, refresh_token: str) -> bool:
        """Whether the token endpoint accepts `refresh_token` (it then rotates it)."""
        response = httpx.post(
            self.simulator.token_url,
            data={
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
            },
        )
        return response.status_code == 200

    def stop(self) -> None:
        self.simulator.stop()


def start_consent_rig() -> ConsentRig:
    simulator = AtlassianSimulator()
    install_confluence(simulator.routes, simulator.oauth, cloud_id=EXAMPLE_CLOUD_ID)
    authorize = AuthorizeEndpoint(simulator.oauth, cloud_id=EXAMPLE_CLOUD_ID)
    authorize.install(simulator.routes)
    simulator.oauth.register_client(CLIENT_ID, CLIENT_SECRET)
    authorize.register_app(CLIENT_ID)
    simulator.start()
    return ConsentRig(simulator, authorize)
