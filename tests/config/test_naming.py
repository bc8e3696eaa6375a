from __future__ import annotations

import pytest

from proxy.config._naming import SecretNaming, derive_instance_prefix, ssm_parameter_name


@pytest.mark.parametrize(
    ("path", "function", "expected"),
    [
        (None, "psoxy-confluence-cloud", "PSOXY_CONFLUENCE_CLOUD_"),
        (None, "dev-Confluence", "DEV_CONFLUENCE_"),
        ("PSOXY_CONFLUENCE_", "psoxy-confluence-cloud", "PSOXY_CONFLUENCE_"),
        (None, None, "PSOXY_CONFLUENCE_CLOUD_"),
    ],
)
def test_instance_prefix(path: str | None, function: str | None, expected: str) -> None:
    assert derive_instance_prefix(path, function) == expected


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("PSOXY_SALT", "PSOXY_SALT"),
        ("psoxy/CONFLUENCE_REFRESH_TOKEN", "/psoxy/CONFLUENCE_REFRESH_TOKEN"),
        ("/psoxy/PSOXY_SALT", "/psoxy/PSOXY_SALT"),
    ],
)
def test_ssm_parameter_name(key: str, expected: str) -> None:
    assert ssm_parameter_name(key) == expected


def test_lookup_keys_try_instance_then_shared() -> None:
    naming = SecretNaming(instance_prefix="PSOXY_CONFLUENCE_CLOUD_", shared_prefix="PSOXY_")

    assert naming.lookup_keys("SALT") == ("PSOXY_CONFLUENCE_CLOUD_SALT", "PSOXY_SALT")


def test_lookup_keys_collapse_when_namespaces_coincide() -> None:
    naming = SecretNaming(instance_prefix="", shared_prefix="")

    assert naming.lookup_keys("PSOXY_SALT") == ("PSOXY_SALT",)
