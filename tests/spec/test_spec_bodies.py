"""Spec-driven properties of sanitized bodies (issue 11): for every endpoint the bundled rules
allow, a maximal 200 response built from Atlassian's OpenAPI description, with people planted in
every string where a person can appear, comes out of the sanitizer with none of them.

Here the response's own pagination links and headers are benign; people echoed in links (CQL,
cursors) and in headers are the subject of `test_spec_links_and_headers.py`.
"""

from __future__ import annotations

import random

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
from support.openapi.generator import EndpointCase, endpoint_cases, generate
from support.openapi.headers import upstream_headers
from support.openapi.people import Person, people
from support.openapi.planter import Profile
from support.staged_upstream import Site

RULES = resolve_rules("confluence")
CASES = endpoint_cases(RULES)
SANITIZER = Sanitizer.build(RULES, KEYS)
BODIES = Profile(compact_keys=True, hostile_links=False)
# Compact personal space keys make `p~` tokens whose hash is not yet the owner's: that join is
# checked with the links (test_spec_links_and_headers.py); the body join uses the other forms.
CANONICAL_KEYS = Profile(compact_keys=False, hostile_links=False)
REVERSIBLE = [
    case
    for case in CASES
    if any(
        t.kind == "tokenize" or t.options.get("includeReversible") for t in case.endpoint.transforms
    )
]


def _ids(case: EndpointCase) -> str:
    return case.name


@pytest.mark.parametrize("case", CASES, ids=_ids)
@spec_settings(max_examples=8)
@given(cast=people(), seed=SEEDS)
def test_no_planted_value_survives_sanitizing(
    case: EndpointCase, cast: list[Person], seed: int
) -> None:
    generated = generate(case, RULES, cast, random.Random(seed), profile=BODIES)
    output = sanitized_output(SANITIZER, generated)
    assert generated.registry.leaks(output) == [], generated.registry.leak_report(output, case.name)


@pytest.mark.parametrize("case", REVERSIBLE, ids=_ids)
@spec_settings(max_examples=10)
@given(cast=people(), seed=SEEDS)
def test_every_reversible_token_joins_its_owner(
    case: EndpointCase, cast: list[Person], seed: int
) -> None:
    generated = generate(case, RULES, cast, random.Random(seed), profile=CANONICAL_KEYS)
    output = sanitized_output(SANITIZER, generated)
    assert token_problems(output, generated.registry, SANITIZER.pseudonymizer) == []


FIXED_CAST = [
    Person(
        "5b10ac8d82e05b22cc7d4ef5",
        "Qwrtzplkjh",
        "Mnbvcxzlkj",
        "pqrstvwxzb",
        "acme.co",
        "zxcvbnmlkjh",
        "7f0000017b2f3a6c017b2f3b9a2c0000",
    ),
    Person(
        "557058:9f1e3c2a-7b4d-4e8f-a1b2-c3d4e5f60718",
        "Hjklmnbvcx",
        "Tzrwqplkmn",
        "dfghjklmnb",
        "example.com",
        "bcdfghjklmn",
        "8a7f80829a1c2b3d4e5f60718293a4b5",
    ),
    Person(
        "712020:0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f",
        "Wxzvbnmlkj",
        "Sdfghjklqw",
        "rtzpqwxcvb",
        "corp.example.org",
        "nmlkjhgfdsq",
        "2c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_every_oneof_branch_is_generated_and_sanitized(case: EndpointCase) -> None:
    """A sweep over `variant` takes every branch of every `oneOf`/`anyOf` it reaches."""
    branches: dict[str, tuple[int, set[int]]] = {}
    for variant in range(2):
        generated = generate(
            case,
            RULES,
            FIXED_CAST,
            random.Random(variant),
            profile=BODIES,
            variant=variant,
            null_chance=0,
        )
        output = sanitized_output(SANITIZER, generated)
        assert generated.registry.leaks(output) == [], generated.registry.leak_report(
            output, f"{case.name} variant {variant}"
        )
        for site, (count, chosen) in generated.branches.items():
            branches.setdefault(site, (count, set()))[1].update(chosen)
    missed = {
        site: (count, chosen)
        for site, (count, chosen) in branches.items()
        if chosen != set(range(count))
    }
    assert missed == {}


# --- the same over HTTP: `proxy serve` in front of a misbehaving upstream ---------------------


@pytest.mark.parametrize("case", CASES, ids=_ids)
@spec_settings(max_examples=3)
@given(cast=people(), seed=SEEDS)
def test_no_planted_value_comes_back_over_http(
    site: Site, case: EndpointCase, cast: list[Person], seed: int
) -> None:
    generated = generate(case, RULES, cast, random.Random(seed), profile=BODIES)
    site.upstream.reset()
    site.upstream.stage(200, upstream_headers(generated, status=200, hostile=False), generated.body)
    path, query = case.request(site.cloud_id)
    response = site.client.get(f"{path}?{query}" if query else path)
    assert response.status_code == 200, response.text
    assert len(site.upstream.requests) == 1
    output = response.text + "\n" + text_of_headers(response.headers.multi_items())
    assert generated.registry.leaks(output) == [], generated.registry.leak_report(output, case.name)
    assert response.content == SANITIZER.sanitize(case.endpoint, generated.body)
