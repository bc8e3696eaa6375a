"""`proxy setup confluence --manual`: the consent without a local callback server.

For machines where the browser cannot reach a server of ours (a locked-down laptop, a browser on
another machine). The app's callback URL is ``http://localhost``: after the approval Atlassian
redirects the browser there, the page fails to load, and the address bar holds
``http://localhost/?code=…&state=…``. The operator pastes that address (or only the code); we
check the state, then exchange and store exactly as the normal flow does (`complete_setup`).

A pasted address whose state is not this run's (a tab of an earlier run, or someone else's link)
is refused and asked for again; a bare code cannot be checked, which is said.

    result = run_manual_setup(options, console, http)
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

import httpx

from proxy.errors import OperatorToolError
from proxy.tooling.atlassian_oauth import authorize_url
from proxy.tooling.callback_server import redirect_error
from proxy.tooling.setup_flow import Console, SetupOptions, SetupResult, complete_setup

__all__ = ["MANUAL_REDIRECT_URI", "parse_pasted_redirect", "run_manual_setup"]

MANUAL_REDIRECT_URI = "http://localhost"
ATTEMPTS = 3


def run_manual_setup(options: SetupOptions, console: Console, http: httpx.Client) -> SetupResult:
    if console.ask is None:
        raise OperatorToolError("--manual needs a terminal (or the redirect URL on stdin)")
    state = secrets.token_urlsafe(24)
    url = authorize_url(options.auth_base, options.client_id, MANUAL_REDIRECT_URI, state)
    console.say(f"Callback URL (must be in the app's callback URLs): {MANUAL_REDIRECT_URI}")
    console.say(f"1. Open this URL in any browser and approve the access:\n\n  {url}\n")
    console.say(
        "2. The browser then fails to load http://localhost/?code=…&state=… ; copy that whole "
        "address from its address bar (or only the code) and paste it here. The code works "
        "once, for 10 minutes."
    )
    code = _ask_for_code(console.ask, console.warn, state)
    return complete_setup(options, console, http, code=code, redirect_uri=MANUAL_REDIRECT_URI)


def parse_pasted_redirect(text: str) -> dict[str, str]:
    """The redirect's parameters from a pasted address, query or bare code."""
    text = text.strip()
    if "=" not in text:
        return {"code": text} if text else {}
    query = urlsplit(text).query if "://" in text or text.startswith("/") else text.lstrip("?")
    return dict(parse_qsl(query, keep_blank_values=True))


def _ask_for_code(ask: Callable[[str], str], warn: Callable[[str], None], state: str) -> str:
    for _ in range(ATTEMPTS):
        pasted = parse_pasted_redirect(ask("Redirect URL (or code): "))
        if not pasted:
            raise OperatorToolError("nothing was pasted: run the setup again")
        if "state" in pasted and not secrets.compare_digest(
            pasted["state"].encode(), state.encode()
        ):
            warn(
                "the pasted address carries another state than this run's (a tab of an earlier "
                "run, or a link from someone else); it was ignored: paste this run's redirect"
            )
            continue
        if pasted.get("error"):
            raise OperatorToolError(
                redirect_error(pasted["error"], pasted.get("error_description"))
            )
        code = pasted.get("code")
        if not code:
            warn("the pasted text holds no code: paste the whole redirect address")
            continue
        if "state" not in pasted:
            warn("only a code was pasted, so its state could not be checked")
        return code
    raise OperatorToolError(f"no usable redirect after {ATTEMPTS} tries: run the setup again")
