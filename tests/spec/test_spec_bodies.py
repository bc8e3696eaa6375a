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

from support.openapi.checks import (
    CASES,
    RULES,
    SANITIZER,
    SEEDS,
    assert_nothing_leaks,
    assert_tokens_join,
    case_id,
    sanitized,
    sanitized_output,
    served,
    spec_settings,
)
from support.openapi.generator import EndpointCase, generate
from support.openapi.headers import upstream_headers
from support.openapi.people import FIXED_CAST, Person, people
from support.openapi.planter import Profile
from support.staged_upstream import Site

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


@pytest.mark.parametrize("case", CASES, ids=case_id)
@spec_settings(max_examples=8)
@given(cast=people(), seed=SEEDS)
def test_no_planted_value_survives_sanitizing(
    case: EndpointCase, cast: list[Person], seed: int
) -> None:
    assert_nothing_leaks(*sanitized(case, cast, seed, BODIES))


@pytest.mark.parametrize("case", REVERSIBLE, ids=case_id)
@spec_settings(max_examples=10)
@given(cast=people(), seed=SEEDS)
def test_every_reversible_token_joins_its_owner(
    case: EndpointCase, cast: list[Person], seed: int
) -> None:
    assert_tokens_join(*sanitized(case, cast, seed, CANONICAL_KEYS))


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_every_oneof_branch_is_generated_and_sanitized(case: EndpointCase) -> None:
    """A sweep over `variant` takes every branch of every `oneOf`/`anyOf` it reaches."""
    branches: dict[str, tuple[int, set[int]]] = {}
    for variant in range(2):
        generated = generate(
            case,
            RULES,
            list(FIXED_CAST),
            random.Random(variant),
            profile=BODIES,
            variant=variant,
            null_chance=0,
        )
        assert_nothing_leaks(generated, sanitized_output(SANITIZER, generated))
        for site, (count, chosen) in generated.branches.items():
            branches.setdefault(site, (count, set()))[1].update(chosen)
    missed = {
        site: (count, chosen)
        for site, (count, chosen) in branches.items()
        if chosen != set(range(count))
    }
    assert missed == {}


# --- the same over HTTP: `proxy serve` in front of a misbehaving upstream ---------------------


@pytest.mark.parametrize("case", CASES, ids=case_id)
@spec_settings(max_examples=3)
@given(cast=people(), seed=SEEDS)
def test_no_planted_value_comes_back_over_http(
    site: Site, case: EndpointCase, cast: list[Person], seed: int
) -> None:
    generated, expected = sanitized(case, cast, seed, BODIES)
    status, output = served(
        site, generated, 200, upstream_headers(generated, status=200, hostile=False)
    )
    assert status == 200, output
    assert output.startswith(expected + "\n")  # the body is what the sanitizer makes of it
    assert_nothing_leaks(generated, output)
