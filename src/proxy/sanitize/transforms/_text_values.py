"""Value functions of the transforms that rewrite text without pseudonyms (reference §2.3).

Each `make_*` takes the transform's options (already defaulted and validated by the loader)
and returns a function from the matched JSON value to its replacement. Shared rule: null stays
null, a non-string becomes null, a blank string is left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import orjson

from proxy.rules import compile_java_regex
from proxy.sanitize._json_codec import dumps
from proxy.sanitize.jsonpath import JsonFunction, compile_path
from proxy.sanitize.transforms._text_digest import text_digest

__all__ = [
    "java_split",
    "make_filter_token_by_regex",
    "make_redact_except_phrases",
    "make_redact_except_substrings",
    "make_redact_regex_matches",
    "make_text_digest",
    "on_text",
]


def on_text(transform: Callable[[str], Any]) -> JsonFunction:
    """Apply `transform` to non-blank strings: null stays null, non-strings become null."""

    def value_function(value: Any) -> Any:
        if not isinstance(value, str):
            return None
        if not value.strip():
            return value
        return transform(value)

    return value_function


def java_split(pattern: re.Pattern[str], text: str) -> list[str]:
    """Java `String.split(regex)`: groups are not returned, a zero-width match at the start
    yields no leading empty string, and trailing empty strings are dropped."""
    parts: list[str] = []
    start = 0
    for match in pattern.finditer(text):
        if match.end() == 0:
            continue
        parts.append(text[start : match.start()])
        start = match.end()
    if not parts:
        return [text]
    parts.append(text[start:])
    while parts and parts[-1] == "":
        parts.pop()
    return parts


def make_redact_regex_matches(options: Mapping[str, Any]) -> JsonFunction:
    patterns = [compile_java_regex(p) for p in options["redactions"]]

    def redact(text: str) -> str:
        for pattern in patterns:
            text = pattern.sub("", text)
        return text

    return on_text(redact)


def make_redact_except_phrases(options: Mapping[str, Any]) -> JsonFunction:
    # Java's \b follows Unicode letters and digits, so no re.ASCII here.
    patterns = [
        re.compile(rf"\b({re.escape(phrase)})[\s:]*\b", re.IGNORECASE)
        for phrase in options["allowedPhrases"]
    ]

    def keep_phrases(text: str) -> str:
        found = (pattern.search(text) for pattern in patterns)
        return ",".join(match.group(1) for match in found if match)

    return on_text(keep_phrases)


def make_redact_except_substrings(options: Mapping[str, Any]) -> JsonFunction:
    patterns = [compile_java_regex(f".*?({exception}).*?") for exception in options["exceptions"]]

    def keep_longest(text: str) -> str:
        best = ""
        for pattern in patterns:
            match = pattern.fullmatch(text)
            if match and len(match.group(1)) > len(best):
                best = match.group(1)
        return best

    return on_text(keep_longest)


def make_filter_token_by_regex(options: Mapping[str, Any]) -> JsonFunction:
    delimiter = options["delimiter"]
    splitter = compile_java_regex(delimiter) if delimiter is not None else None
    filters = [compile_java_regex(f) for f in options["filters"]]

    def filter_tokens(text: str) -> str | None:
        tokens = java_split(splitter, text) if splitter is not None else [text]
        kept = [t for t in tokens if any(f.fullmatch(t) for f in filters)]
        return " ".join(kept).strip() or None

    def value_function(value: Any) -> Any:
        if not isinstance(value, str):
            return None
        return filter_tokens(value)

    return value_function


def make_text_digest(options: Mapping[str, Any], *, where: str = "") -> JsonFunction:
    keywords = tuple(options["keywords"])
    inner_path = options["jsonPathToProcessWhenEscaped"] if options["isJsonEscaped"] else None
    inner = compile_path(inner_path, where=where) if inner_path else None

    def digest_value(value: Any) -> Any:
        return text_digest(value, keywords) if isinstance(value, str) else None

    def digest(value: Any) -> Any:
        if not isinstance(value, str):
            return None
        if inner is None:
            return text_digest(value, keywords)
        document = orjson.loads(value)
        return dumps(inner.map(document, digest_value)).decode("utf-8")

    return digest
