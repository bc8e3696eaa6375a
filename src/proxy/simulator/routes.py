"""The simulator's route table: method + path regex -> handler returning (status, headers, body).

Handlers see the request exactly as it arrived (raw path, raw query, body bytes) so tests can
assert on what the proxy really sent. Routes are tried in order; ``first=True`` puts a route in
front (fault injection overrides a normal route that way), ``"*"`` matches every method.

    routes.add("GET", r"/ex/confluence/(?P<cloud_id>[^/]+)/wiki/api/v2/spaces", list_spaces)
    routes.add("*", r"/oauth/token", lambda request: SimResponse.json(503, {}), first=True)
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

__all__ = ["Handler", "Route", "RouteTable", "SimRequest", "SimResponse"]


@dataclass(frozen=True)
class SimRequest:
    """One request as received; header names are lower-cased."""

    method: str
    path: str
    """The raw path as received, percent-escapes untouched, without the query."""
    query: str
    """The raw query string without ``?`` ("" when there is none)."""
    headers: Mapping[str, str] = field(repr=False)
    body: bytes = field(repr=False)
    params: Mapping[str, str] = field(default_factory=dict)
    """Named groups of the route's path regex."""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class SimResponse(NamedTuple):
    """What a handler returns; a plain ``(status, headers, body)`` tuple works as well."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    @classmethod
    def json(
        cls, status: int, payload: object, headers: Mapping[str, str] | None = None
    ) -> SimResponse:
        body = json.dumps(payload, separators=(",", ":")).encode()
        return cls(status, {"Content-Type": "application/json", **(headers or {})}, body)


Handler = Callable[[SimRequest], tuple[int, Mapping[str, str], bytes]]


@dataclass(frozen=True, eq=False)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler

    def matches(self, method: str, path: str) -> re.Match[str] | None:
        if self.method not in ("*", method):
            return None
        return self.pattern.fullmatch(path)


class RouteTable:
    """Ordered, thread-safe list of routes; the first match handles the request."""

    def __init__(self) -> None:
        self._routes: list[Route] = []
        self._lock = threading.Lock()

    def add(self, method: str, path_regex: str, handler: Handler, *, first: bool = False) -> Route:
        """Register ``handler`` for ``method`` (or ``"*"``) and paths fully matching the regex."""
        route = Route(method.upper() if method != "*" else "*", re.compile(path_regex), handler)
        with self._lock:
            if first:
                self._routes.insert(0, route)
            else:
                self._routes.append(route)
        return route

    def remove(self, route: Route) -> None:
        with self._lock:
            self._routes = [r for r in self._routes if r is not route]

    def resolve(self, method: str, path: str) -> tuple[Route, re.Match[str]] | None:
        with self._lock:
            routes = list(self._routes)
        for route in routes:
            match = route.matches(method, path)
            if match is not None:
                return route, match
        return None

    def allows_path(self, path: str) -> bool:
        """Whether some route serves this path with another method (then the answer is 405)."""
        with self._lock:
            return any(route.pattern.fullmatch(path) for route in self._routes)
