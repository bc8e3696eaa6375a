"""`cookieless_client`: the only way the proxy and its tools make an `httpx.Client`.

httpx keeps every `Set-Cookie` it receives in the client's jar and sends it on later requests
to the same site. The proxy shares one client between all callers and the token endpoint, so
a cookie from one upstream response would travel with other callers' requests and with the
refresh token. The jar here has a policy that refuses every cookie, both when storing and when
sending, so nothing is ever kept; and it does not even parse a response's `Set-Cookie` headers
(httpx hands it every response: a tenth of the client's time per upstream call went there).

    client = cookieless_client(timeout=30.0)
"""

from __future__ import annotations

from http.cookiejar import Cookie, CookieJar, CookiePolicy
from typing import Any
from urllib.request import Request

import httpx

__all__ = ["RefuseAllCookies", "cookieless_client"]


class RefuseAllCookies(CookiePolicy):
    """A `http.cookiejar` policy under which a jar never stores or returns a cookie."""

    netscape = True
    rfc2965 = False
    hide_cookie2 = False

    def set_ok(self, cookie: Cookie, request: Request) -> bool:
        return False

    def return_ok(self, cookie: Cookie, request: Request) -> bool:
        return False

    def domain_return_ok(self, domain: str, request: Request) -> bool:
        return False

    def path_return_ok(self, path: str, request: Request) -> bool:
        return False


class _RefusingJar(CookieJar):
    """A jar under `RefuseAllCookies` that skips parsing the cookies it would refuse anyway."""

    def extract_cookies(self, response: object, request: Request) -> None:
        return None


def cookieless_client(**options: Any) -> httpx.Client:
    """An `httpx.Client` with these options whose cookie jar never keeps anything."""
    return httpx.Client(cookies=_RefusingJar(policy=RefuseAllCookies()), **options)
