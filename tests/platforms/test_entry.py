"""The entry both platforms share: a gateway that cannot be built, and a bug anywhere on the way
(building, translating the platform's request, handling), are answered alike on Lambda and GCP."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import flask
import pytest
from platforms.aws_rig import SPACES_PATH, RecordingGateway, load_event

from proxy.errors import ConfigurationError
from proxy.platforms._client_ip import ForwardedFor
from proxy.platforms._entry import RequestHandler
from proxy.platforms._gcp import make_route
from proxy.platforms.aws_lambda import make_handler

Answer = tuple[int, str | None, bytes]
Build = Callable[[], RequestHandler]
UNKNOWN: Answer = (500, "UNKNOWN", b"unexpected error; see the logs")
SECRET = "-".join(["data", "an", "exception", "quotes"])  # never in a stack's source lines


def on_lambda(build: Build, event: Any = None) -> Answer:
    if event is None:
        event = load_event("lambda-function-url-v2.json", rawPath=SPACES_PATH)
    result = make_handler(build)(event, None)
    headers = {**result["headers"], **{k: v[0] for k, v in result["multiValueHeaders"].items()}}
    return result["statusCode"], headers.get("X-Psoxy-Error"), result["body"].encode()


def on_gcp(build: Build, forwarded_for: Callable[[], ForwardedFor] = ForwardedFor) -> Answer:
    route = make_route(build, forwarded_for=forwarded_for)
    app = flask.Flask(__name__)
    app.add_url_rule("/<path:path>", view_func=lambda path: route(flask.request))
    response = app.test_client().get(SPACES_PATH)
    return response.status_code, response.headers.get("X-Psoxy-Error"), response.data


def not_configured() -> RequestHandler:
    raise ConfigurationError("SECRETS_STORE=LOCAL_FILE needs LOCAL_SECRETS_FILE")


def broken() -> RequestHandler:
    raise RuntimeError(f"a bug while building, quoting {SECRET}")


class Exploding:
    def handle(self, request: object) -> object:
        raise RuntimeError(f"a bug while handling, quoting {SECRET}")


class HostileEvent(dict[str, Any]):
    """A Lambda event whose reading fails in a way no check anticipated."""

    def get(self, *args: object) -> Any:
        raise RuntimeError(f"a bug while translating, quoting {SECRET}")


def test_a_gateway_that_fails_to_build_answers_the_same_error_on_both() -> None:
    expected = (500, "CONFIGURATION_FAILURE", b"SECRETS_STORE=LOCAL_FILE needs LOCAL_SECRETS_FILE")
    assert on_lambda(not_configured) == on_gcp(not_configured) == expected


@pytest.mark.parametrize("build", [broken, Exploding], ids=["building", "handling"])
def test_an_unexpected_error_is_a_500_unknown_on_both(
    build: Build, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        assert on_lambda(build) == on_gcp(build) == UNKNOWN
    assert SECRET not in caplog.text
    assert [r.getMessage().split(":")[0] for r in caplog.records] == [
        "unexpected error in the Lambda handler",
        "unexpected error in the GCP entry point",
    ]


def test_an_unexpected_error_in_translation_is_a_500_unknown_on_both(
    caplog: pytest.LogCaptureFixture,
) -> None:
    gateway = RecordingGateway()

    def hostile_forwarded_for() -> ForwardedFor:
        raise RuntimeError(f"a bug while translating, quoting {SECRET}")

    with caplog.at_level(logging.ERROR):
        assert on_lambda(lambda: gateway, HostileEvent(version="2.0")) == UNKNOWN
        assert on_gcp(lambda: gateway, hostile_forwarded_for) == UNKNOWN
    assert gateway.requests == []
    assert SECRET not in caplog.text
