"""`proxy setup confluence` messages that must be right: a piped secret is read, a corrupt local
file is named without a cloud hint, and the browser page does not claim success too early."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx

from proxy.tooling.callback_server import CallbackServer
from support.consent_rig import CLIENT_ID, CLIENT_SECRET, ConsentRig
from support.processes import cli_command, minimal_env, run_cli

PREFIX = "PSOXY_CONFLUENCE_CLOUD_"


def test_a_secret_piped_into_stdin_is_used(consent: ConsentRig, port: int, tmp_path: Path) -> None:
    secrets_file = tmp_path / "secrets.json"
    process = subprocess.Popen(
        cli_command(
            "setup",
            "confluence",
            "--simulator-url",
            consent.base_url,
            "--client-id",
            CLIENT_ID,
            "--port",
            str(port),
            "--timeout",
            "20",
            "--no-browser",
            "--store",
            "local",
            "--secrets-file",
            str(secrets_file),
        ),
        env=minimal_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(CLIENT_SECRET + "\n")
        process.stdin.close()
        url = next(line.strip() for line in process.stdout if "/authorize?" in line)
        assert httpx.get(url, follow_redirects=True, timeout=10).status_code == 200
        assert process.stderr is not None
        out, err = process.stdout.read(), process.stderr.read()
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    stored = json.loads(secrets_file.read_text())
    assert stored[PREFIX + "CLIENT_SECRET"] == CLIENT_SECRET
    assert consent.refresh_works(stored[PREFIX + "REFRESH_TOKEN"])
    assert CLIENT_SECRET not in out + err


def test_a_corrupt_local_file_is_named_without_a_cloud_hint(tmp_path: Path) -> None:
    corrupt = tmp_path / "secrets.json"
    corrupt.write_text("{oops")
    done = run_cli(
        "setup",
        "confluence",
        "--client-id",
        "x",
        "--client-secret",
        "y",
        "--store",
        "local",
        "--secrets-file",
        str(corrupt),
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        f"proxy setup: cannot read local secrets file {corrupt} before the consent: {corrupt} "
        "is not valid JSON (line 1, column 2)\n"
    )


def test_the_browser_page_waits_for_the_terminal_to_tell_the_outcome() -> None:
    server = CallbackServer(0, "state-1")
    status, page = server.accept("/psoxy-setup-callback", "code=c-1&state=state-1")
    assert status == 200
    assert page == (
        "Authorization code received. Return to the terminal: it shows whether the setup "
        "succeeded. You can close this tab."
    )
    assert "Done" not in page
