"""`SecretsManagerStore`: AWS Secrets Manager (``SECRETS_STORE=AWS_SECRETS_MANAGER``).

Secrets are named ``<prefix><NAME>``, plain text (``SecretString``). A write puts a new value
(AWSCURRENT moves, the old one becomes AWSPREVIOUS), creating the secret if it does not exist.
Versions are AWSCURRENT then AWSPREVIOUS, read by stage (no listing needed). The refresh lock
stays in SSM, as in the reference (non-sensitive values live in SSM in this deployment variant).

    store = SecretsManagerStore(naming, sm_client, ssm_client=ssm_client)
"""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from typing import TYPE_CHECKING

from proxy.config._aws_errors import AWS_ERRORS, aws_error_code, is_access_denied
from proxy.config._naming import SecretNaming
from proxy.config.stores._aws_base import AwsStore
from proxy.config.stores._aws_clients import client_config
from proxy.config.stores._base import CachePolicy, StoredVersion
from proxy.errors import ConfigStoreUnavailable
from proxy.log_events import LogEvent, event
from proxy.secret_value import Secret
from proxy.timing import Clock, Sleep, system_clock, system_sleep

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager.client import SecretsManagerClient
    from mypy_boto3_ssm.client import SSMClient

__all__ = ["SecretsManagerStore", "default_secrets_manager_client"]

_log = logging.getLogger("proxy.config.stores.aws_secrets_manager")  # stable name, as logged
_CURRENT_STAGES = ("AWSCURRENT", "AWSPREVIOUS")


def default_secrets_manager_client(region: str | None = None) -> SecretsManagerClient:
    """A boto3 Secrets Manager client from the runtime's credentials."""
    import boto3

    return boto3.client("secretsmanager", region_name=region, config=client_config())


class SecretsManagerStore(AwsStore):
    """Secret store over Secrets Manager secrets; locks in SSM."""

    description = "AWS Secrets Manager"

    def __init__(
        self,
        naming: SecretNaming,
        client: SecretsManagerClient,
        *,
        ssm_client: SSMClient,
        clock: Clock = system_clock,
        sleep: Sleep = system_sleep,
        cache: CachePolicy | None = None,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__(
            naming, ssm_client=ssm_client, clock=clock, sleep=sleep, cache=cache, rng=rng
        )
        self._client = client

    def _read(self, key: str) -> str | None:
        try:
            return self._client.get_secret_value(SecretId=key).get("SecretString")
        except AWS_ERRORS as exc:
            self._absent_or_raise(exc, "read", key)
            return None

    def _write(self, key: str, value: str) -> None:
        try:
            try:
                version = self._client.put_secret_value(SecretId=key, SecretString=value)[
                    "VersionId"
                ]
            except AWS_ERRORS as exc:
                if aws_error_code(exc) != "ResourceNotFoundException":
                    raise
                version = self._client.create_secret(Name=key, SecretString=value)["VersionId"]
        except AWS_ERRORS as exc:
            raise ConfigStoreUnavailable(
                f"Secrets Manager write of {key} failed ({aws_error_code(exc)})"
            ) from exc
        _log.info(
            "Secrets Manager: wrote %s version %s", key, version, extra=event(LogEvent.STORE_WRITE)
        )

    def _versions(self, key: str, limit: int) -> Sequence[StoredVersion]:
        found = []
        for stage in _CURRENT_STAGES:  # AWSCURRENT is the newest by definition
            try:
                value = self._client.get_secret_value(SecretId=key, VersionStage=stage)
            except AWS_ERRORS as exc:
                self._absent_or_raise(exc, "version listing", key)
                continue
            if "SecretString" in value:
                created = value.get("CreatedDate")
                found.append(
                    StoredVersion(
                        version=value["VersionId"],
                        value=Secret(value["SecretString"]),
                        created_at=created.timestamp() if created else None,
                    )
                )
        return found

    def _absent_or_raise(self, exc: BaseException, action: str, key: str) -> None:
        code = aws_error_code(exc)
        if code == "ResourceNotFoundException":
            return None
        if code == "DecryptionFailure":
            _log.error(
                "Secrets Manager: cannot decrypt %s; treated as absent",
                key,
                extra=event(LogEvent.STORE_ACCESS_DENIED),
            )
            return None
        if is_access_denied(exc):
            _log.warning(
                "Secrets Manager: access denied to %s; treated as absent",
                key,
                extra=event(LogEvent.STORE_ACCESS_DENIED),
            )
            return None
        raise ConfigStoreUnavailable(f"Secrets Manager {action} of {key} failed ({code})") from exc
