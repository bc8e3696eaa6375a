from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from proxy.config import Platform, SecretsStoreKind, Settings, TlsVersion
from proxy.errors import ConfigurationError
from proxy.pseudonym_options import EmailCanonicalization, EmailDomainHandling
from proxy.secret_value import Secret

CONFLUENCE_LAMBDA = {
    "AWS_LAMBDA_FUNCTION_NAME": "psoxy-confluence-cloud",
    "AWS_REGION": "us-east-1",
    "SOURCE": "confluence",
    "TARGET_HOST": "api.atlassian.com",
    "SOURCE_AUTH_STRATEGY_IDENTIFIER": "oauth2_refresh_token",
    "GRANT_TYPE": "refresh_token",
    "REFRESH_ENDPOINT": "https://auth.atlassian.com/oauth/token",
    "USE_SHARED_TOKEN": "TRUE",
    "REQUEST_TIMEOUT_SECONDS": "55",
}


def test_confluence_lambda_environment() -> None:
    settings = Settings.from_env(CONFLUENCE_LAMBDA)

    assert settings.platform is Platform.AWS_LAMBDA
    assert settings.function_name == "psoxy-confluence-cloud"
    assert settings.instance_prefix == "PSOXY_CONFLUENCE_CLOUD_"
    assert settings.shared_prefix == ""
    assert settings.naming.instance_key("REFRESH_TOKEN") == "PSOXY_CONFLUENCE_CLOUD_REFRESH_TOKEN"
    assert settings.naming.shared_key("PSOXY_SALT") == "PSOXY_SALT"
    assert settings.secrets_store is SecretsStoreKind.AWS_SSM_PARAMETER_STORE
    assert settings.source == "confluence"
    assert settings.target_host == "api.atlassian.com"
    assert settings.source_auth_strategy == "oauth2_refresh_token"
    assert settings.grant_type == "refresh_token"
    assert settings.refresh_endpoint == "https://auth.atlassian.com/oauth/token"
    assert settings.use_shared_token is True
    assert settings.request_timeout_seconds == 55
    assert settings.aws_region == "us-east-1"
    assert settings.env_secrets == {}


def test_defaults_when_nothing_is_set() -> None:
    settings = Settings.from_env({})

    assert settings.platform is Platform.LOCAL
    assert settings.function_name is None
    assert settings.instance_prefix == "PSOXY_CONFLUENCE_CLOUD_"
    assert settings.secrets_store is SecretsStoreKind.ENV
    assert settings.request_timeout_seconds == 180
    assert settings.use_shared_token is False
    assert settings.follow_redirects is True
    assert settings.is_development_mode is False
    assert settings.pseudonymize_app_ids is False
    assert settings.tls_version is TlsVersion.TLS_1_3
    assert settings.email_canonicalization is EmailCanonicalization.STRICT
    assert settings.email_domain_handling is EmailDomainHandling.PRESERVE
    assert settings.allowed_data_access_ip_blocks == ()
    assert settings.rules is None
    assert settings.pseudonym_implementation is None


def test_gcp_platform_uses_k_service_and_secret_manager() -> None:
    settings = Settings.from_env({"K_SERVICE": "psoxy-dev-confluence", "GCP_PROJECT": "acme"})

    assert settings.platform is Platform.GCP
    assert settings.function_name == "psoxy-dev-confluence"
    assert settings.instance_prefix == "PSOXY_DEV_CONFLUENCE_"
    assert settings.secrets_store is SecretsStoreKind.GCP_SECRET_MANAGER
    assert settings.gcp_project_id == "acme"


def test_explicit_prefixes_win_over_the_function_name() -> None:
    settings = Settings.from_env(
        {
            **CONFLUENCE_LAMBDA,
            "PATH_TO_INSTANCE_CONFIG": "/psoxy/CONFLUENCE_",
            "PATH_TO_SHARED_CONFIG": "/psoxy/",
        }
    )

    assert settings.instance_prefix == "/psoxy/CONFLUENCE_"
    assert settings.shared_prefix == "/psoxy/"
    assert settings.naming.lookup_keys("PSOXY_SALT") == (
        "/psoxy/CONFLUENCE_PSOXY_SALT",
        "/psoxy/PSOXY_SALT",
    )


def test_blank_values_count_as_unset() -> None:
    settings = Settings.from_env(
        {**CONFLUENCE_LAMBDA, "PATH_TO_INSTANCE_CONFIG": "  ", "SOURCE": ""}
    )

    assert settings.instance_prefix == "PSOXY_CONFLUENCE_CLOUD_"
    assert settings.source is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("aws_secrets_manager", SecretsStoreKind.AWS_SECRETS_MANAGER),
        ("AWS_SSM_PARAMETER_STORE", SecretsStoreKind.AWS_SSM_PARAMETER_STORE),
        ("gcp_secret_manager", SecretsStoreKind.GCP_SECRET_MANAGER),
    ],
)
def test_secrets_store_is_case_insensitive(value: str, expected: SecretsStoreKind) -> None:
    settings = Settings.from_env({**CONFLUENCE_LAMBDA, "SECRETS_STORE": value})

    assert settings.secrets_store is expected


@pytest.mark.parametrize("store", ["ENV", "LOCAL_FILE"])
def test_local_stores_are_refused_on_cloud_platforms(store: str) -> None:
    env = {**CONFLUENCE_LAMBDA, "SECRETS_STORE": store, "LOCAL_SECRETS_FILE": "/tmp/s.json"}

    with pytest.raises(ConfigurationError) as error:
        Settings.from_env(env)

    assert error.value.message == (
        f"SECRETS_STORE={store} is for local mode only; on AWS_LAMBDA secrets are never read "
        "from environment variables or local files"
    )


def test_unknown_secrets_store_names_the_value() -> None:
    with pytest.raises(ConfigurationError) as error:
        Settings.from_env({"SECRETS_STORE": "vault"})

    assert error.value.message == (
        "SECRETS_STORE must be one of AWS_SSM_PARAMETER_STORE, AWS_SECRETS_MANAGER, "
        "GCP_SECRET_MANAGER, LOCAL_FILE, ENV; got 'vault'"
    )


def test_hashicorp_vault_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="HASHICORP_VAULT is not supported"):
        Settings.from_env({"SECRETS_STORE": "hashicorp_vault"})


def test_local_file_store_from_the_file_variable() -> None:
    settings = Settings.from_env({"LOCAL_SECRETS_FILE": "secrets.json"})

    assert settings.secrets_store is SecretsStoreKind.LOCAL_FILE
    assert settings.local_secrets_file == Path("secrets.json")


def test_local_file_store_needs_its_file() -> None:
    with pytest.raises(ConfigurationError) as error:
        Settings.from_env({"SECRETS_STORE": "LOCAL_FILE"})

    assert error.value.message == "SECRETS_STORE=LOCAL_FILE needs LOCAL_SECRETS_FILE (a JSON file)"


def test_env_store_keeps_the_environment_as_secrets() -> None:
    settings = Settings.from_env({"SECRETS_STORE": "env", "PSOXY_SALT": "salt"})

    assert settings.env_secrets["PSOXY_SALT"] == Secret("salt")
    assert "salt" not in repr(settings)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        (
            "USE_SHARED_TOKEN",
            "yes",
            "USE_SHARED_TOKEN must be 'true' or 'false' (any case), got 'yes'",
        ),
        (
            "REQUEST_TIMEOUT_SECONDS",
            "3m",
            "REQUEST_TIMEOUT_SECONDS must be a whole number, got '3m'",
        ),
        ("REQUEST_TIMEOUT_SECONDS", "0", "REQUEST_TIMEOUT_SECONDS must be at least 1, got '0'"),
        (
            "TLS_VERSION",
            "tlsv1.3",
            "TLS_VERSION must be exactly 'TLSv1.3' or 'TLSv1.2', got 'tlsv1.3'",
        ),
        (
            "EMAIL_DOMAIN_HANDLING",
            "hash",
            "EMAIL_DOMAIN_HANDLING must be one of PRESERVE, REDACT, TOKENIZE, ENCRYPT; got 'hash'",
        ),
        (
            "ALLOWED_DATA_ACCESS_IP_BLOCKS",
            "10.0.0.0/8, office",
            "ALLOWED_DATA_ACCESS_IP_BLOCKS must list IP addresses or CIDR blocks; "
            "'office' is neither",
        ),
        (
            "PSEUDONYM_IMPLEMENTATION",
            "v0.3",
            "PSEUDONYM_IMPLEMENTATION='v0.3' (legacy v0.3) is not supported; use v0.4",
        ),
        ("PSEUDONYM_IMPLEMENTATION", "v9", "PSEUDONYM_IMPLEMENTATION must be 'v0.4', got 'v9'"),
    ],
)
def test_bad_values_name_key_and_value(key: str, value: str, message: str) -> None:
    with pytest.raises(ConfigurationError) as error:
        Settings.from_env({key: value})

    assert error.value.message == message
    assert error.value.code == "CONFIGURATION_FAILURE"


def test_typed_values() -> None:
    settings = Settings.from_env(
        {
            "ALLOWED_DATA_ACCESS_IP_BLOCKS": "10.0.0.0/8, 192.168.1.7 ,2001:db8::/32,",
            "IS_DEVELOPMENT_MODE": "True",
            "FOLLOW_REDIRECTS": "false",
            "PSEUDONYMIZE_APP_IDS": "TRUE",
            "EMAIL_CANONICALIZATION": "ignore_dots",
            "EMAIL_DOMAIN_HANDLING": "tokenize",
            "TLS_VERSION": "TLSv1.2",
            "PSEUDONYM_IMPLEMENTATION": "v0.4",
            "REQUEST_PATH_PREFIX_TO_TRIM": "/v1/",
            "RULES": "  allowAllEndpoints: false\n",
            "CLIENT_ID": "client-1",
            "BUNDLE_FILENAME": "psoxy-aws-0.6.9.jar",
        }
    )

    assert settings.allowed_data_access_ip_blocks == (
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("192.168.1.7/32"),
        ipaddress.ip_network("2001:db8::/32"),
    )
    assert settings.is_development_mode is True
    assert settings.follow_redirects is False
    assert settings.pseudonymize_app_ids is True
    assert settings.email_canonicalization is EmailCanonicalization.IGNORE_DOTS
    assert settings.email_domain_handling is EmailDomainHandling.TOKENIZE
    assert settings.tls_version is TlsVersion.TLS_1_2
    assert settings.pseudonym_implementation == "v0.4"
    assert settings.request_path_prefix_to_trim == "/v1/"
    assert settings.rules == "  allowAllEndpoints: false\n"
    assert settings.client_id == "client-1"
    assert settings.bundle_filename == "psoxy-aws-0.6.9.jar"


def test_use_shared_token_defaults_on_only_for_account_credentials() -> None:
    assert Settings.from_env({"GRANT_TYPE": "account_credentials"}).use_shared_token is True
    assert Settings.from_env({"GRANT_TYPE": "refresh_token"}).use_shared_token is False


def test_settings_are_frozen() -> None:
    settings = Settings.from_env({})

    with pytest.raises(AttributeError):
        settings.source = "x"  # type: ignore[misc]
