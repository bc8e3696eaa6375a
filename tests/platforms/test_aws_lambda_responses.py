"""What the handler returns: the Lambda result shape, gzip+base64, errors, one gateway build."""

from __future__ import annotations

import base64
import gzip
import json
import logging
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from platforms.aws_rig import SPACES_PATH, EventFactory, RecordingGateway

from proxy.errors import ConfigurationError
from proxy.http import Headers, HttpRequest, HttpResponse
from proxy.platforms._aws_events import PAYLOAD_FORMATS
from proxy.platforms.aws_lambda import GZIP_MIN_BYTES, lambda_result, make_handler

V1 = PAYLOAD_FORMATS["1.0"]
V2 = PAYLOAD_FORMATS["2.0"]
JSON = ("Content-Type", "application/json")


def answer(response: HttpResponse, event: dict[str, Any]) -> dict[str, Any]:
    result = make_handler(lambda: RecordingGateway(response))(event, None)
    json.dumps(result)  # Lambda serializes the result as JSON
    return result


def function_url(event: EventFactory, accept_encoding: str | None) -> dict[str, Any]:
    sample = event("lambda-function-url-v2.json", rawPath=SPACES_PATH)
    del sample["headers"]["accept-encoding"]
    if accept_encoding is not None:
        sample["headers"]["accept-encoding"] = accept_encoding
    return sample


def decoded_body(result: dict[str, Any]) -> bytes:
    if not result["isBase64Encoded"]:
        return str(result["body"]).encode("utf-8")
    raw = base64.b64decode(result["body"])
    gzipped = (result["headers"].get("Content-Encoding")) == "gzip"
    return gzip.decompress(raw) if gzipped else raw


def test_small_json_is_sent_as_text(event: EventFactory) -> None:
    response = HttpResponse(200, Headers([JSON]), b'{"ok":true}')
    assert answer(response, function_url(event, "gzip")) == {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "multiValueHeaders": {},
        "body": '{"ok":true}',
        "isBase64Encoded": False,
    }


def test_v2_warns_when_the_caller_did_not_ask_for_gzip(event: EventFactory) -> None:
    response = HttpResponse(200, Headers([JSON]), b"{}")
    result = answer(response, function_url(event, None))
    assert result["headers"] == {
        "Content-Type": "application/json",
        "X-Psoxy-Warning": "compression-not-requested",
    }


def test_v1_adds_no_compression_warning(event: EventFactory) -> None:
    response = HttpResponse(200, Headers([JSON]), b"{}")
    result = answer(response, event("api-gateway-rest-v1.json"))
    assert result["headers"] == {"Content-Type": "application/json"}


def test_large_body_is_gzipped_and_base64_encoded_when_accepted(event: EventFactory) -> None:
    body = json.dumps({"results": [{"id": str(i), "title": "t~abc"} for i in range(200)]}).encode()
    response = HttpResponse(200, Headers([JSON, ("X-Psoxy-Rules-SHA", "abc")]), body)
    result = answer(response, function_url(event, "gzip, deflate, br"))
    assert result["statusCode"] == 200
    assert result["isBase64Encoded"] is True
    assert result["headers"] == {
        "Content-Type": "application/json",
        "X-Psoxy-Rules-SHA": "abc",
        "Content-Encoding": "gzip",
    }
    assert json.loads(gzip.decompress(base64.b64decode(result["body"]))) == json.loads(body)
    assert len(result["body"]) < len(body)


@pytest.mark.parametrize(
    ("size", "compressed"), [(GZIP_MIN_BYTES - 1, False), (GZIP_MIN_BYTES, True)]
)
def test_gzip_threshold_is_the_references(event: EventFactory, size: int, compressed: bool) -> None:
    response = HttpResponse(200, Headers([JSON]), b"x" * size)
    result = answer(response, function_url(event, "gzip"))
    assert result["isBase64Encoded"] is compressed
    assert ("Content-Encoding" in result["headers"]) is compressed
    assert decoded_body(result) == b"x" * size


def test_v1_accept_encoding_in_any_multi_value_entry(event: EventFactory) -> None:
    sample = event(
        "api-gateway-rest-v1.json",
        multiValueHeaders={"Accept-Encoding": ["br", "gzip"]},
        headers={"Accept-Encoding": "gzip"},
    )
    result = answer(HttpResponse(200, Headers([JSON]), b"y" * 4096), sample)
    assert result["headers"]["Content-Encoding"] == "gzip"


def test_large_body_is_plain_when_gzip_is_not_accepted(event: EventFactory) -> None:
    result = answer(HttpResponse(200, Headers([JSON]), b"z" * 5000), function_url(event, "br"))
    assert result["isBase64Encoded"] is False
    assert result["body"] == "z" * 5000
    assert result["headers"]["X-Psoxy-Warning"] == "compression-not-requested"


def test_binary_body_is_base64_without_gzip(event: EventFactory) -> None:
    result = answer(HttpResponse(200, Headers(), b"\xff\x00\xfe"), function_url(event, None))
    assert result["isBase64Encoded"] is True
    assert result["body"] == base64.b64encode(b"\xff\x00\xfe").decode()
    assert "Content-Encoding" not in result["headers"]


def test_repeated_headers_per_payload_format() -> None:
    response = HttpResponse(
        429,
        Headers([("Retry-After", "7"), ("X-Psoxy-Warning", "a"), ("X-Psoxy-Warning", "b")]),
    )
    v1 = lambda_result(V1, response, accepts_gzip=True)
    assert v1["headers"] == {"Retry-After": "7"}
    assert v1["multiValueHeaders"] == {"X-Psoxy-Warning": ["a", "b"]}
    v2 = lambda_result(V2, response, accepts_gzip=True)
    assert v2["headers"] == {"Retry-After": "7", "X-Psoxy-Warning": "a,b"}
    assert v2["multiValueHeaders"] == {}
    assert v1["body"] == v2["body"] == ""
    assert v1["statusCode"] == v2["statusCode"] == 429


def test_already_encoded_body_is_not_gzipped_twice() -> None:
    response = HttpResponse(200, Headers([("Content-Encoding", "br")]), b"b" * 4096)
    result = lambda_result(V2, response, accepts_gzip=True)
    assert result["headers"] == {"Content-Encoding": "br"}
    assert result["body"] == "b" * 4096


@given(body=st.binary(max_size=6000), accepts_gzip=st.booleans(), v1=st.booleans())
def test_any_body_decodes_back_to_the_same_bytes(body: bytes, accepts_gzip: bool, v1: bool) -> None:
    result = lambda_result(
        V1 if v1 else V2, HttpResponse(200, Headers(), body), accepts_gzip=accepts_gzip
    )
    assert decoded_body(result) == body


class Exploding:
    def handle(self, request: HttpRequest) -> HttpResponse:
        detail = request.headers.get("x-secret-detail")
        raise RuntimeError(f"boom with {detail}")


def test_unhandled_error_is_a_500_without_traceback_in_the_body(
    event: EventFactory, caplog: pytest.LogCaptureFixture
) -> None:
    handler = make_handler(Exploding)
    sample = function_url(event, "gzip")
    sample["headers"]["x-secret-detail"] = "s3cr3t"
    with caplog.at_level(logging.ERROR, logger="proxy.platforms.aws_lambda"):
        result = handler(sample, None)
    assert result == {
        "statusCode": 500,
        "headers": {"X-Psoxy-Error": "UNKNOWN", "Content-Type": "text/plain; charset=utf-8"},
        "multiValueHeaders": {},
        "body": "unexpected error; see the logs",
        "isBase64Encoded": False,
    }
    (record,) = caplog.records
    assert record.getMessage().startswith(
        "unexpected error in the Lambda handler: RuntimeError (message withheld)\n"
    )
    assert 'raise RuntimeError(f"boom with {detail}")' in record.getMessage()  # the stack
    assert "s3cr3t" not in caplog.text


@pytest.mark.parametrize(
    "bad_event",
    [
        [],
        "GET /",
        {"version": "3.0", "requestContext": {}},
        {"Records": [{"eventSource": "aws:sqs"}]},
        {"version": "2.0", "rawPath": "/", "requestContext": {}},
        {"version": "2.0", "requestContext": {"http": {"method": "GET"}}, "headers": {"a": 1}},
        {
            "version": "2.0",
            "requestContext": {"http": {"method": "GET"}},
            "body": "%%%",
            "isBase64Encoded": True,
        },
        {"version": "1.0", "httpMethod": "GET", "requestContext": {}, "path": 7},
        {
            "version": "1.0",
            "httpMethod": "GET",
            "requestContext": {},
            "multiValueHeaders": {"a": "not-a-list"},
        },
    ],
)
def test_events_that_are_not_http_requests_are_400(bad_event: object) -> None:
    gateway = RecordingGateway()
    result = make_handler(lambda: gateway)(bad_event, None)
    assert result["statusCode"] == 400
    assert result["headers"]["X-Psoxy-Error"] == "INVALID_REQUEST"
    assert result["isBase64Encoded"] is False
    assert gateway.requests == []


def test_gateway_is_built_once_per_instance(event: EventFactory) -> None:
    builds: list[RecordingGateway] = []

    def build() -> RecordingGateway:
        builds.append(RecordingGateway())
        return builds[-1]

    handler = make_handler(build)
    for _ in range(3):
        assert handler(function_url(event, None), None)["statusCode"] == 200
    assert len(builds) == 1
    assert len(builds[0].requests) == 3


def test_failed_build_is_answered_and_retried_next_time(event: EventFactory) -> None:
    attempts: list[int] = []

    def build() -> RecordingGateway:
        attempts.append(1)
        if len(attempts) == 1:
            raise ConfigurationError("SECRETS_STORE=LOCAL_FILE needs LOCAL_SECRETS_FILE")
        return RecordingGateway()

    handler = make_handler(build)
    first = handler(function_url(event, None), None)
    assert first["statusCode"] == 500
    assert first["headers"]["X-Psoxy-Error"] == "CONFIGURATION_FAILURE"
    assert first["body"] == "SECRETS_STORE=LOCAL_FILE needs LOCAL_SECRETS_FILE"
    assert handler(function_url(event, None), None)["statusCode"] == 200
    assert len(attempts) == 2
