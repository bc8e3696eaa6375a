"""A big upstream response through the Lambda handler: the result Lambda would post stays under
its 6 MB limit (gzip + base64), or is a deliberate `502 RESPONSE_TOO_LARGE`, never a result
the runtime cannot post (which the caller would see as a bare platform 502)."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterator
from typing import Any

import pytest
from platforms.aws_rig import ROOT, SimulatedSite, load_event

from proxy.config import Settings
from proxy.http import LAMBDA_RESPONSE_LIMIT
from proxy.platforms.aws_lambda import LambdaHandler, make_handler
from proxy.platforms.composition import build_gateway
from proxy.simulator.routes import SimResponse

MEMBERS = ROOT / "example-api-responses" / "original" / "group_members.json"
COPIES = 2500  # ~17 MB upstream; sanitized and JSON-escaped, ~6.9 MB of result


@pytest.fixture(scope="module")
def members_page(site: SimulatedSite) -> Iterator[int]:
    document: dict[str, Any] = json.loads(MEMBERS.read_text())
    document["results"] *= COPIES
    body = json.dumps(document).encode()
    route = site.simulator.routes.add(
        "GET",
        r".*/wiki/rest/api/group/big/membersByGroupId",
        lambda request: SimResponse(200, {"Content-Type": "application/json"}, body),
        first=True,
    )
    yield len(document["results"])
    site.simulator.routes.remove(route)


@pytest.fixture(scope="module")
def handler(site: SimulatedSite) -> LambdaHandler:
    # 1024 MB: the memory cap (112 MiB) lets the page in; only the platform limit can stop it.
    environment = {**site.environment, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024"}
    return make_handler(lambda: build_gateway(Settings.from_env(environment)))


def call(site: SimulatedSite, handler: LambdaHandler, *, gzip_ok: bool) -> dict[str, Any]:
    path = f"/ex/confluence/{site.credentials.cloud_id}/wiki/rest/api/group/big/membersByGroupId"
    event = load_event("lambda-function-url-v2.json", rawPath=path, rawQueryString="limit=200")
    if not gzip_ok:
        del event["headers"]["accept-encoding"]
    return handler(event, None)


def posted_bytes(result: dict[str, Any]) -> int:
    """The result as the Python 3.12 runtime posts it."""
    return len(json.dumps(result, ensure_ascii=False).encode("utf-8"))


def test_without_gzip_the_page_is_a_502_response_too_large(
    site: SimulatedSite, handler: LambdaHandler, members_page: int
) -> None:
    result = call(site, handler, gzip_ok=False)

    assert result["statusCode"] == 502
    assert result["headers"]["X-Psoxy-Error"] == "RESPONSE_TOO_LARGE"
    assert "lower the `limit` query parameter" in result["body"]
    assert "Accept-Encoding: gzip" in result["body"]
    assert posted_bytes(result) < 4096


def test_with_gzip_the_same_page_is_posted_within_the_limit(
    site: SimulatedSite, handler: LambdaHandler, members_page: int
) -> None:
    result = call(site, handler, gzip_ok=True)

    assert result["statusCode"] == 200
    assert posted_bytes(result) <= LAMBDA_RESPONSE_LIMIT.max_bytes
    page = json.loads(gzip.decompress(base64.b64decode(result["body"])))
    assert len(page["results"]) == members_page
    assert "alice@company.org" not in json.dumps(page)
