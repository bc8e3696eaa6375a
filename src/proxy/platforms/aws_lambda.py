"""AWS Lambda entry point: `proxy.platforms.aws_lambda.handler`, for every HTTP payload format.

One handler sniffs the event (`aws_events.payload_format`), hands the neutral request to the
gateway and returns the result Lambda expects: `{statusCode, headers, multiValueHeaders, body,
isBase64Encoded}`. As the reference does (§3.16), a body of 2048 bytes or more is gzipped and
base64-encoded when the caller accepts gzip: Lambda caps buffered responses at 6 MB.

Cold start: importing this module loads only the neutral models; the settings, the gateway, its
httpx client and the store adapter (boto3 for SSM) are built on the first invocation, once per
instance, with the garbage collector held off until it has answered (`startup_gc`). A build
that fails (a configuration error) is answered with its error and retried on the next
invocation. Anything unexpected becomes a 500 with `X-Psoxy-Error: UNKNOWN`: the
exception type and stack go to the log (not its message, which may quote data), never into the
response.

    handler(event, context)   # Terraform: handler = "proxy.platforms.aws_lambda.handler"
"""

from __future__ import annotations

import base64
import gzip
import logging
import os
from collections.abc import Callable
from typing import Any, Protocol

from proxy.errors import ProxyError
from proxy.gateway.models import Headers, HttpRequest, HttpResponse
from proxy.gateway.responses import error_response
from proxy.lazy import Lazy
from proxy.platforms.aws_events import PAYLOAD_FORMATS, PayloadFormat, payload_format
from proxy.platforms.startup_gc import FirstInvocationGc
from proxy.safe_logging import log_unexpected

__all__ = [
    "GZIP_MIN_BYTES",
    "LambdaHandler",
    "RequestHandler",
    "handler",
    "lambda_result",
    "make_handler",
]

log = logging.getLogger(__name__)

GZIP_MIN_BYTES = 2048
"""The reference's threshold (it counts characters; our bodies are bytes)."""
_GZIP_LEVEL = 6  # zlib's default, as Java's GZIPOutputStream
_UNCOMPRESSED_WARNING = ("X-Psoxy-Warning", "compression-not-requested")

LambdaHandler = Callable[[Any, Any], dict[str, Any]]


class RequestHandler(Protocol):
    """What the handler needs of the gateway (`proxy.gateway.pipeline.Gateway`)."""

    def handle(self, request: HttpRequest) -> HttpResponse: ...


def make_handler(build_gateway: Callable[[], RequestHandler]) -> LambdaHandler:
    """A Lambda handler over the gateway `build_gateway` makes, on its first invocation."""
    gateway = Lazy(build_gateway).get
    startup = FirstInvocationGc()  # the first invocation imports and builds: no collections

    def handler(event: Any, context: Any) -> dict[str, Any]:
        with startup:
            return invoke(event)

    def invoke(event: Any) -> dict[str, Any]:
        shape = PAYLOAD_FORMATS["1.0"]  # for events we cannot read: single-valued headers
        accepts_gzip = False
        try:
            shape = payload_format(event)
            request = shape.to_request(event)
            accepts_gzip = _accepts_gzip(request.headers)
            response = gateway().handle(request)
        except ProxyError as error:  # an unreadable event, or the gateway could not be built
            level = logging.ERROR if error.status >= 500 else logging.WARNING
            log.log(level, "request not handled: %s: %s", error.code, error.message)
            response = error_response(error)
        except Exception as exc:  # a bug: the stack to the log, nothing of it to the caller
            log_unexpected(
                log, "unexpected error in the Lambda handler", exc, development_mode=False
            )
            response = error_response(ProxyError("unexpected error; see the logs"))
        return lambda_result(shape, response, accepts_gzip=accepts_gzip)

    return handler


def lambda_result(
    shape: PayloadFormat, response: HttpResponse, *, accepts_gzip: bool
) -> dict[str, Any]:
    """The Lambda HTTP result of `response`, gzipped when the caller accepts it and it pays off."""
    headers = response.headers
    body = response.body
    encoded = False
    if accepts_gzip and len(body) >= GZIP_MIN_BYTES and "content-encoding" not in headers:
        body = gzip.compress(body, compresslevel=_GZIP_LEVEL, mtime=0)
        headers = Headers([*headers, ("Content-Encoding", "gzip")])
        encoded = True
    elif not accepts_gzip and shape.warns_when_uncompressed:
        headers = Headers([*headers, _UNCOMPRESSED_WARNING])
    text = None if encoded else _utf8_or_none(body)
    single, multi = shape.result_headers(headers)
    return {
        "statusCode": response.status,
        "headers": single,
        "multiValueHeaders": multi,
        "body": base64.b64encode(body).decode("ascii") if text is None else text,
        "isBase64Encoded": text is None,
    }


def _accepts_gzip(headers: Headers) -> bool:
    return any("gzip" in value.lower() for value in headers.get_all("accept-encoding"))


def _utf8_or_none(body: bytes) -> str | None:
    """The body as text; None for bytes that are not UTF-8 (then sent base64-encoded)."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _gateway_from_environment() -> RequestHandler:
    """Settings from the environment, logging, and the gateway: the heavy imports live here."""
    from proxy.config.settings import Settings
    from proxy.platforms.composition import build_gateway
    from proxy.platforms.logs import configure_logging

    settings = Settings.from_env(os.environ)
    configure_logging(development_mode=settings.is_development_mode)
    return build_gateway(settings)


handler = make_handler(_gateway_from_environment)
