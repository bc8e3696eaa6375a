"""Our bundled Confluence rules: read-only, leak less than the reference, examples up to date."""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proxy.cli.sanitize_command import EXAMPLE_SITE, regenerate_examples, split_url
from proxy.errors import MissingEncryptionKey
from proxy.rules import bundled_rules_text, resolve_rules
from proxy.sanitize import PseudonymKeys
from proxy.secret_value import Secret
from proxy.simulator.confluence import EXAMPLE_CALLS
from support.engine import Engine

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "example-api-responses"
CALLS = [{"url": c.url(EXAMPLE_SITE), "file": c.file} for c in EXAMPLE_CALLS]
ACCOUNT_ID = re.compile(r"\b(?:[0-9a-f]{24}|\d+:[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12})\b")
KEYS = PseudonymKeys(salt=Secret("salt"), encryption_key=Secret("secret"))


@pytest.fixture(scope="module")
def sanitizer() -> Engine:
    return Engine(resolve_rules("confluence"), KEYS)


def _sanitize(sanitizer: Engine, url: str, body: bytes) -> bytes:
    endpoint = sanitizer.match("GET", *split_url(url))
    assert endpoint is not None
    return sanitizer.sanitize(endpoint, body)


def _json(sanitizer: Engine, name: str) -> Any:
    call = next(c for c in CALLS if c["file"] == name)
    return orjson.loads(
        _sanitize(sanitizer, call["url"], (EXAMPLES / "original" / name).read_bytes())
    )


def test_committed_sanitized_examples_are_up_to_date(tmp_path: Path) -> None:
    (tmp_path / "original").symlink_to(EXAMPLES / "original")
    assert regenerate_examples(tmp_path) == len(CALLS)
    for call in CALLS:
        fresh = (tmp_path / "sanitized" / call["file"]).read_text("utf-8")
        committed = (EXAMPLES / "sanitized" / call["file"]).read_text("utf-8")
        assert fresh == committed, f"run `proxy sanitize --examples`: {call['file']} is stale"


def test_schema_names_match_the_api(sanitizer: Engine) -> None:
    space = _json(sanitizer, "spaces.json")["results"][0]
    assert space["homepageId"] == "65930"
    assert "name" not in space
    assert "currentActiveAlias" not in space


def test_personal_space_keys_become_decryptable_tokens(sanitizer: Engine) -> None:
    spaces = _json(sanitizer, "spaces.json")["results"]
    personal, named = spaces[0]["key"], spaces[1]["key"]
    assert named == "SD"
    assert personal.startswith("~p~")
    assert sanitizer.pseudonymizer.decrypt(personal[1:]) == "608a9b555426330072f9867d"
    # the token's hash part is the t~ pseudonym of the same account id
    assert personal[3:46] == spaces[0]["authorId"][2:]


def test_next_link_keeps_working_once_the_gateway_decrypts_it(sanitizer: Engine) -> None:
    original = orjson.loads((EXAMPLES / "original" / "content_search.json").read_bytes())
    sanitized_next = _json(sanitizer, "content_search.json")["_links"]["next"]
    assert "608a9b555426330072f9867d" not in sanitized_next
    assert sanitizer.pseudonymizer.reverse_tokens(sanitized_next) == original["_links"]["next"]


def test_next_link_without_ids_is_left_as_is(sanitizer: Engine) -> None:
    body = orjson.dumps({"results": [], "_links": {"next": "/rest/api/content/search?cursor=x"}})
    url = "/ex/confluence/c/wiki/rest/api/content/search?cql=type%3Dpage"
    assert orjson.loads(_sanitize(sanitizer, url, body))["_links"] == {
        "next": "/rest/api/content/search?cursor=x"
    }


def test_bundled_rules_refuse_to_load_without_an_encryption_key() -> None:
    with pytest.raises(MissingEncryptionKey, match="PSOXY_ENCRYPTION_KEY"):
        Engine(resolve_rules("confluence"), PseudonymKeys(salt=Secret("salt")))


def test_every_endpoint_is_get_only() -> None:
    rules = resolve_rules("confluence")
    assert len(rules.endpoints) == 12
    assert all(e.allowed_methods == frozenset({"GET"}) for e in rules.endpoints)
    assert "allowedMethods: [GET]" in bundled_rules_text("confluence")


# --- property: no identifier from the input survives ------------------------------------------

_FIXTURE_IDS = sorted(
    {
        match
        for call in CALLS
        for match in ACCOUNT_ID.findall((EXAMPLES / "original" / call["file"]).read_text("utf-8"))
    }
)
_hex24 = st.text("0123456789abcdef", min_size=24, max_size=24)
_uuid_id = st.uuids().map(lambda u: f"557058:{u}")
_account_ids = st.lists(
    st.one_of(_hex24, _uuid_id), min_size=len(_FIXTURE_IDS), max_size=len(_FIXTURE_IDS), unique=True
)
# Words that occur in the sanitized examples anyway ("confluence" in the scopes) prove nothing:
# a generated name or local part must be new to every original and sanitized example.
_EXAMPLE_TEXTS = [
    (EXAMPLES / kind / call["file"]).read_text("utf-8").lower()
    for call in CALLS
    for kind in ("original", "sanitized")
]
_local_parts = st.text(string.ascii_lowercase + string.digits, min_size=10, max_size=20).filter(
    lambda word: not any(word in text for text in _EXAMPLE_TEXTS)
)
_domains = st.sampled_from(["example.com", "corp.example.org", "acme.co"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ids=_account_ids, local=_local_parts, domain=_domains, name=_local_parts)
def test_no_raw_identifier_appears_in_any_output(
    sanitizer: Engine, ids: list[str], local: str, domain: str, name: str
) -> None:
    email = f"{local}@{domain}"
    replacements = dict(zip(_FIXTURE_IDS, ids, strict=True))
    for call in CALLS:
        text = (EXAMPLES / "original" / call["file"]).read_text("utf-8")
        text = ACCOUNT_ID.sub(lambda m: replacements[m.group(0)], text)
        text = text.replace("alice@company.org", email).replace("Alice", name)
        output = _sanitize(sanitizer, call["url"], text.encode("utf-8")).decode("utf-8")
        for secret in [*ids, email, local, name]:
            assert secret not in output, f"{secret!r} leaked in {call['file']}"
