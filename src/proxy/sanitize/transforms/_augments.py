"""Augments (reference §2.4): synthetic sibling fields added before the schema filter.

For each match of an augment's paths, a sibling `+<field>:<kind>` is added to the object holding
it; the schema filter passes `+` keys through. Only `textDigest` is supported (the digest as an
object; with `innerJsonPath`, the matched JSON text with its inner strings digested).
`+` keys already present in the response did not come from an augment: they are removed first
(the reference skipped the augments and let them through the schema), so nobody can smuggle a
field past the schema by naming it like an augment.

    augment = compile_augments(endpoint.augments, where)
    document = augment(document)
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import orjson

from proxy.rules import Augment
from proxy.sanitize._json_codec import dumps
from proxy.sanitize.jsonpath import JsonFunction, compile_path
from proxy.sanitize.transforms._text_digest import text_digest, text_digest_object

__all__ = ["compile_augments"]

log = logging.getLogger("proxy.sanitize.augments")  # stable name, as logged


def _drop_plus_keys(value: Any) -> int:
    """Remove every `+`-prefixed key, at any depth; returns how many were removed."""
    removed = 0
    stack = [value]
    while stack:
        node = stack.pop()
        if type(node) is dict:
            for key in [k for k in node if k.startswith("+")]:
                del node[key]
                removed += 1
            stack.extend(node.values())
        elif type(node) is list:
            stack.extend(node)
    return removed


def _compile(augment: Augment, where: str) -> JsonFunction:
    paths = [
        compile_path(text, where=f"{where}.jsonPaths[{index}]")
        for index, text in enumerate(augment.json_paths)
    ]
    inner_text = augment.options.get("innerJsonPath")
    inner = compile_path(inner_text, where=f"{where}.innerJsonPath") if inner_text else None
    keywords = tuple(augment.options.get("keywords") or ())

    def digest(value: Any) -> Any:
        if not isinstance(value, str):
            raise TypeError("textDigest augment of a non-string")
        if inner is None:
            return text_digest_object(value, keywords)
        document = orjson.loads(value)
        digested = inner.map(
            document, lambda v: text_digest(v, keywords) if isinstance(v, str) else None
        )
        return dumps(digested).decode("utf-8")

    def apply(document: Any) -> Any:
        for path in paths:
            for parent, key, value in path.locate(document):
                try:
                    parent[f"+{key}:{augment.kind}"] = digest(value)
                except Exception as exc:  # the reference swallows augment failures
                    failure = type(exc).__name__
                    log.warning("augment %s failed at %s: %s", augment.kind, path.text, failure)
        return document

    return apply


def compile_augments(augments: Sequence[Augment], where: str) -> JsonFunction | None:
    """One function adding every augment, or None when the endpoint has none."""
    if not augments:
        return None
    functions = [
        _compile(augment, f"{where}.augments[{i}] ({augment.kind})")
        for i, augment in enumerate(augments)
    ]

    def apply_all(document: Any) -> Any:
        if _drop_plus_keys(document):
            log.warning("the response had '+' keys of its own; they were removed")
        for function in functions:
            document = function(document)
        return document

    return apply_all
