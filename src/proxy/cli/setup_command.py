"""`proxy setup confluence`: the Atlassian OAuth 2.0 (3LO) consent in one command.

Starts a callback server on http://localhost:PORT/psoxy-setup-callback (add that exact URL to
the app's callback URLs), opens the authorize URL (all Confluence read scopes + offline_access),
exchanges the code, picks the site, makes one test call, then either prints the values to store
or, with --store, writes <prefix>CLIENT_ID, <prefix>CLIENT_SECRET and <prefix>REFRESH_TOKEN
where the proxy reads them, and the consent time in <prefix>REFRESH_TOKEN_GRANTED_AT (the
health check warns before the token family's 365-day expiry). Prints the cloud id for the
analytics side.

The client secret is best given by the prompt or ATLASSIAN_CLIENT_SECRET (not on the command
line, where shell history keeps it). --simulator-url runs the whole flow against
`proxy simulate` (its /authorize approves at once).

--manual needs no callback server, for a browser that cannot reach this machine: register
http://localhost as the app's callback URL, open the printed URL anywhere, approve, then paste
the address the browser fails to load (http://localhost/?code=…&state=…) or only its code.

Exit codes: 0 done; 1 the setup failed (one line on stderr says why and what to do);
2 bad options.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import webbrowser
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from proxy.auth import ABSOLUTE_LIFETIME_DAYS, DAY, GRANTED_AT, format_instant
from proxy.config.stores import SecretStore
from proxy.errors import OperatorToolError
from proxy.http import is_loopback_host
from proxy.http_client import cookieless_client
from proxy.secret_value import Secret
from proxy.tooling.atlassian_oauth import ATLASSIAN_API, ATLASSIAN_AUTH
from proxy.tooling.manual_setup import run_manual_setup
from proxy.tooling.secret_targets import (
    STORE_KINDS,
    StoreClients,
    StoreTarget,
    check_store_reachable,
    open_store,
    record_consent_time,
    write_oauth_values,
)
from proxy.tooling.setup_flow import Console, SetupOptions, SetupResult, run_setup

__all__ = ["register", "run"]

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2
DEFAULT_PREFIX = "PSOXY_CONFLUENCE_CLOUD_"


_MISSING_CLIENT_ID = "the client id is missing: --client-id or ATLASSIAN_CLIENT_ID"
_MISSING_CLIENT_KEY = (
    "the client secret is missing: ATLASSIAN_CLIENT_SECRET, the prompt (on a terminal) or "
    "one line on stdin (`… | proxy setup confluence`)"
)


class _InvalidOption(OperatorToolError):
    """Bad or missing options (exit code 2)."""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    setup = commands.add_parser(
        "setup",
        help="get the Atlassian OAuth refresh token and store it (proxy setup confluence)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    connectors = setup.add_subparsers(dest="connector", required=True, metavar="CONNECTOR")
    parser = connectors.add_parser(
        "confluence",
        help="Confluence Cloud (OAuth 2.0 3LO)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    env = os.environ.get
    parser.add_argument(
        "--client-id",
        default=env("ATLASSIAN_CLIENT_ID"),
        help="the app's client id (default: ATLASSIAN_CLIENT_ID, else a prompt)",
    )
    parser.add_argument(
        "--client-secret",
        default=env("ATLASSIAN_CLIENT_SECRET"),
        help="default: ATLASSIAN_CLIENT_SECRET, else a prompt",
    )
    parser.add_argument("--port", type=int, default=9000, help="callback port (9000)")
    parser.add_argument("--auth-base", default=ATLASSIAN_AUTH, help=f"({ATLASSIAN_AUTH})")
    parser.add_argument("--api-base", default=ATLASSIAN_API, help=f"({ATLASSIAN_API})")
    parser.add_argument(
        "--simulator-url", help="use the Atlassian simulator at this URL for both bases"
    )
    parser.add_argument("--site", help="site URL to use when the grant covers several")
    parser.add_argument("--store", choices=list(STORE_KINDS), help="write the values there")
    parser.add_argument("--prefix", default=DEFAULT_PREFIX, help=f"({DEFAULT_PREFIX})")
    parser.add_argument("--region", default=env("AWS_REGION"), help="AWS region (ssm, ...)")
    parser.add_argument("--project", default=env("GOOGLE_CLOUD_PROJECT"), help="GCP project")
    parser.add_argument(
        "--secrets-file", type=Path, help="local store file (default .local/secrets.json)"
    )
    parser.add_argument("--no-browser", action="store_true", help="only print the URL")
    parser.add_argument(
        "--manual",
        action="store_true",
        help="no callback server: callback http://localhost, paste the redirect URL or code",
    )
    parser.add_argument(
        "--timeout", type=float, default=300.0, help="seconds to wait for the callback (300)"
    )
    parser.set_defaults(handler=run)


def run(
    args: argparse.Namespace,
    *,
    console: Console | None = None,
    http: httpx.Client | None = None,
    clients: StoreClients | None = None,
) -> int:
    console = console or _terminal_console()
    try:
        options = _options(args, console)
        target = _target(args)
        store = open_store(target, clients) if target is not None else None
        if store is not None:
            check_store_reachable(store, cloud=args.store != "local")
        client = http or cookieless_client(timeout=30.0)
        consent = run_manual_setup if args.manual else run_setup
        try:
            result = consent(options, console, client)
        finally:
            if http is None:
                client.close()
        if store is None:
            _print_values(result, args.prefix, console)
        else:
            written = write_oauth_values(store, result.values())
            console.say(f"Stored {', '.join(written)} in {store.description}.")
            _record_consent_time(store, result, console)
    except OperatorToolError as exc:
        print(f"proxy setup: {exc.message}", file=sys.stderr)
        return EXIT_INVALID if isinstance(exc, _InvalidOption) else EXIT_FAILED
    except KeyboardInterrupt:
        print("proxy setup: interrupted; nothing was stored", file=sys.stderr)
        return EXIT_FAILED
    console.say(f"Cloud id for the analytics side: {result.site.id}")
    return EXIT_OK


def _options(args: argparse.Namespace, console: Console) -> SetupOptions:
    auth_base = args.simulator_url or args.auth_base
    api_base = args.simulator_url or args.api_base
    for name, url in (("--auth-base", auth_base), ("--api-base", api_base)):
        _require_https(name, url)
    if not 0 < args.port < 65536:
        raise _InvalidOption(f"--port must be 1-65535, got {args.port}")
    client_id = args.client_id or _ask(console, "Atlassian app client id: ", secret=False)
    secret = args.client_secret or _ask(console, "Atlassian app client secret: ", secret=True)
    missing = [
        how
        for value, how in ((client_id, _MISSING_CLIENT_ID), (secret, _MISSING_CLIENT_KEY))
        if not value
    ]
    if missing:
        raise _InvalidOption(" and ".join(missing))
    return SetupOptions(
        client_id=client_id.strip(),
        client_secret=Secret(secret.strip()),
        port=args.port,
        auth_base=auth_base,
        api_base=api_base,
        site=args.site,
        timeout_seconds=args.timeout,
        open_browser=not args.no_browser,
    )


def _target(args: argparse.Namespace) -> StoreTarget | None:
    if args.store is None:
        return None
    if not args.prefix:
        raise _InvalidOption("--prefix must not be empty (e.g. PSOXY_CONFLUENCE_CLOUD_)")
    return StoreTarget(
        args.store,
        prefix=args.prefix,
        region=args.region,
        project=args.project,
        secrets_file=args.secrets_file,
    )


def _require_https(name: str, url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and is_loopback_host(parts.hostname or ""):
        return
    raise _InvalidOption(f"{name} must be an https:// URL (http:// only for localhost): {url}")


def _ask(console: Console, prompt: str, *, secret: bool) -> str:
    ask = console.ask_secret if secret else console.ask
    return ask(prompt) if ask is not None else ""


def _print_values(result: SetupResult, prefix: str, console: Console) -> None:
    console.say(
        "Store these values where the proxy reads them (they are secrets: never paste them into "
        "tickets or chats):"
    )
    values: Mapping[str, Secret] = result.values()
    for name, value in values.items():
        shown = "(the client secret you entered)" if name == "CLIENT_SECRET" else value.reveal()
        console.say(f"  {prefix}{name} = {shown}")
    console.say(
        f"  {prefix}{GRANTED_AT} = {format_instant(result.granted_at)}  (optional: "
        f"{_lifetime(result.granted_at)})"
    )


def _record_consent_time(store: SecretStore, result: SetupResult, console: Console) -> None:
    """The consent time is optional: a failure to store it is a warning, not a failed setup."""
    try:
        key = record_consent_time(store, result.granted_at)
    except OperatorToolError as exc:
        console.warn(
            f"warning: {exc.message}. The proxy works without it, but cannot warn before the "
            f"token family's {ABSOLUTE_LIFETIME_DAYS}-day expiry: create that secret (Terraform "
            "does) and run the setup again, or store the consent time there by hand."
        )
        return
    console.say(f"Recorded the consent time in {key}: {_lifetime(result.granted_at)}.")


def _lifetime(granted_at: float) -> str:
    expires = format_instant(granted_at + ABSOLUTE_LIFETIME_DAYS * DAY)
    return (
        f"granted {format_instant(granted_at)}, the token family expires at {expires} "
        "(the health check warns 30 days before)"
    )


def _terminal_console() -> Console:
    """Prompts on a terminal; otherwise each answer is the next line piped into stdin."""
    interactive = sys.stdin.isatty()
    return Console(
        say=lambda text: print(text, flush=True),
        warn=lambda text: print(f"proxy setup: {text}", file=sys.stderr, flush=True),
        open_browser=webbrowser.open,
        ask=input if interactive else _next_stdin_line,
        ask_secret=getpass.getpass if interactive else _next_stdin_line,
    )


def _next_stdin_line(prompt: str) -> str:
    """`echo "$SECRET" | proxy setup …`: no prompt to show, no echo to hide; "" at the end."""
    return sys.stdin.readline().rstrip("\r\n")
