"""The reference's Confluence rules, loaded unchanged, give the reference's output byte for byte.

`tests/fixtures/reference-sanitized/` holds the expected output for salt `salt`, pretty-printed
as the reference's golden files are. Files checked against the reference's own published
outputs (reference notes §5): tasks, spaces, group_members; the rest follows from the same
rules and the vectors asserted below.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from proxy.cli.sanitize_command import EXAMPLE_SITE, split_url
from proxy.rules import load_rules
from proxy.sanitize import PseudonymKeys, loads_values, pretty
from proxy.secret_value import Secret
from proxy.simulator.confluence import EXAMPLE_CALLS
from support.engine import Engine
from support.reference_rules import FIXTURES, REFERENCE_CONFLUENCE_RULES

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "example-api-responses"
CALLS = [{"url": c.url(EXAMPLE_SITE), "file": c.file} for c in EXAMPLE_CALLS]
EXPECTED = FIXTURES / "reference-sanitized"


@pytest.fixture(scope="module")
def sanitizer() -> Engine:
    keys = PseudonymKeys(salt=Secret("salt"), encryption_key=Secret("secret"))
    return Engine(load_rules(REFERENCE_CONFLUENCE_RULES), keys)


def _sanitize(sanitizer: Engine, call: dict[str, str]) -> bytes:
    path, query = split_url(call["url"])
    endpoint = sanitizer.match("GET", path, query)
    assert endpoint is not None, call["url"]
    return sanitizer.sanitize(endpoint, (EXAMPLES / "original" / call["file"]).read_bytes())


@pytest.mark.parametrize("call", CALLS, ids=[c["file"] for c in CALLS])
def test_output_equals_reference_key_order_included(
    sanitizer: Engine, call: dict[str, str]
) -> None:
    output = _sanitize(sanitizer, call)
    printed = "\n".join(pretty(value) for value in loads_values(output)) + "\n"
    assert printed == (EXPECTED / call["file"]).read_text("utf-8")


def _by_file(sanitizer: Engine, name: str) -> Any:
    call = next(c for c in CALLS if c["file"] == name)
    result = orjson.loads(_sanitize(sanitizer, call))
    return result


def test_reference_pseudonyms_and_quirks(sanitizer: Engine) -> None:
    versions = _by_file(sanitizer, "page_versions.json")
    assert versions["results"][0]["authorId"] == "t~7Z5-G-SoDUxVDxHtoJZFqVZ-ri3XiGo3ylaDNUVtY6Q"

    members = _by_file(sanitizer, "group_members.json")["results"]
    assert members[0]["email"] == "t~uefpLtxr1xRTo2WkRl5HjW1GVPerChD2ZjCmMDFvG5g@company.org"
    assert members[1]["accountId"] == "t~qT5aoGpZgL7yUokEQfFIPwF7pDdwujm68fb_qJakN4E"
    assert members[1]["email"] is None  # an app's "" email becomes null
    assert "displayName" not in members[0]

    space = _by_file(sanitizer, "spaces.json")["results"][0]
    assert "homepageId" not in space  # the reference's schema says homePageId
    assert space["key"] == "~608a9b555426330072f9867d"  # the raw id the reference leaks
    assert space["description"] is None

    search = _by_file(sanitizer, "content_search.json")
    assert "608a9b555426330072f9867d" in search["_links"]["next"]
    body = search["results"][3]["body"]["atlas_doc_format"]["value"]
    assert body == '{"length":24488,"word_count":904}'
