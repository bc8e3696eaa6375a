"""What `rejected` remembers: a token upstream refused is never served again, from memory or
from the shared copy, even while other rejections keep arriving."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from proxy.auth import SourceAuth, UpstreamCredentials
from proxy.simulator import AtlassianSimulator
from support.auth_rig import FlakyStore
from support.fake_clock import FakeClock

AuthFactory = Callable[..., SourceAuth]


def other_rejections(count: int) -> list[UpstreamCredentials]:
    return [UpstreamCredentials(headers={}, token_id=f"sha256:other{i:04d}") for i in range(count)]


def test_a_rejected_shared_token_stays_refused_while_31_more_are_rejected(
    make_auth: AuthFactory, store: FlakyStore, simulator: AtlassianSimulator
) -> None:
    shared = make_auth(store).credentials()
    instance = make_auth(store, seed=1)
    assert instance.credentials() == shared

    instance.rejected(shared)
    for other in other_rejections(31):
        instance.rejected(other)
    fresh = instance.credentials()

    assert fresh != shared
    assert simulator.oauth.token_exchanges == 2


def test_the_newest_rejection_is_remembered_when_the_memory_is_full(
    make_auth: AuthFactory, store: FlakyStore, simulator: AtlassianSimulator, clock: FakeClock
) -> None:
    shared = make_auth(store).credentials()
    instance = make_auth(store, seed=1)
    for other in other_rejections(32):
        clock.advance(61)  # each rejection may force a refresh (at most one a minute)
        instance.rejected(other)
    assert instance.credentials() == shared

    clock.advance(61)
    instance.rejected(shared)

    assert instance.credentials() != shared
    assert simulator.oauth.token_exchanges == 2


def test_a_rejected_token_is_dropped_from_memory_for_good(
    make_auth: AuthFactory, store: FlakyStore, simulator: AtlassianSimulator
) -> None:
    auth = make_auth(store, use_shared_token=False)
    first = auth.credentials()

    auth.rejected(first)
    for other in other_rejections(40):  # the rejection memory has long moved on
        auth.rejected(other)

    assert auth.credentials() != first
    assert simulator.oauth.token_exchanges == 2


def test_a_rejection_before_any_token_is_harmless(
    make_auth: AuthFactory, store: FlakyStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    auth = make_auth(store)
    (stranger,) = other_rejections(1)

    auth.rejected(stranger)

    records = [r for r in caplog.records if r.name == "proxy.auth.oauth"]
    assert [(r.getMessage(), r.__dict__["event"]) for r in records] == [
        (
            "upstream rejected access token sha256:other0000; it will not be used again",
            "token_rejected",
        )
    ]
    assert auth.credentials().token_id.startswith("sha256:")


def test_every_request_that_held_a_rejected_token_may_retry(
    make_auth: AuthFactory, store: FlakyStore, simulator: AtlassianSimulator
) -> None:
    # Two requests were served the same token and both got a 401: both retry, with one refresh.
    auth = make_auth(store)
    held = auth.credentials()

    assert auth.rejected(held) is True
    assert auth.rejected(held) is True
    assert auth.credentials() != held
    assert simulator.oauth.token_exchanges == 2


def test_a_rejection_within_a_minute_of_a_forced_refresh_keeps_the_token_and_says_why(
    make_auth: AuthFactory,
    store: FlakyStore,
    simulator: AtlassianSimulator,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    auth = make_auth(store)
    assert auth.rejected(auth.credentials()) is True
    clock.advance(30)
    held = auth.credentials()

    assert auth.rejected(held) is False
    assert auth.credentials() == held
    (warning,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert (warning.getMessage(), warning.__dict__["event"]) == (
        f"upstream rejected access token {held.token_id}; kept, as a refresh was forced less "
        "than 60 s ago",
        "token_rejection_throttled",
    )
