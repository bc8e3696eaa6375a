"""Over real HTTP: a `Set-Cookie` from one upstream response never comes back on a later call.

The proxy's one pooled client serves every caller; a cookie it kept would be sent on other
callers' requests, and to the token endpoint with the refresh token.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from proxy.simulator.routes import SimRequest, SimResponse
from support.local_proxy import Site

SPACES = "/ex/confluence/{cloud}/wiki/api/v2/spaces?limit=10"


def test_a_cookie_set_upstream_is_never_sent_again(
    site: Site,
) -> None:
    simulator, credentials, proxy = site
    seen: list[tuple[str, str | None]] = []  # (what was called, its Cookie header)
    spaces_answers = iter([200, 401, 200])

    def spaces(request: SimRequest) -> SimResponse:
        seen.append(("spaces", request.header("cookie")))
        status = next(spaces_answers)
        headers: Mapping[str, str] = {"Set-Cookie": "atl.session=abc; Path=/; HttpOnly"}
        return SimResponse.json(status, {"results": [], "_links": {}}, headers)

    token_route, _ = simulator.routes.resolve("POST", "/oauth/token") or (None, None)
    assert token_route is not None

    def token(request: SimRequest) -> tuple[int, Mapping[str, str], bytes]:
        seen.append(("token", request.header("cookie")))
        return token_route.handler(request)

    simulator.routes.add("GET", r".*/api/v2/spaces", spaces, first=True)
    simulator.routes.add("POST", r"/oauth/token", token, first=True)
    url = proxy.base_url + SPACES.replace("{cloud}", credentials.cloud_id)

    assert httpx.get(url).status_code == 200  # token call, then a 200 that sets a cookie
    assert httpx.get(url).status_code == 200  # a 401, a forced token refresh, the retry

    assert seen == [
        ("token", None),
        ("spaces", None),
        ("spaces", None),
        ("token", None),
        ("spaces", None),
    ]
