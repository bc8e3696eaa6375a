"""`proxy.deadline`: one deadline per request, the earliest wins, and the wrap-up keeps its time."""

from __future__ import annotations

import math
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from proxy.deadline import (
    DEADLINE_RETRY_AFTER_SECONDS,
    MIN_WRAP_UP_CALL_SECONDS,
    UNBOUNDED,
    WRAP_UP_SECONDS,
    Deadline,
    current_deadline,
    deadline_scope,
)
from proxy.errors import DeadlineExceeded
from proxy.http import error_response
from support.fake_clock import FakeClock


def test_outside_a_request_there_is_no_deadline() -> None:
    assert current_deadline() is UNBOUNDED
    assert UNBOUNDED.budget(30.0, "anything") == 30.0
    assert not UNBOUNDED.expired and not UNBOUNDED.wrap_up_over
    assert math.isinf(UNBOUNDED.remaining())


def test_budget_is_the_limit_or_the_time_left() -> None:
    clock = FakeClock()
    deadline = Deadline.after(10.0, clock=clock.now)

    assert deadline.budget(30.0, "calling") == 10.0
    assert deadline.budget(4.0, "calling") == 4.0
    clock.advance(7.5)
    assert deadline.budget(30.0, "calling") == 2.5


def test_past_the_deadline_work_stops_with_a_504_and_retry_after() -> None:
    clock = FakeClock()
    deadline = Deadline.after(1.0, clock=clock.now)
    clock.advance(1.0)

    with pytest.raises(DeadlineExceeded) as raised:
        deadline.budget(30.0, "waiting for the token refresh lock")

    response = error_response(raised.value)
    assert response.status == 504
    assert response.headers.get("X-Psoxy-Error") == "DEADLINE_EXCEEDED"
    assert response.headers.get("Retry-After") == str(DEADLINE_RETRY_AFTER_SECONDS)
    assert response.body == b"the request ran out of time while waiting for the token refresh lock"


def test_the_wrap_up_keeps_its_time_after_the_deadline_and_a_minimal_try_after_that() -> None:
    clock = FakeClock()
    deadline = Deadline.after(1.0, clock=clock.now)

    clock.advance(2.0)  # 1 s past the deadline: 2 s of wrap-up left
    assert deadline.wrap_up_budget(10.0) == WRAP_UP_SECONDS - 1.0
    assert not deadline.wrap_up_over
    clock.advance(WRAP_UP_SECONDS)
    assert deadline.wrap_up_over
    assert deadline.wrap_up_budget(10.0) == MIN_WRAP_UP_CALL_SECONDS


@given(
    outer=st.floats(min_value=0.0, max_value=1e4),
    inner=st.floats(min_value=0.0, max_value=1e4),
)
def test_nested_scopes_keep_the_earliest_deadline_and_restore_the_outer_one(
    outer: float, inner: float
) -> None:
    clock = FakeClock()
    first, second = Deadline(outer, clock.now), Deadline(inner, clock.now)

    with deadline_scope(first) as effective_outer:
        assert effective_outer is first
        with deadline_scope(second) as effective:
            assert current_deadline().expires_at == min(outer, inner)
            assert effective is current_deadline()
        assert current_deadline() is first
    assert current_deadline() is UNBOUNDED


def test_a_deadline_belongs_to_its_thread() -> None:
    seen: list[Deadline] = []
    with deadline_scope(Deadline.after(5.0)):
        other = threading.Thread(target=lambda: seen.append(current_deadline()))
        other.start()
        other.join()
        assert current_deadline() is not UNBOUNDED
    assert seen == [UNBOUNDED]
