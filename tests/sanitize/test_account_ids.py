"""The account-id recognizer: every form Atlassian writes a person in, and its canonical id."""

from __future__ import annotations

import base64
from urllib.parse import quote

import pytest

from proxy.sanitize.pseudonyms._account_ids import (
    canonical_account_id,
    contains_identifier,
    decoded_forms,
    personal_space_owner,
)

UUID = "f58131cb-b67d-43c7-b30d-6b58d40bd077"
ACCOUNT = f"557058:{UUID}"
COMPACT = "557058f58131cbb67d43c7b30d6b58d40bd077"


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("608a9b555426330072f9867d", "608a9b555426330072f9867d"),
        (ACCOUNT, ACCOUNT),
        (COMPACT, ACCOUNT),
        ("7120200b1c2d3e4f5046178a9b0c1d2e3f4a5b", "712020:0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b"),
        ("1" + "0b1c2d3e4f5046178a9b0c1d2e3f4a5b", "1:0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b"),
        (f"557058%3A{UUID}", ACCOUNT),
        (f"557058%253A{UUID}", ACCOUNT),
        # README's public example of a compact personal key (without its `~`)
        ("5570589f1e3c2a7b4d4e8fa1b2c3d4e5f60718", "557058:9f1e3c2a-7b4d-4e8f-a1b2-c3d4e5f60718"),
    ],
)
def test_every_form_of_an_account_id_has_one_canonical_id(text: str, canonical: str) -> None:
    assert canonical_account_id(text) == canonical


@pytest.mark.parametrize(
    "text",
    [
        "",
        "608a9b555426330072f9867",  # 23 hex
        "608a9b555426330072f9867d0",  # 25 hex
        "35e417ad-bcb1-45fe-9be0-959239a84327",  # a group id: a uuid without a prefix
        f":{UUID}",
        f"557058:{UUID}x",
        "~608a9b555426330072f9867d",  # a personal key, not an id
        "alice@acme.com",
        "SD",
        "%ZZ",
        "%C3%28",  # an escape that is not UTF-8
    ],
)
def test_anything_else_is_not_an_account_id(text: str) -> None:
    assert canonical_account_id(text) is None


@pytest.mark.parametrize(
    ("key", "owner"),
    [
        ("~608a9b555426330072f9867d", "608a9b555426330072f9867d"),
        (f"~{COMPACT}", COMPACT),
        ("~jsmith", "jsmith"),
        ("~j", "j"),  # a one-letter username of an old site
        ("~", None),
        ("SD", None),
        ("a~b", None),
    ],
)
def test_personal_space_keys_name_their_owner_as_written(key: str, owner: str | None) -> None:
    assert personal_space_owner(key) == owner


@pytest.mark.parametrize(
    "text",
    [
        "creator%3D%22608a9b555426330072f9867d%22",
        "creator%3D608a9b555426330072f9867d",
        f"creator%3D557058%3A{UUID}",
        f"x%253D557058%253A{UUID}",
        f"space%3D%22%7E{COMPACT}%22",
        "space%3D%22%257Ejsmith%22",
        "/wiki/spaces/~jsmith",
        "alice%40acme.com",
        "alice%2540acme.com",
        "(608a9b555426330072f9867d,5cb4ae0e4b97ab11a18e00c7)",
        "%C3%28",  # undecodable: fail closed
        f"557058%25253A{UUID}",  # encoded three times: more than Confluence does, fail closed
        "%2525257E608a9b555426330072f9867d",
        "alice@b%C3%BCcher.de",  # internationalized domain names
        "alice@xn--e1afmkfd.xn--p1ai",
        "j%C3%B6rg@company.org",
        "%22alice%22@company.org",  # a quoted local part
        '"al ice"@company.org',
        # in base64 inside an opaque cursor (Atlassian's carry their state in base64 JSON)
        "_f_MTA%3D_sa_" + quote(base64.b64encode(f'["557058:{UUID}"]'.encode()).decode()),
        base64.urlsafe_b64encode(b'{"after":"alice@company.org"}').decode().rstrip("="),
    ],
)
def test_identifiers_are_found_in_any_encoding(text: str) -> None:
    assert contains_identifier(text)


@pytest.mark.parametrize("filler", range(12))
@pytest.mark.parametrize("identifier", [f"557058:{UUID}", "alice@company.org"])
def test_an_identifier_in_base64_is_found_whatever_the_length_and_alphabet(
    filler: int, identifier: str
) -> None:
    # Every length of the encoded run (mod 4 and mod 5), padded or not, standard or URL-safe;
    # `>>>` and `~` make `+`/`/` (standard) and `-`/`_` (URL-safe) appear in the run.
    payload = f'{{"next{">" * filler}~":"{identifier}"}}'.encode()
    for encoded in (
        base64.b64encode(payload).decode(),
        base64.urlsafe_b64encode(payload).decode().rstrip("="),
    ):
        assert contains_identifier(encoded), encoded


def test_the_shortest_base64_run_looked_into_is_16_characters() -> None:
    twelve_bytes = base64.b64encode(b"a@example.io").decode()  # 16 characters, no padding
    assert len(twelve_bytes) == 16
    assert contains_identifier(twelve_bytes)


@pytest.mark.parametrize(
    "text",
    [
        "_f_MTA%3D_sa_WyJcdDI5NDkyMSA6X0MmdTknU1pvWmJDYnNsdF0haCBjYyJd",
        "eyJpZCI6IjE5Njg4NiIsImNvbnRlbnRPcmRlciI6Ii1tb2RpZmllZC1kYXRlIn0",
        "body.atlas_doc_format%2Cancestors%2Cversion",
        "35e417ad-bcb1-45fe-9be0-959239a84327",
        "7Z5-G-SoDUxVDxHtoJZFqVZ-ri3XiGo3ylaDNUVtY6QNBjT2R7GX1OQ0HdnGKNaWCqDeKeFDrVNcyCb2EvRs",
        "lastmodified%3E%3D2025-08-01",
        "x608a9b555426330072f9867dy",  # glued to letters: another word
        "",
    ],
)
def test_ordinary_link_parts_hold_no_identifier(text: str) -> None:
    assert not contains_identifier(text)


def test_decoding_stops_after_two_layers() -> None:
    assert decoded_forms("a%25252541") == ["a%25252541", "a%252541", "a%2541"]
    assert decoded_forms("plain") == ["plain"]
