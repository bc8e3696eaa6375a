"""`GcpSecretManagerStore`: GCP Secret Manager (``SECRETS_STORE=GCP_SECRET_MANAGER``).

Secret ids are the full keys (``PSOXY_CONFLUENCE_CLOUD_REFRESH_TOKEN``) in the runtime's project.
Reads follow the secret's ``latest-version`` label (strongly consistent), falling back to the
``latest`` alias. A write adds a version, moves the label to it (etag-conditioned, never
backwards) and destroys the ENABLED versions older than it, so normally one version is enabled.
Payload checksums are verified. Not found / permission denied / disabled read as "absent";
other RPC failures are transient (the reference swallowed them all). Every call's timeout (and
the access retries) end at the request's deadline; writes, which keep rotated tokens, get the
deadline's wrap-up time instead.

    store = GcpSecretManagerStore(naming, SecretManagerServiceClient(), project_id="my-project")
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from google.api_core import exceptions as gexc
from google.api_core import gapic_v1
from google.api_core import retry as retries
from google.cloud.secretmanager_v1 import types

from proxy.config._naming import SecretNaming
from proxy.config.locks import DistributedLock
from proxy.config.locks._gcp_secret_label import GcpSecretLabelLock
from proxy.config.stores._base import CachePolicy, SecretStore, StoredVersion
from proxy.config.stores._crc32c import crc32c
from proxy.deadline import current_deadline
from proxy.errors import ConfigStoreUnavailable, ConfigurationError
from proxy.log_events import LogEvent, event
from proxy.secret_value import Secret
from proxy.timing import Clock, Sleep, system_clock, system_sleep

if TYPE_CHECKING:
    from google.cloud.secretmanager_v1 import SecretManagerServiceClient
    from google.cloud.secretmanager_v1.services.secret_manager_service.client import (
        OptionalRetry,
    )

__all__ = ["GcpSecretManagerStore", "default_gcp_client"]

_log = logging.getLogger("proxy.config.stores.gcp_secret_manager")  # stable name, as logged
LATEST_VERSION_LABEL = "latest-version"
_ABSENT = (gexc.NotFound, gexc.PermissionDenied, gexc.FailedPrecondition)
_LABEL_ATTEMPTS = 5
_DESTROY_PAGE_SIZE = 20
# The client's default for AccessSecretVersion; each call ends it at the request's deadline.
_ACCESS_RETRY = retries.Retry(
    initial=2.0,
    maximum=60.0,
    multiplier=2.0,
    predicate=retries.if_exception_type(gexc.ResourceExhausted, gexc.ServiceUnavailable),
    timeout=60.0,
)


def default_gcp_client() -> SecretManagerServiceClient:
    """A client from Application Default Credentials (imports the SDK only when called)."""
    from google.cloud.secretmanager_v1 import SecretManagerServiceClient

    return SecretManagerServiceClient()


class GcpSecretManagerStore(SecretStore):
    """Secret store over Secret Manager secrets of one project."""

    description = "GCP Secret Manager"

    def __init__(
        self,
        naming: SecretNaming,
        client: SecretManagerServiceClient,
        *,
        project_id: str,
        clock: Clock = system_clock,
        sleep: Sleep = system_sleep,
        cache: CachePolicy | None = None,
        rpc_timeout: float = 10.0,
        access_retry: OptionalRetry = gapic_v1.method.DEFAULT,
    ) -> None:
        super().__init__(naming, clock=clock, sleep=sleep, cache=cache)
        self._client = client
        self._project = project_id
        self._timeout = rpc_timeout
        self._access_retry = access_retry

    def secret_path(self, key: str) -> str:
        return f"projects/{self._project}/secrets/{key}"

    def _read(self, key: str) -> str | None:
        path = self.secret_path(key)
        labelled = self._labelled_version(path, self._work_timeout(path))
        if labelled is not None:
            try:
                return self._access(f"{path}/versions/{labelled}", self._work_timeout(path))
            except (gexc.NotFound, gexc.FailedPrecondition):
                pass  # destroyed by a newer write meanwhile: the alias has the newest
            except gexc.GoogleAPICallError as exc:
                raise _unavailable("read", path, exc) from exc
        try:
            return self._access(f"{path}/versions/latest", self._work_timeout(path))
        except _ABSENT:
            return None
        except (gexc.GoogleAPICallError, gexc.RetryError) as exc:
            raise _unavailable("read", path, exc) from exc

    def _write(self, key: str, value: str) -> None:
        path = self.secret_path(key)
        data = value.encode("utf-8")
        payload = types.SecretPayload(data=data, data_crc32c=crc32c(data))
        try:
            added = self._client.add_secret_version(
                parent=path, payload=payload, timeout=self._wrap_up_timeout()
            )
        except gexc.NotFound:
            raise ConfigurationError(
                f"secret {path} does not exist; create it (Terraform does) before the proxy writes"
            ) from None
        except gexc.GoogleAPICallError as exc:
            raise _unavailable("write", path, exc) from exc
        number = _version_number(added.name)
        self._point_label_at(path, number)
        _log.info(
            "Secret Manager: wrote %s version %d", path, number, extra=event(LogEvent.STORE_WRITE)
        )
        self._destroy_older_versions(path, number)

    def _versions(self, key: str, limit: int) -> Sequence[StoredVersion]:
        path = self.secret_path(key)
        try:
            enabled = self._enabled_versions(path, self._work_timeout(path))
            found = []
            for version in enabled[:limit]:
                try:
                    value = self._access(version.name, self._work_timeout(path))
                except (gexc.NotFound, gexc.FailedPrecondition):
                    continue  # destroyed between listing and access
                found.append(
                    StoredVersion(
                        version=str(_version_number(version.name)),
                        value=Secret(value),
                        created_at=version.create_time.timestamp(),
                    )
                )
            return found
        except _ABSENT:
            return []
        except (gexc.GoogleAPICallError, gexc.RetryError) as exc:
            raise _unavailable("version listing", path, exc) from exc

    def _lock(self, key: str, ttl_seconds: float) -> DistributedLock:
        return GcpSecretLabelLock(
            self._client,
            self.secret_path(key),
            ttl_seconds=ttl_seconds,
            clock=self._clock,
            rpc_timeout=self._timeout,
        )

    # ------------------------------------------------------------------------ helpers
    def _work_timeout(self, path: str) -> float:
        return current_deadline().budget(self._timeout, f"reading {path}")

    def _wrap_up_timeout(self) -> float:
        return current_deadline().wrap_up_budget(self._timeout)

    def _access(self, version_path: str, timeout: float) -> str:
        retry = self._access_retry
        if retry is gapic_v1.method.DEFAULT:
            retry = _ACCESS_RETRY.with_timeout(timeout)
        response = self._client.access_secret_version(
            name=version_path, retry=retry, timeout=timeout
        )
        data = response.payload.data
        if "data_crc32c" in response.payload and response.payload.data_crc32c != crc32c(data):
            raise ConfigStoreUnavailable(f"{version_path}: payload checksum mismatch")
        return data.decode("utf-8")

    def _labelled_version(self, path: str, timeout: float) -> str | None:
        try:
            secret = self._client.get_secret(name=path, timeout=timeout)
        except gexc.PermissionDenied:
            return None  # reader-only service account: go straight to `latest`
        except gexc.NotFound:
            return None
        except gexc.GoogleAPICallError as exc:
            raise _unavailable("read", path, exc) from exc
        return secret.labels.get(LATEST_VERSION_LABEL) or None

    def _point_label_at(self, path: str, number: int) -> None:
        """Move ``latest-version`` to ``number`` unless a newer version is already labelled."""
        for _ in range(_LABEL_ATTEMPTS):
            try:
                secret = self._client.get_secret(name=path, timeout=self._wrap_up_timeout())
                current = secret.labels.get(LATEST_VERSION_LABEL)
                if current is not None and current.isdigit() and int(current) >= number:
                    return
                labels = dict(secret.labels)
                labels[LATEST_VERSION_LABEL] = str(number)
                update = types.Secret(name=path, labels=labels, etag=secret.etag)
                self._client.update_secret(
                    request={"secret": update, "update_mask": {"paths": ["labels"]}},
                    timeout=self._wrap_up_timeout(),
                )
                return
            except (gexc.FailedPrecondition, gexc.Aborted):
                continue  # someone else updated the secret: read it again
            except gexc.GoogleAPICallError as exc:
                raise _unavailable("label update", path, exc) from exc
        raise ConfigStoreUnavailable(f"{path}: could not move the {LATEST_VERSION_LABEL} label")

    def _enabled_versions(self, path: str, timeout: float) -> list[types.SecretVersion]:
        pager = self._client.list_secret_versions(
            request={"parent": path, "filter": "state:ENABLED", "page_size": _DESTROY_PAGE_SIZE},
            timeout=timeout,
        )
        enabled = [v for v in pager if v.state == types.SecretVersion.State.ENABLED]
        enabled.sort(key=lambda v: _version_number(v.name), reverse=True)
        return enabled

    def _destroy_older_versions(self, path: str, number: int) -> None:
        """Keep one enabled version; never touch a newer one (written concurrently)."""
        try:
            for version in self._enabled_versions(path, self._wrap_up_timeout()):
                if _version_number(version.name) < number:
                    self._client.destroy_secret_version(
                        name=version.name, timeout=self._wrap_up_timeout()
                    )
        except gexc.GoogleAPICallError as exc:
            _log.warning(
                "Secret Manager: clean-up of %s failed (%s)",
                path,
                type(exc).__name__,
                extra=event(LogEvent.STORE_CLEANUP_FAILED),
            )


def _version_number(version_path: str) -> int:
    return int(version_path.rsplit("/", 1)[-1])


def _unavailable(action: str, path: str, exc: BaseException) -> ConfigStoreUnavailable:
    return ConfigStoreUnavailable(
        f"Secret Manager {action} of {path} failed ({type(exc).__name__})"
    )
