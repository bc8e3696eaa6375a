"""`proxy serve`: the proxy on localhost, through functions-framework as on GCP.

Without `--demo` the whole configuration comes from the same environment variables as the
cloud functions (`SOURCE`, `TARGET_HOST`, `REFRESH_ENDPOINT`, `SECRETS_STORE=LOCAL_FILE`,
`LOCAL_SECRETS_FILE`, `PATH_TO_INSTANCE_CONFIG`, ...): several `proxy serve` processes sharing
one local secrets file behave like several cloud instances sharing one secret store.

With `--demo` it also starts the Atlassian simulator, writes a local secrets file for it
(client id/secret, refresh token, salt, encryption key) and prints ready-to-paste `curl` lines.

Logs go to stderr: plain text on a terminal, one JSON object per line otherwise (as in the
clouds); `--log-format` (or `LOG_FORMAT`) picks one explicitly.

Ctrl-C, SIGTERM or SIGHUP stop it (and its server process) within a few seconds, also when it
was started with SIGINT ignored (a background job, a script, a CI runner).

Exit codes: 0 stopped by Ctrl-C / SIGTERM; 1 the server failed to start or exited by itself;
2 bad options (a busy port, an unusable --demo-secrets file: one line on stderr).
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from collections.abc import Mapping
from pathlib import Path

from proxy.cli.errors import describe_os_error
from proxy.config import LogFormat, SecretNaming
from proxy.config.stores import LocalFileStore
from proxy.errors import ProxyError
from proxy.platforms import gcp_main
from proxy.simulator.confluence import EXAMPLE_CALLS
from proxy.simulator.demo import SimulatorCredentials, start_simulator
from proxy.tooling.server_process import ServerProcess, port_is_free, stop_signals

__all__ = ["demo_environment", "register"]

DEMO_PREFIX = "PSOXY_CONFLUENCE_CLOUD_"
DEFAULT_DEMO_SECRETS = Path(".local") / "demo-secrets.json"
EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2
START_SECONDS = 30.0
DEFAULT_PORT = 8080


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "serve",
        help="serve the proxy on localhost (--demo: with the Atlassian simulator)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--host",
        default=os.environ.get("PROXY_HOST", "127.0.0.1"),
        help="address to listen on (default: PROXY_HOST, else 127.0.0.1)",
    )
    parser.add_argument(
        "--port",
        type=int,
        help="port to listen on (default: PORT, else 8080; `PORT=8081 make run`)",
    )
    parser.add_argument("--demo", action="store_true", help="also run the Atlassian simulator")
    parser.add_argument(
        "--demo-secrets",
        type=Path,
        default=DEFAULT_DEMO_SECRETS,
        help=f"local secrets file the demo writes (default {DEFAULT_DEMO_SECRETS})",
    )
    parser.add_argument(
        "--log-format",
        choices=[f.value for f in LogFormat],
        default=os.environ.get("LOG_FORMAT"),
        help="auto (text on a terminal, else JSON), json or text; default LOG_FORMAT, else auto",
    )
    parser.set_defaults(handler=run)


def demo_environment(
    credentials: SimulatorCredentials, secrets_file: Path, base: Mapping[str, str]
) -> dict[str, str]:
    """The environment of a proxy instance wired to the simulator through a local file store."""
    return {
        **base,
        "SOURCE": "confluence",
        "TARGET_HOST": credentials.base_url,
        "REFRESH_ENDPOINT": f"{credentials.base_url}/oauth/token",
        "SOURCE_AUTH_STRATEGY_IDENTIFIER": "oauth2_refresh_token",
        "GRANT_TYPE": "refresh_token",
        "USE_SHARED_TOKEN": "true",
        "SECRETS_STORE": "LOCAL_FILE",
        "LOCAL_SECRETS_FILE": str(secrets_file.resolve()),
        "PATH_TO_INSTANCE_CONFIG": DEMO_PREFIX,
    }


def write_demo_secrets(credentials: SimulatorCredentials, path: Path) -> None:
    """Store the simulator's client and refresh token; keep salt and key across runs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    shared = LocalFileStore(path, SecretNaming(instance_prefix=""))
    for name in ("PSOXY_SALT", "PSOXY_ENCRYPTION_KEY"):
        if shared.get_fresh(name) is None:
            shared.put(name, secrets.token_urlsafe(32))
    instance = LocalFileStore(path, SecretNaming(instance_prefix=DEMO_PREFIX))
    instance.put("CLIENT_ID", credentials.client_id)
    instance.put("CLIENT_SECRET", credentials.client_secret)
    instance.put("REFRESH_TOKEN", credentials.refresh_token)
    instance.put("ACCESS_TOKEN", "fill me")  # a token of an earlier simulator is worthless


def run(args: argparse.Namespace) -> int:
    with stop_signals() as stop:
        port, failure = _port(args.host, args.port, os.environ.get("PORT"))
        if failure:
            return _fail(failure, EXIT_INVALID)
        environment = dict(os.environ)
        simulator, credentials = None, None
        try:
            if args.demo:
                simulator, credentials = start_simulator()
                failure = _write_demo_secrets(credentials, args.demo_secrets)
                if failure:
                    return _fail(failure, EXIT_INVALID)
                environment = demo_environment(credentials, args.demo_secrets, environment)
            if args.log_format:
                environment["LOG_FORMAT"] = args.log_format
            with ServerProcess(_server_command(args.host, port), environment) as server:
                if not server.wait_until_listening(
                    args.host, port, stop, timeout_seconds=START_SECONDS
                ):
                    if stop.is_set():
                        return EXIT_OK
                    return _fail("the server did not start (see the messages above)", EXIT_FAILED)
                base = f"http://{args.host}:{port}"
                print(f"Proxy listening on {base} (Ctrl-C to stop)", flush=True)
                if credentials is not None:
                    _print_demo_help(base, credentials)
                code = server.wait(stop)
            if code is None:
                return EXIT_OK
            return _fail(f"the server process exited with code {code}", EXIT_FAILED)
        finally:
            if simulator is not None:
                simulator.stop()


def _port(host: str, flag: int | None, env_port: str | None) -> tuple[int, str | None]:
    """(port, None) when it can be used; else (0, the one-line reason)."""
    if flag is None and env_port is not None and not env_port.isdigit():
        return 0, f"PORT must be a port number, got {env_port!r}"
    port = flag if flag is not None else int(env_port or DEFAULT_PORT)
    if not 0 < port < 65536:
        return 0, f"--port / PORT must be 1-65535, got {port}"
    if port_is_free(host, port):
        return port, None
    return 0, (
        f"port {port} on {host} is busy: stop what uses it, or pick another port "
        f"(--port N; with make: PORT=N make run)"
    )


def _write_demo_secrets(credentials: SimulatorCredentials, path: Path) -> str | None:
    """None when written; else the one-line reason, naming the file."""
    try:
        write_demo_secrets(credentials, path)
    except ProxyError as exc:
        return f"--demo-secrets: {exc.message}"
    except OSError as exc:
        return f"--demo-secrets: {describe_os_error(exc, 'cannot write')}"
    return None


def _server_command(host: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "functions_framework",
        "--target",
        "route",
        "--source",
        gcp_main.__file__,
        "--host",
        host,
        "--port",
        str(port),
    ]


def _fail(message: str, code: int) -> int:
    print(f"proxy serve: {message}", file=sys.stderr, flush=True)
    return code


def _print_demo_help(base: str, credentials: SimulatorCredentials) -> None:
    print(f"Atlassian simulator on {credentials.base_url}; cloud id {credentials.cloud_id}")
    print("Try these (each returns sanitized JSON):")
    print(f"  curl -s -H 'X-Psoxy-Health-Check: true' {base}/")
    for call in EXAMPLE_CALLS:
        print(f"  curl -s '{base}{call.url(credentials.cloud_id)}'")
    print(f"  proxy call --url {base} --all    # a crawl of every endpoint, with a privacy check")
    sys.stdout.flush()
