"""The crawl of `proxy call --all` against scripted proxies: what a real proxy must never do
(leak an identifier) cannot be staged with the real one, so these answer through
httpx.MockTransport. The crawl of a real `proxy serve --demo` is in test_call_command.py."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import httpx
import pytest

from proxy.cli import call_command
from proxy.cli.main import build_parser
from proxy.rules import resolve_rules
from proxy.tooling.crawl import ENDPOINTS, content_search_query

CLOUD = "11111111-2222-3333-4444-555555555555"
SITE = f"/ex/confluence/{CLOUD}/wiki"
RAW_ID = "5d1c2a3b4e5f60718293a4b5"
Answer = Callable[[str], httpx.Response]


def sites(*ids: str) -> list[dict[str, object]]:
    return [
        {"id": i, "url": f"https://site-{n}.atlassian.net", "scopes": []} for n, i in enumerate(ids)
    ]


def empty(target: str) -> httpx.Response:
    if target.startswith("/oauth/token/accessible-resources"):
        return httpx.Response(200, json=sites(CLOUD))
    return httpx.Response(200, json={"results": [], "_links": {}})


def crawl(
    capsys: pytest.CaptureFixture[str], answer: Answer, *argv: str
) -> tuple[int, list[str], list[str]]:
    """Run `proxy call --all` against `answer`; (exit code, stdout lines, targets sent)."""
    sent: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        target = request.extensions["target"].decode()
        sent.append(target)
        return answer(target)

    args = build_parser().parse_args(["call", "--url", "http://127.0.0.1:1", "--all", *argv])
    client = httpx.Client(transport=httpx.MockTransport(handle))
    code = call_command.run(args, http=client, today=lambda: date(2025, 9, 29))
    return code, capsys.readouterr().out.splitlines(), sent


def test_the_crawl_covers_exactly_the_endpoints_of_the_bundled_rules() -> None:
    templates = {endpoint.path_template for endpoint in resolve_rules("confluence").endpoints}
    assert set(ENDPOINTS) == templates
    assert len(ENDPOINTS) == len(templates)


def test_a_site_without_content_still_gets_every_list_call_and_says_what_it_skipped(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, lines, sent = crawl(capsys, empty)
    assert code == 0
    search = f"{SITE}/rest/api/content/search?{content_search_query(date(2025, 8, 30))}"
    assert sent == [
        "/oauth/token/accessible-resources",
        f"{SITE}/api/v2/spaces?limit=100",
        search,
        f"{SITE}/rest/api/group?limit=100",
        f"{SITE}/api/v2/tasks?limit=100",
    ]
    assert "cql=lastmodified%3E%3D2025-08-30&" in search
    assert (
        "{site}/api/{version}/blogposts/{blogpostId}/versions: not reached (no blog post in the "
        "content search results)"
    ) in lines
    assert (
        "{site}/rest/api/group/{groupId}/membersByGroupId: not reached (no group in the "
        "groups results)" in lines
    )
    assert lines[-1] == "5 calls, all answered 2xx; 5 of 12 endpoints reached; privacy check passed"


def test_a_leaking_proxy_fails_the_privacy_check_naming_where(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def leaky(target: str) -> httpx.Response:
        if "/api/v2/spaces" in target:
            body = {"results": [{"authorId": RAW_ID, "key": "~" + RAW_ID, "name": "x"}]}
            return httpx.Response(200, json=body)
        if "/rest/api/group?" in target:
            body = {"results": [{"id": "g1", "type": "group", "email": "alice@company.org"}]}
            return httpx.Response(200, json=body)
        return empty(target)

    code, lines, _ = crawl(capsys, leaky)
    assert code == 1
    start = lines.index("privacy check FAILED: 3 raw identifiers in 6 responses:")
    assert lines[start + 1 : start + 4] == [
        "  {site}/api/v2/spaces?limit=100 $.results[0].authorId: account id 5d1c…a4b5",
        "  {site}/api/v2/spaces?limit=100 $.results[0].key: account id 5d1c…a4b5",
        "  {site}/rest/api/group?limit=100 $.results[0].email: email alic….org",
    ]
    assert lines[-1].endswith("; privacy check FAILED")
    assert RAW_ID not in "\n".join(lines) and "alice@company.org" not in "\n".join(lines)


def test_a_next_link_with_a_raw_account_id_is_never_sent(
    capsys: pytest.CaptureFixture[str],
) -> None:
    leaked_next = f"/rest/api/content/search?cursor=c2&cql=creator%3D{RAW_ID}"

    def leaky(target: str) -> httpx.Response:
        if "/content/search" in target and "cursor=" not in target:
            return httpx.Response(200, json={"results": [], "_links": {"next": leaked_next}})
        return empty(target)

    code, lines, sent = crawl(capsys, leaky)
    assert code == 1
    assert not any(RAW_ID in target for target in sent)
    assert lines[-3:] == [
        "  {site}/rest/api/content/search?cql=lastmodified%3E%3D2025-08-30&limit=30&expand=body."
        "atlas_doc_format%2Cancestors%2Cversion%2Chistory%2Chistory.previousVersion&"
        "includeArchivedSpaces=true $._links.next: account id 5d1c…a4b5",
        "  not sent ({site}/rest/api/content/search): the request URL: account id 5d1c…a4b5",
        "5 calls, all answered 2xx; 5 of 12 endpoints reached; privacy check FAILED",
    ]


def test_next_links_are_followed_from_the_link_header_up_to_pages(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def paged(target: str) -> httpx.Response:
        if "/api/v2/tasks" in target:
            page = int(target.rsplit("cursor=", 1)[1]) if "cursor=" in target else 0
            link = f'</wiki/api/v2/tasks?limit=100&cursor={page + 1}>; rel="next"'
            return httpx.Response(
                200, json={"results": [{"id": str(page)}]}, headers={"Link": link}
            )
        return empty(target)

    code, _, sent = crawl(capsys, paged, "--pages", "3")
    assert code == 0
    assert [t for t in sent if "/tasks" in t] == [
        f"{SITE}/api/v2/tasks?limit=100",
        f"{SITE}/api/v2/tasks?limit=100&cursor=1",
        f"{SITE}/api/v2/tasks?limit=100&cursor=2",
    ]


def test_several_sites_need_a_cloud_id(capsys: pytest.CaptureFixture[str]) -> None:
    other = "99999999-2222-3333-4444-555555555555"

    def two_sites(target: str) -> httpx.Response:
        return httpx.Response(200, json=sites(CLOUD, other))

    code, lines, sent = crawl(capsys, two_sites)
    assert (code, sent) == (1, ["/oauth/token/accessible-resources"])
    assert (
        f"stopped: the grant covers several sites: pass --cloud-id, one of {CLOUD} "
        f"(https://site-0.atlassian.net), {other} (https://site-1.atlassian.net)"
    ) in lines
    code, lines, sent = crawl(capsys, two_sites, "--cloud-id", other)
    assert code == 0
    assert sent[1] == f"/ex/confluence/{other}/wiki/api/v2/spaces?limit=100"


def test_a_cloud_id_outside_the_grant_is_pointed_out(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, _ = crawl(capsys, empty, "--cloud-id", "not-this-one")
    assert code == 0
    assert (
        f"  --cloud-id not-this-one is not among the sites of the grant: {CLOUD} "
        "(https://site-0.atlassian.net)"
    ) in lines


def test_a_failed_call_shows_its_hint_and_fails_the_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def no_spaces(target: str) -> httpx.Response:
        if "/api/v2/spaces" in target:
            summary = {"error": "API_ERROR", "status": 401, "hint": "scope does not match"}
            return httpx.Response(401, json=summary, headers={"X-Psoxy-Error": "API_ERROR"})
        return empty(target)

    code, lines, _ = crawl(capsys, no_spaces)
    assert code == 1
    at = next(i for i, line in enumerate(lines) if line.startswith("GET {site}/api/v2/spaces"))
    assert lines[at + 1 : at + 3] == [
        "  hint: API_ERROR: Atlassian answered an error; the proxy passed its status on and "
        "replaced the body by a summary",
        "  hint: scope does not match",
    ]
    assert lines[-1].startswith("5 calls, 1 failed; ")


def test_pages_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    args = build_parser().parse_args(
        ["call", "--url", "http://127.0.0.1:1", "--all", "--pages", "0"]
    )
    assert call_command.run(args) == 2
    assert capsys.readouterr().err == "proxy call: --pages must be 1 or more, got 0\n"


def test_bodies_are_json_even_when_pretty_printed_with_full(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, lines, _ = crawl(capsys, empty, "--full")
    assert code == 0
    start = next(i for i, line in enumerate(lines) if line.startswith("GET /oauth/"))
    size = len(json.dumps(sites(CLOUD), separators=(",", ":")))
    assert lines[start].endswith(f" ms, {size} bytes, 1 item")
    assert json.loads("\n".join(lines[start + 1 : start + 8]))[0]["id"] == CLOUD
