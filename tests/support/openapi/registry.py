"""What one generated response planted, and finding any of it, in any encoding, in an output.

Every identifying text of every person of the cast is searched, whether or not it was planted
in this response (they are random and unique, so any appearance is a leak), in each encoding a
URL, a JSON string, an HTML attribute or base64 may give it: raw, percent-encoded (upper- or
lower-case hex, any reserved characters kept), `+` for spaces, double- and triple-encoded,
JSON-escaped,
HTML-escaped (compared case-insensitively), and base64 / base64url at every byte alignment
(compared exactly).

    registry = PlantedRegistry(cast)
    registry.plant("account id (557058:)", "$.results[0].authorId", person, kept=True)
    assert registry.leaks(output_text) == []
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import quote, quote_plus, unquote

from support.openapi.people import Person

__all__ = ["PlantedRegistry", "Planting", "encoded_forms", "reversible_tokens"]

_MIN_BASE64_BYTES = 6
# A `p~` token as it may appear in an output: plain, or with `~` percent-encoded (once or twice)
# inside a URL. The `@domain` of an email's token is not part of what is decrypted.
_TOKEN = re.compile(r"p(?:~|%7e|%257e)([A-Za-z0-9_-]{43,})", re.IGNORECASE)


@dataclass(frozen=True)
class Planting:
    kind: str
    where: str
    person: Person | None
    kept: bool  # the rules' responseSchema admits the place it was planted


def encoded_forms(value: str) -> set[str]:
    """`value` as text may carry it (compare lower-cased)."""
    forms = {value, html.escape(value), json.dumps(value)[1:-1]}
    forms.add(json.dumps(value, ensure_ascii=False)[1:-1])
    for safe in ("", ":", "@", "~", ":@~+"):
        once = quote(value, safe=safe)
        twice = quote(once, safe="")
        forms |= {once, twice, quote(twice, safe=""), quote_plus(value, safe=safe)}
    return {form.lower() for form in forms if form}


def base64_forms(value: str) -> set[str]:
    """The base64 and base64url characters `value` gives at each of the three byte alignments
    (only characters made of the value's bytes alone; compare exactly)."""
    data = value.encode("utf-8")
    forms = set()
    for offset in range(3):
        chunk = data[offset:]
        chunk = chunk[: len(chunk) // 3 * 3]
        if len(chunk) >= _MIN_BASE64_BYTES:
            forms.add(base64.b64encode(chunk).decode("ascii"))
            forms.add(base64.urlsafe_b64encode(chunk).decode("ascii"))
    return forms


def reversible_tokens(text: str) -> list[str]:
    """Every `p~` token in `text`, normalized to `p~<base64url>` (what `decrypt` takes)."""
    return ["p~" + match.group(1) for match in _TOKEN.finditer(text)]


@dataclass
class PlantedRegistry:
    """The cast of one generated response and where each of them was planted."""

    cast: list[Person]
    plantings: list[Planting] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._text_forms: list[tuple[str, str]] = []
        self._base64_forms: list[tuple[str, str]] = []
        for index, person in enumerate(self.cast):
            for what, value in person.identifying_values().items():
                label = f"person {index} {what} {value!r}"
                self._text_forms += [(form, label) for form in sorted(encoded_forms(value))]
                self._base64_forms += [(form, label) for form in sorted(base64_forms(value))]

    def plant(self, kind: str, where: str, person: Person | None, *, kept: bool = False) -> None:
        self.plantings.append(Planting(kind, where, person, kept))

    @property
    def kinds(self) -> Counter[str]:
        return Counter(planting.kind for planting in self.plantings)

    def leaks(self, text: str) -> list[str]:
        """A line per identifying text found in `text` (empty when nothing leaked)."""
        lowered = text.lower()
        found = {label for form, label in self._text_forms if form in lowered}
        found |= {f"{label} (base64)" for form, label in self._base64_forms if form in text}
        return sorted(found)

    def leak_report(self, text: str, label: str) -> str:
        """The leaks of `text` with where each appears, for an assertion message."""
        lines = [f"{label}: planted values found in the output"]
        lowered = text.lower()
        found = [(form, what, lowered.find(form)) for form, what in self._text_forms]
        found += [(form, f"{what} (base64)", text.find(form)) for form, what in self._base64_forms]
        for form, what, at in found:
            if at >= 0:
                lines.append(f"- {what} as {form!r}: ...{text[max(0, at - 80) : at + 80]!r}...")
        lines.append(f"(planted here: {', '.join(sorted(self.kinds))})")
        return "\n".join(lines)

    def owner(self, plaintext: str) -> tuple[Person, str] | None:
        """Whose planted value a decrypted token holds, and what it is: `account`, `email` or
        `username` (a legacy `~username` key, which names no account)."""
        candidates = {plaintext, unquote(plaintext), unquote(unquote(plaintext))}
        for person in self.cast:
            accounts = person.canonical_forms()
            if candidates & (accounts | {"~" + form for form in accounts}):
                return person, "account"
            if any("@" in text and person.local_part in text.lower() for text in candidates):
                return person, "email"
            if candidates & {person.username, person.legacy_space_key}:
                return person, "username"
        return None

    def kept_account_owners(self) -> set[str]:
        """Account ids planted, as they are, in a person-id field the rules' schema keeps."""
        return {
            planting.person.account_id
            for planting in self.plantings
            if planting.kept and planting.person is not None and planting.kind.startswith("id ")
        }
