"""`proxy sanitize`: exit codes, exact output, one-line errors, never a traceback."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ORIGINAL = ROOT / "example-api-responses" / "original"
SPACES_URL = "https://api.atlassian.com/ex/confluence/c1/wiki/api/v2/spaces?limit=10"
ENV = {"PATH": "/usr/bin:/bin", "PSOXY_SALT": "salt", "PSOXY_ENCRYPTION_KEY": "secret"}


def proxy(
    *args: str, stdin: bytes = b"", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "proxy.cli.main", "sanitize", *args],
        input=stdin,
        capture_output=True,
        env=ENV if env is None else env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_sanitizes_a_file_to_compact_json_in_input_order() -> None:
    result = proxy("--rules", "confluence", "--url", SPACES_URL, str(ORIGINAL / "spaces.json"))
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    assert result.stdout.startswith(
        b'{"results":[{"spaceOwnerId":"t~7Z5-G-SoDUxVDxHtoJZFqVZ-ri3XiGo3ylaDNUVtY6Q",'
        b'"createdAt":"2025-08-28T13:04:01.309Z","authorId":'
    )
    assert result.stdout.endswith(b"}\n")
    assert b"\n" not in result.stdout[:-1]


def test_reads_stdin_and_takes_salt_from_flags() -> None:
    env = {"PATH": "/usr/bin:/bin"}
    result = proxy(
        "--url",
        "/oauth/token/accessible-resources",
        "--salt",
        "s",
        "--encryption-key",
        "k",
        "-",
        stdin=(ORIGINAL / "accessible_resources.json").read_bytes(),
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        b'[{"id":"adcae078-765b-45bf-a38b-7cda232b9a94","url":"https://some-org.atlassian.net",'
        b'"scopes":["read:attachment:confluence","read:blogpost:confluence","read:comment:confluence",'
        b'"read:content-details:confluence","read:content:confluence","read:group:confluence",'
        b'"read:page:confluence","read:space:confluence","read:user:confluence"]}]\n'
    )


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (["--url", "/ex/confluence/c1/wiki/api/v2/pages/1"], b"{}"),
        (["--url", SPACES_URL + "&foo=1"], b"{}"),
        (["--url", SPACES_URL, "--method", "POST"], b"{}"),
    ],
)
def test_blocked_url_exits_3_with_nothing_on_stdout(args: list[str], stdin: bytes) -> None:
    result = proxy(*args, "-", stdin=stdin)
    assert result.returncode == 3
    assert result.stdout == b""
    assert result.stderr.startswith(b"proxy sanitize: blocked by rules: ")


def _rules_file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(
    ("rules", "stdin", "message"),
    [
        ("endpoints: [", b"{}", b"invalid YAML at line"),
        (
            "endpoints:\n  - pathTemplate: /x\n    transforms: [!<scramble> {}]",
            b"{}",
            b"unknown transform",
        ),
        (
            "endpoints:\n  - pathTemplate: /x\n    transforms: [!<redact> {jsonPaths: ['$.a[']}]",
            b"{}",
            b"jsonPaths[0]",
        ),
        ("endpoints:\n  - pathTemplate: /x", b"<html>oops</html>", b"not valid JSON"),
        ("endpoints:\n  - pathTemplate: /x", b'{"results": [1, 2', b"not valid JSON"),
        ("endpoints:\n  - pathTemplate: /x", b"\xff\xfe{}", b"not UTF-8 JSON"),
    ],
)
def test_invalid_rules_or_input_exit_2_with_one_line(
    tmp_path: Path, rules: str, stdin: bytes, message: bytes
) -> None:
    result = proxy("--rules", _rules_file(tmp_path, rules), "--url", "/x", "-", stdin=stdin)
    assert result.returncode == 2
    assert result.stdout == b""
    assert message in result.stderr
    assert result.stderr.count(b"\n") == 1
    assert b"Traceback" not in result.stderr


def test_no_salt_is_an_error_not_a_default() -> None:
    result = proxy("--url", SPACES_URL, "-", stdin=b"{}", env={"PATH": "/usr/bin:/bin"})
    assert result.returncode == 2
    assert b"no salt" in result.stderr


def test_bundled_rules_without_key_name_the_missing_key() -> None:
    env = {"PATH": "/usr/bin:/bin", "PSOXY_SALT": "salt"}
    result = proxy("--url", SPACES_URL, "-", stdin=b"{}", env=env)
    assert result.returncode == 2
    assert b"PSOXY_ENCRYPTION_KEY" in result.stderr


def test_missing_rules_file_and_input_file(tmp_path: Path) -> None:
    result = proxy("--rules", str(tmp_path / "nope.yaml"), "--url", "/x", "-")
    assert (result.returncode, b"rules file not found" in result.stderr) == (2, True)
    missing = tmp_path / "missing.json"
    result = proxy("--url", SPACES_URL, str(missing))
    assert (result.returncode, result.stderr.decode()) == (
        2,
        f"proxy sanitize: cannot read {missing}: No such file or directory\n",
    )


def test_url_is_required_and_the_usage_says_so() -> None:
    result = proxy("-", stdin=b"{}")
    assert result.returncode == 2
    stderr = result.stderr.decode()
    assert stderr.startswith("usage: proxy sanitize ")
    assert "(--url URL | --examples [DIR] | --lint)" in stderr and "[--url URL]" not in stderr
    assert (
        stderr.splitlines()[-1]
        == "proxy sanitize: error: one of the arguments --url --examples --lint is required"
    )


def test_the_readme_example_works_and_gives_the_committed_sanitized_example() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### Try the rules on a saved response: `proxy sanitize`", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    argv = shlex.split(block.replace("\\\n", " "))
    assert argv[:2] == ["proxy", "sanitize"]
    result = proxy(*argv[2:], env={"PATH": "/usr/bin:/bin"})
    assert (result.returncode, result.stderr) == (0, b"")
    expected = json.loads(
        (ROOT / "example-api-responses" / "sanitized" / "spaces.json").read_text()
    )
    assert json.loads(result.stdout) == expected
