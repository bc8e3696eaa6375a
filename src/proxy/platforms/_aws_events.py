"""AWS Lambda HTTP events ⇄ `HttpRequest`/`HttpResponse`, one translation per payload format.

Two formats reach the proxy (reference §1 and §2):

- **2.0**: Lambda function URLs (psoxy's default exposure) and HTTP APIs with payload 2.0.
  `rawPath` and `rawQueryString` as sent, lower-cased single-valued headers, `cookies` apart.
- **1.0**: API Gateway (psoxy configures its HTTP API with payload 1.0 and the route
  `ANY /<function>/{proxy+}`, because payload 2.0 decodes `%25` in paths). `path` as sent, headers
  and query also as multi-valued maps; the query arrives decoded and is re-encoded here.

The format is picked from the event's `version` through `PAYLOAD_FORMATS`; REST API events of
older integrations carry no `version` and are 1.0. The deployment's own prefix — a named stage
and the literal part of a `…/{proxy+}` route — is stripped, so the pipeline sees the API path.
The client IP comes from the request context only (`X-Forwarded-For` is the caller's to forge).

    request = payload_format(event).to_request(event)
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple
from urllib.parse import quote

from proxy.errors import RequestError
from proxy.http import Headers, HttpRequest

__all__ = ["PAYLOAD_FORMATS", "LambdaHeaders", "PayloadFormat", "payload_format"]

LambdaHeaders = tuple[dict[str, str], dict[str, list[str]]]
"""`headers` and `multiValueHeaders` of a Lambda HTTP result."""

_PROXY_PARAMETER = "{proxy+}"
_DEFAULT_STAGE = "$default"
# Query characters kept as they are when re-encoding a 1.0 query; `&`, `=`, `;`, `+`, `%`, `?`,
# `#` and spaces are escaped, so a decoded value can never add a parameter or change meaning.
_QUERY_SAFE = "-._~!$'()*,:@/"


class PayloadFormat(NamedTuple):
    """How one payload format is read, and how its result headers are written."""

    version: str
    to_request: Callable[[Mapping[str, Any]], HttpRequest]
    result_headers: Callable[[Headers], LambdaHeaders]
    warns_when_uncompressed: bool
    """The reference's 2.0 handler adds `X-Psoxy-Warning: compression-not-requested`."""


def payload_format(event: object) -> PayloadFormat:
    """The format of this event; `RequestError` for anything that is not an HTTP event."""
    if not isinstance(event, Mapping):
        raise RequestError("the Lambda event is not an HTTP event")
    version = event.get("version", "1.0")
    found = PAYLOAD_FORMATS.get(version) if isinstance(version, str) else None
    if found is None:
        raise RequestError("the Lambda event has an unsupported payload format version")
    return found


# --- reading events ---------------------------------------------------------------------------


def _v2_request(event: Mapping[str, Any]) -> HttpRequest:
    context = _mapping(event, "requestContext")
    http = _mapping(context, "http")
    pairs = list(_string_map(event, "headers").items())
    cookies = _string_list(event.get("cookies"), "cookies")
    if cookies:
        pairs.append(("cookie", "; ".join(cookies)))
    headers = Headers(pairs)
    route = _text(context, "routeKey") or _text(event, "routeKey")
    return HttpRequest(
        method=_required_text(http, "method"),
        raw_path=_api_path(_text(event, "rawPath") or "/", _text(context, "stage"), route),
        raw_query=_text(event, "rawQueryString") or None,
        headers=headers,
        body=_body(event),
        client_ip=_source_ip(_text(http, "sourceIp")),
        is_https=_is_https(headers),
    )


def _v1_request(event: Mapping[str, Any]) -> HttpRequest:
    context = _mapping(event, "requestContext")
    headers = Headers(_v1_header_pairs(event))
    method = _text(event, "httpMethod") or _required_text(context, "httpMethod")
    identity = _mapping(context, "identity", required=False)
    return HttpRequest(
        method=method,
        raw_path=_api_path(
            _text(event, "path") or "/", _text(context, "stage"), _text(event, "resource")
        ),
        raw_query=_v1_query(event),
        headers=headers,
        body=_body(event),
        client_ip=_source_ip(_text(identity, "sourceIp")),
        is_https=_is_https(headers),
    )


def _v1_header_pairs(event: Mapping[str, Any]) -> list[tuple[str, str]]:
    """`multiValueHeaders` in full, plus the `headers` it does not name (as API Gateway merges)."""
    multi = _mapping(event, "multiValueHeaders", required=False)
    pairs = [
        (str(name), value)
        for name, values in multi.items()
        for value in _string_list(values, "multiValueHeaders")
    ]
    named = {str(name).lower() for name in multi}
    single = _string_map(event, "headers")
    pairs += [(name, value) for name, value in single.items() if name.lower() not in named]
    return pairs


def _v1_query(event: Mapping[str, Any]) -> str | None:
    """The decoded query maps, percent-encoded again (the reference joins them unencoded)."""
    multi = _mapping(event, "multiValueQueryStringParameters", required=False)
    pairs: Iterable[tuple[str, str]]
    if multi:
        pairs = [
            (str(name), value)
            for name, values in multi.items()
            for value in _string_list(values, "multiValueQueryStringParameters")
        ]
    else:
        pairs = _string_map(event, "queryStringParameters").items()
    encoded = [f"{quote(k, safe=_QUERY_SAFE)}={quote(v, safe=_QUERY_SAFE)}" for k, v in pairs]
    return "&".join(encoded) or None


def _api_path(path: str, stage: str | None, route: str | None) -> str:
    """Strip `/<stage>` (named stages only) and the literal part of a `…/{proxy+}` route."""
    route_path = (route or "").rpartition(" ")[2]  # "ANY /fn/{proxy+}" → "/fn/{proxy+}"
    literal = ""
    if _PROXY_PARAMETER in route_path:
        literal = route_path[: route_path.index(_PROXY_PARAMETER)].rstrip("/")
        if "{" in literal:  # other path parameters: no fixed prefix to strip
            literal = ""
    prefixes = [literal] if literal else []
    if stage and stage != _DEFAULT_STAGE:
        prefixes.insert(0, f"/{stage}{literal}")
    path = path if path.startswith("/") else f"/{path}"
    for prefix in prefixes:
        if path == prefix:
            return "/"
        if path.startswith(prefix + "/"):
            return path[len(prefix) :]
    return path


def _body(event: Mapping[str, Any]) -> bytes:
    body = event.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        raise RequestError("the Lambda event's body is not a string")
    if event.get("isBase64Encoded") is True:
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise RequestError("the Lambda event's body is not valid base64") from exc
    return body.encode("utf-8")


def _source_ip(value: str | None) -> str | None:
    """The context's source IP; sample events write it as a `/32` block, so the suffix goes."""
    address = (value or "").partition("/")[0].strip()
    return address or None


def _is_https(headers: Headers) -> bool | None:
    proto = headers.get("x-forwarded-proto")
    return None if proto is None else proto.strip().lower() == "https"


# --- writing results --------------------------------------------------------------------------


def _v2_result_headers(headers: Headers) -> LambdaHeaders:
    """Payload 2.0 has no multi-valued headers: repeats are joined with `,`."""
    joined: dict[str, list[str]] = {}
    for name, value in headers:
        joined.setdefault(name, []).append(value)
    return {name: ",".join(values) for name, values in joined.items()}, {}


def _v1_result_headers(headers: Headers) -> LambdaHeaders:
    """Single-valued names in `headers`, repeated ones in `multiValueHeaders` (never both)."""
    grouped: dict[str, list[str]] = {}
    for name, value in headers:
        grouped.setdefault(name, []).append(value)
    single = {name: values[0] for name, values in grouped.items() if len(values) == 1}
    multi = {name: values for name, values in grouped.items() if len(values) > 1}
    return single, multi


# --- tolerant readers: an event field of the wrong type is the caller's error -------------------


def _mapping(source: Mapping[str, Any], key: str, *, required: bool = True) -> Mapping[str, Any]:
    value = source.get(key)
    if isinstance(value, Mapping):
        return value
    if value is None and not required:
        return {}
    raise RequestError(f"the Lambda event has no valid {key!r}")


def _text(source: Mapping[str, Any], key: str) -> str | None:
    value = source.get(key)
    if value is None or isinstance(value, str):
        return value
    raise RequestError(f"the Lambda event's {key!r} is not a string")


def _required_text(source: Mapping[str, Any], key: str) -> str:
    value = _text(source, key)
    if not value:
        raise RequestError(f"the Lambda event has no {key!r}")
    return value


def _string_map(source: Mapping[str, Any], key: str) -> dict[str, str]:
    """A name → value map; null values are dropped (API Gateway sends `null` maps too)."""
    values = _mapping(source, key, required=False)
    result = {str(name): value for name, value in values.items() if value is not None}
    if not all(isinstance(value, str) for value in result.values()):
        raise RequestError(f"the Lambda event's {key!r} has a value that is not a string")
    return result


def _string_list(value: object, key: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    raise RequestError(f"the Lambda event's {key!r} is not a list of strings")


PAYLOAD_FORMATS: Mapping[str, PayloadFormat] = {
    "1.0": PayloadFormat("1.0", _v1_request, _v1_result_headers, warns_when_uncompressed=False),
    "2.0": PayloadFormat("2.0", _v2_request, _v2_result_headers, warns_when_uncompressed=True),
}
