"""The callback server takes exactly one callback with this run's state; the rest is refused."""

from __future__ import annotations

import socket

import httpx
import pytest

from proxy.errors import OperatorToolError
from proxy.tooling.callback_server import CALLBACK_PATH, CallbackServer, callback_url

STATE = "expected-state"


def hit(port: int, query: str, path: str = CALLBACK_PATH) -> httpx.Response:
    return httpx.get(f"http://127.0.0.1:{port}{path}?{query}")


def test_callback_url_is_the_localhost_uri_to_register() -> None:
    assert callback_url(9000) == "http://localhost:9000/psoxy-setup-callback"


def test_a_forged_callback_is_refused_and_the_server_keeps_waiting(port: int) -> None:
    rejected: list[str] = []
    with CallbackServer(port, STATE, on_rejected=rejected.append) as server:
        forged = hit(port, "code=evil&state=guess")
        assert forged.status_code == 400
        assert "does not belong to the running setup" in forged.text
        assert len(rejected) == 1
        assert rejected[0].startswith("rejected a callback whose state does not match")
        assert "still waiting" in rejected[0]
        genuine = hit(port, f"code=good-code&state={STATE}")
        assert genuine.status_code == 200
        assert "good-code" not in genuine.text
        assert server.wait_for_code(timeout_seconds=5) == "good-code"


def test_a_callback_without_state_is_refused_too(port: int) -> None:
    with CallbackServer(port, STATE) as server:
        assert hit(port, "code=evil").status_code == 400
        with pytest.raises(OperatorToolError, match=r"no callback from Atlassian within 0\.05 s"):
            server.wait_for_code(timeout_seconds=0.05)


def test_only_the_first_genuine_callback_counts(port: int) -> None:
    with CallbackServer(port, STATE) as server:
        assert hit(port, f"code=first&state={STATE}").status_code == 200
        assert hit(port, f"code=second&state={STATE}").status_code == 410
        assert server.wait_for_code(timeout_seconds=5) == "first"


def test_a_declined_consent_ends_the_wait_with_the_reason(port: int) -> None:
    with CallbackServer(port, STATE) as server:
        answer = hit(
            port, f"error=access_denied&error_description=User+did+not+authorize&state={STATE}"
        )
        assert answer.status_code == 400
        with pytest.raises(OperatorToolError) as raised:
            server.wait_for_code(timeout_seconds=5)
    assert raised.value.message == (
        "Atlassian redirected with error `access_denied`: the consent was declined on the "
        "Atlassian screen"
    )


def test_other_error_codes_show_atlassians_description(port: int) -> None:
    with CallbackServer(port, STATE) as server:
        hit(port, f"error=server_error&error_description=Try+later&state={STATE}")
        with pytest.raises(OperatorToolError, match=r"`server_error`: Try later$"):
            server.wait_for_code(timeout_seconds=5)


def test_other_paths_are_not_found(port: int) -> None:
    with CallbackServer(port, STATE):
        assert hit(port, f"code=x&state={STATE}", path="/favicon.ico").status_code == 404


def test_a_busy_port_is_reported_with_what_to_do(port: int) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", port))
        holder.listen()
        with pytest.raises(OperatorToolError) as raised:
            CallbackServer(port, STATE).start()
    assert raised.value.message == (
        f"port {port} is busy, so the callback server cannot listen: stop what uses it, or "
        "pass --port N and add http://localhost:N/psoxy-setup-callback to the app's callback "
        "URLs (or use --manual, which needs no callback server)"
    )
