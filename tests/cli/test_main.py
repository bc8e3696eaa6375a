"""The `proxy` command as a whole: help for every option, exit codes in every help, the version,
and a bad option answered with the usage of the command it was given to."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from proxy import VERSION, __version__
from proxy.cli import sanitize_command
from proxy.cli.main import build_parser, main
from proxy.errors import ConfigurationError
from support.processes import run_cli


def all_parsers(
    parser: argparse.ArgumentParser | None = None,
) -> Iterator[argparse.ArgumentParser]:
    parser = parser or build_parser()
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                yield from all_parsers(child)


PARSERS = {parser.prog: parser for parser in all_parsers()}


def test_the_commands_are_all_there() -> None:
    assert set(PARSERS) == {
        "proxy",
        "proxy serve",
        "proxy simulate",
        "proxy sanitize",
        "proxy setup",
        "proxy setup confluence",
        "proxy call",
        "proxy build",
    }


@pytest.mark.parametrize("prog", sorted(PARSERS))
def test_every_option_and_argument_has_help_text(prog: str) -> None:
    parser = PARSERS[prog]
    silent = [
        action.option_strings[0] if action.option_strings else action.dest
        for action in parser._actions
        if not isinstance(action, argparse._SubParsersAction)
        and (not action.help or action.help == argparse.SUPPRESS)
    ]
    assert silent == []


@pytest.mark.parametrize("prog", sorted(PARSERS))
def test_every_help_lists_the_exit_codes(prog: str) -> None:
    text = " ".join(PARSERS[prog].format_help().split())
    assert "Exit codes: 0 " in text
    assert " 2 bad options" in text


def test_version_is_the_one_the_health_check_shows(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"proxy {VERSION}\n"
    assert f"v{__version__}" == VERSION


@pytest.mark.parametrize(
    ("argv", "prog"),
    [
        (["call", "--bogus"], "proxy call"),
        (["serve", "--bogus", "x"], "proxy serve"),
        (["setup", "confluence", "--bogus"], "proxy setup confluence"),
        (["sanitize", "--url", "/x", "--bogus"], "proxy sanitize"),
    ],
)
def test_an_unknown_option_prints_that_commands_usage(argv: list[str], prog: str) -> None:
    done = run_cli(*argv)
    assert done.returncode == 2
    assert done.stderr.startswith(f"usage: {prog} ")
    bogus = " ".join(argv[argv.index("--bogus") :])
    assert done.stderr.splitlines()[-1] == f"{prog}: error: unrecognized arguments: {bogus}"


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (
            ConfigurationError("x.json is not valid JSON (line 1, column 2)"),
            "x.json is not valid JSON (line 1, column 2)",
        ),
        (
            FileNotFoundError(2, "No such file or directory", "/nope/x.json"),
            "cannot use /nope/x.json: No such file or directory",
        ),
        (KeyboardInterrupt(), "interrupted"),
    ],
)
def test_an_error_a_command_did_not_expect_is_still_one_line(
    error: BaseException,
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def failing(args: argparse.Namespace) -> int:
        raise error

    monkeypatch.setattr(sanitize_command, "run", failing)
    code = main(["sanitize", "--url", "/x"])
    assert code == (130 if isinstance(error, KeyboardInterrupt) else 1)
    assert capsys.readouterr().err == f"proxy sanitize: {message}\n"
