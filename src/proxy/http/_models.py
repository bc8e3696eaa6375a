"""Platform-neutral request and response values: what every adapter translates to and from.

Small and immutable (`NamedTuple`s: cheap to define on a cold start): the raw (percent-encoded)
path and query exactly as received, headers looked up case-insensitively, the body as bytes.
Reprs mask credential headers and leave out bodies, so logging a request by mistake does not
leak a token.

>>> request = HttpRequest("GET", "/wiki/api/v2/spaces", "limit=10", Headers([("Accept", "*/*")]))
>>> request.headers.get("accept"), "ACCEPT" in request.headers
('*/*', True)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import NamedTuple

import orjson

__all__ = ["Headers", "HttpRequest", "HttpResponse"]

_SENSITIVE = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})


class Headers:
    """Ordered, case-insensitive, multi-valued, immutable header collection."""

    __slots__ = ("_items", "_lookup")

    def __init__(self, items: Iterable[tuple[str, str]] | Mapping[str, str] = ()) -> None:
        pairs = items.items() if isinstance(items, Mapping) else items
        self._items: tuple[tuple[str, str], ...] = tuple((str(k), str(v)) for k, v in pairs)
        lookup: dict[str, list[str]] = {}
        for name, value in self._items:
            lookup.setdefault(name.lower(), []).append(value)
        self._lookup = lookup

    def get(self, name: str, default: str | None = None) -> str | None:
        """The first value of this header, or `default`."""
        values = self._lookup.get(name.lower())
        return values[0] if values else default

    def get_all(self, name: str) -> list[str]:
        return list(self._lookup.get(name.lower(), ()))

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._lookup

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Headers) and other._items == self._items

    def __hash__(self) -> int:
        return hash(self._items)

    def __repr__(self) -> str:
        shown = [(k, "[masked]" if k.lower() in _SENSITIVE else v) for k, v in self._items]
        return f"Headers({shown!r})"


_NO_HEADERS = Headers()


class HttpRequest(NamedTuple):
    """One inbound request, as the platform delivered it (its repr leaves out the body)."""

    method: str
    raw_path: str  # percent-encoded, never decoded
    raw_query: str | None = None  # None: no `?` at all; "": a bare `?`
    headers: Headers = _NO_HEADERS
    body: bytes = b""
    client_ip: str | None = None
    is_https: bool | None = None  # None when the platform does not say (treated as HTTPS)

    def __repr__(self) -> str:
        return (
            f"HttpRequest(method={self.method!r}, raw_path={self.raw_path!r}, "
            f"raw_query={self.raw_query!r}, headers={self.headers!r}, "
            f"client_ip={self.client_ip!r}, is_https={self.is_https!r})"
        )


class HttpResponse(NamedTuple):
    """One response of the proxy; `body` is the exact bytes to send (its repr leaves it out)."""

    status: int
    headers: Headers = _NO_HEADERS
    body: bytes = b""

    def __repr__(self) -> str:
        return f"HttpResponse(status={self.status!r}, headers={self.headers!r})"

    @classmethod
    def json(
        cls, status: int, content: object, headers: Iterable[tuple[str, str]] = ()
    ) -> HttpResponse:
        """A response with a compact JSON body of our own making (never upstream data)."""
        return cls(
            status=status,
            headers=Headers([("Content-Type", "application/json"), *headers]),
            body=orjson.dumps(content),
        )

    def with_headers(self, extra: Iterable[tuple[str, str]]) -> HttpResponse:
        return HttpResponse(self.status, Headers([*self.headers, *extra]), self.body)
