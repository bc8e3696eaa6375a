"""The properties the spec-driven tests assert, shared by the body and the link/header tests.

(a) `leaks`: no planted value, in any encoding, in any output byte or header;
(b) `token_problems`: every `p~` token decrypts to a planted value, and its hash is the hash of
    its owner's canonical account id (or email): the `t~` pseudonym that id gets elsewhere, which
    must be in the same output when the id was planted in a field the rules keep.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from proxy.errors import InvalidPseudonymToken
from proxy.rules import resolve_rules
from proxy.sanitize import PseudonymKeys
from proxy.sanitize.pseudonyms import HASH_LENGTH, Pseudonymizer, b64url_decode, b64url_encode
from proxy.secret_value import Secret
from support.engine import Engine
from support.openapi.generator import EndpointCase, GeneratedResponse, endpoint_cases, generate
from support.openapi.people import Person
from support.openapi.planter import Profile
from support.openapi.registry import PlantedRegistry, reversible_tokens
from support.staged_upstream import Site

__all__ = [
    "CASES",
    "KEYS",
    "RULES",
    "SANITIZER",
    "SEEDS",
    "assert_nothing_leaks",
    "assert_tokens_join",
    "case_id",
    "sanitized",
    "sanitized_output",
    "served",
    "spec_settings",
    "token_problems",
]

#: The salt and key of `proxy serve` in the tests (support.local_proxy), so outputs over HTTP
#: and through the Engine are checked the same way.
KEYS = PseudonymKeys(salt=Secret("salt"), encryption_key=Secret("secret"))
SEEDS = st.integers(min_value=0, max_value=2**32 - 1)
RULES = resolve_rules("confluence")
CASES = endpoint_cases(RULES)
SANITIZER = Engine(RULES, KEYS)


def case_id(case: EndpointCase) -> str:
    return case.name


def spec_settings(max_examples: int) -> settings:
    """Reproducible (the seed derives from the test's name) and bounded. No shrink phase: a
    generated response is large, shrinking it costs minutes, and the assertion message already
    names what leaked, where, and what was planted."""
    return settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=(Phase.explicit, Phase.generate),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


def sanitized_output(sanitizer: Engine, generated: GeneratedResponse) -> str:
    path, query = generated.case.request("site")
    endpoint = sanitizer.match("GET", path, query)
    assert endpoint is generated.case.endpoint, f"{path}?{query} matched {endpoint}"
    return sanitizer.sanitize(endpoint, generated.body).decode("utf-8")


def sanitized(
    case: EndpointCase, cast: Sequence[Person], seed: int, profile: Profile
) -> tuple[GeneratedResponse, str]:
    """A response generated for `case` and what the bundled rules make of it."""
    generated = generate(case, RULES, list(cast), random.Random(seed), profile=profile)
    return generated, sanitized_output(SANITIZER, generated)


def served(
    site: Site,
    generated: GeneratedResponse,
    status: int,
    headers: Sequence[tuple[str, str]],
    body: bytes | None = None,
) -> tuple[int, str]:
    """Stage one upstream answer, GET the endpoint through the proxy: (status, body + headers)."""
    site.upstream.reset()
    site.upstream.stage(status, headers, generated.body if body is None else body)
    path, query = generated.case.request(site.cloud_id)
    response = site.client.get(f"{path}?{query}" if query else path)
    assert len(site.upstream.requests) == 1
    text_headers = "\n".join(f"{name}: {value}" for name, value in response.headers.multi_items())
    return response.status_code, f"{response.text}\n{text_headers}"


def assert_nothing_leaks(generated: GeneratedResponse, output: str) -> None:
    """(a): no planted value in `output`, in any encoding."""
    registry = generated.registry
    assert registry.leaks(output) == [], registry.leak_report(output, generated.case.name)


def assert_tokens_join(generated: GeneratedResponse, output: str) -> None:
    """(b): every `p~` of `output` decrypts to a planted value and joins its owner's `t~`."""
    problems = token_problems(output, generated.registry, SANITIZER.pseudonymizer)
    assert problems == [], f"planted: {sorted(generated.registry.kinds)}"


def token_problems(text: str, registry: PlantedRegistry, pseudonymizer: Pseudonymizer) -> list[str]:
    """What is wrong with the `p~` tokens of `text` (empty when each joins its owner)."""
    problems = []
    kept = registry.kept_account_owners()
    for token in reversible_tokens(text):
        short = token[:14] + "…"
        try:
            plaintext = pseudonymizer.decrypt(token)
        except InvalidPseudonymToken as exc:
            problems.append(f"{short} does not decrypt: {exc.message}")
            continue
        owner = registry.owner(plaintext)
        if owner is None:
            problems.append(f"{short} decrypts to {plaintext!r}, which was not planted")
            continue
        person, what = owner
        if what == "username":
            continue  # a legacy ~username key names no account: nothing to join
        canonical = person.account_id if what == "account" else person.email
        identity = pseudonymizer.pseudonymize(canonical)
        assert identity is not None
        expected = identity.hash
        actual = b64url_encode(b64url_decode(token[2:])[:HASH_LENGTH])
        if actual != expected:
            problems.append(
                f"{short} ({what} {plaintext!r}) hashes to {actual}: not the t~ of its owner's"
                f" {canonical!r}, t~{expected}"
            )
        elif what == "account" and person.account_id in kept and f"t~{expected}" not in text:
            problems.append(
                f"{short} ({plaintext!r}): its owner's t~{expected} is not in the output"
            )
    return problems
