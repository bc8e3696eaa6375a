"""`proxy sanitize`: run the sanitizer over a saved response, exactly as the proxy would.

For trying rules (bundled or your own YAML) on a response saved from Confluence, without
deploying anything:

    proxy sanitize --url '/ex/confluence/ID/wiki/api/v2/spaces?limit=100' --salt S spaces.json

Exit codes: 0 sanitized JSON on stdout; 2 bad options, rules, input or configuration (one
line on stderr); 3 the rules block this URL (nothing on stdout).

`--lint` (instead of `--url`) checks the rules: every response field that can hold a person
(account id, email, name, a whole user) must be reached by a pseudonymizing or redacting
transform. Exit 0 when none is missing, 1 with one line per uncovered field on stdout.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from proxy.cli.errors import describe_os_error
from proxy.errors import BlockedByRules, ProxyError
from proxy.rules import EndpointMatcher, resolve_rules
from proxy.sanitize import Sanitizer, loads_values, pretty
from proxy.sanitize.pseudonyms import PseudonymKeys
from proxy.secret_value import Secret
from proxy.simulator.confluence import EXAMPLE_CALLS
from proxy.tooling.rules_lint import lint_rules

__all__ = [
    "EXAMPLE_KEY",
    "EXAMPLE_SALT",
    "EXAMPLE_SITE",
    "regenerate_examples",
    "register",
    "split_url",
]

EXIT_OK, EXIT_FINDINGS, EXIT_INVALID, EXIT_BLOCKED = 0, 1, 2, 3
EXAMPLE_SALT, EXAMPLE_KEY = "salt", "secret"  # the reference's test salt and key
EXAMPLE_SITE = "company-team"  # the cloud id of the reference's example calls


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "sanitize",
        help="sanitize a saved API response with the rules, as the proxy would",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--rules", default="confluence", help="bundled rules name or YAML file")
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--url", help="the request URL (or path?query) the response answers")
    what.add_argument(
        "--examples",
        nargs="?",
        const="example-api-responses",
        metavar="DIR",
        help="regenerate DIR/sanitized/ from DIR/original/ (salt 'salt', key 'secret')",
    )
    what.add_argument(
        "--lint",
        action="store_true",
        help="check that every person field the rules admit is pseudonymized or redacted",
    )
    parser.add_argument("--method", default="GET", help="the request's HTTP method (GET)")
    parser.add_argument("--salt", help="PSOXY_SALT (default: from the environment)")
    parser.add_argument("--encryption-key", help="PSOXY_ENCRYPTION_KEY (default: environment)")
    parser.add_argument("file", nargs="?", default="-", help="response body file, or - (stdin)")
    parser.set_defaults(handler=run)


def split_url(url: str) -> tuple[str, str | None]:
    """(raw path, raw query or None when there is no `?`), percent-escapes untouched."""
    parts = urlsplit(url)
    before_fragment = url.split("#", 1)[0]
    return parts.path or "/", parts.query if "?" in before_fragment else None


def _fail(message: str, code: int = EXIT_INVALID) -> int:
    print(f"proxy sanitize: {message}", file=sys.stderr)
    return code


def run(args: argparse.Namespace, environ: Mapping[str, str] | None = None) -> int:
    environ = os.environ if environ is None else environ
    try:
        if args.lint:
            return _lint(args.rules)
        if args.examples:
            written = regenerate_examples(Path(args.examples), args.rules)
            print(f"wrote {written} sanitized examples to {args.examples}/sanitized/")
            return EXIT_OK
        salt = args.salt if args.salt is not None else environ.get("PSOXY_SALT")
        if not salt:
            return _fail("no salt: pass --salt or set PSOXY_SALT (there is no default)")
        key = args.encryption_key or environ.get("PSOXY_ENCRYPTION_KEY") or None
        keys = PseudonymKeys(salt=Secret(salt), encryption_key=Secret(key) if key else None)
        rules = resolve_rules(args.rules)
        endpoints = EndpointMatcher(rules)
        sanitizer = Sanitizer.build(rules, keys)
        body = _read_input(args.file)
        path, query = split_url(args.url)
        endpoint = endpoints.match(args.method, path, query)
        if endpoint is None:
            raise BlockedByRules(f"{args.method.upper()} {path}")
        output = sanitizer.sanitize(endpoint, body)
    except BlockedByRules as exc:
        return _fail(f"blocked by rules: {exc.message}", EXIT_BLOCKED)
    except ProxyError as exc:
        return _fail(exc.message)
    except OSError as exc:
        return _fail(describe_os_error(exc, "cannot read"))
    sys.stdout.buffer.write(output + b"\n")
    sys.stdout.flush()
    return EXIT_OK


def _lint(rules: str) -> int:
    findings = lint_rules(resolve_rules(rules))
    for finding in findings:
        print(finding)
    if findings:
        return EXIT_FINDINGS
    print(f"{rules}: every person field the rules admit is covered by a transform")
    return EXIT_OK


def _read_input(file: str) -> bytes:
    if file == "-":
        return sys.stdin.buffer.read()
    return Path(file).read_bytes()


def regenerate_examples(directory: Path, rules: str = "confluence") -> int:
    """Write `sanitized/<file>` for each example call, pretty-printed as the reference's."""
    keys = PseudonymKeys(salt=Secret(EXAMPLE_SALT), encryption_key=Secret(EXAMPLE_KEY))
    loaded = resolve_rules(rules)
    endpoints, sanitizer = EndpointMatcher(loaded), Sanitizer.build(loaded, keys)
    (directory / "sanitized").mkdir(exist_ok=True)
    for call in EXAMPLE_CALLS:
        url = call.url(EXAMPLE_SITE)
        endpoint = endpoints.match("GET", *split_url(url))
        if endpoint is None:
            raise BlockedByRules(f"example call {url} is blocked by the rules")
        original = (directory / "original" / call.file).read_bytes()
        sanitized = sanitizer.sanitize(endpoint, original)
        text = "\n".join(pretty(value) for value in loads_values(sanitized)) + "\n"
        (directory / "sanitized" / call.file).write_text(text, "utf-8")
    return len(EXAMPLE_CALLS)
