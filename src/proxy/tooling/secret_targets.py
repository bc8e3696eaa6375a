"""Where `proxy setup confluence --store …` writes the client and the refresh token.

The proxy's own secret stores do the writing, so names and formats are exactly what the
deployed proxy reads: ``<prefix>CLIENT_ID``, ``<prefix>CLIENT_SECRET``, ``<prefix>REFRESH_TOKEN``
(SSM SecureString, Secrets Manager secret, GCP secret version, or a key of the local JSON file).
Each value is read back after the write, so a silent failure cannot go unnoticed.

    target = StoreTarget("ssm", prefix="PSOXY_CONFLUENCE_CLOUD_", region="us-east-1")
    written = write_oauth_values(open_store(target), {"CLIENT_ID": Secret("…"), …})
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from proxy.auth import GRANTED_AT, format_instant
from proxy.config import SecretsStoreKind, Settings
from proxy.config.stores import SecretStore, build_secret_store
from proxy.errors import OperatorToolError, ProxyError
from proxy.secret_value import Secret

if TYPE_CHECKING:
    from google.cloud.secretmanager_v1 import SecretManagerServiceClient
    from mypy_boto3_secretsmanager.client import SecretsManagerClient
    from mypy_boto3_ssm.client import SSMClient

__all__ = [
    "STORE_KINDS",
    "StoreClients",
    "StoreTarget",
    "check_store_reachable",
    "open_store",
    "record_consent_time",
    "write_oauth_values",
]

#: `--store` choices and the proxy's `SECRETS_STORE` value each one means.
STORE_KINDS: Mapping[str, SecretsStoreKind] = {
    "ssm": SecretsStoreKind.AWS_SSM_PARAMETER_STORE,
    "secrets-manager": SecretsStoreKind.AWS_SECRETS_MANAGER,
    "gcp": SecretsStoreKind.GCP_SECRET_MANAGER,
    "local": SecretsStoreKind.LOCAL_FILE,
}


@dataclass(frozen=True)
class StoreTarget:
    """The `--store`, `--prefix`, `--region`, `--project` and `--secrets-file` options."""

    kind: str
    prefix: str
    region: str | None = None
    project: str | None = None
    secrets_file: Path | None = None


@dataclass(frozen=True)
class StoreClients:
    """SDK clients to use instead of the defaults (tests point them at moto or a fake)."""

    ssm: SSMClient | None = None
    secrets_manager: SecretsManagerClient | None = None
    gcp: SecretManagerServiceClient | None = None


def open_store(target: StoreTarget, clients: StoreClients | None = None) -> SecretStore:
    """The proxy's secret store for this target, as a deployed instance would build it."""
    kind = STORE_KINDS.get(target.kind)
    if kind is None:
        raise OperatorToolError(f"unknown store {target.kind!r} (one of {', '.join(STORE_KINDS)})")
    if not target.prefix:
        raise OperatorToolError("--prefix must not be empty (e.g. PSOXY_CONFLUENCE_CLOUD_)")
    environ = {"SECRETS_STORE": kind.value, "PATH_TO_INSTANCE_CONFIG": target.prefix}
    if target.region:
        environ["AWS_REGION"] = target.region
    if target.project:
        environ["GOOGLE_CLOUD_PROJECT"] = target.project
    if kind is SecretsStoreKind.LOCAL_FILE:
        path = target.secrets_file or Path(".local") / "secrets.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        environ["LOCAL_SECRETS_FILE"] = str(path)
    clients = clients or StoreClients()
    try:
        return build_secret_store(
            Settings.from_env(environ),
            ssm_client=clients.ssm,
            secrets_manager_client=clients.secrets_manager,
            gcp_client=clients.gcp,
        )
    except ImportError as exc:
        extra = "gcp" if kind is SecretsStoreKind.GCP_SECRET_MANAGER else "aws"
        raise OperatorToolError(
            f"the {target.kind} store needs the cloud SDK: pip install 'confluence-psoxy[{extra}]'"
        ) from exc
    except ProxyError as exc:
        raise OperatorToolError(f"cannot open the {target.kind} store: {exc.message}") from exc
    except Exception as exc:  # SDK set-up failures (no region, no credentials): one clear line
        raise OperatorToolError(
            f"cannot open the {target.kind} store ({type(exc).__name__}): check the cloud "
            "credentials, --region / --project"
        ) from exc


def check_store_reachable(store: SecretStore, *, cloud: bool = True) -> None:
    """Read once before the consent, so missing credentials or a wrong region fail early
    (a consent's refresh token that cannot be stored is lost). `cloud`: hint at credentials."""
    try:
        store.get_fresh("REFRESH_TOKEN")
    except ProxyError as exc:
        hint = " (check the cloud credentials, --region / --project)" if cloud else ""
        raise OperatorToolError(
            f"cannot read {store.description} before the consent: {exc.message}{hint}"
        ) from exc


def write_oauth_values(store: SecretStore, values: Mapping[str, Secret]) -> list[str]:
    """Write each ``NAME -> value`` to the instance namespace and read it back; full names."""
    written: list[str] = []
    for name, value in values.items():
        key = store.naming.instance_key(name)
        try:
            store.put(name, value.reveal())
            stored = store.get_fresh(name)
        except ProxyError as exc:
            raise OperatorToolError(
                f"writing {key} to {store.description} failed: {exc.message}"
                + (f" (already written: {', '.join(written)})" if written else "")
            ) from exc
        if stored != value:
            raise OperatorToolError(f"{key} reads back differently from {store.description}")
        written.append(key)
    return written


def record_consent_time(store: SecretStore, granted_at: float) -> str:
    """Write ``REFRESH_TOKEN_GRANTED_AT`` (ISO-8601 UTC) and read it back; its full name.

    Optional for the proxy (it then cannot warn before the 365-day expiry), so the caller
    reports a failure as a warning, after the refresh token is safely stored.
    """
    key = store.naming.instance_key(GRANTED_AT)
    value = format_instant(granted_at)
    try:
        store.put(GRANTED_AT, value)
        stored = store.get_fresh(GRANTED_AT)
    except ProxyError as exc:
        raise OperatorToolError(
            f"writing {key} to {store.description} failed: {exc.message}"
        ) from exc
    if stored != Secret(value):
        raise OperatorToolError(f"{key} reads back differently from {store.description}")
    return key
