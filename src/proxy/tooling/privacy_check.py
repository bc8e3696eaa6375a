"""`proxy call --all`'s privacy check: find what looks like a raw Atlassian account id or email.

Independent of the rules on purpose (it checks their result): every string of a sanitized body,
keys included, percent-decoded as well as raw (the CQL of a `next` link is URL-encoded), after
removing the proxy's own pseudonyms (`t~…`, `p~…`, `t~…@domain`). What remains must hold no

- legacy account id: 24 hex digits (``608a9b555426330072f9867d``);
- current account id: ``<digits>:<uuid>`` (``557058:f1d0…``), also URL-encoded (``%3A``) or in
  the compact form of personal space keys (6 digits + 32 hex digits);
- email address (``alice@company.org``).

A finding names where it was (JSON path) and shows the value masked, so the report itself does
not spread the identifier further.

    findings = scan_json(json.loads(body))      # [] when clean
    findings = scan_text(url)                   # for a URL about to be sent
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

__all__ = ["Finding", "mask", "scan_json", "scan_text"]

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PSEUDONYM = re.compile(r"[tp]~[A-Za-z0-9_-]+(?:@[A-Za-z0-9.-]+)?")
_BOUNDARY_BEFORE, _BOUNDARY_AFTER = r"(?<![0-9A-Za-z])", r"(?![0-9A-Za-z])"
_HEX = "[0-9a-fA-F]"
_UUID = rf"{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("account id", re.compile(rf"{_BOUNDARY_BEFORE}[0-9]{{1,10}}:{_UUID}{_BOUNDARY_AFTER}")),
    ("account id", re.compile(rf"{_BOUNDARY_BEFORE}[0-9]{{6}}{_HEX}{{32}}{_BOUNDARY_AFTER}")),
    ("account id", re.compile(rf"{_BOUNDARY_BEFORE}{_HEX}{{24}}{_BOUNDARY_AFTER}")),
    (
        "email",
        re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
    ),
)


@dataclass(frozen=True)
class Finding:
    """One raw-looking identifier: where (`$.results[0].authorId`), what kind, masked value."""

    path: str
    kind: str
    masked: str

    def __str__(self) -> str:
        return f"{self.path}: {self.kind} {self.masked}"


def mask(value: str) -> str:
    """``608a…867d``: enough to recognise it, not enough to use it."""
    return value if len(value) <= 6 else f"{value[:4]}…{value[-4:]}"


def scan_text(text: str, path: str = "$") -> list[Finding]:
    """Raw identifiers in one string (raw and percent-decoded), each reported once."""
    seen: dict[str, Finding] = {}
    for variant in dict.fromkeys((text, unquote_plus(text))):
        remainder = _PSEUDONYM.sub(" ", variant)
        for kind, pattern in _PATTERNS:
            for match in pattern.finditer(remainder):
                found = match.group(0)
                if not any(found in known for known in seen):  # a shorter match inside a longer
                    seen[found] = Finding(path, kind, mask(found))
    return list(seen.values())


def scan_json(value: Any, path: str = "$") -> list[Finding]:
    """Raw identifiers anywhere in a decoded JSON value (strings and object keys)."""
    return [finding for at, text in _strings(value, path) for finding in scan_text(text, at)]


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            at = f"{path}.{key}" if _PLAIN_KEY.fullmatch(key) else f"{path}[{key!r}]"
            yield at, key
            yield from _strings(item, at)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")
