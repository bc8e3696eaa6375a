"""A misbehaving Confluence on loopback: the simulator answering what a test stages.

The simulator keeps its OAuth token endpoint (the proxy under test authenticates for real);
every Confluence path and accessible-resources are answered, in order, by the staged responses,
and each request is recorded exactly as it arrived (raw path and query).

    upstream = StagedUpstream(simulator.routes)
    upstream.stage(200, [("Link", "...")], body)
    ...  # call the proxy
    upstream.requests[-1].query
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from proxy.simulator.routes import Route, RouteTable, SimRequest, SimResponse

__all__ = ["Site", "StagedUpstream"]

_PATHS = r"/ex/confluence/.*|/oauth/token/accessible-resources"


class StagedUpstream:
    def __init__(self, routes: RouteTable) -> None:
        self._routes = routes
        self._lock = threading.Lock()
        self._queue: list[SimResponse] = []
        self.requests: list[SimRequest] = []
        self._route: Route = routes.add("GET", _PATHS, self._answer, first=True)

    def stage(self, status: int, headers: Sequence[tuple[str, str]], body: bytes) -> None:
        """Answer the next request with this (header names must be distinct)."""
        with self._lock:
            self._queue.append(SimResponse(status, dict(headers), body))

    def reset(self) -> None:
        with self._lock:
            self._queue.clear()
            self.requests.clear()

    def remove(self) -> None:
        self._routes.remove(self._route)

    def _answer(self, request: SimRequest) -> SimResponse:
        with self._lock:
            self.requests.append(request)
            if not self._queue:
                return SimResponse.json(500, {"message": "nothing staged for this request"})
            return self._queue.pop(0)


@dataclass
class Site:
    """A proxy under test and the staged upstream behind it."""

    client: httpx.Client  # to the proxy
    upstream: StagedUpstream
    cloud_id: str
