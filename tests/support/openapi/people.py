"""The people planted in generated responses: every form in which Confluence names a person.

A person has one canonical account id (24 hex digits, or `557058:<uuid>` / `712020:<uuid>`),
the compact personal-space key Confluence derives from it (`~5570589f1e...`: the id without
`:` and `-`), a legacy `~username` key, a legacy user key, an email, and a display name. Every
random part is long enough (10+ characters, consonants only for words) that finding it in an
output by chance is impossible, and new to every benign value the generator writes.

    person = draw(people(min_size=1, max_size=3))[0]
    person.account_id, person.personal_space_key, person.email_as("name-addr")
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from hypothesis import strategies as st

__all__ = [
    "ACCOUNT_PREFIXES",
    "EMAIL_DOMAINS",
    "EMAIL_SYNTAXES",
    "FIXED_CAST",
    "Person",
    "people",
]

ACCOUNT_PREFIXES = ("557058", "712020")
EMAIL_DOMAINS = ("example.com", "corp.example.org", "acme.co", "bücher.example")
#: How an email may be written where a person's address appears.
EMAIL_SYNTAXES = ("plain", "mixed-case", "plus-tag", "quoted", "name-addr", "mailto")
_CONSONANTS = "bcdfghjklmnpqrstvwxz"  # no benign word of the generator is made of these only
_HEX = "0123456789abcdef"


@dataclass(frozen=True)
class Person:
    account_id: str
    first_name: str
    last_name: str
    local_part: str
    domain: str
    username: str
    user_key: str

    @property
    def uuid_form(self) -> bool:
        return ":" in self.account_id

    @property
    def uuid(self) -> str | None:
        """The uuid of a `557058:<uuid>` id (None for a 24-hex id)."""
        return self.account_id.partition(":")[2] or None

    @property
    def compact_id(self) -> str:
        """The id without `:` and `-` (a 24-hex id stays as it is)."""
        return self.account_id.replace(":", "").replace("-", "")

    @property
    def personal_space_key(self) -> str:
        """`~<compact id>`: the personal space key of this account."""
        return "~" + self.compact_id

    @property
    def legacy_space_key(self) -> str:
        """`~<username>`: a personal space key from before account ids."""
        return "~" + self.username

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def email(self) -> str:
        return f"{self.local_part}@{self.domain}"

    def email_as(self, syntax: str) -> str:
        """The email written in one of `EMAIL_SYNTAXES`."""
        match syntax:
            case "plain":
                return self.email
            case "mixed-case":
                return f"{self.local_part.capitalize()}@{self.domain.upper()}"
            case "plus-tag":
                return f"{self.local_part}+wiki@{self.domain}"
            case "quoted":
                return f'"{self.local_part}"@{self.domain}'
            case "name-addr":
                return f"{self.display_name} <{self.email}>"
            case "mailto":
                return f"mailto:{self.email}"
        raise ValueError(f"unknown email syntax {syntax!r}")

    def identifying_values(self) -> dict[str, str]:
        """Every piece of text that identifies this person, by what it is.

        The domain is not among them: pseudonymized emails keep it on purpose.
        """
        values = {
            "account id": self.account_id,
            "compact id": self.compact_id,
            "first name": self.first_name,
            "last name": self.last_name,
            "display name": self.display_name,
            "email": self.email,
            "email local part": self.local_part,
            "username": self.username,
            "user key": self.user_key,
        }
        if self.uuid is not None:
            values["account uuid"] = self.uuid
            values["account uuid hex"] = self.uuid.replace("-", "")
        return values

    def canonical_forms(self) -> frozenset[str]:
        """Texts a reversible token of this person's account may decrypt to."""
        return frozenset({self.account_id, self.compact_id})


def _word(min_size: int = 10) -> st.SearchStrategy[str]:
    return st.text(_CONSONANTS, min_size=min_size, max_size=min_size + 4)


_hex24 = st.text(_HEX, min_size=24, max_size=24)
_uuid_id = st.builds(
    lambda prefix, value: f"{prefix}:{value}",
    st.sampled_from(ACCOUNT_PREFIXES),
    st.uuids().map(str),
)


def _person(words: list[str], account_id: str, domain: str, user_key: uuid.UUID) -> Person:
    first, last, local, username = words
    return Person(
        account_id=account_id,
        first_name=first.capitalize(),
        last_name=last.capitalize(),
        local_part=local,
        domain=domain,
        username=username,
        user_key=user_key.hex,
    )


def person() -> st.SearchStrategy[Person]:
    return st.builds(
        _person,
        words=st.lists(_word(), min_size=4, max_size=4, unique=True),
        account_id=st.one_of(_hex24, _uuid_id),
        domain=st.sampled_from(EMAIL_DOMAINS),
        user_key=st.uuids(),
    )


def people(min_size: int = 1, max_size: int = 3) -> st.SearchStrategy[list[Person]]:
    """A cast with no text shared between two people (so every token has one owner)."""
    return st.lists(person(), min_size=min_size, max_size=max_size).filter(_all_distinct)


def _all_distinct(cast: list[Person]) -> bool:
    seen: set[str] = set()
    for member in cast:
        values = {
            value.lower()
            for key, value in member.identifying_values().items()
            if key not in ("email", "display name")
        }
        if seen & values:
            return False
        seen |= values
    return True


#: One person of each account-id form, for deterministic tests (sweeps, spot checks).
FIXED_CAST = (
    Person(
        "5b10ac8d82e05b22cc7d4ef5",
        "Qwrtzplkjh",
        "Mnbvcxzlkj",
        "pqrstvwxzb",
        "acme.co",
        "zxcvbnmlkjh",
        "7f0000017b2f3a6c017b2f3b9a2c0000",
    ),
    Person(
        "557058:9f1e3c2a-7b4d-4e8f-a1b2-c3d4e5f60718",
        "Hjklmnbvcx",
        "Tzrwqplkmn",
        "dfghjklmnb",
        "example.com",
        "bcdfghjklmn",
        "8a7f80829a1c2b3d4e5f60718293a4b5",
    ),
    Person(
        "712020:0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f",
        "Wxzvbnmlkj",
        "Sdfghjklqw",
        "rtzpqwxcvb",
        "corp.example.org",
        "nmlkjhgfdsq",
        "2c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f",
    ),
)
