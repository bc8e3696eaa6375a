"""Issue 11, items 1, 2 and 5, through the bundled rules: ids in echoed CQL and personal keys.

Confluence echoes the CQL it ran into `_links.next`, URL-encoded; every account id in it must
leave as a reversible `p~` token (whatever encoded character precedes it), the link must stay
well-formed and followable, and a token made from a compact personal key or a `%3A`-encoded id
must join the owner's `t~` pseudonym.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
import pytest

from proxy.rules import resolve_rules
from proxy.sanitize import PseudonymKeys
from proxy.sanitize.pseudonyms import HASH_LENGTH, b64url_decode
from proxy.secret_value import Secret
from support.engine import Engine

KEYS = PseudonymKeys(salt=Secret("salt"), encryption_key=Secret("secret"))
SEARCH = "/ex/confluence/c1/wiki/rest/api/content/search"
SPACES = "/ex/confluence/c1/wiki/api/v2/spaces"
PREFIX = "/rest/api/content/search?next=true&cursor=_f_MTA%3D&limit=10&start=10&cql="

UUID = "f58131cb-b67d-43c7-b30d-6b58d40bd077"
ACCOUNT = f"557058:{UUID}"  # its t~ is a reference test vector
ACCOUNT_T = "t~8E5s6rh-I84efoSW31hh5MgXcVqep7gitoW0iXSBVHs"
COMPACT = "557058" + UUID.replace("-", "")
LEGACY = "608a9b555426330072f9867d"
LEGACY_T = "t~7Z5-G-SoDUxVDxHtoJZFqVZ-ri3XiGo3ylaDNUVtY6Q"
OTHER = "5cb4ae0e4b97ab11a18e00c7"
TOKEN = re.compile(r"p~[A-Za-z0-9_-]{43,}")
WELL_FORMED = re.compile(r"(?:[A-Za-z0-9._~*\-+&=/?:@!$'(),;]|%[0-9A-F]{2})*")


@pytest.fixture(scope="module")
def sanitizer() -> Engine:
    return Engine(resolve_rules("confluence"), KEYS)


def sanitize(sanitizer: Engine, path: str, document: Any) -> Any:
    endpoint = sanitizer.match("GET", path, "limit=10")
    assert endpoint is not None
    return orjson.loads(sanitizer.sanitize(endpoint, orjson.dumps(document)))


def next_link(sanitizer: Engine, encoded_cql: str) -> str | None:
    document = {"results": [], "_links": {"next": PREFIX + encoded_cql}}
    link: str | None = sanitize(sanitizer, SEARCH, document)["_links"].get("next")
    return link


def cql_of(link: str) -> str:
    (cql,) = parse_qs(urlsplit(link).query, keep_blank_values=True)["cql"]
    return cql


def joins(token: str, pseudonym: str) -> bool:
    """Whether the hash part of a `p~` token is the hash of a `t~` pseudonym."""
    hash_part = b64url_decode(token.partition("@")[0][2:])[:HASH_LENGTH]
    return hash_part == b64url_decode(pseudonym[2:])


def assert_no_raw_id(link: str, *ids: str) -> None:
    forms = [form for raw in ids for form in (raw, raw.replace(":", "%3A"))]
    forms += [raw.replace(":", "").replace("-", "") for raw in ids if ":" in raw]
    for text in (link, cql_of(link)):
        for form in forms:
            assert form not in text, f"{form!r} left in {text!r}"


@pytest.mark.parametrize(
    ("encoded_cql", "ids", "expected_cql"),
    [
        # after an encoded `=`, unquoted, with the colon encoded
        (f"creator%3D557058%3A{UUID}", [ACCOUNT], "creator=P0"),
        # after an encoded `"`
        (f"creator%3D%22{LEGACY}%22", [LEGACY], 'creator="P0"'),
        # after an encoded `(` and `,`
        (
            f"creator+in+%28%22{LEGACY}%22%2C%22{OTHER}%22%29",
            [LEGACY, OTHER],
            'creator in ("P0","P1")',
        ),
        (f"watcher%3D{LEGACY}", [LEGACY], "watcher=P0"),
        (
            f"type%3Dpage+AND+contributor%3D%22557058%3A{UUID}%22+ORDER+BY+lastmodified+DESC",
            [ACCOUNT],
            'type=page AND contributor="P0" ORDER BY lastmodified DESC',
        ),
    ],
)
def test_ids_after_any_encoded_delimiter_leave_as_tokens(
    sanitizer: Engine, encoded_cql: str, ids: list[str], expected_cql: str
) -> None:
    link = next_link(sanitizer, encoded_cql)
    assert link is not None
    assert link.startswith(PREFIX)
    assert_no_raw_id(link, *ids)
    assert WELL_FORMED.fullmatch(link), link
    cql = cql_of(link)
    tokens = TOKEN.findall(cql)
    assert [sanitizer.pseudonymizer.decrypt(token) for token in tokens] == ids
    for index, token in enumerate(tokens):
        cql = cql.replace(token, f"P{index}")
    assert cql == expected_cql


@pytest.mark.parametrize(
    "encoded_cql",
    [f"contributor%3D557058%3A{UUID}", f"contributor%3D%22557058%3A{UUID}%22"],
)
def test_pagination_survives_ids_with_an_encoded_colon(sanitizer: Engine, encoded_cql: str) -> None:
    link = next_link(sanitizer, encoded_cql)
    assert link is not None, "the next link was dropped: the crawl would silently end"
    assert "%p~" not in link
    assert WELL_FORMED.fullmatch(link), link
    (token,) = TOKEN.findall(link)
    assert sanitizer.pseudonymizer.decrypt(token) == ACCOUNT
    # what the gateway sends upstream when the caller follows the link
    followed = sanitizer.pseudonymizer.reverse_tokens(link)
    assert cql_of(followed) == cql_of(PREFIX + encoded_cql)


def test_a_compact_personal_key_joins_its_owners_pseudonym(sanitizer: Engine) -> None:
    space = {"key": f"~{COMPACT}", "authorId": ACCOUNT, "spaceOwnerId": ACCOUNT, "id": "1"}
    (result,) = sanitize(sanitizer, SPACES, {"results": [space]})["results"]
    assert result["authorId"] == ACCOUNT_T
    key = result["key"]
    assert key.startswith("~p~")
    assert joins(key[1:], ACCOUNT_T)  # the hash part is the t~ of the canonical account id
    assert sanitizer.pseudonymizer.decrypt(key[1:]) == COMPACT  # the upstream's own key back


def test_a_legacy_personal_key_is_unchanged(sanitizer: Engine) -> None:
    (result,) = sanitize(sanitizer, SPACES, {"results": [{"key": f"~{LEGACY}"}]})["results"]
    assert result["key"] == (
        "~p~7Z5-G-SoDUxVDxHtoJZFqVZ-ri3XiGo3ylaDNUVtY6Qgd3qWh6vwSO4TVjjFinG1JFGhevdcgiclGiT_RJT3NQ"
    )
    assert joins(result["key"][1:], LEGACY_T)


@pytest.mark.parametrize(
    ("encoded_cql", "original"),
    [
        (f"space%3D%22%7E{COMPACT}%22", COMPACT),
        (f"creator%3D557058%3A{UUID}", ACCOUNT),
        (f"creator%3D%22557058%253A{UUID}%22", f"557058%3A{UUID}"),
    ],
)
def test_tokens_in_links_join_the_owners_pseudonym(
    sanitizer: Engine, encoded_cql: str, original: str
) -> None:
    link = next_link(sanitizer, encoded_cql)
    assert link is not None
    (token,) = TOKEN.findall(link)
    assert joins(token, ACCOUNT_T)
    assert sanitizer.pseudonymizer.decrypt(token) == original
