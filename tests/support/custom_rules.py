"""Rules a deployment writes itself (tests/fixtures/custom-rules/), and the account ids they serve.

yaml_text = ACCOUNT_RULES.read_text()
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "ACCOUNT_RULES",
    "ATLASSIAN_ID",
    "LEGACY_ID",
    "MEMBERS",
    "PROPERTY",
    "USERS_BULK",
    "USERS_LOOKUP",
]

ACCOUNT_RULES = (
    Path(__file__).resolve().parent.parent / "fixtures" / "custom-rules" / "account-endpoints.yaml"
)
# Both stay legal in a URL path once decrypted: a `<digits>:<uuid>` id and a 24-hex legacy id.
ATLASSIAN_ID = "557058:9f1e3c2a-7b4d-4e8f-a1b2-c3d4e5f60718"
LEGACY_ID = "608a9b555426330072f9867d"

MEMBERS = "/ex/confluence/c1/wiki/rest/api/group/g1/membersByGroupId"
PROPERTY = "/ex/confluence/c1/wiki/rest/api/user/{account}/property"
USERS_BULK = "/ex/confluence/c1/wiki/api/v2/users-bulk"  # POST, any body (no requestBody)
USERS_LOOKUP = "/ex/confluence/c1/wiki/api/v2/users/lookup"  # POST, body checked by a schema
