"""The CQL parser finds every value, keeps everything else as written, and refuses the unknown."""

from __future__ import annotations

import pytest

from proxy.sanitize.links._cql import CqlError, Piece, rewrite_cql


def values_of(cql: str) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []

    def record(field: str, value: str) -> list[Piece] | None:
        seen.append((field, value))
        return None

    pieces, changed = rewrite_cql(cql, record)
    assert not changed
    assert "".join(piece.text for piece in pieces) == cql  # nothing replaced: as written
    return seen


@pytest.mark.parametrize(
    ("cql", "values"),
    [
        ('creator = "608a"', [("creator", "608a")]),
        ("creator=557058:f5-b6", [("creator", "557058:f5-b6")]),
        ('creator in ("a","b")', [("creator", "a"), ("creator", "b")]),
        ("creator NOT IN (a, b)", [("creator", "a"), ("creator", "b")]),
        ("creator in ()", []),
        ('space="~608a"', [("space", "~608a")]),
        ("space=~jsmith", [("space", "~jsmith")]),
        ("space ~ jsmith", [("space", "jsmith")]),
        ('title !~ "a \\"quoted\\" word"', [("title", 'a "quoted" word')]),
        ("title = 'it\\'s'", [("title", "it's")]),
        ("creator = currentUser()", []),
        ('lastmodified > now("-4w")', [("lastmodified", "-4w")]),
        ("id in recentlyViewedContent(10, 20)", [("id", "10"), ("id", "20")]),
        (
            "type=page AND (creator=a OR NOT watcher=b) ORDER BY lastmodified DESC, title",
            [("type", "page"), ("creator", "a"), ("watcher", "b")],
        ),
        (
            "lastmodified>=2025-08-01 AND lastmodified<=2025-09-29",
            [("lastmodified", "2025-08-01"), ("lastmodified", "2025-09-29")],
        ),
        ("mention != alice@acme.com", [("mention", "alice@acme.com")]),
        ("", []),
        ("  ", []),
    ],
)
def test_every_value_is_found_with_its_field(cql: str, values: list[tuple[str, str]]) -> None:
    assert values_of(cql) == values


@pytest.mark.parametrize(
    "cql",
    [
        "creator",  # no operator
        "creator =",  # no value
        'creator = "unterminated',
        "creator = a b",  # two values
        "creator == a",
        "creator = ~ jsmith",  # `~` must touch the key
        "creator ! a",
        "creator in (a, b",
        "creator in a",
        "(creator = a",
        "creator = a AND",
        "AND = a",
        "creator = a ORDER lastmodified",
        "creator = a && watcher = b",
        "creator%3D%22a%22",  # still encoded
    ],
)
def test_anything_outside_the_grammar_is_refused(cql: str) -> None:
    with pytest.raises(CqlError):
        rewrite_cql(cql, lambda field, value: None)


def test_a_replaced_value_keeps_its_quotes_and_the_rest_its_text() -> None:
    def replace(field: str, value: str) -> list[Piece] | None:
        if field != "creator":
            return None
        return [Piece("<"), Piece(value.upper(), literal=True), Piece(">")]

    pieces, changed = rewrite_cql("type=page AND creator in ('a', b)", replace)
    assert changed
    assert pieces == [
        Piece("type"),
        Piece("="),
        Piece("page"),
        Piece(" "),
        Piece("AND"),
        Piece(" "),
        Piece("creator"),
        Piece(" "),
        Piece("in"),
        Piece(" "),
        Piece("("),
        Piece("'"),
        Piece("<"),
        Piece("A", literal=True),
        Piece(">"),
        Piece("'"),
        Piece(","),
        Piece(" "),
        Piece("<"),
        Piece("B", literal=True),
        Piece(">"),
        Piece(")"),
    ]


def test_a_personal_key_written_without_quotes_is_one_value() -> None:
    pieces, changed = rewrite_cql("space=~jsmith", lambda field, value: [Piece(f"[{value}]")])
    assert changed
    assert "".join(piece.text for piece in pieces) == "space=[~jsmith]"
