"""Every event shape reaches the pipeline as the request the caller sent (recording gateway)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from platforms.aws_rig import SEARCH_PATH, SPACES_PATH, EventFactory, RecordingGateway

from proxy.http import HttpRequest
from proxy.platforms.aws_lambda import make_handler


def received(event: dict[str, Any]) -> HttpRequest:
    gateway = RecordingGateway()
    result = make_handler(lambda: gateway)(event, None)
    assert result["statusCode"] == 200, result
    (request,) = gateway.requests
    return request


def test_function_url_event(event: EventFactory) -> None:
    request = received(
        event(
            "lambda-function-url-v2.json",
            rawPath=SPACES_PATH,
            rawQueryString="limit=100&cursor=eyJpZCI6MX0%3D",
        )
    )
    assert request.method == "GET"
    assert request.raw_path == SPACES_PATH
    assert request.raw_query == "limit=100&cursor=eyJpZCI6MX0%3D"
    assert request.headers.get("Accept-Encoding") == "gzip, deflate, br"
    assert request.headers.get_all("header2") == ["value1,value2"]  # kept whole, not split
    assert len(request.headers) == 22
    assert request.client_ip == "123.123.123.123"
    assert request.is_https is True
    assert request.body == b""


def test_function_url_without_query_has_no_query(event: EventFactory) -> None:
    request = received(event("lambda-function-url-v2.json", rawPath=SPACES_PATH))
    assert request.raw_query is None


def test_http_api_v2_event_with_cookies_and_text_body(event: EventFactory) -> None:
    request = received(
        event("api-gateway-http-v2-iam.json", rawPath=SPACES_PATH, rawQueryString="limit=10")
    )
    assert request.method == "GET"
    assert request.raw_path == SPACES_PATH
    assert request.raw_query == "limit=10"
    assert list(request.headers) == [
        ("Header1", "value1"),
        ("Header2", "value2"),
        ("cookie", "cookie1; cookie2"),
    ]
    assert request.client_ip == "192.168.0.1"  # the sample's "192.168.0.1/32"
    assert request.is_https is None  # no X-Forwarded-Proto: the platform does not say
    assert request.body == b'{\r\n\t"a": 1\r\n}'


@pytest.mark.parametrize(
    ("route_key", "stage", "raw_path"),
    [
        ("ANY /confluence-cloud/{proxy+}", "prod", f"/prod/confluence-cloud{SPACES_PATH}"),
        ("ANY /confluence-cloud/{proxy+}", "$default", f"/confluence-cloud{SPACES_PATH}"),
        ("$default", "prod", f"/prod{SPACES_PATH}"),
        ("ANY /{proxy+}", "$default", SPACES_PATH),
    ],
)
def test_http_api_v2_stage_and_route_prefix_are_stripped(
    event: EventFactory, route_key: str, stage: str, raw_path: str
) -> None:
    sample = event("api-gateway-http-v2-iam.json", rawPath=raw_path, routeKey=route_key)
    sample["requestContext"].update(routeKey=route_key, stage=stage)
    assert received(sample).raw_path == SPACES_PATH


def test_rest_v1_event_multi_value_headers_and_query(event: EventFactory) -> None:
    request = received(
        event(
            "api-gateway-rest-v1.json",
            path=SPACES_PATH,
            resource="/{proxy+}",
            multiValueQueryStringParameters={"limit": ["10"], "status": ["current", "archived"]},
        )
    )
    assert request.method == "GET"
    assert request.raw_path == SPACES_PATH
    assert request.raw_query == "limit=10&status=current&status=archived"
    assert list(request.headers) == [
        ("header1", "value1"),
        ("header2", "value1"),
        ("header2", "value2"),
        ("Origin", "https://aws.amazon.com"),
    ]
    assert request.client_ip == "192.168.0.1"
    assert request.is_https is None
    assert request.body == b"Hello from Lambda!"


def test_v1_single_value_query_when_no_multi_value_map(event: EventFactory) -> None:
    request = received(
        event(
            "api-gateway-rest-v1.json",
            multiValueQueryStringParameters=None,
            queryStringParameters={"limit": "25", "next": "a&b=c"},
        )
    )
    assert request.raw_query == "limit=25&next=a%26b%3Dc"  # a decoded `&` cannot add a parameter


def test_v1_query_from_both_maps_has_no_duplicates(event: EventFactory) -> None:
    """API Gateway 1.0 sends each parameter in both maps (the single map holds the last value);
    the reference before 0.6.7 joined both, forwarding `limit=25&limit=25&...`."""
    request = received(
        event(
            "api-gateway-rest-v1.json",
            path=SPACES_PATH,
            resource="/{proxy+}",
            queryStringParameters={"limit": "25", "status": "archived"},
            multiValueQueryStringParameters={"limit": ["25"], "status": ["current", "archived"]},
        )
    )
    assert request.raw_query == "limit=25&status=current&status=archived"


def test_v1_event_without_query_has_no_query(event: EventFactory) -> None:
    request = received(
        event(
            "api-gateway-rest-v1.json",
            multiValueQueryStringParameters=None,
            queryStringParameters=None,
        )
    )
    assert request.raw_query is None


def test_v1_http_api_event_with_stage_and_proxy_prefix(event: EventFactory) -> None:
    request = received(event("api-gateway-http-v1-stage-proxy.json"))
    assert request.method == "GET"
    assert request.raw_path == SEARCH_PATH
    assert request.raw_query == (
        "cql=lastmodified%3E%3D2025-08-01%20AND%20lastmodified%3C%3D2025-09-29%20AND%20"
        "space%3D%22~608a9b555426330072f9867d%22&limit=10"
    )
    assert request.headers.get_all("x-trace-tag") == ["first", "second"]
    assert request.headers.get("accept-encoding") == "gzip, deflate"
    assert len(request.headers) == 12
    # the context's source IP, not the caller-controlled first X-Forwarded-For hop
    assert request.client_ip == "198.51.100.7"
    assert request.is_https is True


@pytest.mark.parametrize(
    ("stage", "path"),
    [
        ("prod", f"/confluence-cloud{SEARCH_PATH}"),  # REST APIs leave the stage out of `path`
        ("$default", f"/confluence-cloud{SEARCH_PATH}"),
        ("prod", f"/prod/confluence-cloud{SEARCH_PATH}"),
        ("prod", "/prod/confluence-cloud"),
    ],
)
def test_v1_prefix_stripping_variants(event: EventFactory, stage: str, path: str) -> None:
    sample = event("api-gateway-http-v1-stage-proxy.json", path=path)
    sample["requestContext"]["stage"] = stage
    expected = SEARCH_PATH if path.endswith("/search") else "/"
    assert received(sample).raw_path == expected


def test_v1_event_without_version_field_is_read_as_1_0(event: EventFactory) -> None:
    sample = event("api-gateway-rest-v1.json", path=SPACES_PATH)
    del sample["version"]
    assert received(sample).raw_path == SPACES_PATH


def test_v1_prefix_with_other_path_parameters_is_left_alone(event: EventFactory) -> None:
    sample = event(
        "api-gateway-rest-v1.json", path=f"/a/b{SPACES_PATH}", resource="/a/{x}/{proxy+}"
    )
    assert received(sample).raw_path == f"/a/b{SPACES_PATH}"


@pytest.mark.parametrize(
    ("sample", "overrides"),
    [
        ("lambda-function-url-v2.json", {"rawPath": SPACES_PATH}),
        ("api-gateway-rest-v1.json", {"path": SPACES_PATH}),
    ],
)
def test_base64_bodies_are_decoded(
    event: EventFactory, sample: str, overrides: dict[str, Any]
) -> None:
    payload = b'{"cql": "space = \\"~abc\\""}\x00\xff'
    request = received(
        event(
            sample,
            body=base64.b64encode(payload).decode("ascii"),
            isBase64Encoded=True,
            **overrides,
        )
    )
    assert request.body == payload


def test_text_bodies_are_utf8_encoded(event: EventFactory) -> None:
    request = received(event("lambda-function-url-v2.json", body="résumé ✓"))
    assert request.body == "résumé ✓".encode()


def test_post_method_from_the_request_context(event: EventFactory) -> None:
    sample = event("lambda-function-url-v2.json", rawPath=SPACES_PATH)
    sample["requestContext"]["http"]["method"] = "POST"
    assert received(sample).method == "POST"


@pytest.mark.parametrize(("proto", "expected"), [("https", True), ("HTTPS", True), ("http", False)])
def test_forwarded_proto_decides_https(event: EventFactory, proto: str, expected: bool) -> None:
    sample = event("lambda-function-url-v2.json")
    sample["headers"]["x-forwarded-proto"] = proto
    assert received(sample).is_https is expected


def test_no_source_ip_in_context_means_unknown_ip(event: EventFactory) -> None:
    sample = event("lambda-function-url-v2.json")
    del sample["requestContext"]["http"]["sourceIp"]
    assert sample["headers"]["x-forwarded-for"] == "123.123.123.123"
    assert received(sample).client_ip is None


@pytest.mark.parametrize(
    ("sample_file", "forge"),
    [
        (
            "lambda-function-url-v2.json",
            lambda e, v: e["headers"].__setitem__("x-forwarded-for", v),
        ),
        (
            "api-gateway-http-v2-iam.json",
            lambda e, v: e["headers"].__setitem__("x-forwarded-for", v),
        ),
        (
            "api-gateway-http-v1-stage-proxy.json",
            lambda e, v: (
                e["headers"].__setitem__("X-Forwarded-For", v),
                e["multiValueHeaders"].__setitem__("X-Forwarded-For", [v]),
            ),
        ),
    ],
)
def test_a_forged_forwarded_for_never_names_the_caller(
    event: EventFactory, sample_file: str, forge: Any
) -> None:
    sample = event(sample_file)
    context = sample["requestContext"]
    source = context["http"] if "http" in context else context["identity"]
    source["sourceIp"] = "203.0.113.7"
    forge(sample, "10.1.2.3")
    assert received(sample).client_ip == "203.0.113.7"
    forge(sample, "10.1.2.3, 10.9.9.9")
    assert received(sample).client_ip == "203.0.113.7"
