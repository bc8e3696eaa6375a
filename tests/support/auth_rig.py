"""Pieces shared by the auth tests: what the operator stores after the OAuth setup, the
settings of a Confluence instance pointed at the simulator, and a store whose writes can fail.

    values = operator_seed(simulator, now=clock.now())
    settings = auth_settings(simulator.token_url)
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from proxy.config import Settings
from proxy.config.stores import LocalFileStore
from proxy.errors import ConfigStoreUnavailable
from proxy.simulator import AtlassianSimulator
from support.auth_backends import NAMING, PREFIX
from support.fake_clock import FakeClock
from support.oauth_setup import CLIENT_ID, CLIENT_SECRET

__all__ = ["FlakyStore", "auth_settings", "compressed_sleep", "operator_seed"]


def operator_seed(simulator: AtlassianSimulator, *, now: float) -> dict[str, str]:
    """Instance properties after the OAuth setup (names without prefix), plus an expired
    shared access token left over from an earlier run."""
    expired = {"token": "expired", "expirationDate": int((now - 3600) * 1000)}
    return {
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "REFRESH_TOKEN": simulator.oauth.issue_refresh_token(CLIENT_ID),
        "ACCESS_TOKEN": json.dumps(expired),
    }


def auth_settings(token_url: str, *, use_shared_token: bool = True) -> Settings:
    return Settings.from_env(
        {
            "SOURCE_AUTH_STRATEGY_IDENTIFIER": "oauth2_refresh_token",
            "GRANT_TYPE": "refresh_token",
            "REFRESH_ENDPOINT": token_url,
            "USE_SHARED_TOKEN": "true" if use_shared_token else "false",
        }
    )


def compressed_sleep(seconds: float) -> None:
    """Real waits, but the reference's multi-second backoffs shrink 100-fold (4 s -> 40 ms);
    sub-second waits (the SSM lock's read-back, write retries) keep their real length."""
    time.sleep(seconds / 100 if seconds >= 1 else seconds)


class FlakyStore(LocalFileStore):
    """A real local-file store whose writes of chosen properties can be made to fail."""

    def __init__(self, path: Path, clock: FakeClock) -> None:
        super().__init__(path, NAMING, clock=clock.now, sleep=clock.sleep)
        self.failing: set[str] = set()
        self.write_attempts: list[str] = []

    def _write(self, key: str, value: str) -> None:
        self.write_attempts.append(key)
        if key.removeprefix(PREFIX) in self.failing:
            raise ConfigStoreUnavailable(f"write of {key} refused by the test")
        super()._write(key, value)
