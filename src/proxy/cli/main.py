"""The `proxy` command: one sub-command per module in this package.

Errors are one line on stderr, never a traceback: each command turns the failures it expects
into a message naming the flag, file or value at fault, and `main` catches what slips through
(a `ProxyError` or an `OSError`) the same way. A bad option prints the usage of the command it
belongs to (`proxy call --bogus` shows `proxy call`'s usage, not the top level's).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from proxy import VERSION
from proxy.cli import (
    build_command,
    call_command,
    sanitize_command,
    serve_command,
    setup_command,
    simulate_command,
)
from proxy.cli.errors import describe_os_error
from proxy.errors import ProxyError

__all__ = ["build_parser", "command_parser", "main"]

EXIT_FAILED, EXIT_INVALID, EXIT_INTERRUPTED = 1, 2, 130

_COMMANDS = (
    serve_command,
    simulate_command,
    sanitize_command,
    setup_command,
    call_command,
    build_command,
)
_EPILOG = """\
Exit codes: 0 success; 1 the command failed (one line on stderr says why); 2 bad options;
130 interrupted. Each command's --help lists its own.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="proxy",
        description="Pseudonymizing proxy for Confluence Cloud.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"proxy {VERSION}",
        help="print the version (the health check's `version`) and exit",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in _COMMANDS:
        command.register(commands)
    return parser


def command_parser(
    parser: argparse.ArgumentParser, args: argparse.Namespace
) -> argparse.ArgumentParser:
    """The parser of the (sub-)command `args` selected: `proxy setup confluence` → its own."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            chosen = action.choices.get(getattr(args, action.dest, None) or "")
            if chosen is not None:
                return command_parser(chosen, args)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    own = command_parser(parser, args)
    if unknown:
        own.error(f"unrecognized arguments: {' '.join(unknown)}")
    handler = getattr(args, "handler", None)
    if handler is None:
        own.print_help(sys.stderr)
        return EXIT_INVALID
    try:
        result: int = handler(args)
    except KeyboardInterrupt:
        print(f"{own.prog}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except ProxyError as exc:
        print(f"{own.prog}: {exc.message}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:
        print(f"{own.prog}: {describe_os_error(exc)}", file=sys.stderr)
        return EXIT_FAILED
    return result


if __name__ == "__main__":
    sys.exit(main())
