"""The response-header policy: values of the expected shape pass, anything else is dropped."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from proxy.gateway._response_headers import pass_through_headers

ACCOUNT_ID = "557058:f3a2b1c0-1234-4abc-9def-0123456789ab"
LEGACY_ID = "5b10ac8d82e05b22cc7d4ef5"
COMPACT_ID = "557058f3a2b1c012344abc9def0123456789ab"
EMAIL = "alice@example.com"
DATE = "Thu, 09 Oct 2025 08:49:37 GMT"


def kept(name: str, value: str) -> str | None:
    result = dict(pass_through_headers([(name, value)], rewrite_link=None))
    return result.get(name.lower())


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("Retry-After", "30", "30"),
        ("Retry-After", DATE, DATE),
        ("Retry-After", "30s", None),
        ("Retry-After", f"30 {ACCOUNT_ID}", None),
        ("Expires", DATE, DATE),
        ("Expires", "0", None),
        ("Last-Modified", DATE, DATE),
        ("Last-Modified", EMAIL, None),
        ("Cache-Control", "no-cache, no-store, no-transform", "no-cache, no-store, no-transform"),
        ("Cache-Control", "Max-Age=60, private", "max-age=60, private"),
        ("Cache-Control", f'no-cache="x-{LEGACY_ID}", owner={EMAIL}', None),
        ("Cache-Control", f'max-age=5, private="{EMAIL}"', "max-age=5"),
        ("ETag", '"3b0a9c2f1d7e4a5b8c6d0e1f2a3b4c5d"', '"3b0a9c2f1d7e4a5b8c6d0e1f2a3b4c5d"'),
        ("ETag", 'W/"MTIzNDU2Nzg5MA=="', 'W/"MTIzNDU2Nzg5MA=="'),
        ("ETag", f'"{EMAIL}"', None),
        ("ETag", f'W/"{ACCOUNT_ID}"', None),
        ("ETag", f'"{LEGACY_ID}"', None),
        ("ETag", f'"v1-{LEGACY_ID}.json"', None),
        ("ETag", f'"{COMPACT_ID}"', None),
        ("ETag", "unquoted", None),
        ("ETag", '"' + "a" * 129 + '"', None),
        ("Content-Type", "application/json", "application/json"),
        ("Content-Type", "application/json;charset=UTF-8", "application/json;charset=UTF-8"),
        (
            "Content-Type",
            f"application/json; charset=utf-8; owner={EMAIL}",
            "application/json;charset=utf-8",
        ),
        ("Content-Type", "application/vnd.atlassian+json", "application/vnd.atlassian+json"),
        ("Content-Type", "text/html", None),
        ("Content-Type", f"application/x{LEGACY_ID}+json", None),
        ("X-RateLimit-Limit", "350", "350"),
        ("X-RateLimit-Remaining", "349", "349"),
        ("X-RateLimit-NearLimit", "true", "true"),
        ("X-RateLimit-Reset", "2026-03-26T16:00Z", "2026-03-26T16:00Z"),
        ("X-RateLimit-Reset", "2026-03-26T16:00:05.123+00:00", "2026-03-26T16:00:05.123+00:00"),
        ("X-RateLimit-Remaining", LEGACY_ID, None),
        ("X-RateLimit-Reset", ACCOUNT_ID, None),
        (f"X-RateLimit-{LEGACY_ID}", "1", None),
        ("RateLimit-Remaining", "0", "0"),
        ("RateLimit-Reset", "17", "17"),
        ("RateLimit-Reason", "confluence-quota-tenant-based", "confluence-quota-tenant-based"),
        ("RateLimit-Reason", "jira-per-issue-on-write", "jira-per-issue-on-write"),
        ("RateLimit-Reason", "confluence-burst-based", "confluence-burst-based"),
        ("RateLimit-Reason", EMAIL, None),
        ("RateLimit-Reason", f"confluence-{LEGACY_ID}", None),
        ("RateLimit-Reason", "confluence-alice-smith", None),
        ("RateLimit-Policy", '"tenant-app-quota";q=100100;w=3600', None),
        ("Set-Cookie", "a=b", None),
        ("Location", "https://example.com/", None),
        ("X-Vendor", "v", None),
    ],
)
def test_each_header_is_kept_only_with_its_expected_shape(
    name: str, value: str, expected: str | None
) -> None:
    assert kept(name, value) == expected


def test_names_are_lower_cased_in_first_appearance_order() -> None:
    upstream = [
        ("X-RateLimit-Remaining", "9"),
        ("Content-Type", "application/json"),
        ("Retry-After", "5"),
    ]
    assert pass_through_headers(upstream, rewrite_link=None) == [
        ("x-ratelimit-remaining", "9"),
        ("content-type", "application/json"),
        ("retry-after", "5"),
    ]


def test_a_repeated_header_survives_only_if_every_copy_agrees() -> None:
    agreeing = [("Retry-After", "5"), ("retry-after", "5")]
    differing = [("Retry-After", "5"), ("Retry-After", "6")]
    lists = [("Cache-Control", "no-cache"), ("Cache-Control", "max-age=0, no-cache")]
    assert pass_through_headers(agreeing, rewrite_link=None) == [("retry-after", "5")]
    assert pass_through_headers(differing, rewrite_link=None) == []
    assert pass_through_headers(lists, rewrite_link=None) == [
        ("cache-control", "no-cache, max-age=0")
    ]


def test_link_goes_through_the_rewriter_or_is_dropped() -> None:
    links = [("Link", "</a>; rel=next"), ("Link", "</b>; rel=prev")]
    seen: list[str] = []

    def rewriter(value: str) -> str | None:
        seen.append(value)
        return value.upper() if "a" in value else None

    assert pass_through_headers(links, rewrite_link=None) == []
    assert pass_through_headers(links, rewrite_link=rewriter) == [
        ("link", "</A>; REL=NEXT, </B>; REL=PREV")
    ]
    assert seen == ["</a>; rel=next, </b>; rel=prev"]
    assert pass_through_headers([("Link", "</b>")], rewrite_link=rewriter) == []


PASSED_NAMES = [
    "Retry-After",
    "Expires",
    "Last-Modified",
    "Cache-Control",
    "ETag",
    "Content-Type",
    "X-RateLimit-Limit",
    "X-RateLimit-Reset",
    "RateLimit-Reason",
    "RateLimit-Remaining",
]
PLANTED = [ACCOUNT_ID, "712020:0e8c1f2a-9b3d-4c5e-8f70-a1b2c3d4e5f6", EMAIL, LEGACY_ID, COMPACT_ID]
# Identifiers are planted the way an upstream would echo them: delimited, not glued to hex.
DELIMITED = st.text(
    alphabet=st.characters(codec="ascii", exclude_characters="0123456789abcdefABCDEF")
)


@given(
    name=st.sampled_from(PASSED_NAMES),
    planted=st.sampled_from(PLANTED),
    before=DELIMITED,
    after=DELIMITED,
)
def test_no_planted_identifier_survives_any_header(
    name: str, planted: str, before: str, after: str
) -> None:
    for value in (planted, f"{before}{planted}{after}", f'"{before}{planted}{after}"'):
        for _, returned in pass_through_headers([(name, value)], rewrite_link=None):
            assert planted.lower() not in returned.lower()
