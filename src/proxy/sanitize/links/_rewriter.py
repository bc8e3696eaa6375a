"""Links the rules let out (`_links.next`, the `Link` header): ids become reversible tokens.

A link is parsed, not searched with a regex: its query is split and strictly decoded; the `cql`
value is parsed as CQL (`_cql`) and every value that may name a person becomes a
`p~` token (personal space keys keep their `~`: `~p~…`, as the spaces endpoint gives them);
the CQL is then re-encoded the way Confluence (Java's `URLEncoder`) encodes it, tokens left
literal so that the gateway finds and decrypts them when the caller follows the link. Every
other part of the URL is kept byte for byte, unless it holds an identifier: a path segment or
parameter value that *is* one becomes a token, one that merely *contains* one makes the link
unsafe. An unsafe link (unparsable, malformed escapes, CQL outside the grammar, no encryption
key) gives None: the value is dropped, never passed on raw. While the gateway sanitizes the
answer to a request, what a link echoes of that request goes back as the caller sent it, and no
value decrypted for it comes back (`proxy.sanitize.request_echo`)::

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

from proxy.sanitize.links._cql import CqlError, Piece, ValueRewriter, rewrite_cql
from proxy.sanitize.links._link_header import rewrite_link_header
from proxy.sanitize.links._link_values import PERSON_FIELDS, is_email, is_harmless, is_identifier
from proxy.sanitize.links._request_echo import RequestEcho, current_echo
from proxy.sanitize.pseudonyms import (
    TOKEN_IN_TEXT,
    Pseudonymizer,
    contains_identifier,
    decoded_forms,
    personal_space_owner,
)

__all__ = ["LinkRewriter", "java_url_encode"]

MAX_LINK_LENGTH = 16_384
_CQL_CACHE_SIZE = 256
_VISIBLE_ASCII = re.compile(r"[\x21-\x7e]*")
_WELL_ESCAPED = re.compile(r"(?:[^%]|%[0-9A-Fa-f]{2})*")
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_PLACEHOLDER = re.compile("\x00([0-9]+)\x00")  # a caller's token, hidden from the CQL parser


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
        """The URL with every identifier a token; None when that cannot be done safely.

        While the gateway sanitizes the response to a request (`current_echo`), what the URL
        echoes of that request goes back as the caller sent it: see `proxy.sanitize.request_echo`.
        """
        try:
            echo = current_echo()
            if echo is None or not echo.matters:
                return self._rewrite(url)
            return self._rewrite_echo(url, echo)
        except (_Unsafe, CqlError, UnicodeDecodeError):
            return None

    def rewrite_link_header(self, value: str) -> str | None:
        """A `Link` header value, each URL rewritten; None when any part is unsafe."""
        return rewrite_link_header(value, self.rewrite_url)

    # -- the parts of a URL
    def _rewrite(self, url: str) -> str:
        _check_visible(url)
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

    def _component(
        self,
        raw: str,
        decode: Callable[[str], str],
        echo: RequestEcho | None = None,
        *,
        callers: bool = False,
    ) -> str:
        """A path segment or parameter value: kept, a token if it is an identifier, or unsafe.
        (`echo`, `callers`: see `_token`.)"""
        if not contains_identifier(raw):
            return raw
        text = decode(raw)
        if is_identifier(text):
            return _encoded(self._token(text, echo, callers=callers), 1)
        raise _Unsafe

    def _cached_cql(self, raw: str, key: str = "", compute: Callable[[], str] | None = None) -> str:
        """The rewrite of a `cql` value, kept per `key` (default: the value, rewritten as usual).

        Every page of a crawl echoes the same CQL: a rewrite that depends on nothing but its key
        is made once per instance (None, unsafe, is kept as well).
        """
        key = key or raw
        entry = self._cql_cache.get(key)  # one lookup: safe while another thread clears
        if entry is None:
            try:
                entry = (compute() if compute else self._cql(raw, self._cql_value),)
            except (_Unsafe, CqlError, UnicodeDecodeError):
                entry = (None,)
            if len(self._cql_cache) >= _CQL_CACHE_SIZE:
                self._cql_cache.clear()
            self._cql_cache[key] = entry
        if entry[0] is None:
            raise _Unsafe
        return entry[0]

    def _cql(self, raw: str, rewrite_value: ValueRewriter, echo: RequestEcho | None = None) -> str:
        """The `cql` value with its values replaced, encoded as Confluence encodes it; with
        `echo`, a query the upstream made, which must not hold a value decrypted for it."""
        text = _form_decoded(raw)
        layers = 1
        try:
            pieces, changed = rewrite_cql(text, rewrite_value)
        except CqlError:
            if not _ESCAPE.search(text):
                raise
            # encoded twice (a CQL inside a parameter of another link): parse the inner one
            pieces, changed = rewrite_cql(_form_decoded(text), rewrite_value)
            layers = 2
        structure = " ".join(piece.text for piece in pieces if not piece.literal)
        if contains_identifier(structure):
            raise _Unsafe  # an id where no value is (a field or function name) cannot be cut out
        if echo is not None and echo.holds_decrypted(structure):
            raise _Unsafe  # a decrypted value as a field, function or sort key
        if not changed:
            return raw
        return _encoded(pieces, layers)

    # -- the parts of a URL that echo a request (see proxy.sanitize.request_echo)
    def _rewrite_echo(self, url: str, echo: RequestEcho) -> str:
        _check_visible(url)
        rest, hash_mark, fragment = url.partition("#")
        before, question_mark, query = rest.partition("?")
        if fragment and (contains_identifier(fragment) or _holds_decrypted(fragment, echo)):
            raise _Unsafe
        segments = before.split("/")
        callers = echo.forwarded_segments([_path_decoded(segment) for segment in segments])
        path = "/".join(
            self._echoed(segment, caller, _path_decoded, echo)
            for segment, caller in zip(segments, callers, strict=True)
        )
        if question_mark:
            seen: dict[str, int] = {}
            query = "&".join(self._echoed_parameter(part, seen, echo) for part in query.split("&"))
        return path + question_mark + query + hash_mark + fragment

    def _echoed_parameter(self, part: str, seen: dict[str, int], echo: RequestEcho) -> str:
        """One `name=value`; `seen` counts the names so far (echoes are matched by position)."""
        name, equals, value = part.partition("=")
        decoded_name = _form_decoded(name)
        if contains_identifier(name) or _holds_decrypted(name, echo):
            raise _Unsafe
        occurrence = seen[decoded_name] = seen.get(decoded_name, -1) + 1
        caller = echo.forwarded(decoded_name, occurrence, _form_decoded(value)) if equals else None
        if decoded_name.lower() != "cql":
            return name + equals + self._echoed(value, caller, _form_decoded, echo)
        if caller is None:  # the upstream's own query
            return name + equals + self._cql(value, self._upstream_cql_value(echo), echo)
        # The caller's own CQL: its rewrite depends on nothing else (an email in it is the
        # caller's by definition), so it is kept like any other (keys cannot be a raw value).
        if TOKEN_IN_TEXT.search(caller):
            rewritten = self._cached_cql(
                caller, "\x00t" + caller, lambda: self._callers_cql(caller, echo)
            )
        else:
            rewritten = self._cached_cql(
                value, "\x00c" + value, lambda: self._cql(value, self._callers_cql_value(echo))
            )
        return name + equals + rewritten

    def _echoed(
        self, raw: str, caller: str | None, decode: Callable[[str], str], echo: RequestEcho
    ) -> str:
        """A path segment or parameter value: the caller's own where it echoes one (its tokens
        as they were); else the upstream's, where a decrypted value is no identifier to keep."""
        if caller is not None and TOKEN_IN_TEXT.search(caller):
            if contains_identifier(TOKEN_IN_TEXT.sub("", caller)):
                raise _Unsafe  # a token glued to an identifier
            return caller
        if caller is None and echo.decrypted:
            token = echo.token_of(decode(raw))
            if token is not None:
                return token
            if _holds_decrypted(raw, echo) and not is_identifier(decode(raw)):
                raise _Unsafe
        return self._component(raw, decode, echo, callers=caller is not None)

    def _callers_cql(self, raw: str, echo: RequestEcho) -> str:
        """The caller's CQL, with its tokens as they were; a clear value in it is rewritten as
        usual (a personal space key it names becomes a token)."""
        tokens: list[str] = []

        def hide(match: re.Match[str]) -> str:
            tokens.append(match.group())
            return f"\x00{len(tokens) - 1}\x00"

        hidden = TOKEN_IN_TEXT.sub(hide, _form_decoded(raw))
        rewrite_clear = self._callers_cql_value(echo)

        def rewrite(field: str, value: str) -> list[Piece] | None:
            if not _PLACEHOLDER.search(value):
                return rewrite_clear(field, value)
            if contains_identifier(_PLACEHOLDER.sub(" ", value)):
                raise _Unsafe
            return None  # a token, or text around one: as the caller wrote it

        pieces, changed = rewrite_cql(hidden, rewrite)
        structure = " ".join(piece.text for piece in pieces if not piece.literal)
        if contains_identifier(_PLACEHOLDER.sub(" ", structure)):
            raise _Unsafe
        if not changed:
            return raw  # as sent: its tokens are found and decrypted when the link is followed
        return _encoded(_revealed(pieces, tokens), 1)

    # -- values
    def _cql_value(
        self, field: str, value: str, echo: RequestEcho | None = None, *, callers: bool = False
    ) -> list[Piece] | None:
        """A token for every value that may name a person: fail closed, keep only the harmless.
        (`echo`, `callers`: see `_token`.)"""
        if field.lower() not in PERSON_FIELDS and is_harmless(value):
            return None  # (a 24-digit number is an account id: `_is_harmless` says no)
        return self._token(value, echo, callers=callers)

    def _callers_cql_value(self, echo: RequestEcho) -> ValueRewriter:
        """Values the caller wrote in clear: as usual, but see `_token` for emails."""
        return lambda field, value: self._cql_value(field, value, echo, callers=True)

    def _upstream_cql_value(self, echo: RequestEcho) -> ValueRewriter:
        """Values of a query the upstream made: a decrypted one is the caller's token again,
        whatever its shape; one holding a decrypted value is never harmless."""

        def rewrite(field: str, value: str) -> list[Piece] | None:
            token = echo.token_of(value)
            if token is not None:
                return [Piece(token, literal=True)]
            if echo.holds_decrypted(value):
                return self._token(value, echo)
            return self._cql_value(field, value, echo)

        return rewrite

    def _token(
        self, value: str, echo: RequestEcho | None = None, *, callers: bool = False
    ) -> list[Piece]:
        """A reversible token joining the person's `t~`; a personal key keeps its `~`.

        Not for an email the caller itself sent (`callers`: the value is part of what the
        caller sent; else `echo` is asked): its `p~` would carry the hash of the email's `t~`,
        so a caller could have guessed addresses hashed and find whose `t~` each is.
        """
        if not self._pseudonymizer.can_reverse:
            raise _Unsafe
        owner = personal_space_owner(value)
        person = value if owner is None else owner
        if is_email(person) and (callers or (echo is not None and echo.caller_wrote(person))):
            raise _Unsafe  # (`~alice@…` too: its token would hash the email)
        token = Piece(self._pseudonymizer.tokenize_person(person), literal=True)
        return [token] if owner is None else [Piece("~"), token]


def _check_visible(url: str) -> None:
    if len(url) > MAX_LINK_LENGTH or not _VISIBLE_ASCII.fullmatch(url):
        raise _Unsafe


def _holds_decrypted(raw: str, echo: RequestEcho) -> bool:
    """Whether `raw` or a percent-decoding of it holds a value decrypted for this request."""
    return echo.decrypted and any(echo.holds_decrypted(form) for form in decoded_forms(raw))


def _revealed(pieces: list[Piece], tokens: list[str]) -> list[Piece]:
    """The pieces with each hidden token put back, as a literal piece."""
    out: list[Piece] = []
    for piece in pieces:
        if piece.literal or "\x00" not in piece.text:
            out.append(piece)
            continue
        for index, part in enumerate(_PLACEHOLDER.split(piece.text)):
            if index % 2:
                out.append(Piece(tokens[int(part)], literal=True))
            elif part:
                out.append(Piece(part))
    return out


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
