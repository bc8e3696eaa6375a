"""The privacy check of `proxy call --all`: raw Atlassian account ids and emails are found in
any string, raw or URL-encoded; the proxy's own pseudonyms never are."""

from __future__ import annotations

from urllib.parse import quote, quote_plus

from hypothesis import given, settings
from hypothesis import strategies as st

from proxy.sanitize.pseudonyms import Pseudonymizer
from proxy.secret_value import Secret
from proxy.tooling.privacy_check import Finding, mask, scan_json, scan_text

HEX = "0123456789abcdef"
legacy_ids = st.text(alphabet=HEX, min_size=24, max_size=24)
uuids = st.uuids().map(str)
current_ids = st.builds(lambda n, u: f"{n}:{u}", st.integers(1, 999_999), uuids)
compact_ids = st.builds(
    lambda d, h: d + h,
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=HEX, min_size=32, max_size=32),
)
account_ids = st.one_of(legacy_ids, current_ids, compact_ids)
emails = st.builds(
    lambda user, domain: f"{user}@{domain}.com",
    st.from_regex(r"[a-z][a-z0-9.]{0,10}[a-z]", fullmatch=True),
    st.from_regex(r"[a-z]{2,12}", fullmatch=True),
)
#: Text around an identifier, as in URLs, CQL and JSON strings.
around = st.sampled_from(
    ["{}", "~{}", 'space="~{}"', "creator={} AND type=page", "/wiki/aa-avatar/{}", "by {}."]
)
PSEUDONYMIZER = Pseudonymizer(Secret("salt"), Secret("secret"))


@settings(max_examples=200)
@given(account_ids, around, st.booleans())
def test_an_account_id_is_found_raw_or_encoded(account_id: str, shape: str, encode: bool) -> None:
    text = shape.format(account_id)
    text = quote_plus(text) if encode else text
    assert [f.kind for f in scan_text(text)] == ["account id"]


@given(emails, around)
def test_an_email_is_found(email: str, shape: str) -> None:
    assert [f.kind for f in scan_text(shape.format(email))] == ["email"]


@settings(max_examples=200, deadline=None)  # the first call derives the PBKDF2 key
@given(st.one_of(account_ids, emails), around, st.booleans())
def test_the_proxys_own_pseudonyms_are_never_reported(value: str, shape: str, encode: bool) -> None:
    identity = PSEUDONYMIZER.pseudonymize(value, include_reversible=True)
    assert identity is not None
    hashed = "t~" + identity.hash + (f"@{identity.domain}" if identity.domain else "")
    for pseudonym in (
        hashed,
        PSEUDONYMIZER.url_safe_token(identity),
        PSEUDONYMIZER.tokenize(value),
    ):
        text = shape.format(pseudonym)
        assert scan_text(quote(text) if encode else text) == []


def test_findings_name_the_json_path_and_mask_the_value() -> None:
    body = {
        "results": [{"authorId": "608a9b555426330072f9867d", "id": "65931"}],
        "_links": {
            "next": "/rest/api/content/search?cql=space%3D%22%7E608a9b555426330072f9867d%22"
        },
        "a key": "ok",
    }
    assert scan_json(body) == [
        Finding("$.results[0].authorId", "account id", "608a…867d"),
        Finding("$._links.next", "account id", "608a…867d"),
    ]


def test_ordinary_ids_dates_and_cursors_are_not_identifiers() -> None:
    ordinary = [
        "65931",
        "att66076",
        "35e417ad-bcb1-45fe-9be0-959239a84327",  # a group id
        "2025-08-28T13:04:01.309Z",
        "eyJpZCI6IjE5Njg4NiIsImNvbnRlbnRPcmRlciI6Ii1tb2RpZmllZC1kYXRlIn0",
        "lastmodified>=2025-08-30",
    ]
    assert [scan_text(text) for text in ordinary] == [[] for _ in ordinary]


def test_mask_keeps_only_both_ends() -> None:
    assert mask("608a9b555426330072f9867d") == "608a…867d"
    assert mask("a@b.c") == "a@b.c"
