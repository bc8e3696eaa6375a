"""The payloads every bench uses: the Confluence content-search fixture and its ~1.2 MB variant.

Content search is the endpoint with the most transforms in the bundled rules (2 pseudonymize,
15 redact, a guarded regex pseudonymization, 3 text digests) and the largest responses, so it is
the one whose cost matters. The large variant repeats `results` until the body is ~1.2 MB: the
same shapes, many more of them, as a page of 250 results with bodies would be.

    payload = large_payload()            # bytes, ~1.2 MB
    sanitizer, endpoint = content_search_sanitizer()
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from proxy.rules import Endpoint, EndpointMatcher, resolve_rules
from proxy.sanitize import PseudonymKeys, Sanitizer
from proxy.secret_value import Secret

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "example-api-responses" / "original" / "content_search.json"
SEARCH_PATH = "/ex/confluence/adcae078-765b-45bf-a38b-7cda232b9a94/wiki/rest/api/content/search"
SEARCH_QUERY = "cql=type%3Dpage&limit=250"
LARGE_BYTES = 1_200_000


def small_payload() -> bytes:
    """The fixture as the simulator serves it."""
    return FIXTURE.read_bytes()


def large_payload(target_bytes: int = LARGE_BYTES) -> bytes:
    """The fixture with `results` repeated until the compact body reaches `target_bytes`."""
    original: dict[str, Any] = orjson.loads(FIXTURE.read_bytes())
    results = original["results"]
    document = dict(original)
    copies = 1
    while len(orjson.dumps(document)) < target_bytes:
        copies += 1
        document["results"] = results * copies
    return orjson.dumps(document)


def content_search_sanitizer() -> tuple[Sanitizer, Endpoint]:
    """The bundled Confluence rules with the reference's test salt and key, and the endpoint."""
    keys = PseudonymKeys(salt=Secret("salt"), encryption_key=Secret("secret"))
    rules = resolve_rules("confluence")
    sanitizer = Sanitizer.build(rules, keys)
    endpoint = EndpointMatcher(rules).match("GET", SEARCH_PATH, SEARCH_QUERY)
    if endpoint is None:
        raise SystemExit("the bundled rules no longer allow content search")
    return sanitizer, endpoint
