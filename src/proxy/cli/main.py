"""The `proxy` command: one sub-command per module in this package."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from proxy.cli import (
    build_command,
    call_command,
    sanitize_command,
    serve_command,
    setup_command,
    simulate_command,
)

__all__ = ["main"]

_COMMANDS = (
    serve_command,
    simulate_command,
    sanitize_command,
    setup_command,
    call_command,
    build_command,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="proxy", description="Pseudonymizing proxy for Confluence Cloud."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in _COMMANDS:
        command.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    result: int = handler(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
