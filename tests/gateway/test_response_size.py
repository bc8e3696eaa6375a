"""The response-size policy: the upstream cap derived from memory, and the platform limits
measured on what the Lambda and GCP adapters are about to hand over."""

from __future__ import annotations

import base64
import gzip
import json
import random
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from proxy.config import Settings
from proxy.http import Headers, HttpResponse
from proxy.http._response_size import (
    GCP_RESPONSE_LIMIT,
    LAMBDA_RESPONSE_LIMIT,
    MIB,
    MIN_UPSTREAM_CAP_BYTES,
    PEAK_BYTES_PER_UPSTREAM_BYTE,
    RESERVED_MB,
    upstream_cap_bytes,
    upstream_too_large,
)
from proxy.platforms._aws_events import PAYLOAD_FORMATS
from proxy.platforms._gcp import for_caller
from proxy.platforms.aws_lambda import result_bytes, within_response_limit

V2 = PAYLOAD_FORMATS["2.0"]
JSON = Headers([("Content-Type", "application/json")])


def test_the_cap_of_the_default_lambda_is_48_mib() -> None:
    assert upstream_cap_bytes(512) == 48 * MIB
    assert upstream_cap_bytes(512, concurrent_requests=4) == 12 * MIB
    assert upstream_cap_bytes(RESERVED_MB) == MIN_UPSTREAM_CAP_BYTES


@given(
    memory=st.integers(min_value=128, max_value=32768),
    more=st.integers(min_value=0, max_value=8192),
    concurrency=st.integers(min_value=1, max_value=80),
)
def test_the_cap_keeps_every_concurrent_peak_within_memory(
    memory: int, more: int, concurrency: int
) -> None:
    cap = upstream_cap_bytes(memory, concurrency)
    if cap > MIN_UPSTREAM_CAP_BYTES:
        peaks = cap * PEAK_BYTES_PER_UPSTREAM_BYTE * concurrency
        assert peaks + RESERVED_MB * MIB <= memory * MIB
    assert upstream_cap_bytes(memory + more, concurrency) >= cap
    assert upstream_cap_bytes(memory, concurrency + 1) <= cap


@pytest.mark.parametrize(
    ("environment", "memory", "concurrency"),
    [
        ({}, 512, 1),
        ({"AWS_LAMBDA_FUNCTION_NAME": "f", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024"}, 1024, 1),
        ({"AWS_LAMBDA_FUNCTION_NAME": "f", "THREADS": "8"}, 512, 1),
        ({"K_SERVICE": "f", "FUNCTION_MEMORY_MB": "2048", "THREADS": "5"}, 2048, 5),
    ],
)
def test_settings_read_memory_and_concurrency_from_the_platform(
    environment: dict[str, str], memory: int, concurrency: int
) -> None:
    settings = Settings.from_env(environment)
    assert (settings.memory_mb, settings.concurrent_requests) == (memory, concurrency)


def _text_response(size: int) -> HttpResponse:
    # Quotes are escaped in the result JSON: the encoded result is larger than the body.
    return HttpResponse(200, JSON, b'"' * size)


def test_the_caller_reads_the_cap_in_whole_mib() -> None:
    assert upstream_too_large(upstream_cap_bytes(512)).message.startswith(
        "the source API response is larger than the 48 MiB this function's memory allows; "
    )
    assert upstream_too_large(upstream_cap_bytes(300, concurrent_requests=7)).message.startswith(
        "the source API response is larger than the 3 MiB this function's memory allows; "
    )


def test_a_lambda_result_over_6_mb_becomes_a_502_that_says_what_to_do() -> None:
    response = _text_response(LAMBDA_RESPONSE_LIMIT.max_bytes // 2 + 1)

    result = within_response_limit(V2, response, accepts_gzip=False)

    assert result["statusCode"] == 502
    assert result["headers"]["X-Psoxy-Error"] == "RESPONSE_TOO_LARGE"
    assert re.fullmatch(
        r"the sanitized response \(\d+ bytes as sent\) exceeds the Lambda response limit "
        r"\(6 MB of result JSON, also behind API Gateway\); request fewer items per page: "
        r"lower the `limit` query parameter or accept gzip \(`Accept-Encoding: gzip`\)",
        result["body"],
    )


def test_a_lambda_result_within_the_limit_is_posted_as_is() -> None:
    response = _text_response(LAMBDA_RESPONSE_LIMIT.max_bytes // 2 - 1024)

    result = within_response_limit(V2, response, accepts_gzip=False)

    assert result["statusCode"] == 200
    posted = json.dumps(result, ensure_ascii=False).encode("utf-8")
    assert len(posted) <= LAMBDA_RESPONSE_LIMIT.max_bytes
    assert result_bytes(result) is None


def test_a_gzipped_lambda_result_is_measured_after_base64() -> None:
    body = random.Random(7).randbytes(5 * MIB)  # incompressible: 5 MiB is 6.7 MiB in base64
    response = HttpResponse(200, JSON, body)

    result = within_response_limit(V2, response, accepts_gzip=True)

    assert result["statusCode"] == 502
    assert "Accept-Encoding" not in result["body"]  # the caller already accepts gzip
    assert result["body"].endswith(
        "; request fewer items per page: lower the `limit` query parameter"
    )
    small = within_response_limit(V2, HttpResponse(200, JSON, b"{}" * MIB), accepts_gzip=True)
    assert small["statusCode"] == 200
    assert gzip.decompress(base64.b64decode(small["body"])) == b"{}" * MIB


def test_gcp_gzips_when_the_caller_accepts_it() -> None:
    response = HttpResponse(200, JSON, b"[" + b"1," * 5000 + b"1]")

    gzipped = for_caller(response, Headers([("Accept-Encoding", "gzip, br")]))
    plain = for_caller(response, Headers())

    assert gzipped.headers.get("Content-Encoding") == "gzip"
    assert gzip.decompress(gzipped.body) == response.body
    # the same bytes for the same page, as Java's GZIPOutputStream writes them: no timestamp
    assert gzipped.body == gzip.compress(response.body, compresslevel=6, mtime=0)
    assert plain == response


def test_a_gcp_body_over_32_mb_uncompressed_becomes_a_502() -> None:
    response = HttpResponse(200, JSON, b" " * (GCP_RESPONSE_LIMIT.max_bytes + 1))

    refused = for_caller(response, Headers([("Accept-Encoding", "gzip")]))

    assert (refused.status, refused.headers.get("X-Psoxy-Error")) == (502, "RESPONSE_TOO_LARGE")
    assert (
        refused.body
        == (
            f"the sanitized response ({GCP_RESPONSE_LIMIT.max_bytes + 1} bytes as sent) exceeds "
            "the Cloud Run functions response limit (32 MB uncompressed); request fewer items per "
            "page: lower the `limit` query parameter"
        ).encode()
    )
