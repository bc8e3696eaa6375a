from __future__ import annotations

from pathlib import Path

import pytest

from proxy.config import ConfigValues, Settings, build_config_store, build_secret_store
from proxy.config.stores import EnvSecretStore, LocalFileStore
from proxy.config.stores._aws_secrets_manager import SecretsManagerStore
from proxy.config.stores._aws_ssm import SsmParameterStore
from proxy.config.stores._gcp_secret_manager import GcpSecretManagerStore
from proxy.errors import ConfigurationError
from proxy.secret_value import Secret
from support.gcp_secret_manager_fake import PROJECT, FakeSecretManager
from support.moto_server import MotoServer

LAMBDA = {"AWS_LAMBDA_FUNCTION_NAME": "psoxy-confluence-cloud"}


def test_env_store_for_local_mode() -> None:
    settings = Settings.from_env({"PSOXY_SALT": "salt"})
    store = build_secret_store(settings)

    assert isinstance(store, EnvSecretStore)
    assert store.get("PSOXY_SALT") == Secret("salt")


def test_env_store_cannot_be_written() -> None:
    store = build_secret_store(Settings.from_env({}))

    with pytest.raises(ConfigurationError) as error:
        store.put("REFRESH_TOKEN", "x")

    assert error.value.message == (
        "cannot write PSOXY_CONFLUENCE_CLOUD_REFRESH_TOKEN: environment variables are read-only "
        "(use SECRETS_STORE=LOCAL_FILE to keep rotated tokens)"
    )


def test_local_file_store(tmp_path: Path) -> None:
    settings = Settings.from_env({"LOCAL_SECRETS_FILE": str(tmp_path / "s.json")})

    store = build_secret_store(settings)

    assert isinstance(store, LocalFileStore)
    assert store.path == tmp_path / "s.json"


def test_ssm_store_with_an_injected_client(moto: MotoServer) -> None:
    moto.ssm().put_parameter(Name="PSOXY_SALT", Value="salt", Type="SecureString")
    settings = Settings.from_env(LAMBDA)

    store = build_secret_store(settings, ssm_client=moto.ssm())

    assert isinstance(store, SsmParameterStore)
    assert store.get("PSOXY_SALT") == Secret("salt")
    assert build_config_store(settings, store) is store


def test_secrets_manager_store_reads_config_from_ssm(moto: MotoServer) -> None:
    moto.ssm().put_parameter(
        Name="PSOXY_CONFLUENCE_CLOUD_RULES", Value="allowAllEndpoints: false", Type="String"
    )
    settings = Settings.from_env({**LAMBDA, "SECRETS_STORE": "AWS_SECRETS_MANAGER"})
    store = build_secret_store(
        settings, ssm_client=moto.ssm(), secrets_manager_client=moto.secrets_manager()
    )

    config_store = build_config_store(settings, store, ssm_client=moto.ssm())

    assert isinstance(store, SecretsManagerStore)
    assert isinstance(config_store, SsmParameterStore)
    assert ConfigValues(settings, config_store).get("RULES") == "allowAllEndpoints: false"


def test_gcp_store_with_an_injected_client(gcp_fake: FakeSecretManager) -> None:
    gcp_fake.put("PSOXY_SALT", "salt")
    settings = Settings.from_env({"K_SERVICE": "psoxy-confluence", "GOOGLE_CLOUD_PROJECT": PROJECT})

    store = build_secret_store(settings, gcp_client=gcp_fake.client())

    assert isinstance(store, GcpSecretManagerStore)
    assert store.get("PSOXY_SALT") == Secret("salt")


def test_config_values_prefer_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(
        '{"PSOXY_CONFLUENCE_CLOUD_RULES": "remote", '
        '"PSOXY_CONFLUENCE_CLOUD_REFRESH_ENDPOINT": "https://remote/oauth/token"}'
    )
    settings = Settings.from_env({"LOCAL_SECRETS_FILE": str(path), "RULES": "from env"})
    config = ConfigValues(settings, build_secret_store(settings))

    assert config.get("RULES") == "from env"
    assert config.get("REFRESH_ENDPOINT") == "https://remote/oauth/token"
    assert config.get("CLIENT_ID") is None
