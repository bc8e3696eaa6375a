"""The RFC-2822 regular grammar the reference uses to decide what is an email address.

Pseudonyms must be byte-identical to the Java reference, and whether a value is hashed as an
email (canonicalized, domain appended) or verbatim depends entirely on this grammar. So it
accepts exactly what the reference's mailbox regex accepts: quoted identifiers
(``Name <addr>``), parentheses in quoted local parts, **no** domain literals (the domain is an
RFC-1035 name with at least two labels and a 2-26 letter TLD), comments not nested, and
``phrase = word (FWS word)*``.

One deliberate difference in *how* it matches, not in *what*: the reference lets several
optional CFWS/FWS pieces share the white space between two tokens, so a failing match
re-tries every way of splitting every gap, which is exponential in the number of gaps
(``"a  b  c  …  @"`` takes minutes). Here each gap, the maximal run of white space and comments
between two tokens, is consumed in one possessive step, after a lookahead checks that the
reference's pieces for that position could have consumed exactly that run. Nothing after a
gap can start with a gap character, so the reference must consume the whole run too: the
verdicts are the same, and the cost is linear. The test suite checks the equivalence against a
literal transcription of the reference grammar.
"""

from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple

__all__ = ["Grammar", "grammar"]

# RFC 2822 2.2.2 / 3.2.1 primitives.
_WSP = r"[ \t]"
_FWSP = rf"(?:{_WSP}*\r\n)?{_WSP}+"
_NO_WS_CTL = r"\x01-\x08\x0b\x0c\x0e-\x1f\x7f"
_ASCII_TEXT = r"[\x01-\x09\x0b\x0c\x0e-\x7f]"
_QUOTED_PAIR = rf"(?:\\{_ASCII_TEXT})"

# 3.2.3 comments and CFWS (comments do not nest). The alternation in `ccontent` is left
# ungrouped on purpose, as in the reference: a quoted pair may not follow folding white space.
_CTEXT = rf"[{_NO_WS_CTL}!-'*-\[\]-~]"
_COMMENT = rf"\((?:(?:{_FWSP})?{_CTEXT}|{_QUOTED_PAIR})*(?:{_FWSP})?\)"
_CFWS = rf"(?:(?:{_FWSP})?{_COMMENT})*(?:(?:(?:{_FWSP})?{_COMMENT})|(?:{_FWSP}))"

# 3.2.4 atoms (no `.` or `[]` in atext) and 3.2.5 quoted strings; the local-part variant allows
# parentheses, which makes its character class the same as qtext.
_ATEXT = r"[a-zA-Z0-9!#-'*+\-/=?^-`{-~]"
_DOT_ATOM_TEXT = rf"{_ATEXT}++(?:\.{_ATEXT}++)*+"
_QTEXT = rf"[{_NO_WS_CTL}!#-\[\]-~]"
_QUOTED_STRING = rf'"(?>(?:{_FWSP})?(?:{_QTEXT}|{_QUOTED_PAIR}))*(?:{_FWSP})?"'
_LOCAL_QUOTED_STRING = rf'"(?:(?:{_FWSP})?(?>{_QTEXT}|{_QUOTED_PAIR}))*(?:{_FWSP})?"'

# RFC 1035 domain names: two labels at least, TLD of 2-26 ASCII letters.
_LABEL = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
_DOMAIN_NAME = rf"{_LABEL}(?:\.{_LABEL})*\.[a-zA-Z]{{2,26}}"

# Gaps. A gap is consumed whole and possessively; the lookahead says whether the reference's
# pieces at that position (written out as `language`) could have consumed exactly this run.
_GAP_RUN = rf"(?:[ \t]|\r\n|{_COMMENT})*+"
_GAP_END = r"(?![ \t\r\n(])"
CFWS_OPTIONAL = rf"(?:{_CFWS})?"


def _gap(language: str) -> str:
    return rf"(?={language}{_GAP_END}){_GAP_RUN}"


# The three gap languages of the mailbox grammar: one optional CFWS (most positions), two
# (after a display name, before `<`) and the separator between two words of a phrase.
_ONE_CFWS = _gap(CFWS_OPTIONAL)
_TWO_CFWS = _gap(CFWS_OPTIONAL * 2)
_WORD_SEPARATOR = _gap(rf"{CFWS_OPTIONAL}{_FWSP}{CFWS_OPTIONAL}")

_WORD = rf"(?:{_ATEXT}++|{_QUOTED_STRING})"
_PHRASE = rf"{_ONE_CFWS}{_WORD}(?:{_WORD_SEPARATOR}{_WORD})*"


def _group(name: str | None, body: str) -> str:
    """A named capture when extracting, a plain group when only matching."""
    return f"(?P<{name}>{body})" if name else f"(?:{body})"


def _addr_spec(prefix: str | None) -> str:
    """`local@domain` with a gap allowed before, around `@` and nowhere else."""
    local = (
        _group(prefix and f"{prefix}_atom", _DOT_ATOM_TEXT)
        + "|"
        + _group(prefix and f"{prefix}_quoted", _LOCAL_QUOTED_STRING)
    )
    domain = _group(prefix and f"{prefix}_domain", _DOMAIN_NAME)
    return rf"{_ONE_CFWS}(?:{local}){_ONE_CFWS}@{_ONE_CFWS}{domain}"


def _mailbox(named: bool) -> str:
    """`[phrase] <addr-spec> [CFWS]` or `addr-spec [CFWS]`, in the reference's order of trial."""

    def name(text: str) -> str | None:
        return text if named else None

    with_phrase = _group(name("phrase"), _PHRASE) + _group(name("phrase_gap"), _TWO_CFWS)
    angle = rf"<{_addr_spec(name('angle'))}{_ONE_CFWS}>"
    name_addr = rf"(?:{_ONE_CFWS}|{with_phrase}){angle}{_group(name('angle_cfws'), _ONE_CFWS)}"
    bare = _addr_spec(name("bare")) + _group(name("bare_cfws"), _ONE_CFWS)
    return _group(name("name_addr"), name_addr) + "|" + _group(name("bare"), bare)


class Grammar(NamedTuple):
    """The compiled patterns; only `mailbox` has (named) captures."""

    mailbox: re.Pattern[str]
    addr_spec: re.Pattern[str]
    address: re.Pattern[str]
    group_prefix: re.Pattern[str]
    comment: re.Pattern[str]
    quoted_string: re.Pattern[str]
    cfws_optional: re.Pattern[str]


@cache
def grammar() -> Grammar:
    """Compile once, on first use."""
    mailbox = _mailbox(named=False)
    mailbox_list = rf"(?:{mailbox})(?:,(?:{mailbox}))*"
    group = rf"{_PHRASE}{_ONE_CFWS}:(?:{_ONE_CFWS};|{mailbox_list};){_ONE_CFWS}"
    return Grammar(
        mailbox=re.compile(_mailbox(named=True)),
        addr_spec=re.compile(_addr_spec(None) + _ONE_CFWS),
        address=re.compile(rf"(?:{mailbox})|(?:{group})"),
        group_prefix=re.compile(rf"{_PHRASE}{_ONE_CFWS}:"),
        comment=re.compile(_COMMENT),
        quoted_string=re.compile(_QUOTED_STRING),
        cfws_optional=re.compile(CFWS_OPTIONAL),
    )
