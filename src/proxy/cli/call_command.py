"""`proxy call`: call a proxy (local or deployed) the way the analytics service does.

    proxy call --url http://127.0.0.1:8080 --health-check
    proxy call --url https://abc.lambda-url.us-east-1.on.aws /ex/confluence/ID/wiki/api/v2/spaces
    proxy call --url https://REGION-PROJECT.cloudfunctions.net/psoxy-confluence --all

--all crawls every endpoint of the rules as the analytics side would, on any site:
accessible-resources (the cloud id, unless --cloud-id), spaces, the content search of the last
30 days, the versions of a page, blog post, attachment, comment and custom content found in it,
groups, the members of one group, tasks; lists follow their `next` link up to --pages pages.
It prints each call (status, time, size, items), a table per endpoint and a privacy check of
every response (a raw-looking account id or email outside t~/p~ pseudonyms is a failure).

Authentication follows the host (--auth auto): AWS function URLs and API Gateway are signed
with SigV4 (credentials of the default chain, or --aws-role-arn assumed first); *.run.app and
*.cloudfunctions.net get a Google ID token (--id-token, else google-auth); localhost gets none.
Prints, per call, the status and time, then the sanitized body (--full: every body) and a hint
when it failed.

Exit codes: 0 every call answered 2xx (and, with --all, the privacy check passed); 1 a call
failed, could not be made, or the privacy check found a raw identifier; 2 bad options.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import httpx

from proxy.errors import OperatorToolError
from proxy.http_client import cookieless_client
from proxy.secret_value import Secret
from proxy.tooling.call_report import describe, summarize_all
from proxy.tooling.calls import Authenticator, PlannedCall, ProxyCaller, no_auth, split_base_url
from proxy.tooling.crawl import Crawl, CrawlCall, CrawlOptions, CrawlResult
from proxy.tooling.crawl_report import call_lines, summary_lines
from proxy.tooling.signing import (
    AwsSigner,
    aws_credentials,
    aws_target,
    canonical_query,
    gcp_id_token,
    is_gcp_host,
)

__all__ = ["register", "run"]

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2
DEFAULT_MAX_BODY_CHARS = 4000
DEFAULT_PAGES = 2
SEARCH_DAYS = 30


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "call",
        help="call a local or deployed proxy (health check, one path, or every example call)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    env = os.environ.get
    parser.add_argument("path", nargs="?", help="/path?query to call (or a full URL)")
    parser.add_argument("--url", default=env("PROXY_URL"), help="the proxy's base URL")
    parser.add_argument("--health-check", action="store_true", help="call the health check")
    parser.add_argument(
        "--all", action="store_true", help="crawl every endpoint of the rules (see above)"
    )
    parser.add_argument(
        "--cloud-id",
        default=env("CONFLUENCE_CLOUD_ID"),
        help="site for --all (default: CONFLUENCE_CLOUD_ID, else from accessible-resources)",
    )
    parser.add_argument(
        "--pages",
        type=int,
        default=DEFAULT_PAGES,
        help=f"--all: pages per list at most, following `next` links ({DEFAULT_PAGES})",
    )
    parser.add_argument(
        "--auth",
        choices=("auto", "none", "aws", "gcp"),
        default="auto",
        help="how to authenticate (auto: from the host name, see above)",
    )
    parser.add_argument("--aws-role-arn", help="assume this role first (the caller role)")
    parser.add_argument("--aws-region", help="default: from the host name")
    parser.add_argument("--aws-service", help="lambda or execute-api (default: from the host)")
    parser.add_argument(
        "--gcp-id-token", action="store_true", help="fetch a Google ID token (google-auth)"
    )
    parser.add_argument("--id-token", default=env("PROXY_ID_TOKEN"), help="use this ID token")
    parser.add_argument("--gcp-audience", help="ID token audience (default: --url)")
    parser.add_argument("--timeout", type=float, default=25.0, help="seconds per call (25)")
    parser.add_argument("--full", action="store_true", help="print whole bodies, every call")
    parser.set_defaults(handler=run)


def run(
    args: argparse.Namespace,
    *,
    http: httpx.Client | None = None,
    today: Callable[[], date] = lambda: datetime.now(UTC).date(),
) -> int:
    try:
        base_url, calls = _plan(args)
    except OperatorToolError as exc:
        print(f"proxy call: {exc.message}", file=sys.stderr)
        return EXIT_INVALID
    client = http or cookieless_client(timeout=args.timeout)
    outcomes = []
    crawled: CrawlResult | None = None
    try:
        platform, authenticate, rewrite = _authentication(args, base_url)
        caller = ProxyCaller(base_url, client, authenticate, rewrite_query=rewrite)
        for planned in calls:
            outcome = caller.call(planned)
            outcomes.append(outcome)
            limit = 0 if args.full else DEFAULT_MAX_BODY_CHARS
            for line in describe(outcome, platform=platform, show_body=True, max_body_chars=limit):
                print(line, flush=True)
        if args.all:
            crawled = _crawl(caller, args, platform, today())
    except OperatorToolError as exc:
        print(f"proxy call: {exc.message}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:  # `proxy call … | head`: stop quietly, no traceback at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
    finally:
        if http is None:
            client.close()
    if len(outcomes) > 1:
        print(summarize_all(outcomes))
    calls_ok = all(outcome.ok for outcome in outcomes)
    return EXIT_OK if calls_ok and (crawled is None or crawled.ok) else EXIT_FAILED


def _crawl(caller: ProxyCaller, args: argparse.Namespace, platform: str, day: date) -> CrawlResult:
    since = day - timedelta(days=SEARCH_DAYS)
    print(
        f"Crawling every endpoint (up to {args.pages} pages per list; content modified since "
        f"{since.isoformat()})",
        flush=True,
    )

    def show(call: CrawlCall) -> None:
        for line in call_lines(call, platform=platform, full=args.full):
            print(line, flush=True)

    options = CrawlOptions(cloud_id=args.cloud_id, pages=args.pages, since=since)
    result = Crawl(caller, options, show, on_note=lambda note: print(f"  {note}", flush=True)).run()
    for line in summary_lines(result):
        print(line, flush=True)
    return result


def _plan(args: argparse.Namespace) -> tuple[str, list[PlannedCall]]:
    base_url, path = args.url, args.path
    if path and path.startswith(("http://", "https://")):
        parts = urlsplit(path)
        base_url = base_url or f"{parts.scheme}://{parts.netloc}"
        if not path.startswith(base_url.rstrip("/")):
            raise OperatorToolError("the full URL given does not start with --url")
        path = path[len(base_url.rstrip("/")) :] or "/"
    if not base_url:
        raise OperatorToolError("--url (or PROXY_URL) is required: the proxy's base URL")
    split_base_url(base_url)  # validates early
    if args.pages < 1:
        raise OperatorToolError(f"--pages must be 1 or more, got {args.pages}")
    calls = [PlannedCall.health_check_call()] if args.health_check else []
    if path:
        calls.append(PlannedCall(path))
    if not calls and not args.all:
        raise OperatorToolError("nothing to call: give a PATH, --health-check or --all")
    return base_url, calls


def _authentication(
    args: argparse.Namespace, base_url: str
) -> tuple[str, Authenticator, Callable[[str], str] | None]:
    """(platform, authenticator, query rewrite before signing) for this proxy URL."""
    host = urlsplit(base_url).hostname or ""
    mode = "gcp" if (args.gcp_id_token or args.id_token) else args.auth
    target = aws_target(host)
    if mode == "auto":
        mode = "aws" if target is not None else "gcp" if is_gcp_host(host) else "none"
    if mode == "none":
        return mode, no_auth, None
    if mode == "gcp":
        audience = args.gcp_audience or base_url.rstrip("/")
        token = Secret(args.id_token) if args.id_token else gcp_id_token(audience)
        return mode, _bearer(token), None
    region = args.aws_region or (target.region if target else None)
    service = args.aws_service or (target.service if target else None)
    if region is None or service is None:
        raise OperatorToolError(
            "cannot tell the AWS region and service from the host: pass --aws-region and "
            "--aws-service (lambda or execute-api)"
        )
    signer = AwsSigner(aws_credentials(args.aws_role_arn, region), service, region)
    return mode, signer.sign, canonical_query


def _bearer(token: Secret) -> Authenticator:
    def authenticate(method: str, url: str, headers: Mapping[str, str]) -> Mapping[str, str]:
        return {**headers, "Authorization": f"Bearer {token.reveal()}"}

    return authenticate
