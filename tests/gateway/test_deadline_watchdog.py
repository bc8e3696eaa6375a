"""The watchdog that cuts a read at the request's deadline: one thread for every response.

A `threading.Timer` per response cost about 0.2 ms of every proxied request (issue #14); the
watchdogs now share one thread and a heap of due times. `test_upstream_limits.py` shows that
they still cut stalled and trickling reads at the deadline over real HTTP.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import Iterator

import httpx
import orjson
import pytest

from proxy.deadline import Deadline, deadline_scope
from proxy.gateway import OutboundRequest, Upstream, UpstreamTarget
from proxy.gateway._body_reader import _COMPACT_MIN, _SocketWatchdog, _Watcher
from support.misbehaving_upstream import MisbehavingUpstream, Paced

BODY = orjson.dumps({"results": [{"id": str(i)} for i in range(100)]})
THREAD_NAME = "proxy-deadline-watchdog"


class Stub:
    """What the watcher needs of a watchdog: whether it is armed, and `fire`."""

    def __init__(self, armed: bool = True) -> None:
        self.armed = armed
        self.fired = threading.Event()

    def fire(self) -> None:
        if self.armed:
            self.fired.set()


@pytest.fixture
def server() -> Iterator[MisbehavingUpstream]:
    with MisbehavingUpstream() as upstream:
        upstream.route("/ok", Paced((BODY,), pause=0))
        yield upstream


def test_many_responses_share_one_watchdog_thread(
    server: MisbehavingUpstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    started_by_the_proxy: list[str] = []
    start = threading.Thread.start

    def recording_start(thread: threading.Thread) -> None:
        caller = sys._getframe(1).f_globals.get("__name__", "")
        if caller.startswith("proxy."):
            started_by_the_proxy.append(thread.name)
        start(thread)

    monkeypatch.setattr(threading.Thread, "start", recording_start)
    with httpx.Client() as client:
        upstream = Upstream(client, UpstreamTarget.parse(server.base_url))
        for _ in range(50):
            with deadline_scope(Deadline.after(30.0)):
                assert upstream.send(OutboundRequest("GET", "/ok")).body == BODY

    # At most the shared watchdog, when no earlier test started it; never one per response.
    assert started_by_the_proxy in ([], [THREAD_NAME])
    watchdogs = [thread for thread in threading.enumerate() if thread.name == THREAD_NAME]
    assert watchdogs
    assert all(thread.daemon for thread in watchdogs)  # never keeps a CLI process from exiting


def test_only_the_watchdog_whose_deadline_passed_fires() -> None:
    watcher = _Watcher()
    later, soon, disarmed = Stub(), Stub(), Stub(armed=False)
    watcher.watch(later, 30.0)  # type: ignore[arg-type]
    watcher.watch(disarmed, 0.0)  # type: ignore[arg-type]
    watcher.watch(soon, 0.05)  # type: ignore[arg-type]

    assert soon.fired.wait(timeout=5.0)
    assert not later.fired.is_set()
    assert not disarmed.fired.is_set()


def test_disarmed_entries_do_not_pile_up() -> None:
    watcher = _Watcher()
    for _ in range(20 * _COMPACT_MIN):
        watcher.watch(Stub(armed=False), 180.0)  # type: ignore[arg-type]
    held = Stub()
    watcher.watch(held, 180.0)  # type: ignore[arg-type]

    assert len(watcher._due) <= _COMPACT_MIN + 1
    assert any(entry[2] is held for entry in watcher._due)


def test_an_earlier_deadline_wakes_a_watcher_sleeping_on_a_later_one() -> None:
    watcher = _Watcher()
    watcher.watch(Stub(), 60.0)  # type: ignore[arg-type]
    time.sleep(0.05)  # the thread now sleeps until the first one is due
    soon = Stub()
    watcher.watch(soon, 0.05)  # type: ignore[arg-type]

    assert soon.fired.wait(timeout=5.0)


def test_the_watcher_keeps_firing_after_its_heap_ran_empty() -> None:
    watcher = _Watcher()
    first = Stub()
    watcher.watch(first, 0.0)  # type: ignore[arg-type]
    assert first.fired.wait(timeout=5.0)
    thread = watcher._thread
    assert thread is not None
    until_waiting_or_dead(thread)  # the heap is empty: the thread now waits for more

    second = Stub()
    watcher.watch(second, 0.0)  # type: ignore[arg-type]

    assert second.fired.wait(timeout=5.0)


def test_a_watchdog_disarmed_before_the_watcher_calls_it_leaves_the_connection_alone(
    server: MisbehavingUpstream,
) -> None:
    # The watcher pops a due entry, then calls `fire` outside its lock: the read may finish in
    # between, and the connection go back to the pool. The late call must not touch it.
    with httpx.Client() as client:
        response = client.send(client.build_request("GET", server.base_url + "/ok"), stream=True)
        try:
            watchdog = _SocketWatchdog(response, Deadline.after(30.0))
            with watchdog:
                assert response.read() == BODY
            watchdog.fire()
            assert not watchdog.fired
            connection = response.extensions["network_stream"].get_extra_info("socket")
            connection.setblocking(False)
            with pytest.raises(BlockingIOError):  # not shut down: nothing to read, no EOF
                connection.recv(1, socket.MSG_PEEK)
        finally:
            response.close()


def until_waiting_or_dead(thread: threading.Thread) -> None:
    """Return once `thread` sleeps in `Condition.wait` (or has died): no guessed delay."""
    while thread.is_alive():
        frame = sys._current_frames().get(thread.ident or 0)
        if frame is not None and frame.f_code.co_name == "wait":
            return
        time.sleep(0.001)
