"""Every transform of the reference, with its vectors (reference notes §2.3)."""

from __future__ import annotations

from typing import Any

import pytest

from proxy.errors import MissingEncryptionKey, RulesError, SanitizationError
from proxy.rules import load_rules
from proxy.sanitize import PseudonymKeys
from proxy.secret_value import Secret
from support.engine import REFERENCE_KEYS as KEYS
from support.engine import Engine
from support.engine import apply_transforms as run


def test_redact_deletes_keys_and_elements_and_ignores_missing_paths() -> None:
    document = {
        "a": {"b": 1, "c": [1, 2]},
        "m": ["USLACKBOT", "U1", "U2"],
        "z": {"body": {"body": {}}},
    }
    result = run(
        "- !<redact>\n"
        "  jsonPaths: ['$.a.b', '$.nope.deeper', \"$.m[?(@ != 'USLACKBOT')]\", '$.z..body']",
        document,
    )
    assert result == {"a": {"c": [1, 2]}, "m": ["USLACKBOT"], "z": {}}


@pytest.mark.parametrize(
    ("options", "value", "expected"),
    [
        ("", "alice@acme.com", "t~UFdK0TvVTvZ23c6QslyCy0o2MSq2DRtDjEXfTPJyyMk@acme.com"),
        ("", 1, "t~0zPKqEd-CtbCLB1ZSwX6Zo7uAWUvkpfHGzv9-cuYwZc"),
        ("", "", None),
        ("", "   ", None),
        ("", None, None),
        (
            "includeReversible: true",
            "alice@acme.com",
            "p~UFdK0TvVTvZ23c6QslyCy0o2MSq2DRtDjEXfTPJyyMnKYUk8FJevl3wvFyZY0eF-@acme.com",
        ),
        (
            "encoding: URL_SAFE_HASH_ONLY",
            "alice@acme.com",
            "UFdK0TvVTvZ23c6QslyCy0o2MSq2DRtDjEXfTPJyyMk",
        ),
        ("encoding: JSON", None, "null"),
        (
            "encoding: JSON",
            "alice@acme.com",
            '{"domain":"acme.com","hash":"UFdK0TvVTvZ23c6QslyCy0o2MSq2DRtDjEXfTPJyyMk"}',
        ),
        (
            "{encoding: JSON, includeOriginal: true}",
            "blah",
            '{"hash":"nVPSMYD7ZO_ptGIMJ65TAFo5_vVVQQ2af5Bfg7bW0Jo","original":"blah"}',
        ),
    ],
)
def test_pseudonymize(options: str, value: Any, expected: Any) -> None:
    options_line = f"\n  {options}" if options and not options.startswith("{") else ""
    if options.startswith("{"):
        options_line = "".join(f"\n  {part.strip()}" for part in options.strip("{}").split(","))
    result = run(f"- !<pseudonymize>\n  jsonPaths: ['$.v']{options_line}", {"v": value})
    assert result == {"v": expected}


@pytest.mark.parametrize("value", [True, {"a": 1}, [1]])
def test_pseudonymize_refuses_booleans_and_containers(value: Any) -> None:
    with pytest.raises(SanitizationError):
        run("- !<pseudonymize>\n  jsonPaths: ['$.v']", {"v": value})


def test_url_safe_hash_only_of_null_fails_closed() -> None:
    with pytest.raises(SanitizationError):
        run("- !<pseudonymize>\n  jsonPaths: ['$.v']\n  encoding: URL_SAFE_HASH_ONLY", {"v": None})


@pytest.mark.parametrize(
    ("regex", "value", "expected"),
    [
        (".*", "something", "t~EN_O0yRLJp7bRnw6HrbdPMLul_uqairwpevQ08HtEn0"),
        ("blah:.*thing", "blah:something", "t~ltpmWUv-gqwJTPjfusJMo8Cd45xhqDRQx6REW-gS2CU"),
        ("blah:(.*)", "blah:something", "blah:t~EN_O0yRLJp7bRnw6HrbdPMLul_uqairwpevQ08HtEn0"),
        (
            "@([\\w.-]+)",
            "assigned to @alice and unassigned @bob",
            "assigned to @t~3YAoyBkqpKrO4rk5ISA0dZSABykOBC7pEMmkL1L0HK4 and unassigned "
            "@t~kbEeZaASjfdRzw5DsaEMq4HoESgOdgoKQN3np2Gm_hY",
        ),
        (
            "@([\\w.-]+)",
            "alice requested review from @alice",
            "alice requested review from @t~3YAoyBkqpKrO4rk5ISA0dZSABykOBC7pEMmkL1L0HK4",
        ),
        ("blah:.*thing", "something", None),
        ("(\\s+)", "assigned to @alice", None),
        (".*", "   ", None),
        (".*", "", None),
    ],
)
def test_pseudonymize_regex_matches(regex: str, value: str, expected: str | None) -> None:
    transform = f"- !<pseudonymizeRegexMatches>\n  jsonPaths: ['$.v']\n  regex: '{regex}'"
    assert run(transform, {"v": value}) == {"v": expected}


def test_pseudonymize_email_header() -> None:
    transform = "- !<pseudonymizeEmailHeader>\n  jsonPaths: ['$.a', '$.b', '$.c', '$.d']"
    result = run(transform, {"a": "Alice <alice@acme.com>", "b": "", "c": None, "d": "not mail"})
    assert result == {
        "a": "t~UFdK0TvVTvZ23c6QslyCy0o2MSq2DRtDjEXfTPJyyMk@acme.com",
        "b": "",
        "c": None,
        "d": None,
    }


def test_tokenize_whole_value_and_regex_group() -> None:
    transform = (
        "- !<tokenize>\n  jsonPaths: ['$.a']\n"
        "- !<tokenize>\n  jsonPaths: ['$.b', '$.c']\n  regex: '~(.+)'"
    )
    result = run(transform, {"a": "blah", "b": "~blah", "c": "SD"})
    token = "p~nVPSMYD7ZO_ptGIMJ65TAFo5_vVVQQ2af5Bfg7bW0Jq9JIOXfBWhts_zA5Ns0r4m"
    assert result == {"a": token, "b": f"~{token}", "c": "SD"}


def test_tokenize_regex_without_group_is_a_rules_error() -> None:
    with pytest.raises(RulesError, match="capturing group"):
        run("- !<tokenize>\n  jsonPaths: ['$.a']\n  regex: '~.+'", {})


def test_reversible_transforms_without_key_refuse_to_load() -> None:
    keys = PseudonymKeys(salt=Secret("salt"))
    with pytest.raises(MissingEncryptionKey, match="PSOXY_ENCRYPTION_KEY"):
        run("- !<tokenize>\n  jsonPaths: ['$.a']", {}, keys)
    with pytest.raises(MissingEncryptionKey, match="PSOXY_ENCRYPTION_KEY"):
        run("- !<pseudonymize>\n  jsonPaths: ['$.a']\n  includeReversible: true", {}, keys)
    with pytest.raises(MissingEncryptionKey, match="ENCRYPTION_KEY_IP"):
        run("- !<encryptIp>\n  jsonPaths: ['$.a']", {}, keys)


def test_redact_regex_matches() -> None:
    transform = "- !<redactRegexMatches>\n  jsonPaths: ['$.v']\n  redactions: ['(?i)pwd=[^&]*']"
    assert run(transform, {"v": "https://z.us/j/1?PWD=abc&x=1"}) == {"v": "https://z.us/j/1?&x=1"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Phrase1", "Phrase1"),
        ("phrase2 2", "phrase2 2"),
        ("blah phrase1: blah", "phrase1"),
        ("phrase4", ""),
        ("   ", "   "),
        (5, None),
    ],
)
def test_redact_except_phrases(value: Any, expected: Any) -> None:
    transform = (
        "- !<redactExceptPhrases>\n  jsonPaths: ['$.v']\n"
        "  allowedPhrases: ['phrase1', 'phrase2 2', 'Phrase3']"
    )
    assert run(transform, {"v": value}) == {"v": expected}


def test_redact_except_substrings_keeps_the_longest() -> None:
    transform = (
        "- !<redactExceptSubstringsMatchingRegexes>\n  jsonPaths: ['$.a', '$.b']\n"
        "  exceptions: ['Zoom', 'Zoom Meeting', 'Webex']"
    )
    result = run(transform, {"a": "My Zoom Meeting today", "b": "lunch"})
    assert result == {"a": "Zoom Meeting", "b": ""}


def test_filter_token_by_regex() -> None:
    transform = (
        "- !<filterTokenByRegex>\n  jsonPaths: ['$.a', '$.b']\n"
        "  filters: ['https://[^.]+\\.zoom\\.us/.*']"
    )
    result = run(transform, {"a": " https://acme.zoom.us/12312345?pwd=1234asAf  ", "b": "no link"})
    assert result == {"a": "https://acme.zoom.us/12312345?pwd=1234asAf", "b": None}


@pytest.mark.parametrize(
    ("value", "hashed", "encrypted"),
    [
        (
            "123.234.252.12",
            "t~7USliSM4GiS0Xfk1DXIAH-4nK-UkLJlSAA_5ZqQh_CI",
            "p~7USliSM4GiS0Xfk1DXIAH-4nK-UkLJlSAA_5ZqQh_CJStJlrfaIPHLZUvx-dHHQp",
        ),
        (
            "10.0.0.1",
            "t~3BU4goNN07w3ofq8v5ig2enxSWj9xnAnPOThel4mHTk",
            "p~3BU4goNN07w3ofq8v5ig2enxSWj9xnAnPOThel4mHTmrZBJVaY3CjxNEDJYfGEk_",
        ),
        ("not an ip", None, None),
    ],
)
def test_hash_ip_and_encrypt_ip(value: str, hashed: str | None, encrypted: str | None) -> None:
    transform = "- !<hashIp>\n  jsonPaths: ['$.h']\n- !<encryptIp>\n  jsonPaths: ['$.e']"
    assert run(transform, {"h": value, "e": value}) == {"h": hashed, "e": encrypted}


def test_text_digest_plain_and_json_escaped() -> None:
    transform = (
        "- !<textDigest>\n  jsonPaths: ['$.plain', '$.n', '$.none']\n"
        "- !<textDigest>\n  jsonPaths: ['$.escaped']\n  isJsonEscaped: true\n"
        "  jsonPathToProcessWhenEscaped: '$.body[*].text'"
    )
    document = {
        "plain": "Hello world",
        "n": 5,
        "none": None,
        "escaped": '{"body":[{"text":"short"},{"text":"two words"}]}',
    }
    assert run(transform, document) == {
        "plain": '{"length":11,"word_count":2}',
        "n": None,
        "none": None,
        "escaped": '{"body":[{"text":"{\\"length\\":5,\\"word_count\\":1}"},'
        '{"text":"{\\"length\\":9,\\"word_count\\":2}"}]}',
    }


def test_apply_only_when_guards_a_transform() -> None:
    transform = (
        "- !<redact>\n  jsonPaths: ['$.secret']\n"
        "  applyOnlyWhen: \"$.records[?(@.type == 'User')]\""
    )
    assert run(transform, {"records": [{"type": "User"}], "secret": 1}) == {
        "records": [{"type": "User"}]
    }
    assert run(transform, {"records": [{"type": "Bot"}], "secret": 1}) == {
        "records": [{"type": "Bot"}],
        "secret": 1,
    }


def test_apply_only_when_must_not_be_definite() -> None:
    with pytest.raises(RulesError, match="applyOnlyWhen"):
        run("- !<redact>\n  jsonPaths: ['$.a']\n  applyOnlyWhen: '$.a.b'", {})


def test_bad_json_path_is_a_rules_error_with_location() -> None:
    with pytest.raises(RulesError, match=r"transforms\[0\] \(redact\)\.jsonPaths\[0\]"):
        run("- !<redact>\n  jsonPaths: ['$.a[']", {})


def test_transforms_apply_in_order_after_the_schema() -> None:
    rules = load_rules(
        """
endpoints:
  - pathTemplate: /x
    responseSchema: {type: object, properties: {id: {type: string}, keep: {type: string}}}
    transforms:
      - !<pseudonymize> {jsonPaths: ["$.id"]}
      - !<redact> {jsonPaths: ["$.id"]}
"""
    )
    sanitizer = Engine(rules, KEYS)
    endpoint = sanitizer.match("GET", "/x", None)
    assert endpoint is not None
    assert sanitizer.sanitize(endpoint, b'{"id":"a","drop":1,"keep":"k"}') == b'{"keep":"k"}'
