"""Which OAuth scopes the rules need, from Atlassian's own OpenAPI descriptions (copied in
tests/fixtures/confluence-oauth-scopes.json), against what `proxy setup` requests and the README
tells operators to tick. Settles `read:account`: no endpoint of the rules needs it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from proxy.rules import resolve_rules
from proxy.tooling.atlassian_oauth import (
    ATLASSIAN_AUTH,
    CONFLUENCE_SCOPES,
    REQUESTED_SCOPES,
    authorize_url,
)
from proxy.tooling.manual_setup import MANUAL_REDIRECT_URI

ROOT = Path(__file__).resolve().parents[2]
SPEC = json.loads((ROOT / "tests" / "fixtures" / "confluence-oauth-scopes.json").read_text())
README = (ROOT / "README.md").read_text()
NO_SCOPE = {"/oauth/token/accessible-resources"}


def test_every_endpoint_of_the_rules_has_its_scopes_from_the_openapi() -> None:
    templates = {endpoint.path_template for endpoint in resolve_rules("confluence").endpoints}
    assert set(SPEC["endpoints"]) == templates - NO_SCOPE


def test_setup_requests_every_granular_scope_the_rules_need() -> None:
    needed = {scope for entry in SPEC["endpoints"].values() for scope in entry["granular"]}
    assert needed <= set(CONFLUENCE_SCOPES)
    assert set(REQUESTED_SCOPES) == {"offline_access", *CONFLUENCE_SCOPES}


def test_read_account_is_needed_by_no_endpoint_and_not_requested() -> None:
    listed = {
        scope
        for entry in SPEC["endpoints"].values()
        for kind in ("classic", "granular")
        for scope in entry.get(kind, [])
    }
    assert "read:account" not in listed
    assert "read:account" not in REQUESTED_SCOPES


def test_the_readme_lists_exactly_the_requested_scopes() -> None:
    step = README.split("and tick these read scopes:", 1)[1].split("(the last one", 1)[0]
    assert re.findall(r"`(read:[a-z-]+:confluence)`", step) == list(CONFLUENCE_SCOPES)


def test_the_readme_manual_authorize_url_is_the_one_setup_builds() -> None:
    (documented,) = re.findall(r"`(https://auth\.atlassian\.com/authorize\?[^`]+)`", README)
    built = authorize_url(ATLASSIAN_AUTH, "<client id>", MANUAL_REDIRECT_URI, "<state>")
    assert parse_qs(urlsplit(documented).query) == parse_qs(urlsplit(built).query)
