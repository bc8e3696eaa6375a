"""The Lambda handler against a slow upstream with little time left: our own 504 (with
`X-Psoxy-Error` and `Retry-After`) comes before Lambda's timeout would, the SSM refresh lock is
released and a rotated refresh token is in SSM, so the next request simply works.

Real parts: the handler over the real gateway, the simulator on loopback for tokens and
Confluence (its `slow` fault sleeps 30 s), SSM on a moto server. The Lambda context is the only
stand-in: it reports the time left of a function with a short timeout.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from platforms.aws_rig import REFERENCE_SECRETS, SPACES_PATH, load_event

from proxy.cli.serve_command import DEMO_PREFIX, demo_environment
from proxy.config import SecretNaming, Settings
from proxy.config.stores._aws_ssm import SsmParameterStore
from proxy.deadline import DEADLINE_RETRY_AFTER_SECONDS, UNBOUNDED
from proxy.platforms.aws_lambda import LambdaHandler, make_handler, platform_deadline
from proxy.platforms.composition import build_gateway
from proxy.simulator.app import AtlassianSimulator
from proxy.simulator.demo import SimulatorCredentials, start_simulator
from proxy.simulator.faults import inject_fault
from support.moto_server import MotoServer

PREFIX = DEMO_PREFIX
LOCK_PARAMETER = f"{PREFIX}OAUTH_REFRESH_TOKEN_lock"
TASKS_PATH = SPACES_PATH.replace("/spaces", "/tasks")


class LambdaContext:
    """What the handler uses of Lambda's context: the time left before the function's timeout."""

    def __init__(self, timeout_seconds: float) -> None:
        self._ends = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return int((self._ends - time.monotonic()) * 1000)


@pytest.fixture
def simulator() -> Iterator[tuple[AtlassianSimulator, SimulatorCredentials, threading.Event]]:
    simulator, credentials = start_simulator()
    stop = threading.Event()  # ends the faults' sleeps at teardown
    try:
        yield simulator, credentials, stop
    finally:
        stop.set()
        simulator.stop()


@pytest.fixture
def handler(
    moto: MotoServer,
    simulator: tuple[AtlassianSimulator, SimulatorCredentials, threading.Event],
) -> LambdaHandler:
    _, credentials, _ = simulator
    ssm = moto.ssm()
    values = {
        **REFERENCE_SECRETS,
        f"{PREFIX}CLIENT_ID": credentials.client_id,
        f"{PREFIX}CLIENT_SECRET": credentials.client_secret,
        f"{PREFIX}REFRESH_TOKEN": credentials.refresh_token,
    }
    for name, value in values.items():
        ssm.put_parameter(Name=name, Value=value, Type="SecureString", Overwrite=True)
    # The demo's settings, with the secrets in SSM instead of a local file.
    environment = demo_environment(credentials, Path("unused.json"), {})
    del environment["LOCAL_SECRETS_FILE"]
    settings = Settings.from_env({**environment, "SECRETS_STORE": "AWS_SSM_PARAMETER_STORE"})
    store = SsmParameterStore(SecretNaming(instance_prefix=PREFIX), ssm)
    return make_handler(lambda: build_gateway(settings, store=store))


def call(handler: LambdaHandler, path: str, timeout_seconds: float) -> dict[str, Any]:
    event = load_event("lambda-function-url-v2.json", rawPath=path, rawQueryString="limit=10")
    return handler(event, LambdaContext(timeout_seconds))


def parameter(moto: MotoServer, name: str) -> str | None:
    found = moto.ssm().get_parameters(Names=[name], WithDecryption=True)["Parameters"]
    return found[0]["Value"] if found else None


def test_a_slow_upstream_ends_in_our_504_with_the_rotated_token_saved_and_the_lock_released(
    moto: MotoServer,
    simulator: tuple[AtlassianSimulator, SimulatorCredentials, threading.Event],
    handler: LambdaHandler,
) -> None:
    site, credentials, stop = simulator
    inject_fault(site.routes, r".*/api/v2/spaces", "slow:30", sleep=stop.wait)

    # 12 s before Lambda's timeout: 7 s of work (the token exchange, SSM writes and the 2 s SSM
    # consistency hold among them take about 3 s; the rest is margin for a loaded machine), then
    # the wrap-up. The upstream would answer after 30 s.
    result = call(handler, SPACES_PATH, timeout_seconds=12)

    assert result["statusCode"] == 504, result
    assert result["headers"]["X-Psoxy-Error"] == "SOURCE_API_READ_TIMEOUT"
    assert result["headers"]["Retry-After"] == str(DEADLINE_RETRY_AFTER_SECONDS)
    assert site.oauth.token_exchanges == 1
    rotated = site.oauth.family_head(credentials.refresh_token)
    assert rotated != credentials.refresh_token
    assert parameter(moto, f"{PREFIX}REFRESH_TOKEN") == rotated
    assert parameter(moto, LOCK_PARAMETER) is None

    follow_up = call(handler, TASKS_PATH, timeout_seconds=9)
    assert follow_up["statusCode"] == 200, follow_up
    assert site.oauth.token_exchanges == 1  # the token of the cut request serves the next one


def test_a_slow_token_endpoint_ends_in_a_504_and_leaves_the_refresh_token_usable(
    moto: MotoServer,
    simulator: tuple[AtlassianSimulator, SimulatorCredentials, threading.Event],
    handler: LambdaHandler,
) -> None:
    site, credentials, stop = simulator
    slow_tokens = inject_fault(site.routes, r"/oauth/token", "slow:30", sleep=stop.wait)

    result = call(handler, SPACES_PATH, timeout_seconds=6)  # 3 s of work (half of the time)

    assert result["statusCode"] == 504, result
    assert result["headers"]["X-Psoxy-Error"] == "DEADLINE_EXCEEDED"
    assert result["headers"]["Retry-After"] == str(DEADLINE_RETRY_AFTER_SECONDS)
    assert parameter(moto, LOCK_PARAMETER) is None
    assert parameter(moto, f"{PREFIX}REFRESH_TOKEN") == credentials.refresh_token

    site.routes.remove(slow_tokens)
    follow_up = call(handler, SPACES_PATH, timeout_seconds=9)
    assert follow_up["statusCode"] == 200, follow_up
    assert not site.oauth.is_family_revoked(credentials.refresh_token)


def test_waiting_for_another_instance_s_lock_ends_at_the_deadline(
    moto: MotoServer,
    simulator: tuple[AtlassianSimulator, SimulatorCredentials, threading.Event],
    handler: LambdaHandler,
) -> None:
    site, _, _ = simulator
    held = f"locked_{int(time.time() * 1000)}_other-instance"
    moto.ssm().put_parameter(Name=LOCK_PARAMETER, Value=held, Type="String")

    # 3.5 s of work; without the deadline: back-offs of 4, 8 and 12 s, then a 503.
    result = call(handler, SPACES_PATH, timeout_seconds=7)

    assert result["statusCode"] == 504, result
    assert result["headers"]["X-Psoxy-Error"] == "DEADLINE_EXCEEDED"
    assert result["headers"]["Retry-After"] == str(DEADLINE_RETRY_AFTER_SECONDS)
    assert parameter(moto, LOCK_PARAMETER) == held
    assert site.oauth.token_exchanges == 0


@pytest.mark.parametrize(("timeout", "work"), [(30.0, 25.0), (10.0, 5.0), (6.0, 3.0)])
def test_the_deadline_keeps_the_margin_or_half_of_a_short_timeout(
    timeout: float, work: float
) -> None:
    class Context:
        def get_remaining_time_in_millis(self) -> int:
            return int(timeout * 1000)

    deadline = platform_deadline(Context())

    assert deadline.remaining() == pytest.approx(work, abs=0.5)
    assert platform_deadline(None) is UNBOUNDED
