"""Confluence as an attacker would like it: answers that echo the request back.

Real Confluence echoes a content search's parameters (`expand`, `includeArchivedSpaces`, then
the CQL, as Java's `URLEncoder` writes them) into `_links.next`, and v2 lists echo their path
and parameters into `Link`. These routes do it for *any* CQL (the simulator's own search only
runs the subset it understands) and also where no honest upstream would (a body field, an
`ETag`), so that a test can place a `p~` token where it would come back decrypted.

    with echoing(simulator.routes, "search"):
        httpx.get(proxy + "/ex/confluence/c/wiki/rest/api/content/search?cql=…")
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qsl, urlencode

from proxy.simulator.routes import RouteTable, SimRequest, SimResponse
from proxy.simulator.search import java_encode

__all__ = ["echoed_search_next", "echoing"]

_CURSOR = "_f_MQ%3D%3D"
_PAGING = ("cursor", "start", "limit", "next")


def echoed_search_next(query: str) -> str:
    """The `next` link Confluence writes for a search sent with this raw query."""
    params = [(n, v) for n, v in parse_qsl(query, keep_blank_values=True) if n not in _PAGING]
    echoed = [f"{name}={java_encode(value)}" for name, value in params if name != "cql"]
    cql = [f"cql={java_encode(value)}" for name, value in params if name == "cql"]
    head = ["next=true", f"cursor={_CURSOR}"]
    return "/rest/api/content/search?" + "&".join([*head, *echoed, "limit=1", "start=1", *cql])


def _search(request: SimRequest) -> SimResponse:
    page = {"id": "300001", "type": "page", "status": "current", "title": "Notes"}
    links = {"next": echoed_search_next(request.query), "base": "https://x.atlassian.net/wiki"}
    document = {"results": [page], "start": 0, "limit": 1, "size": 1, "_links": links}
    return SimResponse.json(200, document)


def _versions(request: SimRequest) -> SimResponse:
    """A v2 list echoing its path and parameters into `_links.next` and `Link`."""
    kept = [(n, v) for n, v in parse_qsl(request.query, keep_blank_values=True) if n != "cursor"]
    path = request.path[request.path.index("/wiki/") :]
    following = f"{path}?{urlencode(kept)}&cursor=b2Zmc2V0OjE"
    document = {"results": [{"number": 1}], "_links": {"next": following}}
    return SimResponse.json(200, document, {"Link": f'<{following}>; rel="next"'})


def _spaces(request: SimRequest) -> SimResponse:
    """A v2 spaces page whose `type` field and `ETag` echo the `type` parameter."""
    kind = dict(parse_qsl(request.query)).get("type", "global")
    document = {"results": [{"id": "1", "key": "SD", "type": kind}], "_links": {}}
    return SimResponse(
        200,
        {"Content-Type": "application/json", "ETag": f'"{kind}"'},
        json.dumps(document).encode(),
    )


def _etag(request: SimRequest) -> SimResponse:
    """A v2 spaces page whose only echo is the `ETag` (the body is benign)."""
    kind = dict(parse_qsl(request.query)).get("type", "global")
    body = json.dumps({"results": [{"id": "1", "key": "SD", "type": "global"}], "_links": {}})
    return SimResponse(
        200, {"Content-Type": "application/json", "ETag": f'"{kind}"'}, body.encode()
    )


_ROUTES = {
    "search": (r"/ex/confluence/[^/]+/wiki/rest/api/content/search", _search),
    "versions": (r"/ex/confluence/[^/]+/wiki/api/v2/pages/[^/]+/versions", _versions),
    "spaces": (r"/ex/confluence/[^/]+/wiki/api/v2/spaces", _spaces),
    "etag": (r"/ex/confluence/[^/]+/wiki/api/v2/spaces", _etag),
}


@contextmanager
def echoing(routes: RouteTable, which: str) -> Iterator[None]:
    """The simulator answers `which` endpoint by echoing the request, while inside."""
    pattern, handler = _ROUTES[which]
    route = routes.add("GET", pattern, handler, first=True)
    try:
        yield
    finally:
        routes.remove(route)
