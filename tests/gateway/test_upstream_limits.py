"""The upstream call within the request's deadline and the memory-derived cap, over real HTTP.

httpx's read timeout is per read: these upstreams keep every read short (a trickle) or stall
after the headers, and would finish after many seconds. The deadline must end the call first,
with the reference's 504 and a Retry-After; a body beyond the cap must end in a 502 that says
to lower `limit`, before it is all in memory.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import httpx
import orjson
import pytest

from proxy.deadline import DEADLINE_RETRY_AFTER_SECONDS, Deadline, deadline_scope
from proxy.errors import DeadlineExceeded, ResponseTooLarge, UpstreamTimeout
from proxy.gateway import OutboundRequest, Upstream, UpstreamTarget
from proxy.gateway._body_reader import read_body
from proxy.http import MIB
from support.misbehaving_upstream import MisbehavingUpstream, Paced, stall, trickle

BODY = orjson.dumps({"results": [{"id": str(i), "title": "x" * 90} for i in range(2000)]})
SLOW = 20.0  # seconds these upstreams would take without a deadline


@pytest.fixture
def server() -> Iterator[MisbehavingUpstream]:
    with MisbehavingUpstream() as upstream:
        upstream.route("/ok", Paced((BODY,), pause=0))
        upstream.route("/trickle", trickle(BODY, pause=SLOW / 200, parts=200))
        upstream.route("/stall", stall(BODY, pause=SLOW))
        yield upstream


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client() as http:
        yield http


def upstream(server: MisbehavingUpstream, client: httpx.Client, *, cap: int = 8 * MIB) -> Upstream:
    # Per-phase timeouts far above the deadline: only the deadline can end these calls early.
    target = UpstreamTarget.parse(server.base_url)
    return Upstream(client, target, timeout=httpx.Timeout(60.0), max_body_bytes=cap)


@pytest.mark.parametrize("path", ["/trickle", "/stall"])
def test_a_slow_body_ends_at_the_deadline_with_a_504(
    server: MisbehavingUpstream, client: httpx.Client, path: str
) -> None:
    with deadline_scope(Deadline.after(1.0)), pytest.raises(UpstreamTimeout) as raised:
        upstream(server, client).send(OutboundRequest("GET", path))

    assert (raised.value.status, raised.value.code) == (504, "SOURCE_API_READ_TIMEOUT")
    assert raised.value.retry_after_seconds == DEADLINE_RETRY_AFTER_SECONDS


def test_after_a_cut_connection_the_pooled_client_still_works(
    server: MisbehavingUpstream, client: httpx.Client
) -> None:
    calls = upstream(server, client)
    with deadline_scope(Deadline.after(0.5)), pytest.raises(UpstreamTimeout):
        calls.send(OutboundRequest("GET", "/stall"))
    with deadline_scope(Deadline.after(10.0)):
        response = calls.send(OutboundRequest("GET", "/ok"))

    assert (response.status, response.body) == (200, BODY)


def test_a_finished_responses_deadline_never_cuts_the_next_call_on_its_connection(
    server: MisbehavingUpstream, client: httpx.Client
) -> None:
    # The pooled connection of a quick call serves the next one; the first call's deadline
    # passes while the second is still reading (the upstream pauses 3 s mid-body). The first
    # call only has to finish within its 2 s (a local 200 kB answer), even on a loaded machine.
    server.route("/pause", stall(BODY, pause=3.0))
    calls = upstream(server, client)
    with deadline_scope(Deadline.after(2.0)):
        assert calls.send(OutboundRequest("GET", "/ok")).body == BODY
    with deadline_scope(Deadline.after(30.0)):
        response = calls.send(OutboundRequest("GET", "/pause"))

    assert (response.status, response.body) == (200, BODY)


def test_a_passed_deadline_sends_nothing(server: MisbehavingUpstream, client: httpx.Client) -> None:
    with deadline_scope(Deadline.after(0.0)), pytest.raises(DeadlineExceeded) as raised:
        upstream(server, client).send(OutboundRequest("GET", "/ok"))

    assert server.requests == []
    assert raised.value.message == "the request ran out of time while calling the source API"


def test_the_deadline_also_bounds_a_phase_configured_without_a_limit(
    server: MisbehavingUpstream, client: httpx.Client
) -> None:
    target = UpstreamTarget.parse(server.base_url)
    unlimited = Upstream(client, target, timeout=httpx.Timeout(None))
    with deadline_scope(Deadline.after(0.5)), pytest.raises(UpstreamTimeout) as raised:
        unlimited.send(OutboundRequest("GET", "/stall"))

    assert (raised.value.status, raised.value.code) == (504, "SOURCE_API_READ_TIMEOUT")
    assert server.completed == []


def test_a_declared_length_over_the_cap_is_refused_with_a_hint_to_lower_limit(
    server: MisbehavingUpstream, client: httpx.Client
) -> None:
    with pytest.raises(ResponseTooLarge) as raised:
        upstream(server, client, cap=len(BODY) - 1).send(OutboundRequest("GET", "/ok"))

    assert (raised.value.status, raised.value.code) == (502, "RESPONSE_TOO_LARGE")
    assert raised.value.message == (
        f"the source API response is larger than the {len(BODY) - 1} bytes this function's "
        "memory allows; request fewer items per page: lower the `limit` query parameter "
        "(or give the function more memory)"
    )


def test_a_compressed_body_is_capped_by_its_decoded_size(
    server: MisbehavingUpstream, client: httpx.Client
) -> None:
    bomb = gzip.compress(b'{"results":"' + b"a" * (4 * MIB) + b'"}')
    server.route(
        "/bomb",
        Paced(
            (bomb,),
            pause=0,
            headers=(("Content-Type", "application/json"), ("Content-Encoding", "gzip")),
        ),
    )

    with pytest.raises(ResponseTooLarge) as raised:
        upstream(server, client, cap=1 * MIB).send(OutboundRequest("GET", "/bomb"))
    assert len(bomb) < 1 * MIB  # what arrived was small: the cap counts what it decodes to
    assert raised.value.message.startswith(
        "the source API response is larger than the 1 MiB this function's memory allows; "
    )


def test_the_deadline_cuts_a_stalled_read_even_when_the_read_timeout_is_longer(
    server: MisbehavingUpstream, client: httpx.Client
) -> None:
    # Headers and half the body now, the rest after 20 s; each read may wait 60 s. Only the
    # watchdog, which shuts the socket at the deadline, can end the read before the rest comes.
    request = client.build_request("GET", server.base_url + "/stall", timeout=60.0)
    response = client.send(request, stream=True)
    try:
        with pytest.raises(UpstreamTimeout) as raised:
            read_body(response, cap=8 * MIB, deadline=Deadline.after(0.5))
    finally:
        response.close()

    assert server.completed == []  # we gave up before the upstream sent the rest
    # what the caller reads in the 504's body
    assert raised.value.message == (
        "source API response not complete within the request's time budget"
    )
