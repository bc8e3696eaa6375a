"""What one request sent, so that what Atlassian echoes of it cannot give a token's plaintext away.

The gateway decrypts the caller's `p~` tokens before it calls Atlassian, and Atlassian echoes
parts of the request: a content search its parameters and CQL into `_links.next`, a v2 list its
path and parameters into `Link`. Rewritten by shape alone, a decrypted value would come back in
clear wherever its shape looks harmless (a legacy username `dave` in `expand=`, in `ORDER BY`,
in a path segment; `JSMITH` in `id = …`). So while a response is sanitized the gateway makes the
request known (`RequestEcho.active`), and the link rewriter asks it:

- `forwarded`: a parameter or path segment echoed just as it was forwarded is the caller's own,
  and goes back as the caller wrote it (its tokens as they were), never decrypted;
- `token_of` / `holds_decrypted`: any other part (made by the upstream) that is a decrypted value
  becomes the token it came from, one that merely contains one is unsafe;
- `caller_wrote`: a value the caller itself sent in clear (the proxy must not hash an email the
  caller guessed into a `p~` that joins the email's `t~`).

`leaks` finds a decrypted value in a response body or header, for the gateway's last check.
Decrypted values that the caller also wrote in clear are left out of every check on content:
otherwise whether a guess appears in the answer would tell whether it was right.

    echo = RequestEcho.of(pseudonymizer.decrypt, caller=(path, query), forwarded=(path2, query2))
    with echo.active():
        body = sanitizer.sanitize(endpoint, upstream_body)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import unquote, unquote_plus

import orjson

from proxy.errors import InvalidPseudonymToken
from proxy.sanitize.pseudonyms import TOKEN_IN_TEXT

__all__ = ["MIN_CHECKED_LENGTH", "RequestEcho", "current_echo"]

MIN_CHECKED_LENGTH = 3
"""Shorter plaintexts are looked for as whole parts only: as substrings they are everywhere."""

_CURRENT: ContextVar[RequestEcho | None] = ContextVar("request_echo", default=None)
_ALPHANUMERIC_RUN = re.compile(r"[A-Za-z0-9]+")
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_WORD = "A-Za-z0-9_-"  # a plaintext inside a longer word (a token's base64) is not an echo of it


def current_echo() -> RequestEcho | None:
    """The request whose response is being sanitized on this thread, if the gateway said so."""
    return _CURRENT.get()


class RequestEcho:
    """One request: its decrypted tokens, and what it forwarded of what the caller wrote."""

    def __init__(
        self,
        decrypted: Mapping[str, str],
        caller_text: str,
        parameters: Mapping[tuple[str, int], tuple[str, str]],
        segments: Sequence[tuple[str, str]],
    ) -> None:
        self._decrypted = dict(decrypted)  # plaintext -> the token the caller sent
        self._caller_text = caller_text.replace("\\", "").casefold()
        self._parameters = dict(parameters)  # (name, occurrence) -> (value forwarded, caller's)
        self._segments = list(segments)  # (segment as forwarded, decoded; the caller's raw)
        self._checked = frozenset(p for p in self._decrypted if not self.caller_wrote(p))
        self._folded = {plaintext.casefold() for plaintext in self._checked}
        self._needles = {_needle(plaintext).encode("utf-8") for plaintext in self._folded}
        self._pattern = _occurrences(self._checked)

    @classmethod
    def of(
        cls,
        decrypt: Callable[[str], str],
        *,
        caller: tuple[str, str | None],
        forwarded: tuple[str, str | None],
        also_sent: Iterable[str] = (),
    ) -> RequestEcho:
        """From the path and query as the caller sent them and as they were forwarded (tokens
        reversed by `decrypt`, `Pseudonymizer.decrypt`); `also_sent`: forwarded header values
        and body text, which may hold tokens."""
        caller_path, caller_query = caller
        path, query = forwarded
        texts = [caller_path, caller_query or "", *also_sent]
        decrypted: dict[str, str] = {}
        for text in texts:
            for token in TOKEN_IN_TEXT.findall(text):
                try:
                    decrypted.setdefault(decrypt(token), token)
                except InvalidPseudonymToken:
                    continue  # not forwarded decrypted (a JSON key, say): nothing to look for
        readable = " ".join(_decoded_or_raw(TOKEN_IN_TEXT.sub(" ", text)) for text in texts)
        return cls(
            decrypted,
            readable,
            _aligned_parameters(caller_query, query),
            _aligned_segments(caller_path, path),
        )

    @contextmanager
    def active(self) -> Iterator[None]:
        """Make this the current request of this thread (of this context) while inside."""
        reset = _CURRENT.set(self)
        try:
            yield
        finally:
            _CURRENT.reset(reset)

    # -- what was forwarded
    def forwarded(self, name: str, occurrence: int, value: str) -> str | None:
        """The caller's raw value of the `occurrence`-th (from 0) parameter `name`, if it was
        forwarded as `value` (name and value decoded). By position, not by value: a guess sent
        in clear beside a token is never taken for the token, whatever the token holds."""
        forwarded = self._parameters.get((name, occurrence))
        return forwarded[1] if forwarded is not None and forwarded[0] == value else None

    def forwarded_segments(self, echoed: Sequence[str]) -> list[str | None]:
        """For each (decoded) segment of an echoed path: the caller's raw segment where it is
        the forwarded one, aligned from the end (`/wiki/…` echoes `/ex/confluence/c/wiki/…`)."""
        callers: list[str | None] = [None] * len(echoed)
        at = len(self._segments)
        for index in range(len(echoed) - 1, -1, -1):
            at -= 1
            if at < 0 or self._segments[at][0] != echoed[index]:
                break
            callers[index] = self._segments[at][1]
        return callers

    # -- what was decrypted
    @property
    def decrypted(self) -> bool:
        """Whether the request held any token."""
        return bool(self._decrypted)

    @property
    def matters(self) -> bool:
        """Whether links need this echo: the request held a token, or could hold an email."""
        return bool(self._decrypted) or "@" in self._caller_text

    def token_of(self, text: str) -> str | None:
        """The caller's token if `text` is exactly a value decrypted from it (and not also written
        in clear by the caller)."""
        token = self._decrypted.get(text)
        return token if token is not None and text in self._checked else None

    def holds_decrypted(self, text: str) -> bool:
        """Whether `text` holds a decrypted value the caller did not also write, in any case, as
        a part of at least `MIN_CHECKED_LENGTH` characters, or as the whole of `text`."""
        folded = text.casefold()
        return any(
            plaintext == folded or (len(plaintext) >= MIN_CHECKED_LENGTH and plaintext in folded)
            for plaintext in self._folded
        )

    def caller_wrote(self, text: str) -> bool:
        """Whether the caller's request holds `text` in clear, standing alone (ignoring case,
        encoding and backslashes, which CQL strings use to escape any character). Inside a
        longer word it does not count: `confluence` in the path is no clear `nce`, and a
        decrypted `nce` must still be looked for."""
        folded = re.escape(text.replace("\\", "").casefold())
        return re.search(rf"(?<![{_WORD}]){folded}(?![{_WORD}])", self._caller_text) is not None

    def leaks(self, data: bytes | str) -> bool:
        """Whether a response body or header value holds a decrypted value standing alone (not
        inside a longer word), in any case, as it is, percent-encoded or JSON-escaped."""
        if self._pattern is None:
            return False
        raw = data.encode("utf-8") if isinstance(data, str) else data
        lowered = raw.lower()  # ASCII only, which the needles are: fast on a large body
        if not any(needle in lowered for needle in self._needles):
            return False
        text = raw.decode("utf-8", "replace")
        return any(self._pattern.search(form) for form in _lenient_decodings(text))


def _needle(plaintext: str) -> str:
    """The longest ASCII alphanumeric run of a (lower-cased) plaintext: no encoding changes it,
    so a text without it cannot hold the plaintext (a cheap test before decoding a body)."""
    runs = _ALPHANUMERIC_RUN.findall(plaintext)
    return max(runs, key=len) if runs else plaintext


def _occurrences(plaintexts: Iterable[str]) -> re.Pattern[str] | None:
    forms = {
        form
        for plaintext in plaintexts
        if len(plaintext) >= MIN_CHECKED_LENGTH
        for form in (plaintext, orjson.dumps(plaintext).decode("utf-8")[1:-1])
    }
    if not forms:
        return None
    alternatives = "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True))
    return re.compile(rf"(?<![{_WORD}])(?:{alternatives})(?![{_WORD}])", re.IGNORECASE)


def _lenient_decodings(text: str) -> list[str]:
    """`text` and its percent-decodings (twice, `+` as a space or not), bad escapes kept."""
    forms = [text]
    for _ in range(2):
        if not _ESCAPE.search(forms[-1]):
            break
        forms.append(unquote(forms[-1], errors="replace"))
    if "+" in text:
        forms += [unquote_plus(text, errors="replace")]
    return forms


def _decoded_or_raw(text: str) -> str:
    try:
        return unquote_plus(unquote_plus(text, errors="strict"), errors="strict")
    except UnicodeDecodeError:
        return text


def _aligned_parameters(
    caller: str | None, forwarded: str | None
) -> dict[tuple[str, int], tuple[str, str]]:
    """(name decoded, its occurrence) -> (value as forwarded, decoded; the caller's raw value).
    Reversing tokens never adds a `&` (a decrypted value is percent-encoded in full), so the
    parts align one to one."""
    if caller is None or forwarded is None:
        return {}
    callers, sent = caller.split("&"), forwarded.split("&")
    if len(callers) != len(sent):
        return {}
    aligned: dict[tuple[str, int], tuple[str, str]] = {}
    seen: dict[str, int] = {}
    for mine, theirs in zip(callers, sent, strict=True):
        name, _, value = theirs.partition("=")
        try:
            name, value = unquote_plus(name, errors="strict"), unquote_plus(value, errors="strict")
        except UnicodeDecodeError:
            name, value = "\x00", ""  # matches no echo, but keeps the count
        occurrence = seen[name] = seen.get(name, -1) + 1
        aligned[(name, occurrence)] = (value, mine.partition("=")[2])
    return aligned


def _aligned_segments(caller: str, forwarded: str) -> list[tuple[str, str]]:
    """(segment as forwarded, decoded; the caller's raw segment): a decrypted path segment never
    holds a `/`, so the parts align one to one."""
    callers, sent = caller.split("/"), forwarded.split("/")
    if len(callers) != len(sent):
        return []
    aligned = []
    for mine, theirs in zip(callers, sent, strict=True):
        try:
            aligned.append((unquote(theirs, errors="strict"), mine))
        except UnicodeDecodeError:
            aligned.append(("\x00", mine))  # matches no echo
    return aligned
