"""Email detection, extraction and canonicalization, as the reference pseudonymizer does it.

A value is an email iff the whole string is an RFC-2822 *mailbox* (see `_email_grammar`):
``alice@acme.com``, ``Alice <alice@acme.com>``, ``alice@acme.com (Alice)``. Its canonical form,
which is what gets hashed, folds case and sub-addressing so that the same person gets the same
pseudonym however the address was written::

>>> canonical_email(parse_mailbox("Alice <Alice+x@ACME.com>"))
'alice@acme.com'
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from proxy.pseudonym_options import EmailCanonicalization
from proxy.sanitize.pseudonyms._email_grammar import grammar

__all__ = ["Mailbox", "canonical_email", "parse_address_list", "parse_mailbox"]


class Mailbox(NamedTuple):
    """One parsed address: local part and domain as written (trimmed), optional display name."""

    local: str
    domain: str
    display_name: str | None

    def formatted(self) -> str:
        """`"Name" <local@domain>` or `local@domain`, the form the header transform re-hashes."""
        if self.display_name:
            return f'"{self.display_name}" <{self.local}@{self.domain}>'
        return f"{self.local}@{self.domain}"


def canonical_email(
    mailbox: Mailbox, canonicalization: EmailCanonicalization = EmailCanonicalization.STRICT
) -> str:
    """Lower-cased local part cut at `+` (dots dropped with IGNORE_DOTS) `@` lower-cased domain."""
    local = mailbox.local.lower().partition("+")[0]
    if canonicalization is EmailCanonicalization.IGNORE_DOTS:
        local = local.replace(".", "")
    return f"{local}@{mailbox.domain.lower()}"


def parse_mailbox(text: str) -> Mailbox | None:
    """The mailbox if the *whole* string is one, else None. Every mailbox contains an `@`."""
    if "@" not in text:
        return None
    if len(text) > _CACHED_LENGTH:
        return _parse_mailbox(text)
    return _parse_mailbox_cached(text)


def _parse_mailbox(text: str) -> Mailbox | None:
    match = grammar().mailbox.fullmatch(text)
    return _to_mailbox(match) if match else None


# Addresses repeat within and across responses (authors, members, mentions): remember the
# verdict for short values; long text is rarely an address and would crowd the cache.
_CACHED_LENGTH = 320
_parse_mailbox_cached = lru_cache(maxsize=8192)(_parse_mailbox)


def parse_address_list(text: str) -> list[Mailbox] | None:
    """Every mailbox of an RFC-2822 address list (groups flattened), or None if it is not one."""
    if not _is_address_list(text):
        return None
    return _AddressListReader(text).read()


def _to_mailbox(match: re.Match[str]) -> Mailbox:
    """Local part, domain and display name from a mailbox match, as the reference extracts them."""
    if match.group("name_addr") is not None:
        prefix = "angle"
        phrase = match.group("phrase")
        if phrase is not None:
            display: str | None = _with_trailing_comments(phrase, match.group("phrase_gap"))
        else:
            display = _first_comment(match.group("angle_cfws"))
    else:
        prefix = "bare"
        display = _first_comment(match.group("bare_cfws"))
    local = _java_trim(match.group(f"{prefix}_atom") or match.group(f"{prefix}_quoted"))
    domain = _java_trim(match.group(f"{prefix}_domain"))
    if display is not None:
        display = _clean_display_name(_java_trim(display))
    unquoted = _strip_bounding('"', '"', local)
    if grammar().addr_spec.fullmatch(f"{unquoted}@{domain}"):
        local = unquoted
    return Mailbox(local=local, domain=domain, display_name=display)


def _with_trailing_comments(phrase: str, gap: str) -> str:
    """The display name as the reference captures it: the phrase plus as much of the gap
    before `<` as one CFWS can take while the rest still is a CFWS (comments included)."""
    cfws = grammar().cfws_optional
    for split in range(len(gap), 0, -1):
        if cfws.fullmatch(gap, 0, split) and cfws.fullmatch(gap, split):
            return phrase + gap[:split]
    return phrase


def _first_comment(cfws: str | None) -> str | None:
    """The first `(comment)` of trailing CFWS, without its parentheses: `a@b.co (Al)` -> `Al`."""
    if cfws is None:
        return None
    found = grammar().comment.search(cfws)
    return _strip_bounding("(", ")", _java_trim(found.group())) if found else None


def _clean_display_name(text: str) -> str:
    """Unquote a display name that is exactly one quoted string; leave anything else as is."""
    if not grammar().quoted_string.fullmatch(text):
        return text
    inner = _strip_bounding('"', '"', text)
    return _java_trim(inner.replace("\\\\", "\\").replace('\\"', '"'))


def _java_trim(text: str) -> str:
    """Java `String.trim()`: drops every char <= U+0020 at both ends (not Unicode spaces)."""
    return text.strip(_JAVA_TRIMMED)


_JAVA_TRIMMED = "".join(map(chr, range(0x21)))


def _strip_bounding(start: str, end: str, text: str) -> str:
    if len(text) >= 2 and text.startswith(start) and text.endswith(end):
        return text[1:-1]
    return text


def _is_address_list(text: str) -> bool:
    """address (`,` address)*, each address matched from where the previous comma left off."""
    pattern = grammar().address
    position = 0
    while match := pattern.match(text, position):
        end = match.end()
        if end == len(text):
            return True
        if text[end] != ",":
            return False
        position = end + 1
    return False


class _AddressListReader:
    """Walks an address list left to right, entering and leaving `name: a, b;` groups.

    Mirrors the reference's reader: at each position try a mailbox, then a group prefix; inside
    a group, skip to the `;` when nothing parses; after a group, resume after the next comma.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._position = 0
        self._in_group = False
        self._after_group = False
        self._resume_from = -1
        self._found: list[Mailbox] = []

    def read(self) -> list[Mailbox]:
        while self._step():
            pass
        return self._found

    def _step(self) -> bool:
        """Consume one item; False when reading is over."""
        text, last = self._text, len(self._text)
        if self._after_group:
            comma = text.find(",", self._resume_from)
            if comma < 0 or comma >= last - 1:
                return False
            self._position = comma + 1
            self._after_group = False
        if text[self._position] == ";":
            self._in_group = False
            self._position += 1
            if self._position >= last:
                return False
            self._after_group = True
            self._resume_from = self._position
        if mailbox := grammar().mailbox.match(text, self._position):
            return self._take(mailbox)
        if prefix := grammar().group_prefix.match(text, self._position):
            if prefix.end() >= last:
                return False
            self._position = prefix.end()
            self._in_group = True
            return True
        if self._in_group:
            semicolon = text.find(";", self._position)
            if semicolon < 0 or semicolon >= last - 1:
                return False
            self._position = semicolon + 1
            self._in_group = False
            self._after_group = True
            self._resume_from = self._position
            return True
        return self._after_group

    def _take(self, match: re.Match[str]) -> bool:
        text, end = self._text, match.end()
        self._in_group = False
        if end != len(text) and text[end] != ",":
            if text[end] != ";":
                return False
            self._after_group = True
        self._found.append(_to_mailbox(match))
        if end >= len(text) - 1:
            return False
        if self._after_group:
            self._resume_from = end + 1
        else:
            self._position = end + 1
        return True
