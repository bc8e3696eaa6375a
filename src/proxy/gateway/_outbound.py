"""The request the proxy sends upstream, and decrypting `p~` tokens in a forwarded body.

Reference behaviour (§3.11): a JSON body has the reversible pseudonyms in every string value
decrypted; a form body has them decrypted in every value; other body types are refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlencode

import orjson

from proxy.errors import RequestError

__all__ = ["OutboundRequest", "reverse_tokens_in_body"]


class OutboundRequest(NamedTuple):
    """What goes upstream; its repr leaves out the body."""

    method: str
    raw_path: str
    raw_query: str | None = None
    headers: tuple[tuple[str, str], ...] | list[tuple[str, str]] = ()
    body: bytes = b""

    def __repr__(self) -> str:
        return (
            f"OutboundRequest(method={self.method!r}, raw_path={self.raw_path!r}, "
            f"raw_query={self.raw_query!r}, headers={self.headers!r})"
        )

    def with_headers(self, extra: Iterable[tuple[str, str]]) -> OutboundRequest:
        return OutboundRequest(
            self.method, self.raw_path, self.raw_query, [*self.headers, *extra], self.body
        )


def reverse_tokens_in_body(
    body: bytes, content_type: str | None, reverse: Callable[[str], str]
) -> bytes:
    media_type = (content_type or "application/json").split(";")[0].strip().lower()
    if media_type == "application/json" or media_type.endswith("+json"):
        try:
            document = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise RequestError("request body is not valid JSON") from exc
        return orjson.dumps(_reverse_strings(document, reverse))
    if media_type == "application/x-www-form-urlencoded":
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
        except (UnicodeDecodeError, ValueError) as exc:
            raise RequestError("request body is not a valid form") from exc
        return urlencode([(k, reverse(v)) for k, v in pairs]).encode("ascii")
    raise RequestError(f"request bodies of type {media_type!r} are not supported")


def _reverse_strings(value: Any, reverse: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return reverse(value)
    if isinstance(value, list):
        return [_reverse_strings(v, reverse) for v in value]
    if isinstance(value, dict):
        return {k: _reverse_strings(v, reverse) for k, v in value.items()}
    return value
