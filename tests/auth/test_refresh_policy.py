from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from proxy.auth._access_token import AccessToken
from proxy.auth._refresh_policy import RefreshWindow
from proxy.secret_value import Secret

NOW = 1_700_000_000.0


class FixedMargin(random.Random):
    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:  # type: ignore[override]
        return 300


def token(expires_at: float | None) -> AccessToken:
    return AccessToken(Secret("t"), expires_at)


def test_reference_vectors_with_a_five_minute_margin() -> None:
    window = RefreshWindow(rng=FixedMargin())

    assert not window.needs_refresh(token(NOW + 600.001), NOW)
    assert not window.needs_refresh(token(NOW + 600 + 3600), NOW)
    for expiry in (NOW - 3600, NOW, NOW + 30, NOW + 58):
        assert window.needs_refresh(token(expiry), NOW)


def test_missing_token_or_expiry_needs_refresh() -> None:
    window = RefreshWindow()

    assert window.needs_refresh(None, NOW)
    assert window.needs_refresh(token(None), NOW)


@given(seconds_left=st.floats(min_value=600.001, max_value=86_400), seed=st.integers())
def test_more_than_ten_minutes_left_is_always_reused(seconds_left: float, seed: int) -> None:
    window = RefreshWindow(rng=random.Random(seed))

    assert not window.needs_refresh(token(NOW + seconds_left), NOW)


@given(seconds_left=st.floats(min_value=-86_400, max_value=59.999), seed=st.integers())
def test_less_than_a_minute_left_is_always_refreshed(seconds_left: float, seed: int) -> None:
    window = RefreshWindow(rng=random.Random(seed))

    assert window.needs_refresh(token(NOW + seconds_left), NOW)
