"""Over real HTTP: a misbehaving upstream's headers reach the caller only in their expected shape.

The simulator plays an upstream that puts account ids and emails in every pass-through header,
on a 200 and on a 429; the caller must get exactly the headers listed here (plus what the HTTP
server adds for itself), while well-formed rate-limit headers must still reach it on a 429.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from proxy.simulator.routes import SimRequest, SimResponse
from support.local_proxy import Site

SPACES = "/ex/confluence/{cloud}/wiki/api/v2/spaces?limit=10"
ACCOUNT_ID = "557058:f3a2b1c0-1234-4abc-9def-0123456789ab"
LEGACY_ID = "5b10ac8d82e05b22cc7d4ef5"
EMAIL = "alice@example.com"
SERVER_OWN = {"date", "server", "connection", "content-length", "transfer-encoding"}

HOSTILE = {
    "Content-Type": f"application/json; owner={EMAIL}",
    "Cache-Control": f'no-cache="x-{LEGACY_ID}", owner={EMAIL}',
    "ETag": f'W/"{EMAIL}"',
    "Expires": f"Thu, 01 Jan 1970 00:00:00 GMT {ACCOUNT_ID}",
    "Last-Modified": EMAIL,
    "Retry-After": f"30 {ACCOUNT_ID}",
    "Link": f'</wiki/api/v2/spaces?cursor=abc&owner={ACCOUNT_ID}>; rel="next"',
    "X-RateLimit-Remaining": LEGACY_ID,
    "X-RateLimit-Reset": ACCOUNT_ID,
    f"X-RateLimit-{LEGACY_ID}": "1",
    "RateLimit-Reason": EMAIL,
    "Set-Cookie": f"user={ACCOUNT_ID}",
    "X-Atlassian-User": EMAIL,
}
WELL_FORMED = {
    "Content-Type": "application/json;charset=UTF-8",
    "Cache-Control": "no-cache, no-store, no-transform",
    "ETag": '"3b0a9c2f1d7e4a5b8c6d0e1f2a3b4c5d"',
    "Expires": "Thu, 01 Jan 1970 00:00:00 GMT",
    "Retry-After": "17",
    "X-RateLimit-Limit": "350",
    "X-RateLimit-Remaining": "0",
    "X-RateLimit-Reset": "2026-03-26T16:00Z",
    "X-RateLimit-NearLimit": "true",
    "RateLimit-Reason": "confluence-quota-tenant-based",
}


WELL_FORMED_RETURNED = {
    "cache-control": "no-cache, no-store, no-transform",
    "etag": '"3b0a9c2f1d7e4a5b8c6d0e1f2a3b4c5d"',
    "expires": "Thu, 01 Jan 1970 00:00:00 GMT",
    "retry-after": "17",
    "x-ratelimit-limit": "350",
    "x-ratelimit-remaining": "0",
    "x-ratelimit-reset": "2026-03-26T16:00Z",
    "x-ratelimit-nearlimit": "true",
    "ratelimit-reason": "confluence-quota-tenant-based",
}


def returned_headers(
    site: Site,
    status: int,
    upstream_headers: Mapping[str, str],
) -> tuple[int, dict[str, str]]:
    simulator, credentials, proxy = site
    body = b'{"results":[],"_links":{}}'

    def misbehaving(request: SimRequest) -> SimResponse:
        return SimResponse(status, upstream_headers, body)

    route = simulator.routes.add("GET", r".*/api/v2/spaces", misbehaving, first=True)
    try:
        response = httpx.get(proxy.base_url + SPACES.replace("{cloud}", credentials.cloud_id))
    finally:
        simulator.routes.remove(route)
    headers = {k: v for k, v in response.headers.items() if k not in SERVER_OWN}
    return response.status_code, headers


def rewritten_link(headers: dict[str, str]) -> str:
    """The hostile `Link` comes back with its account id tokenized (removed from `headers`)."""
    link = headers.pop("link")
    assert link.startswith("</wiki/api/v2/spaces?cursor=abc&owner=p~")
    assert link.endswith('>; rel="next"')
    assert ACCOUNT_ID not in link and "557058" not in link
    return link


def proxy_own_success_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k.startswith("x-psoxy-")}


def test_hostile_headers_on_a_200_are_dropped_or_rewritten(
    site: Site,
) -> None:
    status, headers = returned_headers(site, 200, HOSTILE)
    assert status == 200
    rewritten_link(headers)
    own = proxy_own_success_headers(headers)
    assert set(own) == {"x-psoxy-rules-sha", "x-psoxy-psoxy-version", "x-psoxy-pii-salt-sha256"}
    assert headers == {"content-type": "application/json", **own}


def test_hostile_headers_on_a_429_are_dropped_or_rewritten(
    site: Site,
) -> None:
    status, headers = returned_headers(site, 429, HOSTILE)
    assert status == 429
    rewritten_link(headers)
    assert headers == {"content-type": "application/json", "x-psoxy-error": "API_ERROR"}


def test_well_formed_headers_pass_on_a_200(
    site: Site,
) -> None:
    status, headers = returned_headers(site, 200, WELL_FORMED)
    assert status == 200
    assert headers == {
        "content-type": "application/json;charset=UTF-8",
        **WELL_FORMED_RETURNED,
        **proxy_own_success_headers(headers),
    }


def test_rate_limit_headers_reach_the_caller_on_a_429(
    site: Site,
) -> None:
    status, headers = returned_headers(site, 429, WELL_FORMED)
    assert status == 429
    assert headers == {
        "content-type": "application/json",
        **WELL_FORMED_RETURNED,
        "x-psoxy-error": "API_ERROR",
    }


def test_a_link_header_keeps_its_urls_and_pagination_relations_only(site: Site) -> None:
    """A person's name is no identifier the recognizer knows: only what pagination needs stays."""
    link = (
        '</wiki/api/v2/spaces?cursor=abc>; rel="next alice"; title="Alice Liddell\'s spaces";'
        ' anchor="/wiki/people/alice", </wiki/api/v2/spaces?cursor=0>; rel=first;'
        " title*=UTF-8''Alice%20Liddell"
    )
    status, headers = returned_headers(site, 200, {"Link": link})
    assert status == 200
    assert headers["link"] == (
        '</wiki/api/v2/spaces?cursor=abc>; rel="next", </wiki/api/v2/spaces?cursor=0>; rel="first"'
    )
