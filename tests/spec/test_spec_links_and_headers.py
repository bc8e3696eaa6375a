"""Spec-driven properties of links and headers (issue 11, items 1, 2, 4, 5): a misbehaving
upstream echoes people in the response's own pagination links (CQL in v1 `_links.next`, an id
sent back as a v2 `cursor`, in `_links.next`/`prev` and the `Link` header, in many URL
encodings) and in every pass-through header, on 200 and on 429; personal space keys come in
their compact form (`~557058<32 hex>`). Nothing planted may come back, every `p~` token must join
its owner's `t~`, and a rewritten next link followed through the proxy must reach the upstream
with the original query.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import orjson
import pytest
from hypothesis import given

from support.openapi.checks import (
    CASES,
    SEEDS,
    assert_nothing_leaks,
    assert_tokens_join,
    case_id,
    sanitized,
    served,
    spec_settings,
)
from support.openapi.generator import EndpointCase
from support.openapi.headers import upstream_headers
from support.openapi.people import Person, people
from support.openapi.planter import LINK_ENCODINGS, Profile
from support.staged_upstream import Site

LINKS = Profile(compact_keys=True, hostile_links=True)
# A CQL encoded twice or more (or as base64) is not a query Confluence can run, and a cursor
# holding a person cannot be passed on: they are planted for the leak checks, not followed.
FOLLOWABLE = Profile(
    compact_keys=True,
    hostile_links=True,
    link_encodings=tuple(e for e in LINK_ENCODINGS if e not in ("double", "triple", "base64")),
)
PAGINATED = [case for case in CASES if case.operation.spec.name != "oauth"]
FOLLOWED = [c for c in PAGINATED if c.is_content_search or c.operation.spec.name == "v2"]
_NEXT_IN_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="?next"?')


# --- sanitizing the body ------------------------------------------------------------------------


@pytest.mark.parametrize("case", PAGINATED, ids=case_id)
@spec_settings(max_examples=8)
@given(cast=people(), seed=SEEDS)
def test_no_planted_value_survives_in_links(
    case: EndpointCase, cast: list[Person], seed: int
) -> None:
    assert_nothing_leaks(*sanitized(case, cast, seed, LINKS))


@pytest.mark.parametrize("case", PAGINATED, ids=case_id)
@spec_settings(max_examples=8)
@given(cast=people(), seed=SEEDS)
def test_every_reversible_token_in_links_and_keys_joins_its_owner(
    case: EndpointCase, cast: list[Person], seed: int
) -> None:
    assert_tokens_join(*sanitized(case, cast, seed, LINKS))


# --- over HTTP: hostile headers on 200 and 429 -------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=case_id)
@spec_settings(max_examples=3)
@given(cast=people(), seed=SEEDS)
def test_hostile_headers_and_links_never_come_back(
    site: Site, case: EndpointCase, cast: list[Person], seed: int
) -> None:
    generated, _ = sanitized(case, cast, seed, LINKS)
    headers = upstream_headers(generated, status=200, hostile=True)
    status, output = served(site, generated, 200, headers)
    assert status == 200, output
    assert_nothing_leaks(generated, output)
    assert_tokens_join(generated, output)


@pytest.mark.parametrize("case", CASES, ids=case_id)
@spec_settings(max_examples=3)
@given(cast=people(), seed=SEEDS)
def test_hostile_headers_never_come_back_on_429(
    site: Site, case: EndpointCase, cast: list[Person], seed: int
) -> None:
    generated, _ = sanitized(case, cast, seed, LINKS)
    person = cast[0]
    generated.registry.plant("429 body", "body", person)
    error = {
        "code": 429,
        "message": f"Rate limit exceeded for {person.account_id} ({person.email})",
    }
    headers = upstream_headers(generated, status=429, hostile=True)
    status, output = served(site, generated, 429, headers, orjson.dumps(error))
    assert status == 429, output
    assert_nothing_leaks(generated, output)


# --- pagination keeps working -------------------------------------------------------------------


def _follow(site: Site, case: EndpointCase, link: str, original: str) -> None:
    """GET `link` (as the proxy rewrote it) through the proxy; the upstream must receive the
    path and the decoded query of `original` (the link as the upstream wrote it)."""
    wiki = "/wiki" if case.operation.spec.name == "v1" else ""
    prefix = f"/ex/confluence/{site.cloud_id}{wiki}"
    site.upstream.stage(200, [("Content-Type", "application/json")], b'{"results":[],"_links":{}}')
    response = site.client.get(prefix + link)
    assert response.status_code == 200, f"following {link!r}: {response.status_code}"
    received = site.upstream.requests[-1]
    expected = urlsplit(prefix + original)
    assert received.path == expected.path
    assert parse_qs(received.query, keep_blank_values=True) == parse_qs(
        expected.query, keep_blank_values=True
    ), f"rewritten {link!r}\noriginal  {original!r}\nreceived  {received.query!r}"


@pytest.mark.parametrize("case", FOLLOWED, ids=case_id)
@spec_settings(max_examples=5)
@given(cast=people(), seed=SEEDS)
def test_rewritten_next_link_reaches_the_upstream_with_the_original_query(
    site: Site, case: EndpointCase, cast: list[Person], seed: int
) -> None:
    generated, _ = sanitized(case, cast, seed, FOLLOWABLE)
    original = generated.next_link
    assert original is not None
    site.upstream.reset()
    site.upstream.stage(200, upstream_headers(generated, status=200, hostile=False), generated.body)
    path, query = case.request(site.cloud_id)
    first = site.client.get(f"{path}?{query}")
    assert first.status_code == 200, first.text
    rewritten = first.json()["_links"].get("next")
    assert isinstance(rewritten, str), f"next link {original!r} came back as {rewritten!r}"
    _follow(site, case, rewritten, original)
    if case.operation.link_header:
        found = _NEXT_IN_LINK.search(first.headers.get("link", ""))
        assert found is not None, f"no rel=next in the Link header {first.headers.get('link')!r}"
        _follow(site, case, found.group(1), original)
