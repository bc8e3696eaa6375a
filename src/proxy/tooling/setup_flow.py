"""`proxy setup confluence` as one readable flow: consent, code, token, site, test call.

Every step is a function of `atlassian_oauth` or the callback server; this module only orders
them and talks to the operator through a `Console` (tests pass one that plays the browser).
The result carries the secrets as `Secret`s; the caller stores or prints them.

    result = run_setup(SetupOptions(client_id, secret, port=9000), console, http)
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx

from proxy.errors import OperatorToolError
from proxy.secret_value import Secret
from proxy.timing import Clock
from proxy.tooling.atlassian_oauth import (
    ATLASSIAN_API,
    ATLASSIAN_AUTH,
    CONFLUENCE_SCOPES,
    NOT_ECHOED_SCOPES,
    Site,
    accessible_sites,
    authorize_url,
    exchange_code,
    verify_confluence_access,
)
from proxy.tooling.callback_server import CallbackServer, callback_url

__all__ = [
    "Console",
    "SetupOptions",
    "SetupResult",
    "choose_site",
    "complete_setup",
    "run_setup",
]


@dataclass(frozen=True)
class SetupOptions:
    client_id: str
    client_secret: Secret
    port: int = 9000
    auth_base: str = ATLASSIAN_AUTH
    api_base: str = ATLASSIAN_API
    site: str | None = None
    """Site URL to pick when the grant covers several (`https://example.atlassian.net`)."""
    timeout_seconds: float = 300.0
    open_browser: bool = True


@dataclass(frozen=True)
class Console:
    """How the flow talks to the operator; every member is replaceable in tests."""

    say: Callable[[str], None]
    warn: Callable[[str], None]
    open_browser: Callable[[str], bool]
    ask: Callable[[str], str] | None = None
    """None when nobody can answer (stdin is not a terminal)."""
    ask_secret: Callable[[str], str] | None = None
    """Like `ask`, without echoing the answer."""


@dataclass(frozen=True)
class SetupResult:
    client_id: str
    client_secret: Secret
    refresh_token: Secret
    site: Site
    missing_scopes: tuple[str, ...]
    """Scopes Atlassian did not echo back (a warning was shown; calls needing them will 401)."""
    granted_at: float
    """When Atlassian issued the grant (epoch seconds): the token family dies 365 days later."""

    def values(self) -> dict[str, Secret]:
        """What the proxy reads from its store, by name after the instance prefix."""
        return {
            "CLIENT_ID": Secret(self.client_id),
            "CLIENT_SECRET": self.client_secret,
            "REFRESH_TOKEN": self.refresh_token,
        }


def run_setup(
    options: SetupOptions, console: Console, http: httpx.Client, *, clock: Clock = time.time
) -> SetupResult:
    """Run the OAuth 2.0 (3LO) consent against Atlassian (or the simulator) end to end."""
    if not options.client_id or not options.client_secret:
        raise OperatorToolError("the client id and the client secret are both required")
    state = secrets.token_urlsafe(24)
    redirect_uri = callback_url(options.port)
    with CallbackServer(options.port, state, on_rejected=console.warn) as server:
        url = authorize_url(options.auth_base, options.client_id, redirect_uri, state)
        console.say(f"Callback URL (must be in the app's callback URLs): {redirect_uri}")
        console.say(f"Open this URL and approve the access:\n\n  {url}\n")
        if options.open_browser and not console.open_browser(url):
            console.say("(no browser could be opened: copy the URL into one)")
        console.say(f"Waiting for Atlassian's redirect (up to {options.timeout_seconds:g} s)...")
        code = server.wait_for_code(options.timeout_seconds)
    return complete_setup(options, console, http, code=code, redirect_uri=redirect_uri, clock=clock)


def complete_setup(
    options: SetupOptions,
    console: Console,
    http: httpx.Client,
    *,
    code: str,
    redirect_uri: str,
    clock: Clock = time.time,
) -> SetupResult:
    """After the consent, however the code arrived: exchange it, check scopes, pick the site,
    make one test call."""
    grant = exchange_code(
        http,
        options.auth_base,
        client_id=options.client_id,
        client_secret=options.client_secret,
        code=code,
        redirect_uri=redirect_uri,
    )
    granted_at = clock()
    missing = tuple(
        scope
        for scope in CONFLUENCE_SCOPES
        if scope not in grant.scopes and scope not in NOT_ECHOED_SCOPES
    )
    if missing:
        console.warn(
            f"warning: Atlassian did not grant {', '.join(missing)}; calls needing them will "
            "answer 401 `scope does not match` (add them to the app and run setup again)"
        )
    sites = accessible_sites(http, options.api_base, grant.access_token)
    site = choose_site(sites, options.site, console.ask)
    verify_confluence_access(http, options.api_base, grant.access_token, site.id)
    console.say(f"Consent OK: site {site.url or site.name} (cloud id {site.id}).")
    return SetupResult(
        options.client_id, options.client_secret, grant.refresh_token, site, missing, granted_at
    )


def choose_site(
    sites: Sequence[Site], wanted_url: str | None, ask: Callable[[str], str] | None
) -> Site:
    """The site named by URL; the only one; or, with several, the one the operator picks."""
    if wanted_url is not None:
        wanted = _site_key(wanted_url)
        for site in sites:
            if _site_key(site.url) == wanted:
                return site
        raise OperatorToolError(
            f"the grant does not cover {wanted_url}; it covers: {_listing(sites)}"
        )
    if len(sites) == 1:
        return sites[0]
    if ask is None:
        raise OperatorToolError(
            f"the grant covers several sites; pick one with --site URL: {_listing(sites)}"
        )
    menu = "\n".join(f"  {n}. {site.url} ({site.name})" for n, site in enumerate(sites, 1))
    answer = ask(f"The grant covers several sites:\n{menu}\nWhich one (number or URL)? ").strip()
    if answer.isdigit() and 1 <= int(answer) <= len(sites):
        return sites[int(answer) - 1]
    return choose_site(sites, answer, None)


def _site_key(url: str) -> str:
    text = url.strip().lower().rstrip("/")
    return text if "://" in text else f"https://{text}"


def _listing(sites: Sequence[Site]) -> str:
    return ", ".join(site.url or site.id for site in sites)
