"""The token refresh within the request's deadline: the lock back-off, the token call and the
write of a rotated token each take their time from it, and nothing is lost when it runs out."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from proxy.auth import SourceAuth
from proxy.deadline import DEADLINE_RETRY_AFTER_SECONDS, Deadline, deadline_scope
from proxy.errors import ConfigStoreUnavailable, DeadlineExceeded
from proxy.simulator import AtlassianSimulator
from proxy.simulator.faults import inject_fault
from support.auth_backends import PREFIX
from support.auth_rig import FlakyStore
from support.fake_clock import FakeClock

AuthFactory = Callable[..., SourceAuth]


def stored(path: Path, name: str) -> str:
    return str(json.loads(path.read_text())[PREFIX + name])


class SlowFailingStore(FlakyStore):
    """Writes of the failing properties take 5 s of the (fake) clock before they fail."""

    def __init__(self, path: Path, clock: FakeClock) -> None:
        super().__init__(path, clock)
        self._fake_clock = clock

    def _write(self, key: str, value: str) -> None:
        if key.removeprefix(PREFIX) in self.failing:
            self._fake_clock.advance(5.0)
        super()._write(key, value)


@pytest.fixture
def stop() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()


def test_the_lock_back_off_ends_at_the_deadline_with_a_504(
    make_auth: AuthFactory, store: FlakyStore, simulator: AtlassianSimulator, clock: FakeClock
) -> None:
    lock = store.lock("OAUTH_REFRESH_TOKEN")
    other_instance = lock.try_acquire()
    assert other_instance is not None

    with (
        deadline_scope(Deadline.after(10.0, clock=clock.now)),
        pytest.raises(DeadlineExceeded) as error,
    ):
        make_auth(store).credentials()

    assert (error.value.status, error.value.code) == (504, "DEADLINE_EXCEEDED")
    assert error.value.retry_after_seconds == DEADLINE_RETRY_AFTER_SECONDS
    first, second = clock.sleeps  # without a deadline: 4, 8 and 12 s, then a 503
    assert 4 <= first < 4.25 and first + second == pytest.approx(10.0)
    assert simulator.oauth.token_exchanges == 0
    assert lock.try_acquire() is None  # the other instance's lock is left alone
    lock.release(other_instance)


def test_a_token_call_cut_by_the_deadline_is_a_504_and_the_lock_is_released(
    make_auth: AuthFactory,
    store: FlakyStore,
    simulator: AtlassianSimulator,
    secrets_path: Path,
    stop: threading.Event,
) -> None:
    original = stored(secrets_path, "REFRESH_TOKEN")
    inject_fault(simulator.routes, r"/oauth/token", "slow:30", sleep=stop.wait)

    with deadline_scope(Deadline.after(1.0)), pytest.raises(DeadlineExceeded) as error:
        make_auth(store).credentials()

    assert "calling the token endpoint" in error.value.message
    lock = store.lock("OAUTH_REFRESH_TOKEN")
    lease = lock.try_acquire()
    assert lease is not None, "the refresh lock was left held"
    lock.release(lease)
    assert stored(secrets_path, "REFRESH_TOKEN") == original
    assert not simulator.oauth.is_family_revoked(original)


def test_past_the_wrap_up_a_rotated_token_is_tried_once_then_kept_and_logged_unsaved(
    make_auth: AuthFactory,
    secrets_path: Path,
    simulator: AtlassianSimulator,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    original = stored(secrets_path, "REFRESH_TOKEN")
    store = SlowFailingStore(secrets_path, clock)
    store.failing.add("REFRESH_TOKEN")
    auth = make_auth(store)

    with caplog.at_level(logging.ERROR), deadline_scope(Deadline.after(2.0, clock=clock.now)):
        creds = auth.credentials()  # the write takes 5 s: deadline and wrap-up are then over

    assert store.write_attempts.count(PREFIX + "REFRESH_TOKEN") == 1  # 3 without a deadline
    assert auth.health()["rotatedRefreshTokenUnsaved"] is True
    assert "rotated refresh token could NOT be written" in caplog.text
    lease = store.lock("OAUTH_REFRESH_TOKEN").try_acquire()
    assert lease is not None, "the refresh lock was left held"
    store.lock("OAUTH_REFRESH_TOKEN").release(lease)

    store.failing.clear()
    assert auth.credentials() == creds  # the next request saves the kept token
    assert stored(secrets_path, "REFRESH_TOKEN") == simulator.oauth.family_head(original)


def test_store_reads_stop_retrying_at_the_deadline(
    store: FlakyStore, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[str] = []

    def unavailable(key: str) -> str | None:
        reads.append(key)
        raise ConfigStoreUnavailable(f"{key} unavailable")

    monkeypatch.setattr(store, "_read", unavailable)
    with deadline_scope(Deadline.after(0.7, clock=clock.now)), pytest.raises(DeadlineExceeded):
        store.get_fresh("CLIENT_SECRET")

    assert len(reads) == 2  # 0.5 s apart; a third read would start past the deadline
    assert clock.sleeps == [0.5, pytest.approx(0.2)]
