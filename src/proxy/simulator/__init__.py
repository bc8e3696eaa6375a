"""An Atlassian simulator for tests and local demos: token endpoint with real rotation semantics,
a request recorder, and a route table other modules extend (Confluence endpoints, faults).
It stands in for Atlassian, so it shares nothing with the serving path but the kernel.

May import: the kernel only (`proxy.errors`, `proxy.timing`, `proxy.lifecycle`, ...).

    with AtlassianSimulator() as simulator:
        simulator.oauth.register_client("id", "secret")
        simulator.routes.add("GET", r"/ping", lambda request: SimResponse.json(200, {}))
"""

from proxy.simulator.app import AtlassianSimulator
from proxy.simulator.oauth import DEFAULT_SCOPES, OAuthAuthority
from proxy.simulator.routes import Handler, Route, RouteTable, SimRequest, SimResponse
from proxy.simulator.server import RecordedRequest, SimulatorServer

__all__ = [
    "DEFAULT_SCOPES",
    "AtlassianSimulator",
    "Handler",
    "OAuthAuthority",
    "RecordedRequest",
    "Route",
    "RouteTable",
    "SimRequest",
    "SimResponse",
    "SimulatorServer",
]
