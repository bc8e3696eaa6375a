from __future__ import annotations

from proxy.auth._access_token import (
    AccessToken,
    decode_shared,
    encode_shared,
    fingerprint,
    pick_latest_shared,
)
from proxy.config.stores import StoredVersion
from proxy.secret_value import Secret


def version(number: str, token: str, expiry_ms: int | None) -> StoredVersion:
    return StoredVersion(version=number, value=Secret(encode_shared(make(token, expiry_ms))))


def make(token: str, expiry_ms: int | None) -> AccessToken:
    return AccessToken(Secret(token), None if expiry_ms is None else expiry_ms / 1000)


def test_shared_json_matches_the_reference_byte_for_byte() -> None:
    token = AccessToken(Secret("my-token"), 1639526410.0)

    assert encode_shared(token) == '{"token":"my-token","expirationDate":1639526410000}'
    assert decode_shared('{"token":"my-token","expirationDate":1639526410000}') == token


def test_undecodable_shared_values_are_none() -> None:
    assert decode_shared("fill me") is None
    assert decode_shared("[]") is None
    assert decode_shared('{"token":""}') is None
    assert decode_shared('{"token":"t","expirationDate":"soon"}') is None
    assert decode_shared('{"token":"t","expirationDate":null}') == AccessToken(Secret("t"), None)


def test_latest_expiry_wins() -> None:
    versions = [
        version("1", "a", 1_000),
        version("2", "b", 10_000),
        version("3", "c", 5_000),
    ]

    assert pick_latest_shared(versions) == make("b", 10_000)


def test_without_expiries_the_newest_version_wins() -> None:
    versions = [version("1", "a", None), version("3", "c", None), version("2", "b", None)]

    assert pick_latest_shared(versions) == make("c", None)


def test_versions_compare_as_numbers() -> None:
    versions = [version("9", "nine", 5_000), version("10", "ten", 5_000)]

    assert pick_latest_shared(versions) == make("ten", 5_000)


def test_rejected_and_unparsable_versions_are_skipped() -> None:
    versions = [
        StoredVersion(version="4", value=Secret("not json")),
        version("3", "rejected", 9_000),
        version("2", "ok", 1_000),
    ]

    chosen = pick_latest_shared(versions, skip={fingerprint(Secret("rejected"))})

    assert chosen == make("ok", 1_000)


def test_fingerprints_are_short_and_stable() -> None:
    assert fingerprint(Secret("abc")) == "sha256:ba7816bf8f01cfea"
    assert make("abc", None).token_id == "sha256:ba7816bf8f01cfea"
