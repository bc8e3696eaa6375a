"""The simulator's small site for searches: four people in every id form, sixteen pages.

Each person has one of the account-id forms Confluence uses (legacy 24-hex, `557058:` and
`712020:` ids) and a personal space whose key is written the way Confluence writes it for that
account (`~<24-hex>`, the compact `~557058<32 hex>`, or an old `~username`). Alice is the
current user (`currentUser()`) and the owner of the example files' personal space.

    [page.id for page in PAGES if page.creator is ALICE]
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

__all__ = ["ALICE", "BOB", "CAROL", "DAVE", "PAGES", "PEOPLE", "Page", "Person", "user_json"]

SITE = "https://company-team.atlassian.net/wiki"


@dataclass(frozen=True)
class Person:
    account_id: str
    email: str
    name: str
    space_key: str  # the key of the person's personal space


@dataclass(frozen=True)
class Page:
    id: str
    type: str
    title: str
    space_key: str
    creator: Person
    contributors: tuple[Person, ...]
    watchers: tuple[Person, ...]
    last_modified: datetime.date


ALICE = Person(
    "608a9b555426330072f9867d", "alice@company.org", "Alice", "~608a9b555426330072f9867d"
)
BOB = Person(
    "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077",
    "bob@company.org",
    "Bob",
    "~557058f58131cbb67d43c7b30d6b58d40bd077",
)
CAROL = Person(
    "712020:0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b",
    "carol@company.org",
    "Carol",
    "~7120200b1c2d3e4f5046178a9b0c1d2e3f4a5b",
)
DAVE = Person("5cb4ae0e4b97ab11a18e00c7", "dave@company.org", "Dave", "~dave")
PEOPLE = (ALICE, BOB, CAROL, DAVE)


def _pages() -> tuple[Page, ...]:
    """Alice creates 7 pages, Bob 4, Carol 3, Dave 2; each has a contributor and 2 watchers."""
    creators = [ALICE] * 7 + [BOB] * 4 + [CAROL] * 3 + [DAVE] * 2
    pages = []
    for number, creator in enumerate(creators):
        index = PEOPLE.index(creator)
        other, third = PEOPLE[(index + 1) % 4], PEOPLE[(index + 2) % 4]
        pages.append(
            Page(
                id=str(300001 + number),
                type="blogpost" if number % 3 == 2 else "page",
                title=f"Notes {number + 1} by {creator.name}",
                space_key=creator.space_key if number % 2 == 0 else "SD",
                creator=creator,
                contributors=(creator, other),
                watchers=(other, third),
                last_modified=datetime.date(2025, 8, 1) + datetime.timedelta(days=number),
            )
        )
    return tuple(pages)


PAGES = _pages()


def user_json(person: Person) -> dict[str, object]:
    """A user as content search embeds it (`history.createdBy`, `version.by`)."""
    return {
        "type": "known",
        "accountId": person.account_id,
        "accountType": "atlassian",
        "email": person.email,
        "publicName": person.name.lower(),
        "profilePicture": {
            "path": f"/wiki/aa-avatar/{person.account_id}",
            "width": 48,
            "height": 48,
            "isDefault": False,
        },
        "displayName": person.name,
        "accountStatus": "active",
        "_links": {"self": f"{SITE}/rest/api/user?accountId={person.account_id}"},
    }


def page_json(page: Page) -> dict[str, object]:
    """A content-search result for one page."""
    modified = f"{page.last_modified.isoformat()}T10:00:00.000Z"
    return {
        "id": page.id,
        "type": page.type,
        "status": "current",
        "title": page.title,
        "history": {
            "latest": True,
            "createdBy": user_json(page.creator),
            "createdDate": modified,
        },
        "version": {
            "by": user_json(page.contributors[-1]),
            "when": modified,
            "message": "",
            "number": 2,
            "minorEdit": False,
        },
        "_expandable": {"space": f"/rest/api/space/{page.space_key}"},
        "_links": {
            "webui": f"/spaces/{page.space_key}/pages/{page.id}",
            "self": f"{SITE}/rest/api/content/{page.id}",
        },
    }
