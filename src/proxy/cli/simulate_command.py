"""`proxy simulate`: run the Atlassian simulator alone (token endpoint + Confluence endpoints).

The first stdout line is one JSON object with `base_url`, `client_id`, `client_secret`,
`refresh_token` and `cloud_id`; `GET /_simulator/state` reports every request received.
Ctrl-C or SIGTERM stop it.

Exit codes: 0 stopped by Ctrl-C / SIGTERM; 2 bad options (a bad --fault, a port that cannot be
used; one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from types import FrameType

from proxy.simulator.demo import start_simulator
from proxy.simulator.faults import FaultError, parse_fault_option

__all__ = ["register"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "simulate",
        help="run the Atlassian simulator (OAuth token endpoint + Confluence endpoints)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="0 = any free port (default)")
    parser.add_argument(
        "--token-ttl", type=int, default=3600, help="access-token lifetime in seconds (3600)"
    )
    parser.add_argument(
        "--reuse-leeway",
        type=float,
        default=600.0,
        help="seconds an old refresh token still works after rotation (600; 0 = none)",
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="PATH_REGEX=SPEC",
        help="make matching paths fail: status:429[:retry-after], status:500, slow:SECONDS, "
        "html, truncated (repeatable)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        faults = [parse_fault_option(option) for option in args.fault]
        simulator, credentials = start_simulator(
            host=args.host,
            port=args.port,
            token_ttl_seconds=args.token_ttl,
            reuse_leeway_seconds=args.reuse_leeway,
            faults=faults,
        )
    except FaultError as exc:
        print(f"proxy simulate: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"proxy simulate: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(credentials.as_dict()), flush=True)
    print(
        f"Atlassian simulator listening on {credentials.base_url} (Ctrl-C to stop)",
        file=sys.stderr,
        flush=True,
    )
    wait_for_termination()
    simulator.stop()
    return 0


def wait_for_termination() -> None:
    """Block until SIGINT or SIGTERM."""
    stop = threading.Event()

    def handle(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
    stop.wait()
