"""The SSM refresh lock's owner checks under races, against a real moto server over HTTP.

Two moments where another instance can step in: between our put-if-absent and our read-back
(we must then not think we hold the lock), and after our lock went stale and someone else took
it (our late release must then leave theirs in place).
"""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime

import pytest

from proxy.config._naming import SecretNaming
from proxy.config.stores._aws_ssm import SsmParameterStore
from proxy.timing import Sleep
from support.fake_clock import FakeClock
from support.moto_server import MotoServer

NAMING = SecretNaming(instance_prefix="PSOXY_CONFLUENCE_CLOUD_", shared_prefix="")
LOCK_NAME = "PSOXY_CONFLUENCE_CLOUD_OAUTH_REFRESH_TOKEN_lock"
OTHER_OWNER = "locked_1760000000000_0123456789abcdef0123456789abcdef"


def lock_value(moto: MotoServer) -> str | None:
    try:
        return moto.ssm().get_parameter(Name=LOCK_NAME)["Parameter"]["Value"]
    except moto.ssm().exceptions.ParameterNotFound:
        return None


def store(moto: MotoServer, clock: FakeClock, sleep: Sleep | None = None) -> SsmParameterStore:
    return SsmParameterStore(
        NAMING, moto.ssm(), clock=clock.now, sleep=sleep or clock.sleep, rng=random.Random(3)
    )


def test_a_lock_overwritten_before_the_read_back_is_not_held(
    moto: MotoServer, clock: FakeClock
) -> None:
    def another_instance_overwrites_during_the_wait(seconds: float) -> None:
        moto.ssm().put_parameter(Name=LOCK_NAME, Value=OTHER_OWNER, Type="String", Overwrite=True)

    lock = store(moto, clock, another_instance_overwrites_during_the_wait).lock(
        "OAUTH_REFRESH_TOKEN"
    )

    assert lock.try_acquire() is None
    assert lock_value(moto) == OTHER_OWNER  # theirs, untouched
    assert store(moto, clock).lock("OAUTH_REFRESH_TOKEN").try_acquire() is None


def test_a_late_release_leaves_the_lock_of_whoever_took_over_after_it_went_stale(
    moto: MotoServer,
) -> None:
    clock = FakeClock(start=datetime.now(UTC).timestamp())  # moto stamps with the real time
    slow = store(moto, clock).lock("OAUTH_REFRESH_TOKEN")
    taker = store(moto, clock).lock("OAUTH_REFRESH_TOKEN")
    slow_lease = slow.try_acquire()
    assert slow_lease is not None

    clock.advance(121)  # the slow holder outlived the lock's time-to-live
    assert taker.try_acquire() is None  # removes the stale lock
    taker_lease = taker.try_acquire()
    assert taker_lease is not None
    slow.release(slow_lease)

    assert lock_value(moto) == taker_lease.owner
    taker.release(taker_lease)
    assert lock_value(moto) is None


def test_a_lock_deleted_before_the_read_back_is_lost_quietly(
    moto: MotoServer, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)

    def another_instance_deletes_it_during_the_wait(seconds: float) -> None:
        moto.ssm().delete_parameter(Name=LOCK_NAME)

    lock = store(moto, clock, another_instance_deletes_it_during_the_wait).lock(
        "OAUTH_REFRESH_TOKEN"
    )

    assert lock.try_acquire() is None
    assert [(r.levelno, r.getMessage()) for r in caplog.records if r.name.startswith("proxy")] == [
        (logging.INFO, f"lock {LOCK_NAME}: lost the race to another instance")
    ]
