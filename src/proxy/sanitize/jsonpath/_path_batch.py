"""One walk that finds the matches of many `..name` scans at once (used by `_update_plan`).

For every object under the given roots that holds one of the names, a hit is recorded for that
name, in the pre-order `..name` itself visits objects in (an object before its children, keys in
document order, descending into matched values too). Each hit also carries its *enclosing
slots*: the `(id(object), name)` pairs, for names of the batch, whose values the hit lies in
(the hit's own slot excluded). A later path that replaced or removed one of those values has
detached the hit from the document, which is how `_update_plan` knows to skip it.

    hits = collect_hits(roots, frozenset({"accountId", "email"}))
    for node, enclosing in hits["email"]: ...
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["Hit", "Slot", "collect_hits"]

Slot = tuple[int, str]
Hit = tuple[dict[str, Any], tuple[Slot, ...]]

_NO_SLOTS: tuple[Slot, ...] = ()


def collect_hits(roots: Iterable[Any], names: frozenset[str]) -> dict[str, list[Hit]]:
    """Hits per name under every root, in scan order; each object is visited once."""
    hits: dict[str, list[Hit]] = {name: [] for name in names}
    seen: set[int] = set()
    for root in roots:
        if id(root) not in seen:  # `[0,0]`-style prefixes repeat a root; Jayway dedupes those
            seen.add(id(root))
            _walk(root, names, hits)
    return hits


def _record(
    node: dict[str, Any],
    enclosing: tuple[Slot, ...],
    names: frozenset[str],
    hits: dict[str, list[Hit]],
) -> None:
    for name in names:
        if name in node:
            hits[name].append((node, enclosing))


def _walk(root: Any, names: frozenset[str], hits: dict[str, list[Hit]]) -> None:
    """Pre-order over containers with an explicit stack (no recursion limit, no copies)."""
    kind = type(root)
    if kind is dict:
        if not names.isdisjoint(root):
            _record(root, _NO_SLOTS, names, hits)
        items: Iterator[tuple[Any, Any]] = iter(root.items())
    elif kind is list:
        items = enumerate(root)
    else:
        return
    # Parallel stacks: children still to visit, their container, the slots enclosing them.
    iterators: list[Iterator[tuple[Any, Any]]] = [items]
    parents: list[Any] = [root]
    enclosings: list[tuple[Slot, ...]] = [_NO_SLOTS]
    isdisjoint = names.isdisjoint
    while iterators:
        for key, child in iterators[-1]:
            kind = type(child)
            if kind is not dict and kind is not list:
                continue
            enclosing = enclosings[-1]
            if key in names:  # list indexes never are
                enclosing = (*enclosing, (id(parents[-1]), key))
            if kind is dict:
                if not isdisjoint(child):
                    _record(child, enclosing, names, hits)
                iterators.append(iter(child.items()))
            else:
                iterators.append(enumerate(child))
            parents.append(child)
            enclosings.append(enclosing)
            break
        else:
            iterators.pop()
            parents.pop()
            enclosings.pop()
