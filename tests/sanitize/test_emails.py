"""Email detection must accept exactly what the reference's mailbox regex accepts."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proxy.errors import ConfigurationError
from proxy.pseudonym_options import EmailCanonicalization
from proxy.sanitize.pseudonyms import _email_grammar as g
from proxy.sanitize.pseudonyms._emails import (
    Mailbox,
    canonical_email,
    parse_address_list,
    parse_mailbox,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("alice@acme.com", ("alice", "acme.com", None)),
        ("Alice@ACME.COM", ("Alice", "ACME.COM", None)),
        ("Alice Example <alice@acme.com>", ("alice", "acme.com", "Alice Example")),
        ('"Alice Example" <alice@acme.com>', ("alice", "acme.com", "Alice Example")),
        ("<alice@acme.com>", ("alice", "acme.com", None)),
        (" alice@acme.com", ("alice", "acme.com", None)),
        ("alice@acme.com ", ("alice", "acme.com", None)),
        ("alice@acme.com (Alice)", ("alice", "acme.com", "Alice")),
        ('"alice smith"@acme.com', ('"alice smith"', "acme.com", None)),
        ('"alice"@acme.com', ("alice", "acme.com", None)),
        ("al'ice@acme.com", ("al'ice", "acme.com", None)),
        ("alice@123.com", ("alice", "123.com", None)),
        ("a@b.cd", ("a", "b.cd", None)),
        ("<bob@example.com> (Bobby)", ("bob", "example.com", "Bobby")),
        ("bob@example.com (Bob) (Smith)", ("bob", "example.com", "Bob")),
        ('"Bob \\"B\\" Smith" <bob@x.com>', ("bob", "x.com", 'Bob "B" Smith')),
        ("Alice (team) <alice@acme.com>", ("alice", "acme.com", "Alice (team)")),
        ("alice@acme.com\r\n (folded)", ("alice", "acme.com", "folded")),
    ],
)
def test_mailboxes_the_reference_accepts(text: str, expected: tuple[str, str, str | None]) -> None:
    assert parse_mailbox(text) == Mailbox(*expected)


@pytest.mark.parametrize(
    "text",
    [
        "alice@localhost",
        "alice@acme.c",
        "alice@acme.c0m",
        "alice@acme.123",
        "alice@[10.0.0.1]",
        "alice@-acme.com",
        "user@domain_with_underscore.com",
        "José@acme.com",
        "alice@acmé.com",
        "alice smith@acme.com",
        "alice@acme.com,bob@acme.com",
        "@acme.com",
        "alice@",
        "608a9b555426330072f9867d",
        "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077",
        "alice@acme.com\n",
        "alice@acme.com (unclosed",
        "",
    ],
)
def test_values_the_reference_does_not_treat_as_emails(text: str) -> None:
    assert parse_mailbox(text) is None


@pytest.mark.parametrize(
    ("text", "canonicalization", "expected"),
    [
        (
            "Alice Example <alice@worklytics.co>",
            EmailCanonicalization.STRICT,
            "alice@worklytics.co",
        ),
        ("AlIcE@worklytics.co", EmailCanonicalization.STRICT, "alice@worklytics.co"),
        ("alice+test@worklytics.co", EmailCanonicalization.STRICT, "alice@worklytics.co"),
        ("Alice@ACME.COM", EmailCanonicalization.STRICT, "alice@acme.com"),
        ("al.ice@worklytics.co", EmailCanonicalization.STRICT, "al.ice@worklytics.co"),
        ("al.ice@worklytics.co", EmailCanonicalization.IGNORE_DOTS, "alice@worklytics.co"),
        ("A.l.ice+x.y@worklytics.co", EmailCanonicalization.IGNORE_DOTS, "alice@worklytics.co"),
        ("AlIcE.Other@worklytics.co", EmailCanonicalization.STRICT, "alice.other@worklytics.co"),
        ("alice-a@worklytics.co", EmailCanonicalization.STRICT, "alice-a@worklytics.co"),
    ],
)
def test_canonical_form(text: str, canonicalization: EmailCanonicalization, expected: str) -> None:
    mailbox = parse_mailbox(text)
    assert mailbox is not None
    assert canonical_email(mailbox, canonicalization) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a@b.com, c@d.com", [("a", "b.com", None), ("c", "d.com", None)]),
        ('"A B" <a@b.com>, C <c@d.com> (cc)', [("a", "b.com", "A B"), ("c", "d.com", "C")]),
        ("Team: a@b.com, c@d.com;", [("a", "b.com", None), ("c", "d.com", None)]),
        ("Team: a@b.com;, x@y.com", [("a", "b.com", None), ("x", "y.com", None)]),
        ("undisclosed-recipients:;", []),
        ("a@b.com , b@c.de", [("a", "b.com", None), ("b", "c.de", None)]),
    ],
)
def test_address_lists(text: str, expected: list[tuple[str, str, str | None]]) -> None:
    assert parse_address_list(text) == [Mailbox(*row) for row in expected]


@pytest.mark.parametrize("text", ["", "bad", "a@b.com,,c@d.com", "a@b.com;", "a@b.com, x"])
def test_invalid_address_lists(text: str) -> None:
    assert parse_address_list(text) is None


def test_formatted_mailbox_quotes_the_display_name() -> None:
    assert Mailbox("bob", "x.com", "Bob").formatted() == '"Bob" <bob@x.com>'
    assert Mailbox("bob", "x.com", None).formatted() == "bob@x.com"
    assert Mailbox("bob", "x.com", "").formatted() == "bob@x.com"


def test_canonicalization_setting_parses_case_insensitively() -> None:
    assert EmailCanonicalization.parse("ignore_dots") is EmailCanonicalization.IGNORE_DOTS
    assert EmailCanonicalization.parse("Strict") is EmailCanonicalization.STRICT
    with pytest.raises(ConfigurationError, match="EMAIL_CANONICALIZATION must be one of"):
        EmailCanonicalization.parse("loose")


@pytest.mark.parametrize(
    "text",
    [
        "a  " * 60 + "@",
        "a \t " * 60 + "<x@y",
        "a (c) " * 60 + "@",
        '"q" \r\n ' * 60 + "@x",
        "Meeting  notes  from  the  team  sync  with  @alice  " * 20,
        "x" * 20_000 + "@" + "y." * 5_000,
    ],
)
def test_failing_matches_stay_fast(text: str) -> None:
    """The reference's regex needs minutes on the first of these; ours is linear."""
    started = time.perf_counter()
    assert parse_mailbox(text) is None
    assert parse_address_list(text) is None
    assert time.perf_counter() - started < 2.0


# --- Differential check against a literal transcription of the reference's grammar. ---------
# Built from the same primitives, composed as the reference composes them (numbered groups as
# in its group-ID table), with its exponential backtracking: only fed small inputs.


def _reference_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    cfws, fwsp, atext = g._CFWS, g._FWSP, g._ATEXT
    atom = rf"(?:{cfws})?{atext}+(?:{cfws})?"
    dot_atom = rf"{atext}+(?:\.{atext}+)*"
    quoted = rf"(?:{cfws})?{g._QUOTED_STRING}(?:{cfws})?"
    word = rf"(?:(?:{atom})|(?:{quoted}))"
    phrase = rf"{word}(?:(?:{fwsp}){word})*"
    local = (
        rf"((?:{cfws})?({dot_atom})(?:{cfws})?"
        rf"|(?:{cfws})?({g._LOCAL_QUOTED_STRING})(?:{cfws})?)"
    )
    addr_spec = rf"{local}@(?:{cfws})?({g._DOMAIN_NAME})(?:{cfws})?"
    unique_addr_spec = rf"{local}@(?:{cfws})?({g._DOMAIN_NAME})({cfws})?"
    name_addr = rf"({phrase})??((?:{cfws})?<{addr_spec}>({cfws})?)"
    mailbox = rf"({name_addr})|({unique_addr_spec})"
    mailbox_list = rf"(?:(?:{mailbox})(?:,(?:{mailbox}))*)"
    group = rf"{phrase}:(?:{cfws}|(?:{mailbox_list}))?;(?:{cfws})?"
    return (
        re.compile(mailbox),
        re.compile(addr_spec),
        re.compile(rf"(?:(?:{mailbox})|(?:{group}))"),
    )


_REF_MAILBOX, _REF_ADDR_SPEC, _REF_ADDRESS = _reference_patterns()
_TRIM = "".join(map(chr, range(0x21)))


def _ref_strip(start: str, end: str, text: str) -> str:
    ok = len(text) >= 2 and text.startswith(start) and text.endswith(end)
    return text[1:-1] if ok else text


def _ref_comment(cfws: str | None) -> str | None:
    found = re.search(g._COMMENT, cfws) if cfws is not None else None
    return _ref_strip("(", ")", found.group().strip(_TRIM)) if found else None


def _ref_parse(text: str) -> tuple[str, str, str | None] | None:
    m = _REF_MAILBOX.fullmatch(text)
    if m is None:
        return None
    if m.group(1) is not None:
        local, domain = m.group(5) or m.group(6), m.group(7)
        person = m.group(2) if m.group(2) is not None else _ref_comment(m.group(8))
    else:
        local, domain, person = m.group(11) or m.group(12), m.group(13), _ref_comment(m.group(14))
    local, domain = local.strip(_TRIM), domain.strip(_TRIM)
    if person is not None:
        person = person.strip(_TRIM)
        if re.fullmatch(g._QUOTED_STRING, person):
            inner = _ref_strip('"', '"', person).replace("\\\\", "\\").replace('\\"', '"')
            person = inner.strip(_TRIM)
    if _REF_ADDR_SPEC.fullmatch(_ref_strip('"', '"', local) + "@" + domain):
        local = _ref_strip('"', '"', local)
    return local, domain, person


def _ref_is_address_list(text: str) -> bool:
    position = 0
    while match := _REF_ADDRESS.match(text, position):
        if match.end() == len(text):
            return True
        if text[match.end()] != ",":
            return False
        position = match.end() + 1
    return False


_PIECES = [
    "a", "Al", "x.y", "@", "b.co", "acme.com", ".", " ", "  ", "\t", "\r\n", "\r\n ", "\n",
    "(c)", "( c )", "(\\))", "(", ")", '"', '"q s"', '"q\\"x"', "\\", "<", ">", ",", ";", ":",
    "é", "+", "1",
]  # fmt: skip


@st.composite
def _address_like(draw: st.DrawFn) -> str:
    """Mostly near-valid addresses with odd white space and comments, sometimes token soup."""
    if draw(st.booleans()):
        return "".join(draw(st.lists(st.sampled_from(_PIECES), max_size=9)))

    def pick(options: list[str]) -> str:
        return draw(st.sampled_from(options))

    text = (
        pick(["", "Al ", '"A" ', " ", "(c) "])
        + pick(["a", "x.y", '"q s"', "a+b"])
        + pick(["", "  ", "(c)"])
        + "@"
        + pick(["", " ", "(c)"])
        + pick(["b.co", "acme.com", "b.c", "Acme.COM"])
        + pick(["", " (n)", "  ", "\r\n ", "\r\n \r\n "])
    )
    if draw(st.booleans()):
        text = pick(["Al ", '"A" (c) ', "A  B\r\n (x)", ""]) + "<" + text + ">" + pick(["", "(z)"])
    if draw(st.booleans()):
        text += pick([",", ", ", " ,"]) + text
    if draw(st.integers(0, 4)) == 0:
        text = "G: " + text + ";"
    return text


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_address_like())
def test_same_verdicts_and_parts_as_the_reference_grammar(text: str) -> None:
    mailbox = parse_mailbox(text)
    ours = (mailbox.local, mailbox.domain, mailbox.display_name) if mailbox else None
    assert ours == _ref_parse(text)
    assert (parse_address_list(text) is not None) == _ref_is_address_list(text)
