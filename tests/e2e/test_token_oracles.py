"""Over real HTTP, as a caller holding `p~` tokens who wants what is inside them.

Each test is one attack: tamper with a token and read the answer (a CBC padding oracle); place
a token where Confluence echoes the request (a parameter of a search, a CQL position that holds
no value, a path segment of a v2 list, a body field or header of an upstream that echoes); or
have the proxy hash a guessed email. The plaintexts are those of tokens the proxy hands out: a
legacy personal space key `~dave` becomes `~p~<token of "dave">`, an account id in a `next`
link becomes `p~<token of the id>`.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote_plus

import httpx
import pytest

from proxy.sanitize.pseudonyms._pseudonymizer import Pseudonymizer
from proxy.sanitize.pseudonyms._reversible import HASH_LENGTH, b64url_decode, b64url_encode
from proxy.secret_value import Secret
from proxy.simulator.people import BOB, PAGES
from proxy.simulator.routes import SimRequest, SimResponse
from support.echoing_upstream import echoing
from support.local_proxy import Site

# The salt and key `running_proxy` configures: tokens made as the proxy makes them.
DEPLOYMENT = Pseudonymizer(Secret("salt"), Secret("secret"))
DAVE = DEPLOYMENT.tokenize_person("dave")  # the ~p~ key of Dave's legacy personal space
SHOUTY = DEPLOYMENT.tokenize_person("JSMITH")  # a legacy key made of upper-case letters
BOB_ID = DEPLOYMENT.tokenize_person(BOB.account_id)  # as a rewritten `next` link gives it
TOKEN = re.compile(r"p~[A-Za-z0-9_-]{43,}")


def base(site: Site) -> str:
    _, credentials, proxy = site
    return f"{proxy.base_url}/ex/confluence/{credentials.cloud_id}/wiki"


def echoed(site: Site, which: str, target: str) -> httpx.Response:
    """GET `target` (under `/wiki`) through the proxy, the upstream echoing as `which` says."""
    simulator, _, _ = site
    with echoing(simulator.routes, which):
        return httpx.get(base(site) + target)


def holds(response: httpx.Response, plaintext: str) -> bool:
    """Whether the plaintext is anywhere in the response: body or header, in any encoding."""
    texts = [response.text, *(f"{k}: {v}" for k, v in response.headers.multi_items())]
    decoded = [unquote_plus(unquote_plus(text)) for text in texts]
    word = re.compile(rf"(?<![A-Za-z0-9_-]){re.escape(plaintext)}(?![A-Za-z0-9_-])")
    return any(word.search(text) for text in decoded)


def test_a_tampered_token_is_refused_the_same_way_whatever_it_decrypts_to(site: Site) -> None:
    """The first 16 bytes of a token are the IV of its first cipher block: flipping bits there
    flips the same bits of the plaintext. If the answer told a bad padding from a good one
    whose hash does not match, 256 requests per byte would decrypt any token."""
    simulator, _, _ = site
    sealed = b64url_decode(BOB_ID[2:])
    simulator.server.clear_requests()
    answers = set()
    for flip in range(256):
        iv = bytearray(sealed[:HASH_LENGTH])
        iv[15] ^= flip
        tampered = "p~" + b64url_encode(bytes(iv) + sealed[HASH_LENGTH : HASH_LENGTH + 16])
        response = httpx.get(f"{base(site)}/rest/api/content/search?cql=creator%3D{tampered}")
        answers.add((response.status_code, response.headers.get("x-psoxy-error"), response.text))
    assert len(answers) == 1, answers
    ((status, code, _),) = answers
    assert (status, code) == (409, "TOKENIZED_REQUEST_PARAMETER_INVALID")
    assert [r for r in simulator.server.requests() if r.path.startswith("/ex/")] == []


def test_a_token_in_a_parameter_the_search_echoes_comes_back_as_that_token(site: Site) -> None:
    """The simulator's search echoes `expand` into `next`, as Confluence does."""
    response = httpx.get(
        f"{base(site)}/rest/api/content/search?cql=type%3Dpage&expand={DAVE}&limit=2"
    )
    assert response.status_code == 200, response.text
    assert not holds(response, "dave")
    following = response.json()["_links"]["next"]
    assert f"&expand={DAVE}&" in following
    second = httpx.get(base(site) + following)
    assert second.status_code == 200, second.text
    assert not holds(second, "dave")
    pages = [page.id for page in PAGES if page.type == "page"]
    assert [item["id"] for item in second.json()["results"]] == pages[2:4]


@pytest.mark.parametrize(
    ("cql", "plaintext"),
    [
        ("type = page ORDER BY {dave}", "dave"),
        ("{dave} = x", "dave"),
        ("creator = {dave}()", "dave"),
        ("(type = page) AND NOT ({dave} ~ x)", "dave"),
        ("id = {shouty}", "JSMITH"),
        ("space.key = {shouty}", "JSMITH"),
        ('title = "{shouty}"', "JSMITH"),
        ("ancestor in (1, {shouty})", "JSMITH"),
        ("type = page order by {shouty} desc", "JSMITH"),
    ],
)
def test_a_token_placed_anywhere_in_the_cql_does_not_come_back_decrypted(
    site: Site, cql: str, plaintext: str
) -> None:
    query = cql.format(dave=DAVE, shouty=SHOUTY)
    response = echoed(
        site, "search", f"/rest/api/content/search?cql={quote(query, safe='~')}&limit=1"
    )
    assert response.status_code == 200, response.text
    assert not holds(response, plaintext)
    following = response.json()["_links"]["next"]
    assert set(TOKEN.findall(query)) <= set(TOKEN.findall(following))


def test_a_token_in_a_path_segment_echoed_by_a_v2_list_comes_back_as_that_token(
    site: Site,
) -> None:
    response = echoed(site, "versions", f"/api/v2/pages/{DAVE}/versions?limit=1")
    assert response.status_code == 200, response.text
    assert not holds(response, "dave")
    expected = f"/wiki/api/v2/pages/{DAVE}/versions?limit=1&cursor=b2Zmc2V0OjE"
    assert response.json()["_links"]["next"] == expected
    assert response.headers["link"] == f'<{expected}>; rel="next"'


def test_an_upstream_echoing_a_decrypted_value_into_the_body_gets_no_answer_through(
    site: Site,
) -> None:
    response = echoed(site, "spaces", f"/api/v2/spaces?type={DAVE}")
    assert not holds(response, "dave")
    assert (response.status_code, response.headers["x-psoxy-error"]) == (
        500,
        "SANITIZATION_FAILED",
    )


def test_an_upstream_echoing_a_decrypted_value_into_a_header_loses_that_header(
    site: Site,
) -> None:
    response = echoed(site, "etag", f"/api/v2/spaces?type={DAVE}")
    assert response.status_code == 200, response.text
    assert "etag" not in response.headers
    assert not holds(response, "dave")


@pytest.mark.parametrize("clause", ['title ~ "bob@company.org"', 'space = "~bob@company.org"'])
def test_a_guessed_email_is_not_hashed_into_a_joinable_token(site: Site, clause: str) -> None:
    """A `p~` made of an email carries the hash of the `t~` that email gets in bodies (group
    members' `email`): a caller who could have any text hashed would learn whose `t~` it is by
    trying the addresses it guesses."""
    cql = quote(f"type = page OR {clause}", safe="")
    response = httpx.get(f"{base(site)}/rest/api/content/search?cql={cql}&limit=2")
    assert response.status_code == 200, response.text
    email_hash = DEPLOYMENT.pseudonymize("bob@company.org")
    assert email_hash is not None
    hashes = {
        b64url_encode(b64url_decode(token[2:])[:HASH_LENGTH])
        for token in TOKEN.findall(response.text)
    }
    assert email_hash.hash not in hashes
    assert not holds(response, "bob@company.org")


def _spliced() -> str:
    """Bob's hash with Dave's cipher text: each part genuine, the whole never made by us."""
    bob, dave = b64url_decode(BOB_ID[2:]), b64url_decode(DAVE[2:])
    return "p~" + b64url_encode(bob[:HASH_LENGTH] + dave[HASH_LENGTH:])


@pytest.mark.parametrize(
    "token",
    [
        Pseudonymizer(Secret("other salt"), Secret("secret")).tokenize_person(BOB.account_id),
        Pseudonymizer(Secret("salt"), Secret("other key")).tokenize_person(BOB.account_id),
        _spliced(),
    ],
    ids=["another salt", "another key", "spliced"],
)
def test_a_token_this_deployment_did_not_make_is_refused_before_anything_is_sent(
    site: Site, token: str
) -> None:
    simulator, _, _ = site
    simulator.server.clear_requests()
    response = httpx.get(f"{base(site)}/rest/api/content/search?cql=creator%3D%22{token}%22")
    assert (response.status_code, response.headers["x-psoxy-error"]) == (
        409,
        "TOKENIZED_REQUEST_PARAMETER_INVALID",
    )
    assert response.text == "a p~ token is not one this deployment made"
    assert [r for r in simulator.server.requests() if r.path.startswith("/ex/")] == []


def test_caller_headers_reach_neither_confluence_nor_the_answer(site: Site) -> None:
    """The bundled rules forward no request header: a token in one is not decrypted anywhere."""
    simulator, _, _ = site
    seen: list[dict[str, str]] = []

    def spaces(request: SimRequest) -> SimResponse:
        seen.append(dict(request.headers))
        return SimResponse.json(200, {"results": [], "_links": {}})

    hostile = {
        "X-Owner": DAVE,
        "Cookie": f"owner={DAVE}",
        "Authorization": f"Bearer {DAVE}",
        "X-Forwarded-For": "10.1.2.3",
        "Forwarded": f"for={DAVE}",
        "X-Psoxy-Owner": DAVE,
    }
    route = simulator.routes.add("GET", r".*/wiki/api/v2/spaces", spaces, first=True)
    try:
        response = httpx.get(f"{base(site)}/api/v2/spaces", headers=hostile)
    finally:
        simulator.routes.remove(route)
    assert response.status_code == 200, response.text
    ((received,),) = [seen]
    proxy_own = {"host", "accept", "accept-encoding", "user-agent", "authorization", "connection"}
    assert set(received) <= proxy_own | {"content-length"}
    assert received["authorization"] != hostile["Authorization"]
    assert DAVE not in str(received) and "dave" not in str(received)
    assert not holds(response, "dave") and DAVE not in str(response.headers)


@pytest.mark.parametrize("status", [302, 400, 404, 429, 500])
def test_an_upstream_error_quoting_the_decrypted_request_quotes_nothing(
    site: Site, status: int
) -> None:
    """Confluence's 400 for a bad CQL quotes the query; a redirect names a URL; neither passes."""
    simulator, _, _ = site

    def quoting(request: SimRequest) -> SimResponse:
        quoted = f"Could not parse cql : {unquote_plus(request.query)}"
        return SimResponse.json(
            status,
            {"statusCode": status, "message": quoted},
            {"Location": f"/wiki/people/dave?{request.query}", "Retry-After": "dave"},
        )

    route = simulator.routes.add("GET", r".*/rest/api/content/search", quoting, first=True)
    try:
        response = httpx.get(f"{base(site)}/rest/api/content/search?cql=creator%3D{DAVE}")
    finally:
        simulator.routes.remove(route)
    assert (response.status_code, response.headers["x-psoxy-error"]) == (status, "API_ERROR")
    assert not holds(response, "dave")
    assert "location" not in response.headers and "retry-after" not in response.headers


def test_search_fields_that_quote_the_query_are_not_passed(site: Site) -> None:
    """Confluence's search answers can quote the CQL (`cqlQuery`), highlight matches in titles
    and excerpts: the schema drops the first two, titles are digested."""
    simulator, _, _ = site

    def quoting(request: SimRequest) -> SimResponse:
        cql = dict(parse_qsl(request.query))["cql"]
        hit = "@@@hl@@@dave@@@endhl@@@"
        page = {"id": "300001", "type": "page", "title": f"Notes of {hit}", "excerpt": hit}
        document = {"results": [page], "cqlQuery": cql, "searchDuration": 3, "_links": {}}
        return SimResponse.json(200, document)

    route = simulator.routes.add("GET", r".*/rest/api/content/search", quoting, first=True)
    try:
        response = httpx.get(f"{base(site)}/rest/api/content/search?cql=title~{DAVE}")
    finally:
        simulator.routes.remove(route)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "results": [
            {
                "id": "300001",
                "type": "page",
                "title": '{"length":32,"word_count":3}',  # a digest: never the text
            }
        ],
        "_links": {},
    }


def test_the_proxy_log_holds_no_decrypted_value(site: Site) -> None:
    _, _, proxy = site
    echoed(site, "search", f"/rest/api/content/search?cql=type+%3D+page+ORDER+BY+{DAVE}")
    echoed(site, "spaces", f"/api/v2/spaces?type={DAVE}")  # refused: 500
    log = proxy.log()
    assert "content/search -> 200" in log and "SANITIZATION_FAILED" in log
    assert not re.search(r"(?<![A-Za-z0-9_-])dave(?![A-Za-z0-9_-])", log, re.IGNORECASE)
