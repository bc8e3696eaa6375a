"""The garbage collector is paused while documents are sanitized and always comes back."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import orjson
import pytest

from proxy.errors import SanitizationError
from proxy.rules import resolve_rules
from proxy.sanitize import PseudonymKeys
from proxy.sanitize._gc_pause import GcPause
from proxy.secret_value import Secret
from support.engine import Engine

SEARCH = "/ex/confluence/adcae078-765b-45bf-a38b-7cda232b9a94/wiki/rest/api/content/search"


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_paused_inside_and_resumed_after() -> None:
    pause = GcPause()
    with pause:
        assert not gc.isenabled()
    assert gc.isenabled()


def test_resumed_when_the_body_raises() -> None:
    pause = GcPause()
    with pytest.raises(ValueError, match="boom"), pause:
        raise ValueError("boom")
    assert gc.isenabled()


def test_a_collector_the_caller_turned_off_stays_off() -> None:
    gc.disable()
    with GcPause():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_overlapping_threads_share_one_pause_and_the_last_one_out_resumes() -> None:
    pause = GcPause()
    inside = threading.Event()
    leave = threading.Event()
    observed: list[bool] = []

    def second_request() -> None:
        with pause:
            inside.set()
            leave.wait(10)
            observed.append(gc.isenabled())

    other = threading.Thread(target=second_request)
    with pause:
        other.start()
        assert inside.wait(10)
    assert not gc.isenabled()  # the first is out, the second still sanitizing
    leave.set()
    other.join(10)
    assert observed == [False]
    assert gc.isenabled()


def test_a_pause_chained_past_its_limit_resumes_at_the_next_exit() -> None:
    clock = Clock()
    pause = GcPause(max_seconds=1.0, clock=clock)
    pause.__enter__()
    pause.__enter__()  # a second request, overlapping
    clock.now += 0.5
    pause.__exit__(None, None, None)
    assert not gc.isenabled()
    pause.__enter__()  # a third one keeps the chain going
    clock.now += 0.6
    pause.__exit__(None, None, None)
    assert gc.isenabled()  # 1.1 s since the pause began: resumed though one is still inside
    pause.__exit__(None, None, None)
    assert gc.isenabled()
    with pause:  # the next sanitize alone pauses afresh
        assert not gc.isenabled()
    assert gc.isenabled()


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """Generations of the collections that start while the fixture is active."""
    started: list[int] = []

    def record(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started.append(info["generation"])

    gc.callbacks.append(record)
    yield started
    gc.callbacks.remove(record)


def test_sanitizing_a_large_document_runs_no_collection(collections: list[int]) -> None:
    keys = PseudonymKeys(salt=Secret("salt"), encryption_key=Secret("secret"))
    sanitizer = Engine(resolve_rules("confluence"), keys)
    endpoint = sanitizer.match("GET", SEARCH, "cql=type%3Dpage")
    assert endpoint is not None
    result = {"id": "1", "type": "page", "title": "t", "version": {"by": {"accountId": "a"}}}
    body = orjson.dumps({"results": [dict(result, id=str(n)) for n in range(5000)]})
    orjson.loads(body)
    assert len(collections) > 10  # what parsing alone costs such a document without a pause

    collections.clear()
    assert sanitizer.sanitize(endpoint, body).startswith(b'{"results":[{')
    assert len(collections) <= 1  # at most the one that falls due when collection resumes
    assert gc.isenabled()

    with pytest.raises(SanitizationError):
        sanitizer.sanitize(endpoint, body[:-1])
    assert gc.isenabled()
