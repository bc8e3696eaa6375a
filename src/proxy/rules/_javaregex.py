"""Java regular expressions (as written in the reference's rules) compiled for Python's `re`.

Rules written for the Java proxy use Java syntax: named groups `(?<name>…)`, an empty group
`(?)` in one shipped rule, inline flags anywhere in the pattern, `\\Q…\\E` quoting and a few
`\\p{…}` classes. Java's `\\w`, `\\d`, `\\s` and case-insensitivity are ASCII-only, so every
pattern is compiled with `re.ASCII`.

>>> compile_java_regex(r"(?<id>[^/]+)", case_insensitive=True).fullmatch("A%2FB").group("id")
'A%2FB'
"""

from __future__ import annotations

import re
from functools import lru_cache

from proxy.errors import RulesError

__all__ = ["compile_java_regex", "translate_java_regex"]

_POSIX_CLASSES = {
    "Lower": "a-z",
    "Upper": "A-Z",
    "ASCII": "\\x00-\\x7F",
    "Alpha": "a-zA-Z",
    "Digit": "0-9",
    "Alnum": "a-zA-Z0-9",
    "Punct": "!-/:-@\\[-`{-~",
    "Graph": "!-~",
    "Print": " -~",
    "Blank": " \\t",
    "Cntrl": "\\x00-\\x1F\\x7F",
    "XDigit": "0-9a-fA-F",
    "Space": " \\t\\n\\x0B\\f\\r",
    "L": "^\\W\\d_",  # letters, approximately: word characters that are not digits/underscore
    "IsAlphabetic": "^\\W\\d_",
}
_JAVA_FLAGS = {"i": "i", "m": "m", "s": "s", "x": "x", "u": "", "d": "", "U": ""}
_NAMED_GROUP = re.compile(r"\(\?<([A-Za-z][A-Za-z0-9]*)>")
_INLINE_FLAGS = re.compile(r"\(\?([idmsuxU]*)(?:-([idmsuxU]*))?\)")


def translate_java_regex(pattern: str) -> str:
    """Rewrite Java-only syntax into the equivalent Python `re` syntax."""
    return _Translator(pattern).run()


class _Translator:
    """One pass over the pattern; tracks character classes and open groups."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.out: list[str] = []
        # One entry per open group (index 0 = top level): the scoped flag groups opened in it,
        # which must close with it and be closed/reopened around each `|` at that level.
        self.levels: list[list[str]] = [[]]
        self.in_class = False

    def run(self) -> str:
        i = 0
        while i < len(self.pattern):
            char = self.pattern[i]
            if char == "\\":
                i = _translate_escape(self.pattern, i, self.out, self.in_class)
            elif self.in_class:
                i = self._in_class(char, i)
            elif char == "[":
                i = self._open_class(i)
            elif char == "(":
                i = self._open_group(i)
            else:
                self._plain(char)
                i += 1
        self.out.append(")" * sum(len(level) for level in self.levels))
        return "".join(self.out)

    def _in_class(self, char: str, i: int) -> int:
        if self.pattern.startswith("&&", i):
            raise ValueError("character-class intersection (&&) is not supported")
        self.in_class = char != "]"
        self.out.append(char)
        return i + 1

    def _open_class(self, i: int) -> int:
        self.in_class = True
        self.out.append("[")
        i += 1
        if self.pattern.startswith("^", i):
            self.out.append("^")
            i += 1
        if self.pattern.startswith("]", i):
            self.out.append("\\]")
            i += 1
        return i

    def _open_group(self, i: int) -> int:
        flags = _INLINE_FLAGS.match(self.pattern, i)
        if flags:
            on = "".join(_JAVA_FLAGS[f] for f in flags.group(1))
            off = "".join(_JAVA_FLAGS[f] for f in (flags.group(2) or ""))
            if on or off:
                # Java applies inline flags to the rest of the enclosing group; Python only
                # allows global flags at the very start, so open a scoped group instead.
                opener = f"(?{on}{'-' + off if off else ''}:"
                self.levels[-1].append(opener)
                self.out.append(opener)
            return flags.end()  # `(?)` alone is an empty group: nothing to emit
        self.levels.append([])
        named = _NAMED_GROUP.match(self.pattern, i)
        if named:
            self.out.append(f"(?P<{named.group(1)}>")
            return named.end()
        self.out.append("(")
        return i + 1

    def _plain(self, char: str) -> None:
        if char == ")" and len(self.levels) > 1:
            self.out.append(")" * len(self.levels.pop()))
        elif char == "|" and self.levels[-1]:
            level = self.levels[-1]
            self.out.append(")" * len(level) + "|" + "".join(level))
            return
        self.out.append(char)


def _translate_escape(pattern: str, i: int, out: list[str], in_class: bool) -> int:
    nxt = pattern[i + 1 : i + 2]
    if nxt == "Q":
        end = pattern.find("\\E", i + 2)
        literal = pattern[i + 2 :] if end < 0 else pattern[i + 2 : end]
        out.append(re.escape(literal))
        return len(pattern) if end < 0 else end + 2
    if nxt in ("p", "P") and pattern[i + 2 : i + 3] == "{":
        end = pattern.find("}", i + 3)
        name = pattern[i + 3 : end].removeprefix("Is") if end > 0 else ""
        name = name if name in _POSIX_CLASSES else pattern[i + 3 : end]
        if end < 0 or name not in _POSIX_CLASSES:
            raise ValueError(f"unsupported character class \\{nxt}{{{pattern[i + 3 : end]}}}")
        body = _POSIX_CLASSES[name]
        negate = nxt == "P"
        if in_class and not negate and not body.startswith("^"):
            out.append(body)
        else:
            inner = body[1:] if body.startswith("^") else body
            negate ^= body.startswith("^")
            out.append(f"[{'^' if negate else ''}{inner}]")
        return end + 1
    if nxt == "h":
        out.append("[ \\t\\xA0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000]")
        return i + 2
    if nxt == "z":
        out.append("\\Z")
        return i + 2
    if nxt == "Z":
        out.append("(?=\\n?\\Z)")
        return i + 2
    out.append(pattern[i : i + 2])
    return i + 2


@lru_cache(maxsize=512)
def compile_java_regex(pattern: str, *, case_insensitive: bool = False) -> re.Pattern[str]:
    """Compile a Java regex from rules; a bad one is a `RulesError` at load time."""
    try:
        flags = re.ASCII | (re.IGNORECASE if case_insensitive else 0)
        return re.compile(translate_java_regex(pattern), flags)
    except (re.error, ValueError) as exc:
        raise RulesError(f"invalid regex {pattern!r}: {exc}") from exc
