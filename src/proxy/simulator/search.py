"""Content search (`/wiki/rest/api/content/search`) over the simulator's people and pages.

Like Confluence, the CQL that ran is echoed into `_links.next`, URL-encoded by Java's
`URLEncoder` (`+` for spaces, `%3D`, `%22`, `%7E`), after `next=true&cursor=…`, so a caller
pages by following `next`. The query language is a subset: clauses joined by AND/OR (AND binds
tighter), `=`, `!=`, `~`, `<`, `<=`, `>`, `>=`, `[NOT] IN (…)`, `currentUser()`, over the fields
creator, contributor, watcher, space (`space.key`), type, title, id, lastmodified, created.
A CQL outside it answers 400, as Confluence does. The example call's own first page is the
example file, byte for byte.

    response = search_response(request, example_body)
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from urllib.parse import parse_qs, quote_plus

from proxy.simulator.people import ALICE, PAGES, SITE, Page, page_json
from proxy.simulator.routes import SimRequest, SimResponse

__all__ = ["EXAMPLE_CQL", "java_encode", "search_response"]

EXAMPLE_CQL = (
    'lastmodified>=2025-08-01 AND lastmodified<=2025-09-29 AND space="~608a9b555426330072f9867d"'
)
DEFAULT_LIMIT = 25
MAX_LIMIT = 250

_LEXEME = re.compile(
    r"""\s*(?:(?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
        |(?P<op>!=|>=|<=|=|>|<|~)|(?P<punct>[(),])|(?P<word>[^\s"'(),=!<>~]+))""",
    re.VERBOSE,
)
Predicate = Callable[[Page], bool]


class _BadCql(ValueError):
    pass


def java_encode(text: str) -> str:
    """`URLEncoder.encode(text, UTF_8)`, which is how Confluence writes the CQL it echoes."""
    return quote_plus(text, safe="*").replace("~", "%7E")


def search_response(request: SimRequest, example_body: bytes) -> SimResponse:
    params = parse_qs(request.query, keep_blank_values=True)
    cql = _first(params, "cql")
    if cql is None:
        return _bad_request("The CQL query parameter is required")
    try:
        offset = _offset(params)
        limit = min(int(_first(params, "limit") or DEFAULT_LIMIT), MAX_LIMIT)
        if limit < 1:
            raise ValueError("limit")
    except ValueError:
        return _bad_request("Invalid start, cursor or limit")
    if cql == EXAMPLE_CQL and offset == 0:
        return SimResponse(200, {"Content-Type": "application/json"}, example_body)
    try:
        predicate = _parse(cql)
    except _BadCql as exc:
        return _bad_request(f"Could not parse cql : {cql} ({exc})")
    matches = [page for page in PAGES if predicate(page)]
    page = matches[offset : offset + limit]
    links = {"base": SITE, "context": "/wiki", "self": f"{SITE}/rest/api/content/search?"}
    links["self"] += _echo(params, cql)
    if offset + limit < len(matches):
        links["next"] = "/rest/api/content/search?" + _paging("next", params, cql, offset + limit)
    if offset > 0:
        links["prev"] = "/rest/api/content/search?" + _paging(
            "prev", params, cql, max(offset - limit, 0)
        )
    document = {
        "results": [page_json(item) for item in page],
        "start": offset,
        "limit": limit,
        "size": len(page),
        "_links": links,
    }
    return SimResponse.json(200, document)


def _first(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    return values[0] if values else None


def _offset(params: dict[str, list[str]]) -> int:
    """Where the page starts: the cursor's position (`_f_<base64 of it>`), else `start`."""
    cursor = _first(params, "cursor")
    if cursor:
        if not cursor.startswith("_f_"):
            raise ValueError("cursor")
        try:
            return int(base64.b64decode(cursor[3:], validate=True).decode("ascii"))
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise ValueError("cursor") from exc
    offset = int(_first(params, "start") or 0)
    if offset < 0:
        raise ValueError("start")
    return offset


def _echo(params: dict[str, list[str]], cql: str) -> str:
    """`expand`, `includeArchivedSpaces` when asked for, then the CQL: as Confluence orders them."""
    parts = [
        f"{name}={java_encode(value)}"
        for name in ("expand", "includeArchivedSpaces")
        if (value := _first(params, name)) is not None
    ]
    return "&".join([*parts, f"cql={java_encode(cql)}"])


def _paging(direction: str, params: dict[str, list[str]], cql: str, offset: int) -> str:
    cursor = "_f_" + base64.b64encode(str(offset).encode()).decode()
    limit = int(_first(params, "limit") or DEFAULT_LIMIT)
    head = [f"{direction}=true", f"cursor={java_encode(cursor)}"]
    echoed = _echo(params, cql).split("&")
    return "&".join([*head, *echoed[:-1], f"limit={limit}", f"start={offset}", echoed[-1]])


def _bad_request(message: str) -> SimResponse:
    return SimResponse.json(400, {"statusCode": 400, "data": {}, "message": message})


# --- the CQL subset ----------------------------------------------------------------------------


def _lex(cql: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while cql[position:].strip():
        match = _LEXEME.match(cql, position)
        if match is None or match.lastgroup is None:
            raise _BadCql(f"unexpected text at {position}")
        text = match.group(match.lastgroup)
        if match.lastgroup == "string":
            text = re.sub(r"\\(.)", r"\1", text[1:-1])
        tokens.append((match.lastgroup, text))
        position = match.end()
    return tokens


def _parse(cql: str) -> Predicate:
    tokens = _lex(cql)
    alternatives: list[list[Predicate]] = [[]]
    at = 0
    while True:
        clause, at = _clause(tokens, at)
        alternatives[-1].append(clause)
        if at == len(tokens):
            break
        kind, word = tokens[at]
        if kind != "word" or word.upper() not in ("AND", "OR"):
            raise _BadCql(f"expected AND or OR, got {word!r}")
        if word.upper() == "OR":
            alternatives.append([])
        at += 1
    return lambda page: any(all(test(page) for test in group) for group in alternatives)


def _clause(tokens: list[tuple[str, str]], at: int) -> tuple[Predicate, int]:
    if at + 1 >= len(tokens) or tokens[at][0] != "word":
        raise _BadCql("expected a field")
    field = tokens[at][1].lower()
    kind, text = tokens[at + 1]
    if kind == "op":
        value, at = _value(tokens, at + 2)
        return _compare(field, text, [value]), at
    negated = text.upper() == "NOT"
    if negated:
        at += 1
        kind, text = tokens[at + 1] if at + 1 < len(tokens) else ("", "")
    if kind != "word" or text.upper() != "IN":
        raise _BadCql("expected an operator")
    at += 2
    if at >= len(tokens) or tokens[at] != ("punct", "("):
        raise _BadCql("expected (")
    values: list[str] = []
    at += 1
    while True:
        value, at = _value(tokens, at)
        values.append(value)
        if at < len(tokens) and tokens[at] == ("punct", ","):
            at += 1
            continue
        if at < len(tokens) and tokens[at] == ("punct", ")"):
            return _compare(field, "!=" if negated else "=", values), at + 1
        raise _BadCql("expected , or )")


def _value(tokens: list[tuple[str, str]], at: int) -> tuple[str, int]:
    if at >= len(tokens):
        raise _BadCql("expected a value")
    kind, text = tokens[at]
    if kind == "string":
        return text, at + 1
    if (kind, text) == ("op", "~") and at + 1 < len(tokens) and tokens[at + 1][0] == "word":
        return "~" + tokens[at + 1][1], at + 2  # space=~key
    if kind == "word" and tokens[at + 1 : at + 3] == [("punct", "("), ("punct", ")")]:
        if text == "currentUser":
            return ALICE.account_id, at + 3
        raise _BadCql(f"unknown function {text}")
    if kind == "word":
        return text, at + 1
    raise _BadCql("expected a value")


_FIELDS: dict[str, Callable[[Page], tuple[str, ...]]] = {
    "creator": lambda page: (page.creator.account_id,),
    "contributor": lambda page: tuple(p.account_id for p in page.contributors),
    "watcher": lambda page: tuple(p.account_id for p in page.watchers),
    "space": lambda page: (page.space_key,),
    "space.key": lambda page: (page.space_key,),
    "type": lambda page: (page.type,),
    "title": lambda page: (page.title,),
    "id": lambda page: (page.id,),
    "lastmodified": lambda page: (page.last_modified.isoformat(),),
    "created": lambda page: (page.last_modified.isoformat(),),
}


def _compare(field: str, op: str, values: list[str]) -> Predicate:
    of = _FIELDS.get(field)
    if of is None:
        raise _BadCql(f"unsupported field {field}")
    tests: dict[str, Callable[[str, str], bool]] = {
        "=": lambda have, want: have == want,
        "!=": lambda have, want: have != want,
        "~": lambda have, want: want.lower() in have.lower(),
        ">": lambda have, want: have > want,
        ">=": lambda have, want: have >= want,
        "<": lambda have, want: have < want,
        "<=": lambda have, want: have <= want,
    }
    test = tests[op]
    if op == "!=":
        return lambda page: all(test(have, want) for have in of(page) for want in values)
    return lambda page: any(test(have, want) for have in of(page) for want in values)
