"""The strings of a generated response: people planted wherever a person can appear.

`Planter.string` decides from the property name (and its parent's) what a real response holds
there: an account id, an email, a name, a personal space key, a link, a body in storage / ADF /
view / wiki format with @-mentions, free text, or something that never names a person (ids,
dates, enums, statuses), and records each planting in the registry.

Pagination links (`_links.next`/`prev` of the response itself) are benign by default; with
`Profile.hostile_links` they echo people the way Confluence echoes a query: CQL
(`creator = "<id>"`, `creator in (…)`, `watcher = <id>`, `space = "~<key>"`, …) or an id sent
back as a v2 `cursor`, in one of several URL encodings.
"""

from __future__ import annotations

import base64
import json
import random
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import quote, quote_plus

from proxy.tooling.rules_lint import ACCOUNT_ID_FIELDS
from support.openapi.people import EMAIL_SYNTAXES, Person
from support.openapi.registry import PlantedRegistry

__all__ = [
    "BENIGN_KEYS",
    "CQL_CLAUSES",
    "CQL_ENCODINGS",
    "LINK_ENCODINGS",
    "PERSON_ID_KEYS",
    "Planter",
    "Profile",
    "encode_query_value",
]

SITE = "wiki-site.atlassian.net"
_ESCAPE = re.compile("%[0-9A-F]{2}")

#: Properties holding one account id (or a list of them): the lint's own list.
PERSON_ID_KEYS = ACCOUNT_ID_FIELDS
_EMAIL_KEYS = frozenset({"email", "emailAddress", "emails"})
_NAME_KEYS = frozenset({"displayName", "publicName", "fullName", "name"})
_USERNAME_KEYS = frozenset({"username"})
_USER_KEY_KEYS = frozenset({"userKey", "userKeys"})
_LINK_KEYS = frozenset(
    {
        "self",
        "webui",
        "tinyui",
        "editui",
        "edituiv2",
        "download",
        "base",
        "context",
        "collection",
        "next",
        "prev",
        "path",
        "apiDownloadLink",
        "downloadLink",
        "avatarUrl",
        "url",
        "href",
    }
)
#: Properties that never name a person: identifiers of things, states, kinds, formats.
BENIGN_KEYS = frozenset(
    {
        "id",
        "status",
        "type",
        "locale",
        "accountStatus",
        "accountType",
        "representation",
        "mediaType",
        "mediaTypeDescription",
        "comment_html",
        "operation",
        "targetType",
        "key_type",
        "subType",
        "contentType",
        "spaceKey",
        "color",
        "prefix",
        "label",
        "version",
        "number",
    }
)
_BODY_FORMATS = {
    "storage": "storage",
    "editor": "storage",
    "editor2": "storage",
    "atlas_doc_format": "adf",
    "dynamic": "adf",
    "raw": "adf",
    "view": "view",
    "export_view": "view",
    "styled_view": "view",
    "anonymous_export_view": "view",
    "wiki": "wiki",
}
_BENIGN_WORDS = ("current", "page", "global", "archived", "draft", "known", "active", "inline")
_STATUSES = ("current", "archived", "draft", "trashed")
_TYPES = ("page", "blogpost", "comment", "attachment", "folder")
_SCOPES = ("read:confluence-content.all", "read:confluence-space.summary", "search:confluence")


@dataclass(frozen=True)
class Profile:
    """What a generated response plants.

    `compact_keys`: personal space keys of `557058:`/`712020:` accounts in their compact form
    (`~557058<32 hex>`); without it such a person's key is the legacy `~username`.
    `hostile_links`: the response's own pagination links (and `Link` header) echo people,
    encoded in one of `link_encodings`.
    """

    compact_keys: bool = True
    hostile_links: bool = False
    link_encodings: tuple[str, ...] = ()  # those of hostile links; () = every LINK_ENCODINGS


def encode_query_value(text: str, encoding: str) -> str:
    """`text` as a query value, encoded the way `encoding` names (see `CQL_ENCODINGS`)."""
    confluence = quote_plus(text, safe="").replace("~", "%7E")
    match encoding:
        case "confluence":  # what Confluence writes: `+` for spaces, `%7E` for `~`
            return confluence
        case "percent-20":
            return quote(text, safe="").replace("~", "%7E")
        case "lower-hex":
            return _lower_escapes(confluence)
        case "colon-raw":
            return confluence.replace("%3A", ":")
        case "colon-lower":
            return confluence.replace("%3A", "%3a")
        case "tilde-raw":
            return quote_plus(text, safe="~")
        case "double":
            return quote_plus(confluence, safe="")
        case "triple":  # more than Confluence ever does: a misbehaving upstream's
            return quote_plus(quote_plus(confluence, safe=""), safe="")
        case "base64":  # inside an opaque cursor, as Atlassian's carry their state
            return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")
    raise ValueError(f"unknown encoding {encoding!r}")


CQL_ENCODINGS = (
    "confluence",
    "percent-20",
    "lower-hex",
    "colon-raw",
    "colon-lower",
    "tilde-raw",
    "double",
)
#: The encodings of the response's own hostile links: also more layers than Confluence uses,
#: and base64 (an opaque cursor holding a person).
LINK_ENCODINGS = (*CQL_ENCODINGS, "triple", "base64")


def _lower_escapes(text: str) -> str:
    return _ESCAPE.sub(lambda match: match.group().lower(), text)


def _quoted_ids(people: Sequence[Person]) -> str:
    return ",".join(f'"{p.account_id}"' for p in people)


#: (name, clause naming people a and b; `key` gives a person's personal space key).
CQL_CLAUSES: tuple[tuple[str, Callable[[Person, Person, Callable[[Person], str]], str]], ...] = (
    ("creator =", lambda a, b, key: f'creator = "{a.account_id}"'),
    ("creator in", lambda a, b, key: f"creator in ({_quoted_ids([a, b])})"),
    ("watcher = (unquoted)", lambda a, b, key: f"watcher = {a.account_id}"),
    ("contributor = (unquoted)", lambda a, b, key: f"contributor={b.account_id}"),
    ("mention =", lambda a, b, key: f'mention = "{b.account_id}"'),
    ("space =", lambda a, b, key: f'space = "{key(a)}"'),
    ("space in", lambda a, b, key: f'space in ("{key(a)}", "{b.legacy_space_key}")'),
    ("space.key = (unquoted)", lambda a, b, key: f"space.key = {key(b)}"),
    ("text ~ email", lambda a, b, key: f'text ~ "{a.email}"'),
)
_BENIGN_CQL = ("type = page", 'lastmodified >= "2025-08-01"', "space.type = global")


class Planter:
    """Writes the strings of one response, planting people, recording each in the registry."""

    def __init__(self, rng: random.Random, registry: PlantedRegistry, profile: Profile) -> None:
        self.rng = rng
        self.registry = registry
        self.profile = profile
        self._next_person = 0

    # --- people --------------------------------------------------------------------------------

    def subject(self) -> Person:
        """The next person of the cast, round robin: the one an object is about."""
        cast = self.registry.cast
        person = cast[self._next_person % len(cast)]
        self._next_person += 1
        return person

    def someone(self) -> Person:
        return self.rng.choice(self.registry.cast)

    def space_key(self, person: Person) -> str:
        """This person's personal space key, as the profile allows."""
        if person.uuid_form and not self.profile.compact_keys:
            return person.legacy_space_key
        return person.personal_space_key

    def _key_kind(self, key: str) -> str:
        if key.startswith("~") and any(key == p.legacy_space_key for p in self.registry.cast):
            return "space key (legacy ~username)"
        if len(key) == 25:
            return "space key (~24 hex)"
        return "space key (compact ~557058/712020)"

    # --- the string of one property ------------------------------------------------------------

    def string(
        self,
        key: str,
        parent: str,
        schema: dict[str, object],
        where: str,
        *,
        subject: Person,
        kept: bool,
    ) -> str:
        hint = schema.get("x-plant")
        if hint == "site-url":
            return f"https://{SITE}"
        if hint == "scope":
            return self.rng.choice(_SCOPES)
        enum = schema.get("enum")
        in_enum = not isinstance(enum, list) or parent in enum
        if key == "representation" and parent in _BODY_FORMATS and in_enum:
            return parent
        if isinstance(enum, list) and enum:
            return str(self.rng.choice(enum))
        text_format = schema.get("format")
        if text_format in ("date-time", "date", "uuid", "int64", "int32"):
            return self._benign(key, str(text_format))
        if key in PERSON_ID_KEYS:
            return self.account_id(where, subject, kept=kept)
        if key in _EMAIL_KEYS:
            return self.email(where, subject)
        if key in _NAME_KEYS:
            return self.name(where, subject, public=key == "publicName")
        if key in _USERNAME_KEYS:
            self.registry.plant("username", where, subject)
            return subject.username
        if key in _USER_KEY_KEYS:
            self.registry.plant("user key", where, subject)
            return subject.user_key
        if key == "key":
            return self.personal_key(where, subject)
        if key == "ari":
            self.registry.plant("ari", where, subject)
            return _ari(subject)
        if key == "base64EncodedAri":
            self.registry.plant("base64 ari", where, subject)
            return base64.b64encode(_ari(subject).encode()).decode("ascii")
        if key == "location" and parent == "extensions":
            return self.rng.choice(("inline", "footer"))
        if key in BENIGN_KEYS or (key.endswith("Id") and key not in PERSON_ID_KEYS):
            return self._benign(key, None)
        if key == "value" and parent in _BODY_FORMATS:
            return self.body(_BODY_FORMATS[parent], where, subject)
        if key in _LINK_KEYS or parent in ("_links", "_expandable") or text_format == "uri":
            return self.link(where, subject)
        return self.free_text(where, subject)

    def account_id(self, where: str, person: Person, *, kept: bool) -> str:
        """An id field: the canonical id, as Confluence sends it (now and then another form)."""
        roll = self.rng.random()
        if roll < 0.8:
            self.registry.plant(f"id {_id_form(person)}", where, person, kept=kept)
            return person.account_id
        if roll < 0.9:
            self.registry.plant("id field: email", where, person)
            return person.email
        self.registry.plant("id field: space key", where, person)
        return self.space_key(person)

    def email(self, where: str, person: Person) -> str:
        syntax = self.rng.choice(EMAIL_SYNTAXES)
        self.registry.plant(f"email ({syntax})", where, person)
        return person.email_as(syntax)

    def name(self, where: str, person: Person, *, public: bool = False) -> str:
        if public and self.rng.random() < 0.5:
            self.registry.plant("public name (first name)", where, person)
            return person.first_name.lower()
        self.registry.plant("display name", where, person)
        return person.display_name

    def personal_key(self, where: str, person: Person) -> str:
        roll = self.rng.random()
        if roll < 0.15:
            return self.rng.choice(("DEV", "OPS", "TEAM"))
        key = person.legacy_space_key if roll < 0.35 else self.space_key(person)
        self.registry.plant(self._key_kind(key), where, person)
        return key

    # --- text, bodies, links -------------------------------------------------------------------

    def free_text(self, where: str, person: Person) -> str:
        other = self.someone()
        syntax = self.rng.choice(EMAIL_SYNTAXES)
        self.registry.plant("free text", where, person)
        return (
            f"Notes from {person.display_name} ({person.email_as(syntax)}): ask @{other.username}"
            f" or {other.account_id}, see {self.space_key(other)}"
        )

    def body(self, body_format: str, where: str, person: Person) -> str:
        other = self.someone()
        self.registry.plant(f"{body_format} body mention", where, person)
        if body_format == "storage":
            return (
                f'<p>Review by <ac:link><ri:user ri:account-id="{person.account_id}" />'
                f'</ac:link> and <ac:link><ri:user ri:userkey="{other.user_key}" /></ac:link>,'
                f" cc {person.display_name} &lt;{person.email}&gt;</p>"
                f'<ac:link><ri:page ri:space-key="{self.space_key(other)}" '
                'ri:content-title="Notes" /></ac:link>'
            )
        if body_format == "adf":
            return json.dumps(
                {
                    "type": "doc",
                    "version": 1,
                    "content": [
                        {
                            "type": "paragraph",
                            "content": [
                                {"type": "text", "text": "Ping "},
                                {
                                    "type": "mention",
                                    "attrs": {
                                        "id": person.account_id,
                                        "text": f"@{person.display_name}",
                                        "accessLevel": "",
                                    },
                                },
                                {"type": "text", "text": f" or write to {other.email}"},
                                {
                                    "type": "inlineCard",
                                    "attrs": {
                                        "url": f"https://{SITE}/wiki/spaces/"
                                        f"{self.space_key(other)}/overview"
                                    },
                                },
                            ],
                        }
                    ],
                }
            )
        if body_format == "view":
            return (
                '<p><a class="confluence-userlink user-mention" '
                f'data-account-id="{person.account_id}" '
                f'href="https://{SITE}/wiki/people/{person.account_id}" '
                f'data-linked-resource-type="userinfo">{person.display_name}</a> and '
                f'<a href="mailto:{other.email}">{other.display_name}</a></p>'
            )
        return f"[~accountid:{person.account_id}] please review, {other.display_name}"

    def link(self, where: str, person: Person) -> str:
        """A link of an object (`self`, `webui`, an `_expandable`, an avatar `path`, ...)."""
        encoding = self.rng.choice(CQL_ENCODINGS)
        account = encode_query_value(person.account_id, encoding)
        templates = (
            ("user link", f"https://{SITE}/wiki/rest/api/user?accountId={account}"),
            ("space link", f"/wiki/spaces/{self.space_key(person)}/pages/65930/Notes"),
            ("legacy space link", f"/wiki/display/{person.legacy_space_key}"),
            ("avatar path", f"/wiki/aa-avatar/{person.account_id}"),
            ("space expandable", f"/rest/api/space/{self.space_key(person)}"),
            ("people link", f"https://{SITE}/wiki/people/{person.account_id}?ref=wiki"),
            ("mailto link", f"mailto:{person.email}"),
            (
                "user search link",
                f"/rest/api/search/user?cql=user.fullname~%22{quote(person.display_name)}%22",
            ),
        )
        kind, url = self.rng.choice(templates)
        self.registry.plant(kind, where, person)
        return url

    def pagination_link(self, base_path: str, params: list[tuple[str, str]], where: str) -> str:
        """The response's own `next`/`prev`: `params` (already encoded) plus, with hostile
        links, people echoed in CQL (v1 content search) or in the `cursor` (v2)."""
        query = list(params)
        if self.profile.hostile_links:
            query = self._hostile_query(query, where)
        return base_path + "?" + "&".join(f"{name}={value}" for name, value in query)

    def _hostile_query(self, query: list[tuple[str, str]], where: str) -> list[tuple[str, str]]:
        encoding = self.rng.choice(self.profile.link_encodings or LINK_ENCODINGS)
        names = [name for name, _ in query]
        a, b = self.someone(), self.someone()
        if "cursor" in names and "cql" not in names:  # v2: an id sent back as the cursor
            # (what a proxy can recognize outside CQL: ids, compact keys, emails)
            form = self.rng.choice((a.account_id, self.space_key(a), a.email))
            self.registry.plant(f"cursor echo ({encoding})", where, a)
            return [
                (name, encode_query_value(form, encoding) if name == "cursor" else value)
                for name, value in query
            ]
        clauses = [self.rng.choice(_BENIGN_CQL)]
        for _ in range(self.rng.randint(1, 3)):
            name, clause = self.rng.choice(CQL_CLAUSES)
            clauses.append(clause(a, b, self.space_key))
            self.registry.plant(f"CQL {name}", where, a)
        self.rng.shuffle(clauses)
        cql = f" {self.rng.choice(('AND', 'OR'))} ".join(clauses) + " ORDER BY lastmodified DESC"
        self.registry.plant(f"CQL encoding {encoding}", where, a)
        encoded = encode_query_value(cql, encoding)
        return [(name, value) for name, value in query if name != "cql"] + [("cql", encoded)]

    # --- what never names a person -------------------------------------------------------------

    def _benign(self, key: str, text_format: str | None) -> str:
        rng = self.rng
        if text_format == "date-time":
            return (
                f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T"
                f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00.{rng.randint(0, 999):03d}Z"
            )
        if text_format == "date":
            return f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        if text_format == "uuid":
            return str(_uuid(rng))
        if key == "status":
            return rng.choice(_STATUSES)
        if key == "type":
            return rng.choice(_TYPES)
        if key == "locale":
            return "en_US"
        if key == "id" or key.endswith("Id") or text_format in ("int64", "int32"):
            return str(rng.randint(1, 10**9))
        return rng.choice(_BENIGN_WORDS)


def _id_form(person: Person) -> str:
    if not person.uuid_form:
        return "(24 hex)"
    return f"({person.account_id.partition(':')[0]}:)"


def _ari(person: Person) -> str:
    return f"ari:cloud:identity::user/{person.account_id}"


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))
