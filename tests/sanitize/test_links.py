"""The link rewriter: links keep working, no identifier leaves raw, the unsafe is dropped."""

from __future__ import annotations

import re
from urllib.parse import quote, unquote_plus

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proxy.sanitize.links import LinkRewriter, java_url_encode
from proxy.sanitize.pseudonyms import HASH_LENGTH, Pseudonymizer, b64url_decode
from proxy.secret_value import Secret

PSEUDONYMIZER = Pseudonymizer(Secret("salt"), Secret("secret"))
REWRITER = LinkRewriter(PSEUDONYMIZER)
SEARCH = "/rest/api/content/search?next=true&cursor=_f_MTA%3D_sa_WyJcdDI5NDkyMSJd&limit=10&cql="
LEGACY = "608a9b555426330072f9867d"
LEGACY_P = (
    "p~7Z5-G-SoDUxVDxHtoJZFqVZ-ri3XiGo3ylaDNUVtY6Qgd3qWh6vwSO4TVjjFinG1JFGhevdcgiclGiT_RJT3NQ"
)
TOKEN = re.compile(r"p~[A-Za-z0-9_-]{43,}(?:@[A-Za-z0-9.-]+)?")


def test_java_url_encoding_is_what_confluence_writes() -> None:
    cql = 'lastmodified>=2025-08-01 AND space="~608a" AND id in (1,2) AND t~"a*b_c.d-e"'
    assert java_url_encode(cql) == (
        "lastmodified%3E%3D2025-08-01+AND+space%3D%22%7E608a%22+AND+id+in+%281%2C2%29"
        "+AND+t%7E%22a*b_c.d-e%22"
    )


@pytest.mark.parametrize(
    "url",
    [
        "/rest/api/group?next=true&limit=5&start=5",
        "/wiki/api/v2/footer-comments/196886/versions?limit=1&cursor=eyJpZCI6IjE5Njg4NiJ9",
        "/rest/api/content/search?cql=type=page&limit=25&cursor=raNDoMsTRiNg",
        SEARCH + "lastmodified%3E%3D2025-08-01+AND+type+in+%28page%2Cblogpost%29+AND+space%3DSD",
        SEARCH + "id+in+recentlyViewedContent%2810%29+ORDER+BY+created+DESC",
        SEARCH + "creator%3DcurrentUser%28%29",
        "https://company.atlassian.net/wiki/rest/api/group?limit=5#top",
        "",
    ],
)
def test_links_without_identifiers_are_kept_byte_for_byte(url: str) -> None:
    assert REWRITER.rewrite_url(url) == url


@pytest.mark.parametrize(
    ("encoded", "expected"),
    [
        # the example response's link: only the space key changes, the rest stays as encoded
        (
            "lastmodified%3E%3D2025-08-01+AND+space%3D%22%7E608a9b555426330072f9867d%22",
            f"lastmodified%3E%3D2025-08-01+AND+space%3D%22%7E{LEGACY_P}%22",
        ),
        # not encoded by the upstream: re-encoded as Confluence encodes, the token literal
        (f'creator="{LEGACY}"', f"creator%3D%22{LEGACY_P}%22"),
        (f"creator%20%3D%20{LEGACY}", f"creator+%3D+{LEGACY_P}"),
        (f"space%3d~{LEGACY}", f"space%3D%7E{LEGACY_P}"),
        # encoded twice: both layers kept, the token literal
        (f"creator%253D%2522{LEGACY}%2522", f"creator%253D%2522{LEGACY_P}%2522"),
    ],
)
def test_ids_become_literal_tokens_in_confluence_encoding(encoded: str, expected: str) -> None:
    assert REWRITER.rewrite_url(SEARCH + encoded) == SEARCH + expected


def test_every_person_value_is_a_token_whatever_it_looks_like() -> None:
    link = REWRITER.rewrite_url(SEARCH + "creator%3Djsmith+OR+watcher%3D12345")
    assert link is not None
    first, second = TOKEN.findall(link)
    assert PSEUDONYMIZER.decrypt(first) == "jsmith"
    assert PSEUDONYMIZER.decrypt(second) == "12345"


def test_an_id_shaped_like_a_number_is_still_a_token() -> None:
    digits = "608123555426330072198670"  # 24 hex digits that happen to be decimal
    link = REWRITER.rewrite_url(SEARCH + f"id%3D{digits}+AND+id%3D123")
    assert link is not None
    (token,) = TOKEN.findall(link)
    assert link == SEARCH + f"id%3D{token}+AND+id%3D123"
    assert PSEUDONYMIZER.decrypt(token) == digits


def test_free_text_is_a_token_too_fail_closed() -> None:
    """A `p~` the caller placed in a text search comes back decrypted: it must not leave raw."""
    link = REWRITER.rewrite_url(SEARCH + "title%7E%22jsmith+notes%22+AND+type%3Dpage")
    assert link is not None
    assert "jsmith" not in link
    (token,) = TOKEN.findall(link)
    assert link == SEARCH + f"title%7E%22{token}%22+AND+type%3Dpage"
    assert PSEUDONYMIZER.decrypt(token) == "jsmith notes"


def test_emails_join_their_pseudonym_and_keep_their_domain_as_configured() -> None:
    link = REWRITER.rewrite_url(SEARCH + "creator%3D%22Alice%40acme.com%22")
    assert link is not None
    (token,) = TOKEN.findall(link)
    assert link == SEARCH + f"creator%3D%22{token}%22"
    assert token.endswith("@acme.com")
    hash_part = b64url_decode(token.partition("@")[0][2:])[:HASH_LENGTH]
    # the t~ of alice@acme.com (reference vector): canonical email, so it joins
    assert hash_part == b64url_decode("UFdK0TvVTvZ23c6QslyCy0o2MSq2DRtDjEXfTPJyyMk")
    assert PSEUDONYMIZER.decrypt(token) == "Alice@acme.com"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            f"/wiki/api/v2/spaces?owner={LEGACY}&limit=1",
            f"/wiki/api/v2/spaces?owner={LEGACY_P}&limit=1",
        ),
        (f"/wiki/spaces/~{LEGACY}/overview", f"/wiki/spaces/%7E{LEGACY_P}/overview"),
        (f"/wiki/spaces/%7E{LEGACY}", f"/wiki/spaces/%7E{LEGACY_P}"),
    ],
)
def test_a_segment_or_parameter_that_is_an_identifier_becomes_a_token(
    url: str, expected: str
) -> None:
    assert REWRITER.rewrite_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        SEARCH + "creator%3D%p~x",  # a malformed escape
        SEARCH + "creator%3D%C3%28",  # not UTF-8
        SEARCH + "creator+%3D",  # not CQL
        SEARCH + "creator%3D%22a%22+%26%26+watcher%3Db",
        SEARCH + f"{LEGACY}%3D1",  # an id as a field name
        SEARCH + f"type%3Dpage+ORDER+BY+{LEGACY}",
        SEARCH + f"id+in+{LEGACY}%28%29",  # as a function name
        f"/wiki/api/v2/spaces?owner=by%20{LEGACY}",  # an id inside another parameter
        "/wiki/api/v2/spaces?q=alice%40acme.com%20and%20bob",
        f"/wiki/api/v2/spaces?{LEGACY}=1",  # in a parameter name
        f"/wiki/api/v2/spaces/{LEGACY}-archive",  # inside a path segment
        f"/wiki/api/v2/spaces?limit=1#{LEGACY}",
        "https://alice@acme.com@site/wiki",
        "/wiki/api/v2/spaces?cursor=a b",  # not a URL
        "/wiki/api/v2/spaces?cursor=é",
        "/x?cql=" + "a" * 20_000,
    ],
)
def test_a_link_that_cannot_be_made_safe_is_dropped(url: str) -> None:
    assert REWRITER.rewrite_url(url) is None


def test_without_an_encryption_key_links_with_identifiers_are_dropped() -> None:
    rewriter = LinkRewriter(Pseudonymizer(Secret("salt")))
    assert rewriter.rewrite_url(SEARCH + f"creator%3D{LEGACY}") is None
    assert rewriter.rewrite_url(SEARCH + "type%3Dpage") == SEARCH + "type%3Dpage"


# --- the Link header ----------------------------------------------------------------------------


def test_link_header_keeps_pagination_links_rewritten_and_drops_the_site() -> None:
    value = (
        f'</wiki/api/v2/spaces?owner={LEGACY}&cursor=abc>; rel="next", '
        '<https://company.atlassian.net/wiki>; rel="base"'
    )
    assert REWRITER.rewrite_link_header(value) == (
        f'</wiki/api/v2/spaces?owner={LEGACY_P}&cursor=abc>; rel="next"'
    )


def test_link_header_with_several_pagination_links_and_parameters() -> None:
    """Only the URL and its pagination relations stay: any other parameter (a title, an anchor,
    another relation) could hold a name, which is no identifier the recognizer knows."""
    value = (
        '</a?cursor=1>;rel=prev;title="Previous" ,  </a?cursor=2> ; rel="next last author";'
        " anchor=\"#alice\"; title*=UTF-8''Alice"
    )
    assert REWRITER.rewrite_link_header(value) == (
        '</a?cursor=1>; rel="prev", </a?cursor=2>; rel="next last"'
    )


@pytest.mark.parametrize(
    "value",
    [
        "",
        "garbage",
        "</a?cursor=1> rel=next",
        '</a?cursor=1>; rel="next',
        '<https://company.atlassian.net/wiki>; rel="base"',  # nothing left to keep
        '</a?cql=creator%3D%p~x>; rel="next"',
        f'</a?cursor=1>; rel="next"; title="{LEGACY}"',
        f'</a?cursor=1>; rel="next", </b?owner=by%20{LEGACY}>; rel="prev"',
    ],
)
def test_a_link_header_that_cannot_be_made_safe_is_dropped(value: str) -> None:
    assert REWRITER.rewrite_link_header(value) is None


def test_a_link_header_longer_than_any_link_is_dropped() -> None:
    """Thousands of entries (each kept) would make a header no platform returns."""
    entry = '</wiki/api/v2/spaces?cursor=abcdefgh>; rel="next"'
    assert REWRITER.rewrite_link_header(entry) == entry
    assert REWRITER.rewrite_link_header(", ".join([entry] * 400)) is None


# --- properties ---------------------------------------------------------------------------------

_FIELDS = ["type", "lastmodified", "created", "id", "ancestor", "space", "space.type"]
_HARMLESS = st.one_of(
    st.integers(0, 10**9).map(str),
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(
        ["page", "blogpost", "comment", "current", "archived", "global", "SD", "XFLOW"]
    ),
    st.sampled_from(["-4w", "+1d", "2025/08/01 10:00"]),
)
_OPERATORS = st.sampled_from(["=", "!=", ">", ">=", "<", "<=", "~", "!~"])


@st.composite
def _harmless_value(draw: st.DrawFn) -> str:
    value = draw(_HARMLESS)
    style = draw(st.sampled_from(["bare", "double", "single", "function"]))
    if style == "double" or (style == "bare" and not re.fullmatch(r"[\w.:/-]+", value)):
        return f'"{value}"'
    if style == "single":
        return f"'{value}'"
    if style == "function":
        return draw(st.sampled_from(["currentUser()", f'now("{value}")', "startOfMonth()"]))
    return value


@st.composite
def _clause(draw: st.DrawFn, value: st.SearchStrategy[str]) -> str:
    field = draw(st.sampled_from(_FIELDS))
    if draw(st.booleans()):
        items = draw(st.lists(value, min_size=1, max_size=3))
        negated = draw(st.sampled_from(["", "NOT "]))
        return f"{field} {negated}in ({', '.join(items)})"
    space = draw(st.sampled_from(["", " "]))
    return f"{field}{space}{draw(_OPERATORS)}{space}{draw(value)}"


@st.composite
def _query(draw: st.DrawFn, clause: st.SearchStrategy[str]) -> str:
    clauses = draw(st.lists(clause, min_size=1, max_size=4))
    query = clauses[0]
    for part in clauses[1:]:
        joiner = draw(st.sampled_from(["AND", "OR", "and"]))
        item = f"NOT {part}" if draw(st.booleans()) else part
        query = f"({query}) {joiner} {item}" if draw(st.booleans()) else f"{query} {joiner} {item}"
    if draw(st.booleans()):
        query += " ORDER BY " + draw(st.sampled_from(["lastmodified DESC", "title", "created asc"]))
    return query


_ENCODINGS = {
    "java": java_url_encode,
    "percent-20": lambda text: quote(text, safe=""),
    "lower-hex": lambda text: re.sub(
        r"%[0-9A-F]{2}", lambda m: m.group().lower(), java_url_encode(text)
    ),
    "minimal": lambda text: quote(text, safe="=():,~@'\"<>!/").replace("%20", "+"),
    "twice": lambda text: java_url_encode(java_url_encode(text)),
}


@settings(max_examples=150, deadline=None)
@given(cql=_query(_clause(_harmless_value())), encoding=st.sampled_from(sorted(_ENCODINGS)))
def test_a_query_without_identifiers_leaves_unchanged(cql: str, encoding: str) -> None:
    url = SEARCH + _ENCODINGS[encoding](cql)
    assert REWRITER.rewrite_url(url) == url


# Identifiers of every kind, each drawn fresh, in person fields or as personal space keys.
_hex = "0123456789abcdef"
_ACCOUNT_IDS = st.one_of(
    st.text(_hex, min_size=24, max_size=24),
    st.tuples(st.sampled_from(["557058", "712020", "1"]), st.uuids()).map(
        lambda p: f"{p[0]}:{p[1]}"
    ),
)
_USERNAMES = st.text("abcdefghijklmnopqrstuvwxyz", min_size=10, max_size=14).map(lambda s: "u" + s)


# Person fields, and others an id may be placed in (a caller can put a token anywhere).
_ID_FIELDS = ["creator", "watcher", "contributor", "mention", "title", "label", "id", "ancestor"]


@st.composite
def _person_clause(draw: st.DrawFn, found: list[str]) -> str:
    kind = draw(st.sampled_from(["id", "compact-key", "legacy-key", "username-key", "email"]))
    if kind == "id":
        identifier = draw(_ACCOUNT_IDS)
        value = identifier
    elif kind == "compact-key":
        uuid = draw(st.uuids()).hex
        identifier = draw(st.sampled_from(["557058", "712020"])) + uuid
        value = "~" + identifier
    elif kind == "legacy-key":
        identifier = draw(st.text(_hex, min_size=24, max_size=24))
        value = "~" + identifier
    elif kind == "username-key":
        identifier = draw(_USERNAMES)
        value = "~" + identifier
    else:
        identifier = draw(_USERNAMES)
        value = identifier + "@example.com"
    found.append(identifier)
    field = "space" if value.startswith("~") else draw(st.sampled_from(_ID_FIELDS))
    quoted = draw(st.sampled_from(['"', "'", ""]))
    if quoted == "" and not value.startswith("~") and ":" in value and draw(st.booleans()):
        quoted = '"'
    written = f"{quoted}{value}{quoted}"
    if draw(st.booleans()):
        return (
            f"{field} in ({written}, {written})" if draw(st.booleans()) else f"{field} = {written}"
        )
    return f"{field}={written}"


def _forms(identifier: str) -> set[str]:
    """Every way the identifier, or a part that names the person, could be written in a URL."""
    forms = {identifier, identifier.replace(":", "%3A"), identifier.replace(":", "%253A")}
    if ":" in identifier:
        forms.add(identifier.replace(":", "").replace("-", ""))
    return forms


@settings(max_examples=150, deadline=None)
@given(data=st.data(), encoding=st.sampled_from(sorted(_ENCODINGS)))
def test_no_identifier_in_any_encoding_survives_and_the_link_still_works(
    data: st.DataObject, encoding: str
) -> None:
    found: list[str] = []
    clause = st.one_of(_person_clause(found), _clause(_harmless_value()))
    cql = data.draw(_query(clause))
    # make sure at least one identifier is in the query
    cql = data.draw(_person_clause(found)) + " AND " + cql
    encode = _ENCODINGS[encoding]
    link = REWRITER.rewrite_url(SEARCH + encode(cql))
    assert link is not None
    decoded = unquote_plus(link)
    twice = unquote_plus(decoded)
    for identifier in found:
        for form in _forms(identifier):
            for text in (link, decoded, twice):
                assert form not in text, f"{form!r} ({encoding}) left in {text!r}"
    # following the link: the gateway decrypts each token in place; the CQL is the same query
    layers = 2 if encoding == "twice" else 1
    query = link.removeprefix(SEARCH)
    for _ in range(layers):
        query = unquote_plus(query)
    assert PSEUDONYMIZER.reverse_tokens(query) == cql
