"""Links the rules let out (`_links.next`, the `Link` header): ids become reversible tokens.

A link is parsed, not searched with a regex: its query is split and strictly decoded; the `cql`
value is parsed as CQL (`_cql`) and every value that may name a person becomes a
`p~` token (personal space keys keep their `~`: `~p~…`, as the spaces endpoint gives them);
the CQL is then re-encoded the way Confluence (Java's `URLEncoder`) encodes it, tokens left
literal so that the gateway finds and decrypts them when the caller follows the link. Every
other part of the URL is kept byte for byte, unless it holds an identifier: a path segment or
parameter value that *is* one becomes a token, one that merely *contains* one makes the link
unsafe. An unsafe link (unparsable, malformed escapes, CQL outside the grammar, no encryption
key) gives None: the value is dropped, never passed on raw::

>>> from proxy.sanitize.pseudonyms import Pseudonymizer
>>> from proxy.secret_value import Secret
>>> rewriter = LinkRewriter(Pseudonymizer(Secret("salt"), Secret("key")))
>>> rewriter.rewrite_url("/search?cql=creator%3D%22608a9b555426330072f9867d%22&cursor=x")
... # doctest: +ELLIPSIS
'/search?cql=creator%3D%22p~7Z5-G...%22&cursor=x'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote_plus, unquote, unquote_plus

from proxy.sanitize.links._cql import CqlError, Piece, rewrite_cql
from proxy.sanitize.links._link_header import rewrite_link_header
from proxy.sanitize.pseudonyms import (
    Pseudonymizer,
    canonical_account_id,
    contains_identifier,
    parse_mailbox,
    personal_space_owner,
)

__all__ = ["LinkRewriter", "java_url_encode"]

MAX_LINK_LENGTH = 16_384
_CQL_CACHE_SIZE = 256
_VISIBLE_ASCII = re.compile(r"[\x21-\x7e]*")
_WELL_ESCAPED = re.compile(r"(?:[^%]|%[0-9A-Fa-f]{2})*")
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")

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


class _Unsafe(Exception):
    """This link cannot be rewritten safely: drop it."""


def java_url_encode(text: str) -> str:
    """`java.net.URLEncoder.encode(text, UTF_8)`: what Confluence writes (`+`, `%3D`, `%7E`)."""
    return quote_plus(text, safe="*").replace("~", "%7E")


class LinkRewriter:
    """Rewrites link URLs and `Link` header values with one deployment's pseudonymizer."""

    def __init__(self, pseudonymizer: Pseudonymizer) -> None:
        self._pseudonymizer = pseudonymizer
        # Every page of a crawl echoes the same CQL (only the cursor moves): its rewrite, or
        # None when unsafe, is kept per instance, as pseudonyms of the same input are the same.
        self._cql_cache: dict[str, tuple[str | None]] = {}

    def rewrite_url(self, url: str) -> str | None:
        """The URL with every identifier a token; None when that cannot be done safely."""
        try:
            return self._rewrite(url)
        except (_Unsafe, CqlError, UnicodeDecodeError):
            return None

    def rewrite_link_header(self, value: str) -> str | None:
        """A `Link` header value, each URL rewritten; None when any part is unsafe."""
        return rewrite_link_header(value, self.rewrite_url)

    # -- the parts of a URL
    def _rewrite(self, url: str) -> str:
        if len(url) > MAX_LINK_LENGTH or not _VISIBLE_ASCII.fullmatch(url):
            raise _Unsafe
        rest, hash_mark, fragment = url.partition("#")
        before, question_mark, query = rest.partition("?")
        if fragment and contains_identifier(fragment):
            raise _Unsafe
        path = before
        if contains_identifier(before):  # one look at the whole, the parts only if needed
            path = "/".join(self._component(part, _path_decoded) for part in before.split("/"))
        if question_mark:
            parts = query.split("&")
            rest_of_query = "&".join(part for part in parts if not _is_cql(part))
            others_clean = not contains_identifier(rest_of_query)
            query = "&".join(self._parameter(part, others_clean) for part in parts)
        return path + question_mark + query + hash_mark + fragment

    def _parameter(self, part: str, clean: bool) -> str:
        """One `name=value`: the CQL rewritten; others kept if `clean`, else looked at."""
        if _is_cql(part):
            name, equals, value = part.partition("=")
            return name + equals + self._cached_cql(value)
        if clean:
            return part
        name, equals, value = part.partition("=")
        if contains_identifier(name):
            raise _Unsafe
        return name + equals + self._component(value, _form_decoded)

    def _component(self, raw: str, decode: Callable[[str], str]) -> str:
        """A path segment or parameter value: kept, a token if it is an identifier, or unsafe."""
        if not contains_identifier(raw):
            return raw
        text = decode(raw)
        if _is_identifier(text):
            return _encoded(self._token(text), 1)
        raise _Unsafe

    def _cached_cql(self, raw: str) -> str:
        entry = self._cql_cache.get(raw)  # one lookup: safe while another thread clears
        if entry is None:
            try:
                entry = (self._cql(raw),)
            except (_Unsafe, CqlError, UnicodeDecodeError):
                entry = (None,)
            if len(self._cql_cache) >= _CQL_CACHE_SIZE:
                self._cql_cache.clear()
            self._cql_cache[raw] = entry
        if entry[0] is None:
            raise _Unsafe
        return entry[0]

    def _cql(self, raw: str) -> str:
        """The `cql` value with its values replaced, encoded as Confluence encodes it."""
        text = _form_decoded(raw)
        layers = 1
        try:
            pieces, changed = rewrite_cql(text, self._cql_value)
        except CqlError:
            if not _ESCAPE.search(text):
                raise
            # encoded twice (a CQL inside a parameter of another link): parse the inner one
            pieces, changed = rewrite_cql(_form_decoded(text), self._cql_value)
            layers = 2
        if contains_identifier(" ".join(piece.text for piece in pieces if not piece.literal)):
            raise _Unsafe  # an id where no value is (a field or function name) cannot be cut out
        if not changed:
            return raw
        return _encoded(pieces, layers)

    # -- values
    def _cql_value(self, field: str, value: str) -> list[Piece] | None:
        """A token for every value that may name a person: fail closed, keep only the harmless."""
        if field.lower() not in PERSON_FIELDS and _is_harmless(value):
            return None  # (a 24-digit number is an account id: `_is_harmless` says no)
        return self._token(value)

    def _token(self, value: str) -> list[Piece]:
        """A reversible token joining the person's `t~`; a personal key keeps its `~`."""
        if not self._pseudonymizer.can_reverse:
            raise _Unsafe
        owner = personal_space_owner(value)
        if owner is not None:
            return [Piece("~"), Piece(self._pseudonymizer.tokenize_person(owner), literal=True)]
        return [Piece(self._pseudonymizer.tokenize_person(value), literal=True)]


def _is_cql(parameter: str) -> bool:
    name = parameter.partition("=")[0]
    if "%" in name or "+" in name:
        name = _form_decoded(name)
    return name.lower() == "cql"


def _encoded(pieces: list[Piece], layers: int) -> str:
    """Text pieces URL-encoded `layers` times (runs of them at once), literal pieces as they are."""
    out: list[str] = []
    run: list[str] = []
    for piece in [*pieces, Piece("", literal=True)]:
        if not piece.literal:
            run.append(piece.text)
            continue
        if run:
            text = "".join(run)
            for _ in range(layers):
                text = java_url_encode(text)
            out.append(text)
            run = []
        out.append(piece.text)
    return "".join(out)


def _path_decoded(raw: str) -> str:
    """A path segment decoded; malformed escapes or bytes that are not UTF-8 are unsafe."""
    if not _WELL_ESCAPED.fullmatch(raw):
        raise _Unsafe
    return unquote(raw, errors="strict")


def _form_decoded(raw: str) -> str:
    """A query name or value decoded (`+` is a space), strictly as `_path_decoded`."""
    if not _WELL_ESCAPED.fullmatch(raw):
        raise _Unsafe
    return unquote_plus(raw, errors="strict")


def _is_harmless(value: str) -> bool:
    if not value or value in _HARMLESS_WORDS:
        return True
    return _HARMLESS.fullmatch(value) is not None and not contains_identifier(value)


def _is_identifier(text: str) -> bool:
    return (
        canonical_account_id(text) is not None
        or personal_space_owner(text) is not None
        or parse_mailbox(text) is not None
    )
