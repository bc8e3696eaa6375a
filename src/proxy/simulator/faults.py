"""Fault injection for the simulator: make chosen paths misbehave like a real upstream can.

A fault is a route put in front of the normal ones for the paths it matches:

- `status:<code>[:<retry-after>]` answers that status with an Atlassian-style JSON error
  (429 carries `Retry-After`, default 30 s);
- `slow:<seconds>` waits before answering 200 with an empty result page;
- `html` answers 200 with an HTML page (a non-JSON body that must never pass through);
- `truncated` answers 200 with a JSON body cut in the middle.

    inject_fault(simulator.routes, ".*/api/v2/spaces", "status:429:10")
"""

from __future__ import annotations

import time
from collections.abc import Callable

from proxy.simulator.routes import Route, RouteTable, SimRequest, SimResponse
from proxy.timing import Sleep

__all__ = ["FaultError", "inject_fault", "parse_fault_option"]


class FaultError(ValueError):
    """A fault specification that cannot be understood."""


def _status(code: int, retry_after: int | None) -> Callable[[SimRequest], SimResponse]:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    payload = {"code": code, "message": "Rate limit exceeded" if code == 429 else "Server error"}
    return lambda request: SimResponse.json(code, payload, headers)


def _slow(seconds: float, sleep: Sleep) -> Callable[[SimRequest], SimResponse]:
    def handler(request: SimRequest) -> SimResponse:
        sleep(seconds)
        return SimResponse.json(200, {"results": [], "_links": {}})

    return handler


def _fixed(content_type: str, body: bytes) -> Callable[[SimRequest], SimResponse]:
    return lambda request: SimResponse(200, {"Content-Type": content_type}, body)


def inject_fault(
    routes: RouteTable, path_regex: str, spec: str, *, sleep: Sleep = time.sleep
) -> Route:
    """Put a fault in front of every route for paths fully matching `path_regex`."""
    kind, _, argument = spec.partition(":")
    try:
        if kind == "status":
            code, _, retry = argument.partition(":")
            status = int(code)
            retry_after = int(retry) if retry else (30 if status == 429 else None)
            handler = _status(status, retry_after)
        elif kind == "slow":
            handler = _slow(float(argument), sleep)
        elif kind == "html":
            handler = _fixed("text/html", b"<html><body>Atlassian is down</body></html>")
        elif kind == "truncated":
            handler = _fixed("application/json", b'{"results":[{"id":"1","title":"Hal')
        else:
            raise FaultError(f"unknown fault {kind!r} (status, slow, html, truncated)")
    except ValueError as exc:
        raise FaultError(f"bad fault {spec!r}: {exc}") from exc
    return routes.add("*", path_regex, handler, first=True)


def parse_fault_option(option: str) -> tuple[str, str]:
    """`PATH_REGEX=SPEC` (the `--fault` option of `proxy simulate`) → (regex, spec)."""
    regex, sep, spec = option.rpartition("=")
    if not sep or not regex or not spec:
        raise FaultError(f"--fault wants PATH_REGEX=SPEC, got {option!r}")
    return regex, spec
