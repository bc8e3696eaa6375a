"""`run_setup` against the simulator: the happy path and each failure operators meet."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from proxy.errors import OperatorToolError
from proxy.secret_value import Secret
from proxy.simulator.authorize import SimulatedSite
from proxy.simulator.confluence import EXAMPLE_CLOUD_ID
from proxy.tooling.atlassian_oauth import REQUESTED_SCOPES, Site
from proxy.tooling.setup_flow import Console, SetupOptions, SetupResult, choose_site, run_setup
from support.consent_rig import CLIENT_ID, CLIENT_SECRET, ConsentRig

Browser = Callable[[str], httpx.Response]
OTHER_SITE = SimulatedSite(
    "0b0b0b0b-0000-4000-8000-000000000000", "https://other.atlassian.net", "other"
)


class Terminal:
    """Records what the flow says; its browser approves through `approve`."""

    def __init__(self, approve: Callable[[str], object], answers: list[str] | None = None) -> None:
        self.said: list[str] = []
        self.warned: list[str] = []
        self.opened: list[str] = []
        self._approve = approve
        self._answers = answers

    def open_browser(self, url: str) -> bool:
        self.opened.append(url)
        self._approve(url)
        return True

    def console(self) -> Console:
        answers = self._answers
        return Console(
            say=self.said.append,
            warn=self.warned.append,
            open_browser=self.open_browser,
            ask=(lambda prompt: answers.pop(0)) if answers is not None else None,
        )


def options(rig: ConsentRig, port: int, **overrides: object) -> SetupOptions:
    values: dict[str, object] = {
        "client_id": CLIENT_ID,
        "client_secret": Secret(CLIENT_SECRET),
        "port": port,
        "auth_base": rig.base_url,
        "api_base": rig.base_url,
        "timeout_seconds": 10.0,
        **overrides,
    }
    return SetupOptions(**values)  # type: ignore[arg-type]


CONSENT_TIME = 1_760_000_000.0


def setup(rig: ConsentRig, port: int, terminal: Terminal, **overrides: object) -> SetupResult:
    with httpx.Client(timeout=10) as http:
        return run_setup(
            options(rig, port, **overrides), terminal.console(), http, clock=lambda: CONSENT_TIME
        )


def test_consent_to_refresh_token_and_site(
    consent: ConsentRig, port: int, browser: Browser
) -> None:
    terminal = Terminal(browser)
    result = setup(consent, port, terminal)
    assert result.site == Site(EXAMPLE_CLOUD_ID, "https://some-org.atlassian.net", "some-org")
    assert result.missing_scopes == ()
    assert result.granted_at == CONSENT_TIME  # taken when the code was exchanged
    assert set(result.values()) == {"CLIENT_ID", "CLIENT_SECRET", "REFRESH_TOKEN"}
    assert result.values()["CLIENT_SECRET"] == Secret(CLIENT_SECRET)
    assert consent.refresh_works(result.refresh_token.reveal())
    query = parse_qs(urlsplit(terminal.opened[0]).query)
    assert query["scope"] == [" ".join(REQUESTED_SCOPES)]
    assert query["redirect_uri"] == [f"http://localhost:{port}/psoxy-setup-callback"]
    assert (query["audience"], query["prompt"], query["response_type"]) == (
        ["api.atlassian.com"],
        ["consent"],
        ["code"],
    )
    assert len(query["state"][0]) >= 32
    assert terminal.warned == []
    assert terminal.said[-1] == (
        f"Consent OK: site https://some-org.atlassian.net (cloud id {EXAMPLE_CLOUD_ID})."
    )
    assert not any(result.refresh_token.reveal() in line for line in terminal.said)


def test_no_refresh_token_without_offline_access(
    consent: ConsentRig, port: int, browser: Browser
) -> None:
    consent.authorize.register_app(CLIENT_ID, scopes=set(REQUESTED_SCOPES) - {"offline_access"})
    with pytest.raises(OperatorToolError) as raised:
        setup(consent, port, Terminal(browser))
    assert raised.value.message.startswith(
        "Atlassian returned no refresh token: the consent did not include `offline_access`."
    )


def test_a_missing_scope_is_named_and_the_test_call_fails_with_scope_does_not_match(
    consent: ConsentRig, port: int, browser: Browser
) -> None:
    consent.authorize.register_app(
        CLIENT_ID, scopes=set(REQUESTED_SCOPES) - {"read:space:confluence"}
    )
    terminal = Terminal(browser)
    with pytest.raises(OperatorToolError) as raised:
        setup(consent, port, terminal)
    assert raised.value.message.startswith(
        "Confluence answered 401 `scope does not match`: the app lacks a scope. In the developer "
        "console (Permissions > Confluence API > granular scopes) add: read:blogpost:confluence,"
    )
    assert terminal.warned == [
        "warning: Atlassian did not grant read:space:confluence; calls needing them will answer "
        "401 `scope does not match` (add them to the app and run setup again)"
    ]


def test_a_wrong_client_secret_is_invalid_client(
    consent: ConsentRig, port: int, browser: Browser
) -> None:
    with pytest.raises(
        OperatorToolError, match=r"rejected the client id or secret \(invalid_client\)"
    ):
        setup(consent, port, Terminal(browser), client_secret=Secret("wrong"))


def test_a_code_used_elsewhere_first_is_invalid_grant(consent: ConsentRig, port: int) -> None:
    def steal_then_deliver(url: str) -> None:
        redirect = httpx.get(url)  # the consent, without following the redirect yet
        location = redirect.headers["location"]
        code = parse_qs(urlsplit(location).query)["code"][0]
        httpx.post(
            consent.simulator.token_url,
            json={
                "grant_type": "authorization_code",
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "code": code,
                "redirect_uri": f"http://localhost:{port}/psoxy-setup-callback",
            },
        ).raise_for_status()
        httpx.get(location)

    with pytest.raises(OperatorToolError) as raised:
        setup(consent, port, Terminal(steal_then_deliver))
    assert raised.value.message == (
        "Atlassian refused the authorization code (invalid_grant): a code works once and for 10 "
        "minutes, and only with the same callback URL as the authorize step; run `proxy setup "
        "confluence` again"
    )


def test_no_approval_times_out(consent: ConsentRig, port: int) -> None:
    with pytest.raises(OperatorToolError, match=r"^no callback from Atlassian within 0.2 s"):
        setup(consent, port, Terminal(lambda url: None), timeout_seconds=0.2)


def test_several_sites_need_a_choice(consent: ConsentRig, port: int, browser: Browser) -> None:
    consent.authorize.add_site(OTHER_SITE, first=True)
    with pytest.raises(OperatorToolError) as raised:
        setup(consent, port, Terminal(browser))
    assert raised.value.message == (
        "the grant covers several sites; pick one with --site URL: "
        "https://other.atlassian.net, https://some-org.atlassian.net"
    )


def test_the_site_is_picked_by_url_or_by_answer(
    consent: ConsentRig, port: int, browser: Browser
) -> None:
    consent.authorize.add_site(OTHER_SITE, first=True)
    by_flag = setup(consent, port, Terminal(browser), site="some-org.atlassian.net/")
    assert by_flag.site.id == EXAMPLE_CLOUD_ID
    by_answer = setup(consent, port, Terminal(browser, answers=["2"]))
    assert by_answer.site.id == EXAMPLE_CLOUD_ID


def test_a_site_without_confluence_fails_the_test_call(
    consent: ConsentRig, port: int, browser: Browser
) -> None:
    consent.authorize.add_site(OTHER_SITE)
    with pytest.raises(OperatorToolError, match="answered 404 for site 0b0b0b0b"):
        setup(consent, port, Terminal(browser), site="https://other.atlassian.net")


SITES = [Site("a", "https://a.atlassian.net", "a"), Site("b", "https://B.atlassian.net", "b")]


@pytest.mark.parametrize(
    ("wanted", "answers", "expected"),
    [
        ("https://b.atlassian.net", None, "b"),
        ("b.atlassian.net/", None, "b"),
        (None, ["1"], "a"),
        (None, ["https://a.atlassian.net"], "a"),
    ],
)
def test_choose_site(wanted: str | None, answers: list[str] | None, expected: str) -> None:
    ask = (lambda prompt: answers.pop(0)) if answers is not None else None
    assert choose_site(SITES, wanted, ask).id == expected


def test_choose_site_names_the_sites_when_the_wanted_one_is_not_there() -> None:
    with pytest.raises(OperatorToolError) as raised:
        choose_site(SITES, "https://c.atlassian.net", None)
    assert raised.value.message == (
        "the grant does not cover https://c.atlassian.net; it covers: "
        "https://a.atlassian.net, https://B.atlassian.net"
    )
    assert choose_site(SITES[:1], None, None).id == "a"
