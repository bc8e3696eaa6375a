"""The URL safety policy, one rule at a time, and the reference's path normalization.

`check_url_is_unambiguous` refuses any URL whose meaning could change between our rules
matching (on the raw text) and the upstream's routing (after decoding or normalizing it).
Each rule has the URLs it refuses and, next to them, the closest URLs it must still accept, so
a rule that grew too wide fails here as surely as one that was dropped.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from proxy.errors import BlockedByRules
from proxy.gateway._paths import MAX_URL_LENGTH, check_url_is_unambiguous, normalize_path

BASE = "/ex/confluence/c1/wiki/api/v2"
ENCODED = "path has an encoded separator or control character"


def refusal(path: str, query: str | None = None) -> str:
    """The reason the policy gives for refusing this URL (fails if it accepts it)."""
    with pytest.raises(BlockedByRules) as refused:
        check_url_is_unambiguous(path, query)
    assert refused.value.code == "BLOCKED_BY_RULES"
    return refused.value.message


def accepted(path: str, query: str | None = None) -> bool:
    check_url_is_unambiguous(path, query)  # raises if refused
    return True


# --- dot segments, in every encoding ------------------------------------------------------------

DOT_SEGMENTS = [
    "..",
    ".",
    "%2e%2e",
    "%2E%2E",
    "%2E.",
    ".%2E",
    "%2e.",
    ".%2e",
    "%2E%2e",
    "%2e",
    "%2E",
]


@pytest.mark.parametrize("segment", DOT_SEGMENTS)
@pytest.mark.parametrize("where", ["{base}/pages/{seg}/versions", "{base}/pages/{seg}", "/{seg}"])
def test_dot_segments_are_refused_in_every_encoding(segment: str, where: str) -> None:
    path = where.format(base=BASE, seg=segment)
    assert refusal(path) == "path has a dot segment"


@given(
    dots=st.lists(st.sampled_from([".", "%2e", "%2E"]), min_size=1, max_size=2),
    before=st.sampled_from(["", "/ex", BASE + "/pages"]),
    after=st.sampled_from(["", "/spaces", "/versions/1"]),
)
def test_property_a_segment_that_decodes_to_a_dot_or_two_is_refused(
    dots: list[str], before: str, after: str
) -> None:
    assert refusal(f"{before}/{''.join(dots)}{after}") == "path has a dot segment"


@pytest.mark.parametrize("segment", ["%252e%252e", "%252E%252E", "%252e", ".%252e"])
def test_double_encoded_dots_are_refused(segment: str) -> None:
    assert refusal(f"{BASE}/pages/{segment}/versions") == ENCODED


@pytest.mark.parametrize("segment", ["...", "..a", "a..", ".a", "v1.2", "%2e%2e%2e", "~."])
def test_segments_with_dots_that_are_not_dot_segments_pass(segment: str) -> None:
    assert accepted(f"{BASE}/pages/{segment}/versions")


# --- encoded separators and controls ------------------------------------------------------------


@pytest.mark.parametrize(
    "segment",
    [
        "a%2Fb",
        "a%2fb",
        "%2F",
        "a%5Cb",
        "a%5cb",
        "%5C..",
        "a%25b",  # `%` itself: decodes into a new escape
        "a%00",
        "a%0A",
        "a%0d",
        "%1F",
        "%1f",
        "a%7F",
        "a%7f",
        "%09",
    ],
)
def test_encoded_separators_percent_and_controls_are_refused(segment: str) -> None:
    assert refusal(f"{BASE}/pages/{segment}/versions") == ENCODED


@pytest.mark.parametrize(
    "segment", ["a%20b", "%2e%2e%2e", "%3A", "%40", "%7E", "%7e", "%60", "%2B", "%2C", "%20"]
)
def test_harmless_escapes_pass(segment: str) -> None:
    assert accepted(f"{BASE}/pages/{segment}/versions")


# --- characters and shapes a segment may not have -----------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        BASE + "/spaces;jsessionid=1",  # matrix parameters
        BASE + ";v=2/spaces",
        BASE + "/spaces;",
        BASE + "//spaces",  # empty segment
        "//ex/confluence/c1",
        BASE + "/spaces/",  # trailing slash: an empty last segment
        BASE + "/spaces#frag",
        BASE + "/spaces#",
        BASE + "/spa ces",
        BASE + "/spaces\t",
        BASE + "/spaces\x00",
        BASE + "/spaces\x7f",
        BASE + "/spa\\ces",
        BASE + "/spaces?limit=1",  # a `?` never belongs to a raw path
        BASE + "/sp%zzaces",  # malformed escapes
        BASE + "/spaces%2",
        BASE + "/spaces%",
        BASE + '/sp"aces',
        BASE + "/sp<aces>",
        BASE + "/sp[aces]",
        BASE + "/sp{aces}",
        BASE + "/sp|aces",
        BASE + "/sp^aces",
        BASE + "/sp`aces",
        BASE + "/spacés",
    ],
)
def test_malformed_segments_are_refused(path: str) -> None:
    assert refusal(path) == "path has an empty or malformed segment"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        BASE + "/spaces",
        BASE + "/pages/~p~AbC-_/versions",
        "/ex/confluence/c1/wiki/rest/api/user/557058:9f1e3c2a-7b4d-4e8f-a1b2-c3d4e5f60718/property",
        BASE + "/a!$&'()*+,=:@b",
    ],
)
def test_paths_of_rfc_3986_segment_characters_pass(path: str) -> None:
    assert accepted(path)


@pytest.mark.parametrize("path", ["", "ex/confluence/c1", "*", "http://evil.example/ex"])
def test_a_path_that_is_not_origin_form_is_refused(path: str) -> None:
    assert refusal(path) == "path is not origin-form"


# --- the query ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "limit=1#frag",
        "#",
        "cql=type = page",
        "cql=a\tb",
        "a=\x00",
        "a=\x7f",
        "a=%zz",
        "a=%2",
        "a=%",
        'cql="x"',
        "a=<b>",
        "a=[1]",
        "a={1}",
        "a=b|c",
        "a=b\\c",
        "a=b^c",
        "a=`b`",
        "a=é",
    ],
)
def test_queries_with_fragments_spaces_controls_or_bad_escapes_are_refused(query: str) -> None:
    assert refusal(BASE + "/spaces", query) == "query has characters that are not allowed"


@pytest.mark.parametrize(
    "query",
    [
        None,
        "",
        "limit=10&cursor=abc",
        "a=1;b=2",  # the rules split on `;` themselves
        "next=/wiki/api/v2/spaces?cursor=x",
        "cql=space%3D%22~p~abc%22",
        "a=%2F%5C%25%00",  # any well-formed escape: a query value is data, not structure
        "x=!$&'()*+,=:@~-._",
    ],
)
def test_queries_of_rfc_3986_characters_pass(query: str | None) -> None:
    assert accepted(BASE + "/spaces", query)


# --- length -------------------------------------------------------------------------------------


def test_a_url_of_exactly_the_limit_passes_and_one_more_character_is_refused() -> None:
    path = "/" + "a" * (MAX_URL_LENGTH - 1)
    assert accepted(path)
    assert refusal(path + "a") == "URL too long"


def test_the_limit_counts_path_and_query_together() -> None:
    path = BASE + "/spaces"
    query = "q=" + "x" * (MAX_URL_LENGTH - len(path) - 2)
    assert accepted(path, query)
    assert refusal(path, query + "x") == "URL too long"
    assert MAX_URL_LENGTH == 8192


def test_the_length_is_checked_before_anything_else() -> None:
    assert refusal("no-slash" + "/.." * MAX_URL_LENGTH) == "URL too long"


# --- normalization (the reference's `InboundRequestPathNormalizer`) -----------------------------


@pytest.mark.parametrize(
    ("raw", "prefix", "function", "expected"),
    [
        ("/ex/wiki", None, None, "/ex/wiki"),
        ("ex/wiki", None, None, "/ex/wiki"),  # made origin-form
        ("/v1/ex/wiki", "/v1", None, "/ex/wiki"),
        ("/v1/ex/wiki", "v1", None, "/ex/wiki"),  # the setting without its leading slash
        ("/v1", "/v1", None, "/"),
        ("/v1x/ex/wiki", "/v1", None, "/v1x/ex/wiki"),  # only whole segments
        ("/v1/ex/wiki", "/v1/", None, "/ex/wiki"),  # a trailing slash in the setting
        ("/v1//ex/wiki", "/v1/", None, "/ex/wiki"),
        ("/v1/Xray/ex", "/v1/", None, "/Xray/ex"),
        ("/v1x/ex/wiki", "/v1/", None, "/v1x/ex/wiki"),
        ("/ex/v1/wiki", "/v1", None, "/ex/v1/wiki"),  # a prefix, not a segment anywhere
        ("/psoxy-confluence/ex/wiki", None, "psoxy-confluence", "/ex/wiki"),
        ("/psoxy-confluence", None, "psoxy-confluence", "/"),
        ("/psoxy-confluencex/ex", None, "psoxy-confluence", "/psoxy-confluencex/ex"),
        ("/ex/psoxy-confluence/wiki", None, "psoxy-confluence", "/ex/psoxy-confluence/wiki"),
        ("/v1/psoxy-confluence/ex/wiki", "/v1", "psoxy-confluence", "/ex/wiki"),
        ("/psoxy-confluence/v1/ex/wiki", "/v1", "psoxy-confluence", "/v1/ex/wiki"),  # in order
        ("/ex/wiki", "", "", "/ex/wiki"),
    ],
)
def test_normalize_path_trims_the_prefix_then_the_function_name(
    raw: str, prefix: str | None, function: str | None, expected: str
) -> None:
    assert normalize_path(raw, prefix_to_trim=prefix, function_name=function) == expected


def test_normalize_path_keeps_the_rest_raw() -> None:
    raw = "/v1/ex/%2e%2e/a%2Fb/~p~x"
    assert normalize_path(raw, prefix_to_trim="/v1", function_name=None) == "/ex/%2e%2e/a%2Fb/~p~x"
