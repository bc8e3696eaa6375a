"""Query parameter names compare case-insensitively, values never (the reference since 0.6.9).

The reference's GitHub Copilot rules give the audit log a `phrase` pattern and an `include` enum,
both required: the checks that a differently cased name must not slip past.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from proxy.rules import EndpointMatcher, load_rules
from support.reference_rules import FIXTURES

COPILOT = FIXTURES / "reference-rules" / "all" / "github" / "copilot" / "github-copilot.yaml"
AUDIT_LOG = "/orgs/acme/audit-log"
PHRASE = "action:copilot%2Bcreated:2025-01-01T00:00:00Z..2025-01-31T00:00:00Z"


@pytest.fixture(scope="module")
def copilot() -> EndpointMatcher:
    return EndpointMatcher(load_rules(COPILOT.read_text("utf-8")))


@pytest.mark.parametrize(
    "query",
    [
        f"phrase={PHRASE}&include=web&per_page=100",
        f"PHRASE={PHRASE}&Include=web&PER_PAGE=100&Page=2",
        f"pHrAsE={PHRASE}&INCLUDE=web",
    ],
)
def test_names_match_the_rules_in_any_ascii_case(copilot: EndpointMatcher, query: str) -> None:
    assert copilot.match("GET", AUDIT_LOG, query) is not None


@pytest.mark.parametrize(
    "query",
    [
        f"phrase={PHRASE}&include=WEB",  # enum values are exact
        "phrase=ACTION:copilot&include=web",  # patterns are case-sensitive
        f"phrase={PHRASE}&include=web&Other=1",  # a name not in allowedQueryParams
    ],
)
def test_values_stay_case_sensitive(copilot: EndpointMatcher, query: str) -> None:
    assert copilot.match("GET", AUDIT_LOG, query) is None


@pytest.mark.parametrize(
    "query",
    [
        f"phrase={PHRASE}&include=web&PHRASE=action:repo.destroy",
        f"PHRASE=action:repo.destroy&phrase={PHRASE}&include=web",
        f"phrase={PHRASE}&include=web&Include=api",
        f"phrase={PHRASE}&include=web;INCLUDE=api",
    ],
)
def test_a_differently_cased_repeat_cannot_carry_an_unchecked_value(
    copilot: EndpointMatcher, query: str
) -> None:
    """Every value of every name the allow-list accepts is checked by that name's schema."""
    assert copilot.match("GET", AUDIT_LOG, query) is None


_RULES = """
endpoints:
  - pathTemplate: /things
    allowedQueryParams: [key, since, limit]
"""


@pytest.mark.parametrize(
    "query",
    [
        "%E2%84%AAey=1",  # KELVIN SIGN: Python's and Java's lower() make it "k"
        "%C5%BFince=1",  # LATIN SMALL LETTER LONG S: its upper case is "S"
        "L%C4%B0MIT=1",  # LATIN CAPITAL LETTER I WITH DOT ABOVE
        "%EF%BD%8Bey=1",  # FULLWIDTH LATIN SMALL LETTER K
    ],
)
def test_only_ascii_letters_fold(query: str) -> None:
    """A name the upstream reads as another parameter is not taken for an allowed one."""
    matcher = EndpointMatcher(load_rules(_RULES))
    assert matcher.match("GET", "/things", query) is None
    assert matcher.match("GET", "/things", "KEY=1&Since=2&LiMiT=3") is not None


_ALLOWED = ("key", "since", "limit")
_LOOK_ALIKES = ["K", "k", "\u212a", "S", "s", "\u017f", "I", "i", "\u0130", "\u0131", "\uff4b"]


@st.composite
def _variants(draw: st.DrawFn) -> str:
    """An allowed name with letters swapped for other cases and look-alikes."""
    out = []
    for char in draw(st.sampled_from(_ALLOWED)):
        choice = draw(st.integers(0, 3))
        if choice == 0:
            out.append(char.upper())
        elif choice == 1:
            out.append(draw(st.sampled_from(_LOOK_ALIKES)))
        else:
            out.append(char)
    return "".join(out)


def _ascii_case_variant(name: str) -> bool:
    return any(
        len(name) == len(allowed)
        and all(
            a == b or (a.isascii() and a.lower() == b) for a, b in zip(name, allowed, strict=True)
        )
        for allowed in _ALLOWED
    )


_MATCHER = EndpointMatcher(load_rules(_RULES))


@given(name=st.one_of(_variants(), st.text(min_size=1, max_size=8)))
def test_a_name_passes_only_if_it_differs_from_an_allowed_one_in_ascii_case(name: str) -> None:
    query = "".join(f"%{byte:02X}" for byte in name.encode()) + "=1"
    accepted = _MATCHER.match("GET", "/things", query) is not None
    assert accepted == _ascii_case_variant(name)
