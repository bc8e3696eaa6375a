"""`proxy serve`: the proxy on localhost, through functions-framework as on GCP.

Without `--demo` the whole configuration comes from the same environment variables as the
cloud functions (`SOURCE`, `TARGET_HOST`, `REFRESH_ENDPOINT`, `SECRETS_STORE=LOCAL_FILE`,
`LOCAL_SECRETS_FILE`, `PATH_TO_INSTANCE_CONFIG`, ...): several `proxy serve` processes sharing
one local secrets file behave like several cloud instances sharing one secret store.

With `--demo` it also starts the Atlassian simulator, writes a local secrets file for it
(client id/secret, refresh token, salt, encryption key) and prints ready-to-paste `curl` lines.

Logs go to stderr: plain text on a terminal, one JSON object per line otherwise (as in the
clouds); `--log-format` (or `LOG_FORMAT`) picks one explicitly.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from types import FrameType

from proxy.config.naming import SecretNaming
from proxy.config.settings import LogFormat
from proxy.config.stores.local_file import LocalFileStore
from proxy.platforms import gcp_main
from proxy.simulator.confluence import EXAMPLE_CALLS
from proxy.simulator.demo import SimulatorCredentials, start_simulator

__all__ = ["demo_environment", "register"]

DEMO_PREFIX = "PSOXY_CONFLUENCE_CLOUD_"
DEFAULT_DEMO_SECRETS = Path(".local") / "demo-secrets.json"


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "serve",
        help="serve the proxy on localhost (--demo: with the Atlassian simulator)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default=os.environ.get("PROXY_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8080")))
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


def _port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex((host, port)) != 0


def _wait_for_port(host: str, port: int, process: subprocess.Popen[bytes], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        if not _port_is_free(host, port):
            return True
        time.sleep(0.05)
    return False


def run(args: argparse.Namespace) -> int:
    if not _port_is_free(args.host, args.port):
        print(f"proxy serve: port {args.port} on {args.host} is busy (use --port)", file=sys.stderr)
        return 2
    environment = dict(os.environ)
    simulator = None
    credentials = None
    if args.demo:
        simulator, credentials = start_simulator()
        write_demo_secrets(credentials, args.demo_secrets)
        environment = demo_environment(credentials, args.demo_secrets, environment)
    if args.log_format:
        environment["LOG_FORMAT"] = args.log_format
    signal.signal(signal.SIGTERM, _interrupt)  # stop the server process on SIGTERM too
    command = [
        sys.executable,
        "-m",
        "functions_framework",
        "--target",
        "route",
        "--source",
        gcp_main.__file__,
        "--host",
        args.host,
        "--port",
        str(args.port),
    ]
    process = subprocess.Popen(command, env=environment)
    try:
        if not _wait_for_port(args.host, args.port, process, seconds=30):
            print("proxy serve: the server did not start (see the messages above)", file=sys.stderr)
            return 1
        base = f"http://{args.host}:{args.port}"
        print(f"Proxy listening on {base} (Ctrl-C to stop)", flush=True)
        if credentials is not None:
            _print_demo_help(base, credentials)
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)
        if simulator is not None:
            simulator.stop()


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _print_demo_help(base: str, credentials: SimulatorCredentials) -> None:
    print(f"Atlassian simulator on {credentials.base_url}; cloud id {credentials.cloud_id}")
    print("Try these (each returns sanitized JSON):")
    print(f"  curl -s -H 'X-Psoxy-Health-Check: true' {base}/")
    for call in EXAMPLE_CALLS:
        print(f"  curl -s '{base}{call.url(credentials.cloud_id)}'")
    sys.stdout.flush()
