"""Property: whatever writes fail and however time passes, no rotated refresh token is lost.

One instance over a real local secrets file and the simulator (1 h access tokens, 10 min
reuse leeway). Each step may make the store refuse the refresh-token write, the shared-token
write, or both, advance the clock by up to 2 hours, and report a 401 for the token in hand.
After every step the token family is alive and the caller holds a valid token (or one the auth
kept on purpose: a 401 forces at most one refresh a minute); once the store accepts writes
again, it holds the newest refresh token and exchanging it works.
"""

from __future__ import annotations

import random
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proxy.auth import build_source_auth
from proxy.auth._token_endpoint import TokenEndpoint, TokenGrant
from proxy.secret_value import Secret
from proxy.simulator import AtlassianSimulator
from support.auth_backends import LocalFileBackend
from support.auth_rig import FlakyStore, auth_settings, operator_seed
from support.fake_clock import FakeClock
from support.oauth_setup import CLIENT_ID, CLIENT_SECRET, started_simulator

STEP = st.tuples(
    st.sampled_from(
        [frozenset(), {"REFRESH_TOKEN"}, {"ACCESS_TOKEN"}, {"REFRESH_TOKEN", "ACCESS_TOKEN"}]
    ),
    st.sampled_from([0, 30, 550, 1800, 3540, 3600, 4300, 7200]),
    st.booleans(),
)


@pytest.fixture(scope="module")
def property_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="module")
def property_simulator(property_clock: FakeClock) -> Iterator[AtlassianSimulator]:
    simulator = started_simulator(property_clock.now)
    yield simulator
    simulator.stop()


@settings(max_examples=40, deadline=None)
@given(steps=st.lists(STEP, min_size=1, max_size=12), seed=st.integers(0, 1000))
def test_no_rotated_refresh_token_is_ever_lost(
    property_simulator: AtlassianSimulator,
    property_clock: FakeClock,
    http: httpx.Client,
    steps: list[tuple[frozenset[str], int, bool]],
    seed: int,
) -> None:
    simulator, clock = property_simulator, property_clock
    with tempfile.TemporaryDirectory() as work:
        backend = LocalFileBackend(Path(work) / "secrets.json")
        seeded = operator_seed(simulator, now=clock.now())
        backend.seed(seeded)
        store = FlakyStore(backend.path, clock)
        auth = build_source_auth(
            auth_settings(simulator.token_url),
            store,
            http,
            clock=clock.now,
            sleep=clock.sleep,
            rng=random.Random(seed),
        )

        kept: set[str] = set()  # rejected within a minute of a forced refresh: kept on purpose
        for failing, advance, reject in steps:
            store.failing = set(failing)
            clock.advance(advance)
            creds = auth.credentials()
            assert not simulator.oauth.is_family_revoked(seeded["REFRESH_TOKEN"])
            access = creds.headers["Authorization"].removeprefix("Bearer ")
            assert simulator.oauth.access_token_valid(access) or access in kept
            if reject:
                simulator.oauth.revoke_access_token(access)
                if not auth.rejected(creds):
                    kept.add(access)

        store.failing = set()
        auth.credentials()  # the store works again: the pending token is saved now
        head = simulator.oauth.family_head(seeded["REFRESH_TOKEN"])
        assert backend.read("REFRESH_TOKEN") == head
        assert auth.health()["rotatedRefreshTokenUnsaved"] is False
        clock.advance(900)  # well past the leeway: only the newest token still works
        grant = TokenEndpoint(simulator.token_url, http).refresh(
            Secret(head or ""), CLIENT_ID, Secret(CLIENT_SECRET)
        )
        assert isinstance(grant, TokenGrant)
