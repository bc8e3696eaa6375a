"""hashIp / encryptIp: the reference's vectors, and Java's canonical address text."""

from __future__ import annotations

import pytest

from proxy.errors import MissingEncryptionKey
from proxy.sanitize.pseudonyms._ip_addresses import IpPseudonymizer, canonical_ip
from proxy.secret_value import Secret


@pytest.fixture(scope="module")
def ips() -> IpPseudonymizer:
    return IpPseudonymizer(Secret("salt"), Secret("secret"))


@pytest.mark.parametrize(
    ("value", "hashed"),
    [
        ("123.234.252.12", "t~7USliSM4GiS0Xfk1DXIAH-4nK-UkLJlSAA_5ZqQh_CI"),
        ("10.0.0.1", "t~3BU4goNN07w3ofq8v5ig2enxSWj9xnAnPOThel4mHTk"),
        ("2001:0db8::1", "t~njBikXo6n6-7z6JEg8zs_E89aJQ0lje1vW3O9EkS__8"),
        ("2001:db8:0:0:0:0:2:1", "t~I8-OlnbGQkV5ClnMrM_O79TR_r8JroRmUbd056Hs2x4"),
        ("::ffff:192.0.2.128", "t~SUZ6xYqAE2gCw90EnrhS7ait6lh2xPKj2-SSQVm8o9A"),
        ("not an ip", None),
    ],
)
def test_hash_ip_vectors(ips: IpPseudonymizer, value: str, hashed: str | None) -> None:
    assert ips.hash_ip(value) == hashed


@pytest.mark.parametrize(
    ("value", "encrypted"),
    [
        (
            "123.234.252.12",
            "p~7USliSM4GiS0Xfk1DXIAH-4nK-UkLJlSAA_5ZqQh_CJStJlrfaIPHLZUvx-dHHQp",
        ),
        ("10.0.0.1", "p~3BU4goNN07w3ofq8v5ig2enxSWj9xnAnPOThel4mHTmrZBJVaY3CjxNEDJYfGEk_"),
        ("not an ip", None),
    ],
)
def test_encrypt_ip_vectors(ips: IpPseudonymizer, value: str, encrypted: str | None) -> None:
    assert ips.encrypt_ip(value) == encrypted


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        ("10.0.0.1", "10.0.0.1"),
        ("010.0.0.1", "10.0.0.1"),
        ("255.255.255.255", "255.255.255.255"),
        ("2001:0db8::1", "2001:db8:0:0:0:0:0:1"),
        ("2001:DB8::A", "2001:db8:0:0:0:0:0:a"),
        ("::1", "0:0:0:0:0:0:0:1"),
        ("::", "0:0:0:0:0:0:0:0"),
        ("::ffff:192.0.2.128", "192.0.2.128"),
        ("0:0:0:0:0:ffff:c000:0280", "192.0.2.128"),
        ("::192.0.2.128", "0:0:0:0:0:0:c000:280"),
        ("256.0.0.1", None),
        ("1.2.3", None),
        ("1.2.3.4.5", None),
        ("cafe", None),
        ("12345", None),
        ("2001:db8::1::2", None),
        ("fe80::1%eth0", None),
        ("[::1]", None),
        ("10.0.0.1\n", None),
        (" 10.0.0.1", None),
        ("", None),
    ],
)
def test_canonical_ip(value: str, canonical: str | None) -> None:
    assert canonical_ip(value) == canonical


def test_spellings_of_one_address_share_the_pseudonym(ips: IpPseudonymizer) -> None:
    assert ips.hash_ip("010.0.0.1") == ips.hash_ip("10.0.0.1")
    assert ips.hash_ip("0:0:0:0:0:ffff:c000:0280") == ips.hash_ip("::ffff:192.0.2.128")
    assert ips.hash_ip("192.0.2.128") == ips.hash_ip("::ffff:192.0.2.128")
    assert ips.encrypt_ip("2001:DB8::1") == ips.encrypt_ip("2001:db8:0:0:0:0:0:1")


def test_ip_salt_and_key_fall_back_to_the_main_ones() -> None:
    main = IpPseudonymizer.configured(Secret("salt"), Secret("secret"))
    assert main.hash_ip("10.0.0.1") == "t~3BU4goNN07w3ofq8v5ig2enxSWj9xnAnPOThel4mHTk"
    own = IpPseudonymizer.configured(
        Secret("salt"), Secret("secret"), ip_salt=Secret("ip-salt"), ip_key=Secret("ip-key")
    )
    assert own.hash_ip("10.0.0.1") == IpPseudonymizer(Secret("ip-salt")).hash_ip("10.0.0.1")
    assert own.hash_ip("10.0.0.1") != main.hash_ip("10.0.0.1")
    assert own.encrypt_ip("10.0.0.1") == IpPseudonymizer(
        Secret("ip-salt"), Secret("ip-key")
    ).encrypt_ip("10.0.0.1")
    unset = IpPseudonymizer.configured(Secret("salt"), Secret("secret"), ip_salt=Secret(""))
    assert unset.hash_ip("10.0.0.1") == main.hash_ip("10.0.0.1")


def test_encrypt_ip_without_any_key_names_both_settings() -> None:
    ips = IpPseudonymizer(Secret("salt"))
    assert ips.hash_ip("10.0.0.1") == "t~3BU4goNN07w3ofq8v5ig2enxSWj9xnAnPOThel4mHTk"
    with pytest.raises(MissingEncryptionKey, match="ENCRYPTION_KEY_IP or PSOXY_ENCRYPTION_KEY"):
        ips.encrypt_ip("10.0.0.1")
