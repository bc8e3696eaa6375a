"""Build the secret store that `Settings.secrets_store` names; SDKs are imported only here, lazily.

Clients are injectable: tests pass boto3 clients pointed at a moto server, or a GCP client on an
insecure channel to an in-process fake; production passes nothing and gets default clients.

    store = build_secret_store(settings)
    config = build_config_store(settings, store)   # where RULES / REFRESH_ENDPOINT may live
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from proxy.config._settings import SecretsStoreKind, Settings
from proxy.config.stores._base import CachePolicy, SecretStore
from proxy.config.stores._env import EnvSecretStore
from proxy.config.stores._local_file import LocalFileStore
from proxy.errors import ConfigurationError
from proxy.timing import Clock, Sleep, system_clock, system_sleep

if TYPE_CHECKING:
    from google.cloud.secretmanager_v1 import SecretManagerServiceClient
    from mypy_boto3_secretsmanager.client import SecretsManagerClient
    from mypy_boto3_ssm.client import SSMClient

__all__ = ["build_config_store", "build_secret_store"]


def build_secret_store(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    sleep: Sleep = system_sleep,
    cache: CachePolicy | None = None,
    ssm_client: SSMClient | None = None,
    secrets_manager_client: SecretsManagerClient | None = None,
    gcp_client: SecretManagerServiceClient | None = None,
) -> SecretStore:
    """The secret store of this deployment (reads instance then shared namespace)."""
    naming = settings.naming
    kind = settings.secrets_store
    if kind is SecretsStoreKind.ENV:
        return EnvSecretStore(settings.env_secrets, naming, clock=clock, sleep=sleep, cache=cache)
    if kind is SecretsStoreKind.LOCAL_FILE:
        if settings.local_secrets_file is None:
            raise ConfigurationError("SECRETS_STORE=LOCAL_FILE needs LOCAL_SECRETS_FILE")
        return LocalFileStore(
            settings.local_secrets_file, naming, clock=clock, sleep=sleep, cache=cache
        )
    if kind is SecretsStoreKind.AWS_SSM_PARAMETER_STORE:
        return _ssm_store(settings, ssm_client, clock=clock, sleep=sleep, cache=cache)
    if kind is SecretsStoreKind.AWS_SECRETS_MANAGER:
        from proxy.config.stores._aws_secrets_manager import (
            SecretsManagerStore,
            default_secrets_manager_client,
        )
        from proxy.config.stores._aws_ssm import default_ssm_client

        return SecretsManagerStore(
            naming,
            secrets_manager_client or default_secrets_manager_client(settings.aws_region),
            ssm_client=ssm_client or default_ssm_client(settings.aws_region),
            clock=clock,
            sleep=sleep,
            cache=cache,
        )
    from proxy.config.stores._gcp_secret_manager import GcpSecretManagerStore, default_gcp_client

    return GcpSecretManagerStore(
        naming,
        gcp_client or default_gcp_client(),
        project_id=settings.gcp_project_id or _default_gcp_project(),
        clock=clock,
        sleep=sleep,
        cache=cache,
    )


def build_config_store(
    settings: Settings,
    secret_store: SecretStore,
    *,
    clock: Clock = system_clock,
    sleep: Sleep = system_sleep,
    cache: CachePolicy | None = None,
    ssm_client: SSMClient | None = None,
) -> SecretStore:
    """Where remote *config* (e.g. ``<prefix>RULES``) lives: SSM on AWS even when secrets are in
    Secrets Manager (as in the reference); the secret store itself everywhere else."""
    if settings.secrets_store is not SecretsStoreKind.AWS_SECRETS_MANAGER:
        return secret_store
    return _ssm_store(settings, ssm_client, clock=clock, sleep=sleep, cache=cache)


def _ssm_store(
    settings: Settings,
    client: SSMClient | None,
    *,
    clock: Clock,
    sleep: Sleep,
    cache: CachePolicy | None,
) -> SecretStore:
    from proxy.config.stores._aws_ssm import SsmParameterStore, default_ssm_client

    return SsmParameterStore(
        settings.naming,
        client or default_ssm_client(settings.aws_region),
        clock=clock,
        sleep=sleep,
        cache=cache,
    )


def _default_gcp_project() -> str:
    import google.auth

    _, project = google.auth.default()
    if not project:
        raise ConfigurationError(
            "GCP project id unknown: set GOOGLE_CLOUD_PROJECT for GCP_SECRET_MANAGER"
        )
    return str(project)
