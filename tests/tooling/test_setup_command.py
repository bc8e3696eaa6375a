"""`proxy setup confluence` end to end: authorize -> callback -> exchange -> sites -> store.

The command runs as a real process (its stdout gives the authorize URL, as an operator sees it);
the test plays the browser. Stores: the local JSON file, SSM on a moto server over HTTP, Secrets
Manager on moto and GCP Secret Manager on the gRPC fake (in-process, clients injected).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx
import pytest

from proxy.auth import DAY, format_instant, parse_instant
from proxy.cli import setup_command
from proxy.cli.main import build_parser
from proxy.simulator.confluence import EXAMPLE_CLOUD_ID
from proxy.tooling.secret_targets import StoreClients
from proxy.tooling.setup_flow import Console
from support.consent_rig import CLIENT_ID, CLIENT_SECRET, ConsentRig
from support.gcp_secret_manager_fake import PROJECT, FakeSecretManager
from support.moto_server import REGION, MotoServer

Browser = Callable[[str], httpx.Response]
PREFIX = "PSOXY_CONFLUENCE_CLOUD_"
NAMES = ("CLIENT_ID", "CLIENT_SECRET", "REFRESH_TOKEN")


@contextmanager
def setup_process(
    args: Sequence[str], env: dict[str, str] | None = None
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """Start `proxy setup confluence ARGS`; yields the process and the printed authorize URL."""
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONUNBUFFERED": "1",
        "ATLASSIAN_CLIENT_SECRET": CLIENT_SECRET,
        **(env or {}),
    }
    command = [sys.executable, "-m", "proxy.cli.main", "setup", "confluence", *args]
    process = subprocess.Popen(
        command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        yield process, _authorize_url(process.stdout)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _authorize_url(stdout: IO[str] | None) -> str:
    assert stdout is not None
    for line in stdout:
        if "/authorize?" in line:
            return line.strip()
    raise AssertionError("the command printed no authorize URL")


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=30)
    return process.returncode, out, err


def common_args(
    rig: ConsentRig, port: int, *, timeout: float = 20, browser: bool = False
) -> list[str]:
    args = [
        "--simulator-url",
        rig.base_url,
        "--client-id",
        CLIENT_ID,
        "--port",
        str(port),
        "--timeout",
        str(timeout),
    ]
    return args if browser else [*args, "--no-browser"]


def test_local_store_after_a_forged_callback_was_refused(
    consent: ConsentRig, port: int, browser: Browser, tmp_path: Path
) -> None:
    secrets_file = tmp_path / "secrets.json"
    args = [*common_args(consent, port), "--store", "local", "--secrets-file", str(secrets_file)]
    with setup_process(args) as (process, url):
        forged = httpx.get(
            f"http://127.0.0.1:{port}/psoxy-setup-callback?code=attacker-code&state=guessed"
        )
        assert forged.status_code == 400
        assert browser(url).status_code == 200
        code, out, err = finish(process)
    assert code == 0, err
    stored = json.loads(secrets_file.read_text())
    assert set(stored) == {PREFIX + name for name in (*NAMES, "REFRESH_TOKEN_GRANTED_AT")}
    granted = parse_instant(stored[PREFIX + "REFRESH_TOKEN_GRANTED_AT"])
    assert granted is not None and abs(granted - time.time()) < 600  # the consent just happened
    assert stored[PREFIX + "CLIENT_ID"] == CLIENT_ID
    assert stored[PREFIX + "CLIENT_SECRET"] == CLIENT_SECRET
    refresh_token = stored[PREFIX + "REFRESH_TOKEN"]
    assert consent.simulator.oauth.family_head(refresh_token) == refresh_token
    assert consent.refresh_works(refresh_token)
    assert err == (
        "proxy setup: rejected a callback whose state does not match this setup run (a stale "
        "browser tab or a forged request); still waiting for Atlassian's redirect\n"
    )
    expires = format_instant(granted + 365 * DAY)
    assert out.splitlines()[-3:] == [
        f"Stored {PREFIX}CLIENT_ID, {PREFIX}CLIENT_SECRET, {PREFIX}REFRESH_TOKEN in local "
        f"secrets file {secrets_file}.",
        f"Recorded the consent time in {PREFIX}REFRESH_TOKEN_GRANTED_AT: granted "
        f"{format_instant(granted)}, the token family expires at {expires} (the health check "
        "warns 30 days before).",
        f"Cloud id for the analytics side: {EXAMPLE_CLOUD_ID}",
    ]
    assert refresh_token not in out and CLIENT_SECRET not in out


def test_ssm_on_moto(consent: ConsentRig, port: int, browser: Browser, moto: MotoServer) -> None:
    env = {
        "AWS_ENDPOINT_URL_SSM": moto.endpoint_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    args = [
        *common_args(consent, port),
        "--store",
        "ssm",
        "--region",
        REGION,
        "--prefix",
        "psoxy-confluence-",
    ]
    with setup_process(args, env) as (process, url):
        browser(url)
        code, out, err = finish(process)
    assert code == 0, err
    ssm = moto.ssm()
    stored = {
        name: ssm.get_parameter(Name=f"psoxy-confluence-{name}", WithDecryption=True)["Parameter"]
        for name in NAMES
    }
    assert {p["Type"] for p in stored.values()} == {"SecureString"}
    assert stored["CLIENT_ID"]["Value"] == CLIENT_ID
    assert stored["CLIENT_SECRET"]["Value"] == CLIENT_SECRET
    assert consent.refresh_works(stored["REFRESH_TOKEN"]["Value"])
    assert "in AWS SSM Parameter Store." in out


def test_without_a_store_it_prints_the_values(
    consent: ConsentRig, port: int, browser: Browser
) -> None:
    with setup_process(common_args(consent, port)) as (process, url):
        browser(url)
        code, out, err = finish(process)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert f"  {PREFIX}CLIENT_ID = {CLIENT_ID}" in lines
    assert f"  {PREFIX}CLIENT_SECRET = (the client secret you entered)" in lines
    printed = next(line for line in lines if line.startswith(f"  {PREFIX}REFRESH_TOKEN = "))
    assert consent.refresh_works(printed.split(" = ", 1)[1])
    assert lines[-1] == f"Cloud id for the analytics side: {EXAMPLE_CLOUD_ID}"


def test_only_a_forged_callback_then_timeout_stores_nothing(
    consent: ConsentRig, port: int, tmp_path: Path
) -> None:
    secrets_file = tmp_path / "secrets.json"
    args = [
        *common_args(consent, port, timeout=0.5),
        "--store",
        "local",
        "--secrets-file",
        str(secrets_file),
    ]
    with setup_process(args) as (process, _url):
        httpx.get(f"http://127.0.0.1:{port}/psoxy-setup-callback?code=x&state=y")
        code, _out, err = finish(process)
    assert code == 1
    assert err.splitlines()[-1].startswith("proxy setup: no callback from Atlassian within 0.5 s")
    assert not secrets_file.exists()


def run_in_process(
    argv: list[str], clients: StoreClients, browser: Browser, warned: list[str] | None = None
) -> int:
    args = build_parser().parse_args(["setup", "confluence", *argv])
    console = Console(
        say=lambda text: None,
        warn=(warned if warned is not None else []).append,
        open_browser=lambda url: browser(url).status_code == 200,
    )
    return setup_command.run(args, console=console, clients=clients)


def test_secrets_manager_on_moto(
    consent: ConsentRig, port: int, browser: Browser, moto: MotoServer
) -> None:
    argv = [
        *common_args(consent, port, browser=True),
        "--client-secret",
        CLIENT_SECRET,
        "--store",
        "secrets-manager",
        "--region",
        REGION,
    ]
    clients = StoreClients(ssm=moto.ssm(), secrets_manager=moto.secrets_manager())
    assert run_in_process(argv, clients, browser) == 0
    manager = moto.secrets_manager()
    values = {n: manager.get_secret_value(SecretId=PREFIX + n)["SecretString"] for n in NAMES}
    assert values["CLIENT_ID"] == CLIENT_ID
    assert consent.refresh_works(values["REFRESH_TOKEN"])
    granted = manager.get_secret_value(SecretId=PREFIX + "REFRESH_TOKEN_GRANTED_AT")
    assert parse_instant(granted["SecretString"]) is not None


def test_gcp_secret_manager_on_the_fake(
    consent: ConsentRig, port: int, browser: Browser, gcp_fake: FakeSecretManager
) -> None:
    for name in NAMES:  # Terraform creates the secrets; setup adds versions
        gcp_fake.create(PREFIX + name)
    argv = [
        *common_args(consent, port, browser=True),
        "--client-secret",
        CLIENT_SECRET,
        "--store",
        "gcp",
        "--project",
        PROJECT,
    ]
    warned: list[str] = []
    assert run_in_process(argv, StoreClients(gcp=gcp_fake.client()), browser, warned) == 0
    # an older Terraform did not create REFRESH_TOKEN_GRANTED_AT: a warning, not a failure
    (warning,) = warned
    assert warning.startswith(
        f"warning: writing {PREFIX}REFRESH_TOKEN_GRANTED_AT to GCP Secret Manager failed"
    )
    assert "cannot warn before the token family's 365-day expiry" in warning
    client = gcp_fake.client()

    def latest(name: str) -> str:
        version = client.access_secret_version(
            name=f"{gcp_fake.path(PREFIX + name)}/versions/latest"
        )
        return bytes(version.payload.data).decode()

    assert latest("CLIENT_SECRET") == CLIENT_SECRET
    assert consent.refresh_works(latest("REFRESH_TOKEN"))


def test_gcp_without_the_secrets_says_to_create_them(
    consent: ConsentRig,
    port: int,
    browser: Browser,
    gcp_fake: FakeSecretManager,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = [
        *common_args(consent, port, browser=True),
        "--client-secret",
        CLIENT_SECRET,
        "--store",
        "gcp",
        "--project",
        PROJECT,
    ]
    assert run_in_process(argv, StoreClients(gcp=gcp_fake.client()), browser) == 1
    error = capsys.readouterr().err
    assert error.startswith(
        f"proxy setup: writing {PREFIX}CLIENT_ID to GCP Secret Manager failed: secret "
        f"projects/{PROJECT}/secrets/{PREFIX}CLIENT_ID does not exist; create it"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--auth-base", "http://auth.example.com", "--client-id", "x"],
            "proxy setup: --auth-base must be an https:// URL (http:// only for localhost): "
            "http://auth.example.com\n",
        ),
        (["--port", "0", "--client-id", "x"], "proxy setup: --port must be 1-65535, got 0\n"),
        (
            [],
            "proxy setup: the client id is missing: --client-id or ATLASSIAN_CLIENT_ID and the "
            "client secret is missing: ATLASSIAN_CLIENT_SECRET, the prompt (on a terminal) or one "
            "line on stdin (`… | proxy setup confluence`)\n",
        ),
        (
            ["--client-id", "x"],
            "proxy setup: the client secret is missing: ATLASSIAN_CLIENT_SECRET, the prompt (on a "
            "terminal) or one line on stdin (`… | proxy setup confluence`)\n",
        ),
    ],
)
def test_bad_options_exit_2_with_one_line(argv: list[str], message: str) -> None:
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    done = subprocess.run(
        [sys.executable, "-m", "proxy.cli.main", "setup", "confluence", *argv],
        env=environment,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=30,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (2, "", message)


def test_client_id_and_secret_are_asked_for_on_a_terminal(
    consent: ConsentRig, port: int, browser: Browser, tmp_path: Path
) -> None:
    asked: list[str] = []

    def answer(prompt: str) -> str:
        asked.append(prompt)
        return CLIENT_ID if "id" in prompt else CLIENT_SECRET

    args = build_parser().parse_args(
        [
            "setup",
            "confluence",
            "--simulator-url",
            consent.base_url,
            "--port",
            str(port),
            "--store",
            "local",
            "--secrets-file",
            str(tmp_path / "s.json"),
            "--timeout",
            "20",
        ]
    )
    args.client_id = args.client_secret = None  # whatever the environment of the test run says
    console = Console(
        say=lambda text: None,
        warn=lambda text: None,
        open_browser=lambda url: browser(url).status_code == 200,
        ask=answer,
        ask_secret=answer,
    )
    assert setup_command.run(args, console=console) == 0
    assert asked == ["Atlassian app client id: ", "Atlassian app client secret: "]
    stored = json.loads((tmp_path / "s.json").read_text())
    assert stored[PREFIX + "CLIENT_SECRET"] == CLIENT_SECRET


def test_an_empty_prefix_is_a_bad_option(capsys: pytest.CaptureFixture[str]) -> None:
    args = build_parser().parse_args(
        [
            "setup",
            "confluence",
            "--client-id",
            "x",
            "--client-secret",
            "y",
            "--store",
            "local",
            "--prefix",
            "",
        ]
    )
    assert setup_command.run(args) == 2
    assert capsys.readouterr().err == (
        "proxy setup: --prefix must not be empty (e.g. PSOXY_CONFLUENCE_CLOUD_)\n"
    )
