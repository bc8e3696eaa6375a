"""Spec-driven properties of links and headers (issue 11, items 1, 2, 4, 5): a misbehaving
upstream echoes people in the response's own pagination links (CQL in v1 `_links.next`, an id
sent back as a v2 `cursor`, in `_links.next`/`prev` and the `Link` header, in many URL
encodings) and in every pass-through header, on 200 and on 429; personal space keys come in
their compact form (`~557058<32 hex>`). Nothing planted may come back, every `p~` token must join
its owner's `t~`, and a rewritten next link followed through the proxy must reach the upstream
with the original query.
"""

from __future__ import annotations

import random
import re
from urllib.parse import parse_qs, urlsplit

import orjson
import pytest
from hypothesis import given

from proxy.rules.bundled import resolve_rules
from proxy.sanitize.sanitizer import Sanitizer
from support.openapi.checks import (
    KEYS,
    SEEDS,
    sanitized_output,
    spec_settings,
    text_of_headers,
    token_problems,
)
from support.openapi.generator import EndpointCase, GeneratedResponse, endpoint_cases, generate
from support.openapi.headers import upstream_headers
from support.openapi.people import Person, people
from support.openapi.planter import CQL_ENCODINGS, Profile
from support.staged_upstream import Site

RULES = resolve_rules("confluence")
CASES = endpoint_cases(RULES)
SANITIZER = Sanitizer.build(RULES, KEYS)
LINKS = Profile(compact_keys=True, hostile_links=True)
# A double-encoded CQL is not a query Confluence can run, so there is no pagination to keep
# working with it: it is planted for the leak checks, not followed.
FOLLOWABLE = Profile(
    compact_keys=True,
    hostile_links=True,
    link_encodings=tuple(e for e in CQL_ENCODINGS if e != "double"),
)
PAGINATED = [case for case in CASES if case.operation.spec.name != "oauth"]
FOLLOWED = [c for c in PAGINATED if c.is_content_search or c.operation.spec.name == "v2"]
_NEXT_IN_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="?next"?')


def _ids(case: EndpointCase) -> str:
    return case.name


# --- sanitizing the body ------------------------------------------------------------------------


@pytest.mark.parametrize("case", PAGINATED, ids=_ids)
@spec_settings(max_examples=8)
@given(cast=people(), seed=SEEDS)
def test_no_planted_value_survives_in_links(
    case: EndpointCase, cast: list[Person], seed: int
) -> None:
    generated = generate(case, RULES, cast, random.Random(seed), profile=LINKS)
    output = sanitized_output(SANITIZER, generated)
    assert generated.registry.leaks(output) == [], generated.registry.leak_report(output, case.name)


@pytest.mark.parametrize("case", PAGINATED, ids=_ids)
@spec_settings(max_examples=8)
@given(cast=people(), seed=SEEDS)
def test_every_reversible_token_in_links_and_keys_joins_its_owner(
    case: EndpointCase, cast: list[Person], seed: int
) -> None:
    generated = generate(case, RULES, cast, random.Random(seed), profile=LINKS)
    output = sanitized_output(SANITIZER, generated)
    problems = token_problems(output, generated.registry, SANITIZER.pseudonymizer)
    assert problems == [], sorted(generated.registry.kinds)


# --- over HTTP: hostile headers on 200 and 429 -------------------------------------------------


def _get(site: Site, case: EndpointCase) -> tuple[int, str, str]:
    path, query = case.request(site.cloud_id)
    response = site.client.get(f"{path}?{query}" if query else path)
    return response.status_code, response.text, text_of_headers(response.headers.multi_items())


@pytest.mark.parametrize("case", CASES, ids=_ids)
@spec_settings(max_examples=3)
@given(cast=people(), seed=SEEDS)
def test_hostile_headers_and_links_never_come_back(
    site: Site, case: EndpointCase, cast: list[Person], seed: int
) -> None:
    generated = generate(case, RULES, cast, random.Random(seed), profile=LINKS)
    site.upstream.reset()
    site.upstream.stage(200, upstream_headers(generated, status=200, hostile=True), generated.body)
    status, body, headers = _get(site, case)
    assert status == 200, body
    output = f"{body}\n{headers}"
    assert generated.registry.leaks(output) == [], generated.registry.leak_report(output, case.name)
    problems = token_problems(output, generated.registry, SANITIZER.pseudonymizer)
    assert problems == [], headers


@pytest.mark.parametrize("case", CASES, ids=_ids)
@spec_settings(max_examples=3)
@given(cast=people(), seed=SEEDS)
def test_hostile_headers_never_come_back_on_429(
    site: Site, case: EndpointCase, cast: list[Person], seed: int
) -> None:
    generated = generate(case, RULES, cast, random.Random(seed), profile=LINKS)
    person = cast[0]
    generated.registry.plant("429 body", "body", person)
    error = {
        "code": 429,
        "message": f"Rate limit exceeded for {person.account_id} ({person.email})",
    }
    site.upstream.reset()
    site.upstream.stage(
        429, upstream_headers(generated, status=429, hostile=True), orjson.dumps(error)
    )
    status, body, headers = _get(site, case)
    assert status == 429, body
    output = f"{body}\n{headers}"
    assert generated.registry.leaks(output) == [], generated.registry.leak_report(output, case.name)


# --- pagination keeps working -------------------------------------------------------------------


def _follow(site: Site, case: EndpointCase, link: str, original: str) -> None:
    """GET `link` (as the proxy rewrote it) through the proxy; the upstream must receive the
    path and the decoded query of `original` (the link as the upstream wrote it)."""
    prefix = f"/ex/confluence/{site.cloud_id}" + (
        "/wiki" if case.operation.spec.name == "v1" else ""
    )
    site.upstream.stage(200, [("Content-Type", "application/json")], b'{"results":[],"_links":{}}')
    response = site.client.get(prefix + link)
    assert response.status_code == 200, (
        f"following {link!r}: {response.status_code} {response.text}"
    )
    received = site.upstream.requests[-1]
    expected = urlsplit(prefix + original)
    assert received.path == expected.path
    assert parse_qs(received.query, keep_blank_values=True) == parse_qs(
        expected.query, keep_blank_values=True
    ), f"rewritten {link!r}\noriginal  {original!r}\nreceived  {received.query!r}"


def _first_page(site: Site, generated: GeneratedResponse) -> tuple[dict[str, object], str]:
    site.upstream.reset()
    site.upstream.stage(200, upstream_headers(generated, status=200, hostile=False), generated.body)
    path, query = generated.case.request(site.cloud_id)
    response = site.client.get(f"{path}?{query}")
    assert response.status_code == 200, response.text
    return response.json(), response.headers.get("link", "")


@pytest.mark.parametrize("case", FOLLOWED, ids=_ids)
@spec_settings(max_examples=5)
@given(cast=people(), seed=SEEDS)
def test_rewritten_next_link_reaches_the_upstream_with_the_original_query(
    site: Site, case: EndpointCase, cast: list[Person], seed: int
) -> None:
    generated = generate(case, RULES, cast, random.Random(seed), profile=FOLLOWABLE)
    original = generated.next_link
    assert original is not None
    page, link_header = _first_page(site, generated)
    links = page.get("_links")
    assert isinstance(links, dict)
    rewritten = links.get("next")
    assert isinstance(rewritten, str), f"next link {original!r} came back as {rewritten!r}"
    _follow(site, case, rewritten, original)
    if case.operation.link_header:
        found = _NEXT_IN_LINK.search(link_header)
        assert found is not None, f"no rel=next in the Link header {link_header!r}"
        _follow(site, case, found.group(1), original)
