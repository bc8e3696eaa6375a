"""The Lambda handler's first invocation runs without garbage collection, later ones with it."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from platforms.aws_rig import EventFactory, RecordingGateway

from proxy.errors import ConfigurationError
from proxy.http import HttpRequest, HttpResponse
from proxy.platforms._startup_gc import FirstInvocationGc
from proxy.platforms.aws_lambda import make_handler


@pytest.fixture(autouse=True)
def collector_on_and_unfrozen() -> Iterator[None]:
    gc.unfreeze()
    gc.enable()
    yield
    gc.unfreeze()
    gc.enable()


class ObservingGateway(RecordingGateway):
    """Records whether the collector was running while each request was handled."""

    def __init__(self) -> None:
        super().__init__()
        self.collector_on: list[bool] = []

    def handle(self, request: HttpRequest) -> HttpResponse:
        self.collector_on.append(gc.isenabled())
        return super().handle(request)


def test_first_invocation_pauses_collection_then_freezes_what_it_built(
    event: EventFactory,
) -> None:
    built_with_collector: list[bool] = []
    gateway = ObservingGateway()

    def build() -> ObservingGateway:
        built_with_collector.append(gc.isenabled())
        return gateway

    handler = make_handler(build)
    sample = event("lambda-function-url-v2.json")
    assert gc.get_freeze_count() == 0
    for _ in range(3):
        assert handler(sample, None)["statusCode"] == 200
        assert gc.isenabled()
    assert built_with_collector == [False]
    assert gateway.collector_on == [False, True, True]
    assert gc.get_freeze_count() > 0  # startup's objects: left out of later collections


def test_collection_resumes_when_the_first_invocation_fails(event: EventFactory) -> None:
    def build() -> RecordingGateway:
        raise ConfigurationError("SECRETS_STORE=LOCAL_FILE needs LOCAL_SECRETS_FILE")

    result = make_handler(build)(event("lambda-function-url-v2.json"), None)
    assert result["statusCode"] == 500
    assert gc.isenabled()


def test_a_host_that_disabled_collection_keeps_it_disabled() -> None:
    gc.disable()
    startup = FirstInvocationGc()
    with startup:
        assert not gc.isenabled()
    assert not gc.isenabled()
    assert gc.get_freeze_count() == 0
    gc.enable()
    with startup:  # not the first entry any more: nothing changes
        assert gc.isenabled()
    assert gc.isenabled()


def test_an_error_inside_the_first_invocation_still_resumes() -> None:
    startup = FirstInvocationGc()
    with pytest.raises(RuntimeError, match="bug"), startup:
        raise RuntimeError("bug")
    assert gc.isenabled()
