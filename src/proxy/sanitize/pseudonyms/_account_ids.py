"""The one recognizer of Atlassian person identifiers, shared by the rules and the link rewriter.

Atlassian writes the same person several ways: a legacy 24-hex account id
(`608a9b555426330072f9867d`), a `<digits>:<uuid>` id (`557058:f58131cb-…`), and as personal
space key `~` + the id, where ids with a colon are *compact* (`~557058f58131cb…`, no `:` and no
`-`) and old sites still have `~username`. In URLs any of these may be percent-encoded once or
twice (`%3A`, `%7E`, `%40`, `%253A`). A pseudonym joins across all forms only if it hashes one
**canonical account id** (`557058:<8-4-4-4-12>`, or the 24-hex id as written)::

>>> canonical_account_id("557058f58131cbb67d43c7b30d6b58d40bd077")
'557058:f58131cb-b67d-43c7-b30d-6b58d40bd077'
>>> contains_identifier("creator%3D%22608a9b555426330072f9867d%22")
True
"""

from __future__ import annotations

import base64
import re
from functools import cache
from urllib.parse import unquote

__all__ = [
    "canonical_account_id",
    "contains_identifier",
    "decoded_forms",
    "is_email_address",
    "personal_space_owner",
]

_LEGACY = re.compile(r"[0-9a-fA-F]{24}")
_PREFIXED = re.compile(
    r"(\d{1,10}):([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
)
_COMPACT = re.compile(r"(\d{1,10})([0-9a-fA-F]{32})")
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_MAX_DECODINGS = 2  # Confluence encodes at most twice (a CQL inside a `next` inside a link)
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]{16,}={0,2}")
_MIN_BASE64 = 16  # 12 bytes: shorter runs are words, not encoded data

# Somewhere inside a text (already percent-decoded): an account id in any form, a personal
# space key (`~` then a key character) or something shaped like an email address (matched from
# its `@`, so that a text without one costs a substring test).
_ACCOUNT_ID_IN_TEXT = re.compile(
    r"(?<![0-9A-Za-z])(?:[0-9a-fA-F]{24}"
    r"|\d{1,10}(?::[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}|[0-9a-fA-F]{32}))"
    r"(?![0-9A-Za-z])"
)
_PERSONAL_KEY_IN_TEXT = re.compile(r"~[0-9A-Za-z_.@+-]")
# Domain labels and the local part's last character may be non-ASCII (internationalized
# addresses), and a local part may be quoted (`"al ice"@…`).
_EMAIL_DOMAIN = (
    r"(?:[0-9A-Za-z-]|[^\x00-\x7f])+(?:\.(?:[0-9A-Za-z-]|[^\x00-\x7f])+)*"
    r"\.(?:[A-Za-z]|[^\x00-\x7f]){2,}"
)
_EMAIL_IN_TEXT = r'(?<=[0-9A-Za-z._%+"\u0080-\U0010ffff-])@' + _EMAIL_DOMAIN
_EMAIL_ADDRESS = re.compile(r'(?:"[^"\\]+"|[^\s@"<>()\[\],;:\\]+)@' + _EMAIL_DOMAIN)


def decoded_forms(text: str) -> list[str]:
    """`text`, then its percent-decodings while escapes remain (at most twice).

    UnicodeDecodeError if an escape sequence is not UTF-8.
    """
    forms = [text]
    while len(forms) <= _MAX_DECODINGS and _ESCAPE.search(forms[-1]):
        forms.append(unquote(forms[-1], errors="strict"))
    return forms


def canonical_account_id(text: str) -> str | None:
    """The canonical account id that the whole `text` writes, or None if it writes none.

    24-hex ids and `<digits>:<uuid>` ids are their own canonical form (as written, so existing
    pseudonyms do not change); a compact id gets its `:` and dashes back; a percent-encoded id
    (`557058%3A…`) is decoded first.
    """
    try:
        forms = decoded_forms(text)
    except UnicodeDecodeError:
        return None
    for form in forms:
        if _LEGACY.fullmatch(form) or _PREFIXED.fullmatch(form):
            return form
        compact = _COMPACT.fullmatch(form)
        if compact:
            prefix, hex32 = compact.groups()
            uuid = "-".join((hex32[:8], hex32[8:12], hex32[12:16], hex32[16:20], hex32[20:]))
            return f"{prefix}:{uuid}"
    return None


def personal_space_owner(key: str) -> str | None:
    """What follows the `~` of a personal space key; None if `key` is not one.

    The owner is an account id (24-hex or compact) or, on old sites, a username.
    """
    if key.startswith("~") and len(key) > 1:
        return key[1:]
    return None


def is_email_address(text: str) -> bool:
    """Whether the whole `text` is shaped like an email address, internationalized ones too
    (which `proxy.sanitize.emails` does not parse, as the reference does not)."""
    return _EMAIL_ADDRESS.fullmatch(text) is not None


def contains_identifier(text: str) -> bool:
    """Whether `text`, or a percent-decoding of it, holds something that may name a person.

    A text still encoded after two decodings (more than Confluence does) may hold one too.
    """
    try:
        forms = decoded_forms(text)
    except UnicodeDecodeError:
        return True  # an escape we cannot read could hide anything
    if len(forms) > _MAX_DECODINGS and _ESCAPE.search(forms[-1]):
        return True
    return any(_holds_identifier(form) for form in forms) or _in_base64(forms[-1])


def _in_base64(text: str) -> bool:
    """Whether a run of base64 in `text` (an opaque cursor, `_f_…_sa_<base64 of JSON>`) decodes
    to UTF-8 text holding an identifier; runs are also split at `_` (standard base64 has none)."""
    for run in _BASE64_RUN.findall(text):
        for piece in {run, *run.split("_")}:
            if len(piece) < _MIN_BASE64 or len(piece.rstrip("=")) % 4 == 1:
                continue
            try:
                decoded = base64.b64decode(
                    piece.rstrip("=") + "=" * (-len(piece.rstrip("=")) % 4),
                    altchars=b"-_" if ("-" in piece or "_" in piece) else None,
                ).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                continue
            if _holds_identifier(decoded):
                return True
    return False


def _holds_identifier(text: str) -> bool:
    return (
        _ACCOUNT_ID_IN_TEXT.search(text) is not None
        or ("~" in text and _PERSONAL_KEY_IN_TEXT.search(text) is not None)
        or ("@" in text and _email_in_text().search(text) is not None)
    )


@cache
def _email_in_text() -> re.Pattern[str]:
    """Compiled on first use: its class up to `\U0010ffff` takes 2-3 ms to compile, which a
    cold start whose texts hold no `@` need not pay."""
    return re.compile(_EMAIL_IN_TEXT)
