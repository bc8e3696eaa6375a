"""A `p~` token's plaintext never comes back through what Atlassian echoes of the request.

The caller places tokens anywhere in a content search (CQL values, fields, function names and
arguments, `ORDER BY`, `in (…)` lists, quoted strings, other parameters); the gateway decrypts
them (`in_query`, as `Gateway` does); Confluence echoes the query into `next` (or, hostile,
echoes it altered, so that it is no longer what was forwarded); the link rewriter runs under
the request's `RequestEcho`. Whatever the shape of the plaintext (a legacy username, one of
upper-case letters or digits that looks harmless, an account id), it must not be in the link.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, quote_plus, unquote_plus

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from proxy.errors import BlockedByRules
from proxy.gateway._decrypted_values import in_query
from proxy.sanitize.links._request_echo import RequestEcho, current_echo
from proxy.sanitize.links._rewriter import LinkRewriter, java_url_encode
from proxy.sanitize.pseudonyms._pseudonymizer import Pseudonymizer
from proxy.secret_value import Secret
from support.echoing_upstream import echoed_search_next

PSEUDONYMIZER = Pseudonymizer(Secret("salt"), Secret("secret"))
REWRITER = LinkRewriter(PSEUDONYMIZER)
PATH = "/ex/confluence/c1/wiki/rest/api/content/search"
TOKEN = re.compile(r"p~[A-Za-z0-9_-]{43,}")

_PLAINTEXTS = st.one_of(
    st.text("abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=10),  # legacy usernames
    st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=8),  # ... that look harmless
    st.text("0123456789", min_size=3, max_size=9),
    st.uuids().map(lambda u: f"557058:{u}"),
    st.text("0123456789abcdef", min_size=24, max_size=24),
)
_HARMLESS = st.sampled_from(["page", "2025-08-01", "SD", "123", "current", '"x y"', "now('-4w')"])


@st.composite
def _search(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A caller's content-search query with tokens in random places, and their plaintexts."""
    plaintexts: list[str] = []

    def slot(position: str) -> str:
        if not draw(st.booleans()):
            return "title" if position == "field" else draw(_HARMLESS)
        plaintext = draw(_PLAINTEXTS)
        plaintexts.append(plaintext)
        token = PSEUDONYMIZER.tokenize_person(plaintext)
        quote_mark = draw(st.sampled_from(["", '"'])) if position == "value" else ""
        return f"{quote_mark}{token}{quote_mark}"

    shapes = [
        lambda: f"{slot('field')} {draw(st.sampled_from(['=', '~', '!=', '>=']))} {slot('value')}",
        lambda: f"creator in ({slot('value')}, {slot('value')})",
        lambda: f"ancestor = {slot('field')}({slot('value')})",
        lambda: f"(type = page OR NOT {slot('field')} = {slot('value')})",
        lambda: f'space = "~{PSEUDONYMIZER.tokenize_person(draw(_PLAINTEXTS))}"',
    ]
    clauses = [draw(st.sampled_from(shapes))() for _ in range(draw(st.integers(1, 3)))]
    cql = " AND ".join(clauses)
    if draw(st.booleans()):
        cql += f" ORDER BY {slot('field')} {draw(st.sampled_from(['', 'desc']))}".rstrip()
    plaintexts += [PSEUDONYMIZER.decrypt(t) for t in TOKEN.findall(cql)]
    query = "cql=" + quote_plus(cql, safe="~")
    if draw(st.booleans()):
        query += f"&expand={slot('expand')}"
    return query + "&limit=1", sorted(set(plaintexts))


def _forwarded(query: str) -> str | None:
    """The query as the gateway forwards it; None when it refuses a decrypted value there."""
    try:
        return PSEUDONYMIZER.reverse_tokens(query, escape=in_query)
    except BlockedByRules:
        return None


def _altered(query: str) -> str:
    """What a hostile upstream might echo instead: the same query, respaced and re-cased."""
    params = [
        (name, value.replace(" ", "  ").replace("=", " = ").upper() if name == "cql" else value)
        for name, value in parse_qsl(query, keep_blank_values=True)
    ]
    return "&".join(f"{name}={quote(value, safe='')}" for name, value in params)


def _appears(plaintext: str, text: str) -> bool:
    decoded = unquote_plus(unquote_plus(text))
    word = re.compile(rf"(?<![A-Za-z0-9_-]){re.escape(plaintext)}(?![A-Za-z0-9_-])", re.I)
    return bool(word.search(decoded))


def _next_link(query: str, *, hostile: bool = False) -> str | None:
    """The `next` link of a search sent with `query`, as the caller gets it (None: none, or the
    gateway refused a decrypted value)."""
    forwarded = _forwarded(query)
    if forwarded is None:
        return None
    echo = RequestEcho.of(PSEUDONYMIZER.decrypt, caller=(PATH, query), forwarded=(PATH, forwarded))
    with echo.active():
        link = REWRITER.rewrite_url(
            echoed_search_next(_altered(forwarded) if hostile else forwarded)
        )
    assert current_echo() is None
    return link


@settings(max_examples=300, deadline=None)
@given(search=_search(), hostile=st.booleans())
@example(  # a plaintext found inside a word of the path (`confluence`) is not the caller's
    search=(
        f"cql=title+%3D+{PSEUDONYMIZER.tokenize_person('NCE')}+AND+title+%3D+page&limit=1",
        ["NCE"],
    ),
    hostile=True,
)
def test_no_decrypted_value_comes_back_in_an_echoed_link(
    search: tuple[str, list[str]], hostile: bool
) -> None:
    query, plaintexts = search
    link = _next_link(query, hostile=hostile)
    if link is None:
        return
    clear = f"{PATH} {TOKEN.sub(' ', query)}"  # what the caller wrote, path included
    for plaintext in plaintexts:
        if _appears(plaintext, clear):
            continue  # the caller wrote it itself (`AND`, say): its echo tells nothing
        assert not _appears(plaintext, link), (plaintext, link)
    if not hostile:
        assert set(TOKEN.findall(query)) <= set(TOKEN.findall(link))


@settings(max_examples=100, deadline=None)
@given(search=_search())
def test_an_echo_of_what_was_forwarded_is_what_the_caller_sent(
    search: tuple[str, list[str]],
) -> None:
    """Followed, the link sends Confluence what the first request sent it (the next page)."""
    query, _ = search
    link, forwarded = _next_link(query), _forwarded(query)
    if link is None or forwarded is None:
        return
    following = _forwarded(link.partition("?")[2])
    assert following is not None
    cql = [value for name, value in parse_qsl(following) if name == "cql"]
    assert cql == [value for name, value in parse_qsl(forwarded) if name == "cql"]


DAVE = PSEUDONYMIZER.tokenize_person("dave")


@pytest.mark.parametrize(
    ("caller", "forwarded", "echoed", "expected"),
    [
        # echoed as forwarded: the caller's own text, its token as it was
        (
            f"expand={DAVE}",
            "expand=dave",
            "/s?next=true&expand=dave",
            f"/s?next=true&expand={DAVE}",
        ),
        # the upstream's own part, exactly a decrypted value: the token it came from
        (f"expand={DAVE}", "expand=dave", "/s?owner=dave", f"/s?owner={DAVE}"),
        # the upstream's own part, holding a decrypted value: unsafe
        (f"expand={DAVE}", "expand=dave", "/s?owner=by+dave", None),
        (f"expand={DAVE}", "expand=dave", "/s/dave-s?x=1", None),
        (f"expand={DAVE}", "expand=dave", "/s?x=1#dave", None),
        (f"expand={DAVE}", "expand=dave", "/s?dave=1", None),
        # the caller wrote the same text in clear: its echo tells nothing, it stays
        (f"expand={DAVE}&excerpt=dave", "expand=dave&excerpt=dave", "/s?x=dave", "/s?x=dave"),
        # a CQL the upstream made: a decrypted value as a field is unsafe, as a value a token
        (f"expand={DAVE}", "expand=dave", "/s?cql=dave+%3D+1", None),
        (f"expand={DAVE}", "expand=dave", "/s?cql=id+%3D+dave", f"/s?cql=id+%3D+{DAVE}"),
    ],
)
def test_parts_of_a_link_under_an_echo(
    caller: str, forwarded: str, echoed: str, expected: str | None
) -> None:
    echo = RequestEcho.of(PSEUDONYMIZER.decrypt, caller=(PATH, caller), forwarded=(PATH, forwarded))
    with echo.active():
        assert REWRITER.rewrite_url(echoed) == expected


def test_a_path_segment_echoed_as_forwarded_is_the_callers() -> None:
    caller = f"/ex/confluence/c1/wiki/api/v2/pages/{DAVE}/versions"
    forwarded = "/ex/confluence/c1/wiki/api/v2/pages/dave/versions"
    echo = RequestEcho.of(PSEUDONYMIZER.decrypt, caller=(caller, None), forwarded=(forwarded, None))
    with echo.active():
        assert REWRITER.rewrite_url("/wiki/api/v2/pages/dave/versions?cursor=x") == (
            f"/wiki/api/v2/pages/{DAVE}/versions?cursor=x"
        )
        assert REWRITER.rewrite_url("/wiki/api/v2/dave/pages/1/versions") == (
            f"/wiki/api/v2/{DAVE}/pages/1/versions"  # the upstream's own part: a token again
        )
        assert REWRITER.rewrite_url("/wiki/api/v2/Dave-s/pages/1/versions") is None


@pytest.mark.parametrize(
    "cql",
    [
        'title ~ "Bob@Company.org"',
        r'title ~ "b\ob@company.org"',
        "creator = bob@company.org",
        'space = "~bob@company.org"',  # as a personal space key
    ],
)
def test_an_email_the_caller_wrote_is_not_made_a_token(cql: str) -> None:
    caller = "cql=" + java_url_encode(cql)
    echo = RequestEcho.of(PSEUDONYMIZER.decrypt, caller=(PATH, caller), forwarded=(PATH, caller))
    with echo.active():
        assert REWRITER.rewrite_url(f"/s?{caller}") is None  # echoed as forwarded
        assert REWRITER.rewrite_url("/s?cql=title+%7E+%22bob%40company.org%22") is None  # altered
        assert REWRITER.rewrite_url("/s?x=bob%40company.org") is None
    assert REWRITER.rewrite_url(f"/s?{caller}") is not None  # an upstream's own: joinable token


@pytest.mark.parametrize(
    "text",
    [
        '{"type":"dave"}',
        '{"type":"DAVE"}',
        "/s?expand=dave&x=1",
        "/s?cql=space%3D%22%7Edave%22",
        "/s?cql=space%253D%2522%257Edave%2522",
        'W/"dave"',
        "557058%3Af58131cb-b67d-43c7-b30d-6b58d40bd077",
        '{"q":"557058:f58131cb-b67d-43c7-b30d-6b58d40bd077"}',
    ],
)
def test_leaks_finds_a_decrypted_value_standing_alone(text: str) -> None:
    tokens = [
        PSEUDONYMIZER.tokenize_person(p)
        for p in ("dave", "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077")
    ]
    caller = "cql=" + "+OR+".join(f"creator%3D{t}" for t in tokens)
    echo = RequestEcho.of(PSEUDONYMIZER.decrypt, caller=(PATH, caller), forwarded=(PATH, "cql=x"))
    assert echo.leaks(text)


@pytest.mark.parametrize(
    "text",
    [
        '{"type":"davenport"}',  # in a longer word
        f'{{"key":"~{DAVE}"}}',  # its token
        '{"type":"page"}',
    ],
)
def test_leaks_ignores_what_is_not_the_decrypted_value(text: str) -> None:
    echo = RequestEcho.of(
        PSEUDONYMIZER.decrypt, caller=(PATH, f"q={DAVE}"), forwarded=(PATH, "q=dave")
    )
    assert not echo.leaks(text)


def test_leaks_ignores_a_value_the_caller_also_wrote_in_clear() -> None:
    """Else whether a guess is in the answer would tell whether it was right."""
    caller = f"q={DAVE}&excerpt=Dave"
    echo = RequestEcho.of(PSEUDONYMIZER.decrypt, caller=(PATH, caller), forwarded=(PATH, "q=dave"))
    assert not echo.leaks('{"type":"dave"}')
    assert echo.token_of("dave") is None


@pytest.mark.parametrize("plaintext", ["dave", "eve"])
def test_a_guess_sent_beside_a_token_is_told_apart_by_position_not_by_value(
    plaintext: str,
) -> None:
    """Sent `expand=<token>&expand=dave`, Confluence receives two equal values when the token
    is Dave's: matched by value, both would come back as the token, which would confirm the
    guess. Matched by position, the answer looks the same whatever the token holds."""
    token = PSEUDONYMIZER.tokenize_person(plaintext)
    caller = f"expand={token}&expand=dave"
    forwarded = f"expand={plaintext}&expand=dave"
    echo = RequestEcho.of(PSEUDONYMIZER.decrypt, caller=(PATH, caller), forwarded=(PATH, forwarded))
    with echo.active():
        assert REWRITER.rewrite_url(f"/s?next=true&{forwarded}") == f"/s?next=true&{caller}"
