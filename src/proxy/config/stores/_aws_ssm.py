"""`SsmParameterStore`: AWS SSM Parameter Store (``SECRETS_STORE=AWS_SSM_PARAMETER_STORE``).

Reads decrypt SecureStrings; writes put a new SecureString version (``Overwrite=True``).
Versions come from ``GetParameterHistory`` over *all* pages (the reference read one page, which
after many rotations may hold only the oldest versions). Not found and access denied read as
"absent", like the reference; every other failure is transient (`ConfigStoreUnavailable`).

    store = SsmParameterStore(settings.naming, boto3.client("ssm"))
"""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from typing import TYPE_CHECKING

from proxy.config._aws_errors import AWS_ERRORS, aws_error_code, is_access_denied
from proxy.config._naming import SecretNaming, ssm_parameter_name
from proxy.config.stores._aws_base import AwsStore
from proxy.config.stores._aws_clients import client_config
from proxy.config.stores._base import CachePolicy, StoredVersion
from proxy.errors import ConfigStoreUnavailable
from proxy.log_events import LogEvent, event
from proxy.secret_value import Secret
from proxy.timing import Clock, Sleep, system_clock, system_sleep

if TYPE_CHECKING:
    from mypy_boto3_ssm.client import SSMClient

__all__ = ["SsmParameterStore", "default_ssm_client"]

_log = logging.getLogger("proxy.config.stores.aws_ssm")  # stable name, as logged
_NOT_FOUND = ("ParameterNotFound", "ParameterVersionNotFound")
_HISTORY_PAGE_SIZE = 50
_BATCH_SIZE = 10  # GetParameters' limit


def default_ssm_client(region: str | None = None) -> SSMClient:
    """A boto3 SSM client from the runtime's credentials (imports boto3 only when called)."""
    import boto3

    return boto3.client("ssm", region_name=region, config=client_config())


class SsmParameterStore(AwsStore):
    """Secret store over SSM parameters named ``<prefix><NAME>``."""

    description = "AWS SSM Parameter Store"

    def __init__(
        self,
        naming: SecretNaming,
        client: SSMClient,
        *,
        clock: Clock = system_clock,
        sleep: Sleep = system_sleep,
        cache: CachePolicy | None = None,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__(naming, ssm_client=client, clock=clock, sleep=sleep, cache=cache, rng=rng)
        self._client = client

    def _read(self, key: str) -> str | None:
        name = ssm_parameter_name(key)
        try:
            return self._client.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
        except AWS_ERRORS as exc:
            if aws_error_code(exc) in _NOT_FOUND:
                return None
            if is_access_denied(exc):
                _log.warning(
                    "SSM: access denied reading %s; treated as absent",
                    name,
                    extra=event(LogEvent.STORE_ACCESS_DENIED),
                )
                return None
            raise ConfigStoreUnavailable(
                f"SSM read of {name} failed ({aws_error_code(exc)})"
            ) from exc

    def _read_many(self, keys: Sequence[str]) -> dict[str, str | None]:
        """`GetParameters`, ten names a call; a batch that fails (e.g. denied as a whole when
        one name is) ends the prefetch, and its keys are read one by one as before."""
        known: dict[str, str | None] = {}
        for start in range(0, len(keys), _BATCH_SIZE):
            names = {ssm_parameter_name(key): key for key in keys[start : start + _BATCH_SIZE]}
            try:
                result = self._client.get_parameters(Names=list(names), WithDecryption=True)
            except AWS_ERRORS as exc:
                _log.info("SSM: batched read failed (%s); reading one by one", aws_error_code(exc))
                break
            for item in result.get("Parameters", []):
                if item.get("Name") in names:
                    known[names[item["Name"]]] = item.get("Value")
            for name in result.get("InvalidParameters", []):
                if name in names:
                    known[names[name]] = None
        return known

    def _write(self, key: str, value: str) -> None:
        name = ssm_parameter_name(key)
        try:
            result = self._client.put_parameter(
                Name=name, Value=value, Type="SecureString", Overwrite=True
            )
        except AWS_ERRORS as exc:
            raise ConfigStoreUnavailable(
                f"SSM write of {name} failed ({aws_error_code(exc)})"
            ) from exc
        _log.info(
            "SSM: wrote %s version %s",
            name,
            result.get("Version"),
            extra=event(LogEvent.STORE_WRITE),
        )

    def _versions(self, key: str, limit: int) -> Sequence[StoredVersion]:
        name = ssm_parameter_name(key)
        found: list[StoredVersion] = []
        try:
            pages = self._client.get_paginator("get_parameter_history").paginate(
                Name=name, WithDecryption=True, PaginationConfig={"PageSize": _HISTORY_PAGE_SIZE}
            )
            for page in pages:
                for item in page.get("Parameters", []):
                    modified = item.get("LastModifiedDate")
                    found.append(
                        StoredVersion(
                            version=str(item.get("Version", 0)),
                            value=Secret(item.get("Value", "")),
                            created_at=modified.timestamp() if modified else None,
                        )
                    )
        except AWS_ERRORS as exc:
            if aws_error_code(exc) in _NOT_FOUND:
                return []
            raise ConfigStoreUnavailable(
                f"SSM history of {name} failed ({aws_error_code(exc)})"
            ) from exc
        found.sort(key=lambda v: int(v.version), reverse=True)
        return found
