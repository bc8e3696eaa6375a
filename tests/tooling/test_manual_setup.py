"""`proxy setup confluence --manual` end to end against the simulator: the app knows only the
callback `http://localhost`, the test plays the browser (the redirect it cannot load) and the
operator (pasting that address into the command)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from proxy.simulator.confluence import EXAMPLE_CLOUD_ID
from proxy.tooling.manual_setup import parse_pasted_redirect
from support.consent_rig import CLIENT_ID, CLIENT_SECRET, ConsentRig
from support.processes import cli_command, minimal_env

PREFIX = "PSOXY_CONFLUENCE_CLOUD_"


@pytest.fixture
def localhost_app(consent: ConsentRig) -> ConsentRig:
    """The app as the README's manual path registers it: one callback, `http://localhost`."""
    consent.authorize.register_app(CLIENT_ID, callback_urls=["http://localhost"])
    return consent


@contextmanager
def manual_setup(rig: ConsentRig, *args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    process = subprocess.Popen(
        cli_command(
            "setup",
            "confluence",
            "--manual",
            "--simulator-url",
            rig.base_url,
            "--client-id",
            CLIENT_ID,
            *args,
        ),
        env=minimal_env(ATLASSIAN_CLIENT_SECRET=CLIENT_SECRET),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = next(line.strip() for line in process.stdout if "/authorize?" in line)
        yield process, url
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


def approve(authorize_url: str) -> str:
    """What the browser's address bar shows after the approval: the failed redirect."""
    response = httpx.get(authorize_url, follow_redirects=False, timeout=10)
    assert response.status_code == 302
    return response.headers["location"]


def paste(process: subprocess.Popen[str], *answers: str) -> tuple[int, str, str]:
    assert process.stdin is not None and process.stdout is not None
    assert process.stderr is not None
    process.stdin.write("".join(f"{answer}\n" for answer in answers))
    process.stdin.close()
    out, err = process.stdout.read(), process.stderr.read()
    return process.wait(timeout=60), out, err


def test_pasting_the_redirect_address_stores_like_the_normal_flow(
    localhost_app: ConsentRig, tmp_path: Path
) -> None:
    secrets_file = tmp_path / "secrets.json"
    with manual_setup(localhost_app, "--store", "local", "--secrets-file", str(secrets_file)) as (
        process,
        url,
    ):
        query = parse_qs(urlsplit(url).query)
        assert query["redirect_uri"] == ["http://localhost"]
        assert len(query["state"][0]) >= 32
        redirect = approve(url)
        assert redirect.startswith("http://localhost")
        code, out, err = paste(process, redirect)
    assert (code, err) == (0, "")
    stored = json.loads(secrets_file.read_text())
    assert stored[PREFIX + "CLIENT_ID"] == CLIENT_ID
    assert stored[PREFIX + "CLIENT_SECRET"] == CLIENT_SECRET
    assert localhost_app.refresh_works(stored[PREFIX + "REFRESH_TOKEN"])
    assert out.splitlines()[-1] == f"Cloud id for the analytics side: {EXAMPLE_CLOUD_ID}"
    assert stored[PREFIX + "REFRESH_TOKEN"] not in out


def test_a_redirect_of_another_run_is_refused_and_asked_again(
    localhost_app: ConsentRig, tmp_path: Path
) -> None:
    with manual_setup(localhost_app) as (_, old_url):
        stale = approve(old_url)  # a tab left open from an earlier run
    with manual_setup(localhost_app) as (process, url):
        code, out, err = paste(process, stale, approve(url))
    assert code == 0, err
    assert err == (
        "proxy setup: the pasted address carries another state than this run's (a tab of an "
        "earlier run, or a link from someone else); it was ignored: paste this run's redirect\n"
    )
    assert out.splitlines()[-1] == f"Cloud id for the analytics side: {EXAMPLE_CLOUD_ID}"


def test_a_bare_code_works_and_says_the_state_was_not_checked(
    localhost_app: ConsentRig,
) -> None:
    with manual_setup(localhost_app) as (process, url):
        bare_code = parse_qs(urlsplit(approve(url)).query)["code"][0]
        code, _, err = paste(process, bare_code)
    assert code == 0
    assert err == "proxy setup: only a code was pasted, so its state could not be checked\n"


def test_a_used_code_fails_with_the_reason(localhost_app: ConsentRig) -> None:
    with manual_setup(localhost_app) as (process, url):
        redirect = approve(url)
        code = parse_qs(urlsplit(redirect).query)["code"][0]
        httpx.post(  # someone exchanged it already
            f"{localhost_app.base_url}/oauth/token",
            json={
                "grant_type": "authorization_code",
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "code": code,
                "redirect_uri": "http://localhost",
            },
        )
        exit_code, _, err = paste(process, redirect)
    assert exit_code == 1
    assert err.startswith("proxy setup: Atlassian refused the authorization code (invalid_grant)")


def test_nothing_pasted_is_one_line(localhost_app: ConsentRig) -> None:
    with manual_setup(localhost_app) as (process, _):
        code, _, err = paste(process)
    assert (code, err) == (1, "proxy setup: nothing was pasted: run the setup again\n")


def test_the_normal_callback_is_refused_by_an_app_that_only_knows_localhost(
    localhost_app: ConsentRig,
) -> None:
    page = httpx.get(
        f"{localhost_app.base_url}/authorize?client_id={CLIENT_ID}&redirect_uri="
        "http%3A%2F%2Flocalhost%3A9000%2Fpsoxy-setup-callback&response_type=code",
        timeout=10,
    )
    assert page.status_code == 400  # Atlassian's error page: no redirect to a stranger


@pytest.mark.parametrize(
    ("pasted", "expected"),
    [
        ("http://localhost/?code=c1&state=s1", {"code": "c1", "state": "s1"}),
        ("http://localhost?code=c1&state=s1", {"code": "c1", "state": "s1"}),
        ("  code=c1&state=s1 ", {"code": "c1", "state": "s1"}),
        ("?error=access_denied&state=s1", {"error": "access_denied", "state": "s1"}),
        ("c1", {"code": "c1"}),
        ("", {}),
    ],
)
def test_what_can_be_pasted(pasted: str, expected: dict[str, str]) -> None:
    assert parse_pasted_redirect(pasted) == expected


def test_a_declined_consent_says_so(localhost_app: ConsentRig) -> None:
    with manual_setup(localhost_app) as (process, url):
        state = parse_qs(urlsplit(url).query)["state"][0]
        code, _, err = paste(process, f"http://localhost/?error=access_denied&state={state}")
    assert code == 1
    assert err == (
        "proxy setup: Atlassian redirected with error `access_denied`: the consent was declined "
        "on the Atlassian screen\n"
    )
