"""Our two rules extensions: `!<pseudonymizeLinks>` and `tokenize`'s `canonicalAccountIds`."""

from __future__ import annotations

import pytest

from proxy.errors import MissingEncryptionKey, RulesError
from proxy.sanitize import PseudonymKeys
from proxy.sanitize.pseudonyms import Pseudonymizer
from proxy.secret_value import Secret
from support.engine import apply_transforms as run

PSEUDONYMIZER = Pseudonymizer(Secret("salt"), Secret("secret"))
COMPACT = "557058f58131cbb67d43c7b30d6b58d40bd077"


def test_pseudonymize_links_rewrites_urls_and_nulls_the_rest() -> None:
    document = {
        "a": "/s?cql=creator%3D608a9b555426330072f9867d",
        "b": "/s?cql=creator%3D%",
        "c": 5,
        "d": None,
        "e": "/s?limit=5",
    }
    result = run(
        "- !<pseudonymizeLinks>\n  jsonPaths: ['$.a', '$.b', '$.c', '$.d', '$.e']", document
    )
    assert result == {
        "a": "/s?cql=creator%3D"
        "p~7Z5-G-SoDUxVDxHtoJZFqVZ-ri3XiGo3ylaDNUVtY6Qgd3qWh6vwSO4TVjjFinG1JFGhevdcgiclGiT_RJT3NQ",
        "b": None,
        "c": None,
        "d": None,
        "e": "/s?limit=5",
    }


def test_pseudonymize_links_needs_the_encryption_key() -> None:
    with pytest.raises(MissingEncryptionKey, match="PSOXY_ENCRYPTION_KEY"):
        run("- !<pseudonymizeLinks>\n  jsonPaths: ['$.a']", {}, PseudonymKeys(Secret("salt")))


def test_pseudonymize_links_has_no_options() -> None:
    with pytest.raises(RulesError, match="unknown key 'regex'"):
        run("- !<pseudonymizeLinks>\n  jsonPaths: ['$.a']\n  regex: x", {})


@pytest.mark.parametrize(
    ("options", "hashed"),
    [
        ("", COMPACT),  # the reference's tokenize: the raw text is hashed
        ("canonicalAccountIds: false", COMPACT),
        ("canonicalAccountIds: true", "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077"),
    ],
)
def test_tokenize_hashes_the_canonical_account_id_only_when_asked(
    options: str, hashed: str
) -> None:
    transform = f"- !<tokenize>\n  jsonPaths: ['$.key']\n  regex: '~(.+)'\n  {options}"
    key = run(transform, {"key": f"~{COMPACT}"})["key"]
    assert key.startswith("~p~")
    expected = PSEUDONYMIZER.pseudonymize(hashed)
    assert expected is not None
    assert key[3:45] == expected.hash[:42]  # the first 252 bits of the hash
    assert PSEUDONYMIZER.decrypt(key[1:]) == COMPACT


def test_tokenize_of_a_24_hex_id_is_the_same_either_way() -> None:
    plain = run("- !<tokenize>\n  jsonPaths: ['$.k']", {"k": "608a9b555426330072f9867d"})
    joined = run(
        "- !<tokenize>\n  jsonPaths: ['$.k']\n  canonicalAccountIds: true",
        {"k": "608a9b555426330072f9867d"},
    )
    assert plain == joined
