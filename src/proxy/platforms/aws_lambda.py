"""AWS Lambda entry point: `proxy.platforms.aws_lambda.handler`, for every HTTP payload format.

One handler sniffs the event (`_aws_events.payload_format`), hands the neutral request to the
gateway and returns the result Lambda expects: `{statusCode, headers, multiValueHeaders, body,
isBase64Encoded}`. As the reference does (§3.16), a body of 2048 bytes or more is gzipped and
base64-encoded when the caller accepts gzip: Lambda caps buffered responses at 6 MB. A result
that would still exceed that limit becomes a deliberate `502 RESPONSE_TOO_LARGE` (Lambda would
otherwise answer a bare 502). The request's deadline is the time Lambda has left, less
`PLATFORM_MARGIN_SECONDS`, so a slow request ends in our own 504 while the function may still
release its lock and save a rotated token.

Cold start: importing this module loads only the neutral models; the settings, the gateway, its
httpx client and the store adapter (boto3 for SSM) are built on the first invocation, once per
instance, with the garbage collector held off until it has answered (`_startup_gc`). A build
that fails (a configuration error) is answered with its error and retried on the next
invocation. Failures are answered by the entry both platforms share (`_entry.respond`): anything
unexpected becomes a 500 with `X-Psoxy-Error: UNKNOWN`, its type and stack logged (not its
message, which may quote data), never put into the response.

Every record logged while an invocation runs carries its `aws_request_id` (from the context
Lambda passes), so the JSON logs of one request can be found together.

    handler(event, context)   # Terraform: handler = "proxy.platforms.aws_lambda.handler"
"""

from __future__ import annotations

import base64
import json
import logging
import os
from collections.abc import Callable
from typing import Any

from proxy import http
from proxy.deadline import PLATFORM_MARGIN_SECONDS, UNBOUNDED, Deadline, deadline_scope
from proxy.http import (
    GZIP_MIN_BYTES,
    LAMBDA_RESPONSE_LIMIT,
    Headers,
    HttpRequest,
    HttpResponse,
    error_response,
    response_too_large,
)
from proxy.lazy import Lazy
from proxy.log_events import error_event
from proxy.log_events import event as log_event
from proxy.platforms._aws_events import PAYLOAD_FORMATS, PayloadFormat, payload_format
from proxy.platforms._entry import RequestHandler, gateway_from_environment, respond
from proxy.platforms._log_context import request_log_context
from proxy.platforms._startup_gc import FirstInvocationGc

__all__ = [
    "GZIP_MIN_BYTES",
    "LambdaHandler",
    "handler",
    "lambda_result",
    "make_handler",
    "platform_deadline",
    "result_bytes",
    "within_response_limit",
]

log = logging.getLogger(__name__)

_UNCOMPRESSED_WARNING = ("X-Psoxy-Warning", "compression-not-requested")
_HEADROOM_BYTES = 64 * 1024  # status, headers and JSON punctuation around the body

LambdaHandler = Callable[[Any, Any], dict[str, Any]]


def make_handler(build_gateway: Callable[[], RequestHandler]) -> LambdaHandler:
    """A Lambda handler over the gateway `build_gateway` makes, on its first invocation."""
    gateway = Lazy(build_gateway).get
    startup = FirstInvocationGc()  # the first invocation imports and builds: no collections

    def handler(event: Any, context: Any) -> dict[str, Any]:
        with startup, request_log_context(_request_ids(context)):
            return _handle(event, context)

    def _handle(event: Any, context: Any) -> dict[str, Any]:
        shape = PAYLOAD_FORMATS["1.0"]  # for events we cannot read: single-valued headers

        def read_request() -> HttpRequest:
            nonlocal shape
            shape = payload_format(event)
            return shape.to_request(event)

        with deadline_scope(platform_deadline(context)):
            request, response = respond(gateway, read_request, log=log, where="the Lambda handler")
        gzip_ok = request is not None and http.accepts_gzip(request.headers)
        return within_response_limit(shape, response, accepts_gzip=gzip_ok)

    return handler


def platform_deadline(context: Any) -> Deadline:
    """The time this invocation has left (Lambda context), less the wrap-up margin.

    With less than twice the margin left (a timeout below 10 s), half the time is kept instead.
    """
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if remaining is None:
        return UNBOUNDED
    seconds = remaining() / 1000
    return Deadline.after(max(seconds - PLATFORM_MARGIN_SECONDS, seconds / 2))


def within_response_limit(
    shape: PayloadFormat, response: HttpResponse, *, accepts_gzip: bool
) -> dict[str, Any]:
    """`lambda_result`, or a `502 RESPONSE_TOO_LARGE` result when Lambda could not post it."""
    result = lambda_result(shape, response, accepts_gzip=accepts_gzip)
    size = result_bytes(result)
    if size is None:
        return result
    too_large = response_too_large(size, LAMBDA_RESPONSE_LIMIT, gzip_possible=not accepts_gzip)
    log.warning(
        "response not sent: %s: %s",
        too_large.code,
        too_large.message,
        extra=log_event(error_event(too_large), error_code=too_large.code),
    )
    return lambda_result(shape, error_response(too_large), accepts_gzip=False)


def result_bytes(result: dict[str, Any]) -> int | None:
    """The size of the result JSON as the Python runtime posts it, when over the limit; else None.

    The runtime serializes with `json.dumps(..., ensure_ascii=False)` and sends UTF-8; a body
    character takes at most 6 bytes there, so small bodies are not serialized to be measured.
    """
    limit = LAMBDA_RESPONSE_LIMIT.max_bytes
    body = str(result["body"])
    if len(body) * 6 + _HEADROOM_BYTES < limit:
        return None
    size = len(json.dumps(result, ensure_ascii=False).encode("utf-8"))
    return size if size > limit else None


def lambda_result(
    shape: PayloadFormat, response: HttpResponse, *, accepts_gzip: bool
) -> dict[str, Any]:
    """The Lambda HTTP result of `response`, gzipped when the caller accepts it and it pays off."""
    compressed = http.gzipped(response) if accepts_gzip else None
    encoded = compressed is not None
    response = compressed or response
    headers = response.headers
    body = response.body
    if not accepts_gzip and shape.warns_when_uncompressed:
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


def _utf8_or_none(body: bytes) -> str | None:
    """The body as text; None for bytes that are not UTF-8 (then sent base64-encoded)."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _request_ids(context: Any) -> dict[str, object]:
    """`aws_request_id` of the invocation, when Lambda gave one (a string, kept short)."""
    request_id = getattr(context, "aws_request_id", None)
    if isinstance(request_id, str) and 0 < len(request_id) <= 64:
        return {"aws_request_id": request_id}
    return {}


handler = make_handler(lambda: gateway_from_environment(os.environ))
