"""Character-level reading shared by the JSONPath and filter parsers, and the one error type.

Every syntax problem becomes a `JsonPathError` naming the path, the position and the reason,
so a bad rule fails at load time with a message a rule author can act on:

>>> from proxy.sanitize.jsonpath import compile_path
>>> try:
...     compile_path("$.a[")
... except JsonPathError as error:
...     print(error)
invalid JSONPath "$.a[" at position 3: unbalanced '[' (missing ']')
"""

from __future__ import annotations

from typing import NoReturn

__all__ = ["JsonPathError", "Scanner", "fits_java_int"]

_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}
WHITESPACE = " \t\r\n"
_INT32 = 2**31


class JsonPathError(ValueError):
    """A JSONPath that cannot be compiled (bad or unsupported syntax)."""

    def __init__(self, path: str, position: int, reason: str, where: str = "") -> None:
        super().__init__(f'invalid JSONPath "{path}" at position {position}: {reason}')
        self.path = path
        self.position = position
        self.reason = reason
        self.where = where  # the path's place in the rules, e.g. `...transforms[0].jsonPaths[1]`


def fits_java_int(value: int) -> bool:
    """Whether an array index fits Java's `int`, as Jayway requires of every index it parses."""
    return -_INT32 <= value < _INT32


class Scanner:
    """A cursor over the (normalized) path text; positions are reported in the original text."""

    __slots__ = ("pos", "shift", "source", "text")

    def __init__(self, text: str, source: str, shift: int = 0) -> None:
        self.text = text
        self.source = source
        self.shift = shift  # position in `source` minus position in `text`
        self.pos = 0

    def fail(self, reason: str, at: int | None = None) -> NoReturn:
        position = (self.pos if at is None else at) + self.shift
        raise JsonPathError(self.source, max(position, 0), reason)

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self, ahead: int = 0) -> str:
        index = self.pos + ahead
        return self.text[index] if index < len(self.text) else ""

    def startswith(self, prefix: str) -> bool:
        return self.text.startswith(prefix, self.pos)

    def skip_ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in WHITESPACE:
            self.pos += 1

    def expect(self, char: str, context: str) -> None:
        self.skip_ws()
        if self.peek() != char:
            found = repr(self.peek()) if self.peek() else "end of path"
            self.fail(f"expected '{char}' {context}, found {found}")
        self.pos += 1

    def read_quoted(self) -> str:
        """Read a '…' or "…" literal at the cursor, resolving backslash escapes as Jayway does."""
        quote = self.text[self.pos]
        start = self.pos
        self.pos += 1
        out: list[str] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == quote:
                self.pos += 1
                return "".join(out)
            if char == "\\":
                out.append(self._read_escape())
                continue
            out.append(char)
            self.pos += 1
        self.fail(f"unterminated string (missing closing {quote})", at=start)

    def _read_escape(self) -> str:
        code = self.peek(1)
        if code == "u":
            digits = self.text[self.pos + 2 : self.pos + 6]
            if len(digits) != 4 or any(c not in "0123456789abcdefABCDEF" for c in digits):
                self.fail("invalid \\u escape (expected 4 hex digits)")
            self.pos += 6
            return chr(int(digits, 16))
        if not code:
            self.fail("dangling backslash at end of path")
        self.pos += 2
        # Like Jayway's unescape: known escapes are translated, any other escaped char is kept.
        return _SIMPLE_ESCAPES.get(code, code)
