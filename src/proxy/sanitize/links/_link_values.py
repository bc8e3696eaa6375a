"""Which values of a link may name a person: the vocabulary of `proxy.sanitize.links`.

A CQL value is kept readable only when it cannot name a person and is not compared with a
person field; a path segment or parameter value is a token only when it *is* an identifier.

    is_harmless("2025-08-01"), is_identifier("~557058f581…")   # True, True
"""

from __future__ import annotations

import re

from proxy.sanitize.pseudonyms import (
    canonical_account_id,
    contains_identifier,
    is_email_address,
    parse_mailbox,
    personal_space_owner,
)

__all__ = ["PERSON_FIELDS", "is_email", "is_harmless", "is_identifier"]

# Fields whose values are people: always tokens, whatever they look like (but functions such
# as `currentUser()` stay).
PERSON_FIELDS = frozenset(
    {
        "creator",
        "contributor",
        "mention",
        "watcher",
        "favourite",
        "favorite",
        "user",
        "user.accountid",
        "user.fullname",
        "user.userkey",
    }
)
# Values that cannot name a person and stay readable in other fields: numbers (content ids),
# dates and times, relative periods (`now("-4w")`), upper-case global space keys.
_HARMLESS = re.compile(
    r"""-?\d+(?:\.\d+)?
      | \d{4}[-/]\d{1,2}[-/]\d{1,2}
        (?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?
      | [+-]?\d+[smhdwMy]
      | [A-Z][A-Z0-9_]*""",
    re.VERBOSE,
)
# Content types, statuses and space types: the vocabulary of `type`, `status`, `space.type`.
_HARMLESS_WORDS = frozenset(
    {
        "page",
        "blogpost",
        "comment",
        "attachment",
        "space",
        "user",
        "folder",
        "whiteboard",
        "database",
        "embed",
        "current",
        "archived",
        "draft",
        "trashed",
        "historical",
        "global",
        "personal",
        "collaboration",
        "knowledge_base",
    }
)


def is_harmless(value: str) -> bool:
    """A CQL value that cannot name a person (a number, a date, a period, a content type, …)."""
    if not value or value in _HARMLESS_WORDS:
        return True
    return _HARMLESS.fullmatch(value) is not None and not contains_identifier(value)


def is_identifier(text: str) -> bool:
    """The whole text is an account id (any form), a personal space key or an email."""
    return (
        canonical_account_id(text) is not None
        or personal_space_owner(text) is not None
        or is_email(text)
    )


def is_email(text: str) -> bool:
    """An email address: one the pseudonymizer parses, or one at an internationalized domain."""
    return parse_mailbox(text) is not None or is_email_address(text)
