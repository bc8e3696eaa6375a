"""A store outage while releasing the SSM refresh lock does not lock this instance out.

Two instances over the moto server (real HTTP) and the simulator's token endpoint, on a fake
clock. Instance A's store fails `DeleteParameter` during the release that ends its first
refresh, so the lock parameter stays behind. A's next request that needs a refresh must get it
without waiting out the lock's 120 s lifetime; B, another instance, must still wait.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from proxy.auth import SourceAuth
from proxy.config.stores._aws_ssm import SsmParameterStore
from proxy.errors import SourceAuthBusy
from proxy.simulator import AtlassianSimulator
from support.auth_backends import NAMING, PREFIX, SsmBackend
from support.auth_rig import operator_seed
from support.fake_clock import FakeClock
from support.moto_server import MotoServer
from support.ssm_outage import DeleteOutage

LOCK = PREFIX + "OAUTH_REFRESH_TOKEN_lock"


def instance(make_auth: Callable[..., SourceAuth], client: object, clock: FakeClock) -> SourceAuth:
    """One function instance: its own store over `client`, no shared access token."""
    store = SsmParameterStore(NAMING, client, clock=clock.now, sleep=clock.sleep)  # type: ignore[arg-type]
    return make_auth(store, use_shared_token=False, seed=3)


def lock_held(moto: MotoServer) -> bool:
    try:
        moto.ssm().get_parameter(Name=LOCK)
    except moto.ssm().exceptions.ParameterNotFound:
        return False
    return True


@pytest.mark.parametrize(
    "delete_failures",
    [
        1,  # the release fails; retried (and done) when the next request starts
        2,  # the retry fails too; the refresh then takes the instance's own lock back
    ],
)
def test_the_owner_refreshes_again_at_once_another_instance_waits(
    moto: MotoServer,
    simulator: AtlassianSimulator,
    make_auth: Callable[..., SourceAuth],
    clock: FakeClock,
    delete_failures: int,
) -> None:
    SsmBackend(moto).seed(operator_seed(simulator, now=clock.now()))
    outage = DeleteOutage(moto.ssm(), failures=delete_failures)
    a = instance(make_auth, outage, clock)
    b = instance(make_auth, moto.ssm(), clock)

    first = a.credentials()
    assert simulator.oauth.token_exchanges == 1
    assert lock_held(moto)  # the release failed

    with pytest.raises(SourceAuthBusy):
        b.credentials()  # B needs a token and must wait for the lock; it gives up
    assert len([s for s in clock.sleeps if s >= 4]) == 3  # three back-offs, in vain
    assert simulator.oauth.token_exchanges == 1
    clock.sleeps.clear()

    assert a.rejected(first)
    second = a.credentials()

    assert second.token_id != first.token_id
    assert simulator.oauth.token_exchanges == 2
    assert [s for s in clock.sleeps if s >= 4] == []  # no back-off: A never waited
    assert not lock_held(moto)
