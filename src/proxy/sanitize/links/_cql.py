"""Confluence Query Language, just enough to find every value in a query and replace it.

Confluence echoes the CQL it ran into `_links.next`; the ids in it must leave as tokens while
the query keeps working. So the (decoded) CQL is lexed and parsed, and each *value* (what a
field is compared with, list members, function arguments) is offered to a callback, which may
replace it; everything else (fields, operators, keywords, function names, spacing) is kept as
written. Anything outside the grammar below raises `CqlError`: the caller then drops the link
rather than guess::

    query   = expr [ORDER BY field [ASC|DESC] {, field [ASC|DESC]}]
    expr    = term {(AND|OR) term}
    term    = NOT term | "(" expr ")" | field op value | field [NOT] IN (list | function)
    value   = word | "string" | 'string' | function | ~word      (~word: a personal space key)
    op      = = | != | ~ | !~ | > | >= | < | <=

    pieces, changed = rewrite_cql('creator = "608a9b555426330072f9867d"', replace)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

__all__ = ["CqlError", "Piece", "ValueRewriter", "rewrite_cql"]


class CqlError(ValueError):
    """The text is not CQL this module understands (so its values cannot all be found)."""


class Piece(NamedTuple):
    """Part of a rewritten query: text to encode, or a `literal` (a token) to emit as is."""

    text: str
    literal: bool = False


# (field, value as the query means it: unquoted and unescaped) -> replacement pieces or None
ValueRewriter = Callable[[str, str], list[Piece] | None]

_LEXEME = re.compile(
    r"""(?P<space>\s+)
      | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<op>!=|!~|>=|<=|=|~|>|<)
      | (?P<lparen>\() | (?P<rparen>\)) | (?P<comma>,)
      | (?P<word>[^\s"'(),=!~<>]+)""",
    re.VERBOSE | re.DOTALL,
)
_ESCAPED = re.compile(r"\\(.)", re.DOTALL)
_KEYWORDS = frozenset({"and", "or", "not", "in", "order", "by", "asc", "desc"})


class _Lexeme(NamedTuple):
    kind: str
    text: str


def _lex(cql: str) -> list[_Lexeme]:
    lexemes = []
    position = 0
    for match in _LEXEME.finditer(cql):
        if match.start() != position:
            raise CqlError(f"unexpected character at {position}")
        lexemes.append(_Lexeme(match.lastgroup or "", match.group()))
        position = match.end()
    if position != len(cql):
        raise CqlError(f"unexpected character at {position}")
    return lexemes


class _Value(NamedTuple):
    first: int  # lexeme indices, inclusive
    last: int
    field: str
    text: str  # unquoted, unescaped
    quote: str  # '"', "'" or "" (a word)


class _Parser:
    """Recursive descent over the non-space lexemes; records where the values are."""

    def __init__(self, lexemes: list[_Lexeme]) -> None:
        self._lexemes = lexemes
        self._order = [i for i, lexeme in enumerate(lexemes) if lexeme.kind != "space"]
        self._at = 0
        self.values: list[_Value] = []

    def parse(self) -> list[_Value]:
        if self._order:
            self._expr()
            if self._keyword("order"):
                self._expect_keyword("by")
                self._sort_list()
            if self._at != len(self._order):
                raise CqlError("unexpected text after the query")
        return self.values

    # -- cursor
    def _peek(self, ahead: int = 0) -> _Lexeme | None:
        at = self._at + ahead
        return self._lexemes[self._order[at]] if at < len(self._order) else None

    def _next_is(self, kind: str) -> bool:
        lexeme = self._peek()
        return lexeme is not None and lexeme.kind == kind

    def _index(self) -> int:
        return self._order[self._at]

    def _take(self, kind: str) -> _Lexeme:
        lexeme = self._peek()
        if lexeme is None or lexeme.kind != kind:
            raise CqlError(f"expected {kind}")
        self._at += 1
        return lexeme

    def _keyword(self, word: str) -> bool:
        lexeme = self._peek()
        if lexeme is not None and lexeme.kind == "word" and lexeme.text.lower() == word:
            self._at += 1
            return True
        return False

    def _expect_keyword(self, word: str) -> None:
        if not self._keyword(word):
            raise CqlError(f"expected {word.upper()}")

    # -- grammar
    def _expr(self) -> None:
        self._term()
        while self._keyword("and") or self._keyword("or"):
            self._term()

    def _term(self) -> None:
        if self._keyword("not"):
            self._term()
        elif self._next_is("lparen"):
            self._at += 1
            self._expr()
            self._take("rparen")
        else:
            self._clause()

    def _field(self) -> str:
        field = self._take("word").text
        if field.lower() in _KEYWORDS:
            raise CqlError("a keyword where a field was expected")
        return field

    def _clause(self) -> None:
        field = self._field()
        if self._next_is("op"):
            self._at += 1
            self._value(field)
        elif self._keyword("not"):
            self._expect_keyword("in")
            self._in_target(field)
        elif self._keyword("in"):
            self._in_target(field)
        else:
            raise CqlError("expected an operator")

    def _in_target(self, field: str) -> None:
        if self._next_is("lparen"):
            self._at += 1
            self._value_list(field)
        else:
            self._function(field)

    def _value_list(self, field: str) -> None:
        """Values up to and including the closing `)` (the `(` is taken)."""
        if self._next_is("rparen"):
            self._at += 1
            return
        self._value(field)
        while self._next_is("comma"):
            self._at += 1
            self._value(field)
        self._take("rparen")

    def _function(self, field: str) -> None:
        self._take("word")
        self._take("lparen")
        self._value_list(field)

    def _value(self, field: str) -> None:
        lexeme = self._peek()
        if lexeme is None:
            raise CqlError("expected a value")
        index = self._index()
        if lexeme.kind == "string":
            text = _ESCAPED.sub(r"\1", lexeme.text[1:-1])
            self.values.append(_Value(index, index, field, text, lexeme.text[0]))
            self._at += 1
        elif lexeme.kind == "word":
            following = self._peek(1)
            if following is not None and following.kind == "lparen":
                self._function(field)
                return
            self.values.append(_Value(index, index, field, lexeme.text, ""))
            self._at += 1
        elif lexeme.text == "~" and self._adjacent_word(index):
            word = self._lexemes[index + 1].text
            self.values.append(_Value(index, index + 1, field, "~" + word, ""))
            self._at += 2
        else:
            raise CqlError("expected a value")

    def _adjacent_word(self, index: int) -> bool:
        return index + 1 < len(self._lexemes) and self._lexemes[index + 1].kind == "word"

    def _sort_list(self) -> None:
        self._sort_key()
        while self._next_is("comma"):
            self._at += 1
            self._sort_key()

    def _sort_key(self) -> None:
        self._field()
        if not self._keyword("asc"):
            self._keyword("desc")


def rewrite_cql(cql: str, rewrite_value: ValueRewriter) -> tuple[list[Piece], bool]:
    """The query as pieces, each value replaced where `rewrite_value` says; and whether any was.

    A replaced quoted value keeps its quotes; everything not a value is kept as written.
    """
    lexemes = _lex(cql)
    values = _Parser(lexemes).parse()
    pieces: list[Piece] = []
    changed = False
    position = 0
    for value in values:
        pieces.extend(Piece(lexeme.text) for lexeme in lexemes[position : value.first])
        replacement = rewrite_value(value.field, value.text)
        if replacement is None:
            pieces.extend(Piece(lexeme.text) for lexeme in lexemes[value.first : value.last + 1])
        else:
            changed = True
            quote = [Piece(value.quote)] if value.quote else []
            pieces += [*quote, *replacement, *quote]
        position = value.last + 1
    pieces.extend(Piece(lexeme.text) for lexeme in lexemes[position:])
    return pieces, changed
