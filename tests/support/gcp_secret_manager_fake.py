"""An in-process gRPC fake of GCP's SecretManagerService, for the real client library.

It serves the methods the proxy uses (plus CreateSecret for seeding) with the client's own
proto-plus types, and copies the real API where it matters: etag-conditioned UpdateSecret
fails with FAILED_PRECONDITION, ``latest`` resolves to the newest version, a destroyed or
disabled version cannot be accessed, ListSecretVersions is newest first and paginated, payload
checksums are checked. Faults can be injected per method.

    fake = shared_gcp_fake()
    client = fake.client()          # SecretManagerServiceClient on an insecure channel
    fake.put("PSOXY_SALT", "salt")  # seed directly
"""

from __future__ import annotations

import atexit
import functools
import threading
import uuid
from collections.abc import Callable
from concurrent import futures
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import grpc
from google.cloud.secretmanager_v1 import SecretManagerServiceClient, types
from google.cloud.secretmanager_v1.services.secret_manager_service.transports import (
    SecretManagerServiceGrpcTransport,
)

from proxy.config.stores._crc32c import crc32c

__all__ = ["PROJECT", "FakeSecretManager", "shared_gcp_fake"]

PROJECT = "test-project"
SERVICE = "google.cloud.secretmanager.v1.SecretManagerService"
State = types.SecretVersion.State


@dataclass
class _Version:
    number: int
    data: bytes
    state: State = State.ENABLED
    created: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass
class _Secret:
    name: str
    labels: dict[str, str] = field(default_factory=dict)
    etag: str = field(default_factory=lambda: f'"{uuid.uuid4().hex[:12]}"')
    versions: list[_Version] = field(default_factory=list)

    def touch(self) -> None:
        self.etag = f'"{uuid.uuid4().hex[:12]}"'

    def message(self) -> types.Secret:
        return types.Secret(name=self.name, labels=dict(self.labels), etag=self.etag)


class _Abort(Exception):
    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(message)
        self.code = code


class FakeSecretManager:
    """State plus a gRPC server on 127.0.0.1 (port chosen by the OS)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: dict[str, _Secret] = {}
        self._faults: dict[str, list[grpc.StatusCode]] = {}
        self.calls: list[str] = []
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=32))
        self._server.add_generic_rpc_handlers((self._handlers(),))
        self.port = self._server.add_insecure_port("127.0.0.1:0")
        self._server.start()

    # ----------------------------------------------------------------- test helpers
    def client(self) -> SecretManagerServiceClient:
        channel = grpc.insecure_channel(f"127.0.0.1:{self.port}")
        return SecretManagerServiceClient(
            transport=SecretManagerServiceGrpcTransport(channel=channel)
        )

    def reset(self) -> None:
        with self._lock:
            self._secrets.clear()
            self._faults.clear()
            self.calls.clear()

    def stop(self) -> None:
        self._server.stop(0)

    def path(self, secret_id: str) -> str:
        return f"projects/{PROJECT}/secrets/{secret_id}"

    def create(self, secret_id: str, labels: dict[str, str] | None = None) -> None:
        with self._lock:
            self._secrets.setdefault(secret_id, _Secret(self.path(secret_id), dict(labels or {})))

    def put(self, secret_id: str, value: str) -> int:
        """Create the secret if needed and add an enabled version; returns its number."""
        self.create(secret_id)
        with self._lock:
            secret = self._secrets[secret_id]
            secret.versions.append(_Version(len(secret.versions) + 1, value.encode()))
            return len(secret.versions)

    def labels(self, secret_id: str) -> dict[str, str]:
        with self._lock:
            return dict(self._secrets[secret_id].labels)

    def set_labels(self, secret_id: str, labels: dict[str, str]) -> None:
        with self._lock:
            secret = self._secrets[secret_id]
            secret.labels = dict(labels)
            secret.touch()

    def version_states(self, secret_id: str) -> dict[int, str]:
        with self._lock:
            return {v.number: v.state.name for v in self._secrets[secret_id].versions}

    def fail(self, method: str, code: grpc.StatusCode, times: int = 1) -> None:
        """Make the next ``times`` calls of ``method`` (e.g. "AccessSecretVersion") fail."""
        with self._lock:
            self._faults.setdefault(method, []).extend([code] * times)

    # ----------------------------------------------------------------- RPC handlers
    def _create_secret(self, request: types.CreateSecretRequest) -> types.Secret:
        secret_id = request.secret_id
        if secret_id in self._secrets:
            raise _Abort(grpc.StatusCode.ALREADY_EXISTS, "secret exists")
        secret = _Secret(self.path(secret_id), dict(request.secret.labels))
        self._secrets[secret_id] = secret
        return secret.message()

    def _get_secret(self, request: types.GetSecretRequest) -> types.Secret:
        return self._secret(request.name).message()

    def _update_secret(self, request: types.UpdateSecretRequest) -> types.Secret:
        secret = self._secret(request.secret.name)
        if request.secret.etag and request.secret.etag != secret.etag:
            raise _Abort(grpc.StatusCode.FAILED_PRECONDITION, "etag mismatch")
        if "labels" in request.update_mask.paths:
            secret.labels = dict(request.secret.labels)
        secret.touch()
        return secret.message()

    def _add_version(self, request: types.AddSecretVersionRequest) -> types.SecretVersion:
        secret = self._secret(request.parent)
        data = request.payload.data
        if "data_crc32c" in request.payload and request.payload.data_crc32c != crc32c(data):
            raise _Abort(grpc.StatusCode.INVALID_ARGUMENT, "checksum mismatch")
        version = _Version(len(secret.versions) + 1, data)
        secret.versions.append(version)
        return self._version_message(secret, version)

    def _access(
        self, request: types.AccessSecretVersionRequest
    ) -> types.AccessSecretVersionResponse:
        secret, version = self._version(request.name)
        if version.state != State.ENABLED:
            raise _Abort(grpc.StatusCode.FAILED_PRECONDITION, f"version is {version.state.name}")
        payload = types.SecretPayload(data=version.data, data_crc32c=crc32c(version.data))
        name = f"{secret.name}/versions/{version.number}"
        return types.AccessSecretVersionResponse(name=name, payload=payload)

    def _list_versions(
        self, request: types.ListSecretVersionsRequest
    ) -> types.ListSecretVersionsResponse:
        secret = self._secret(request.parent)
        versions = sorted(secret.versions, key=lambda v: v.number, reverse=True)
        if request.filter.startswith("state:"):
            wanted = request.filter.split(":", 1)[1].strip()
            versions = [v for v in versions if v.state.name == wanted]
        start = int(request.page_token or 0)
        size = request.page_size or 25
        page = versions[start : start + size]
        next_token = str(start + size) if start + size < len(versions) else ""
        return types.ListSecretVersionsResponse(
            versions=[self._version_message(secret, v) for v in page],
            next_page_token=next_token,
            total_size=len(versions),
        )

    def _destroy(self, request: types.DestroySecretVersionRequest) -> types.SecretVersion:
        secret, version = self._version(request.name)
        if version.state == State.DESTROYED:
            raise _Abort(grpc.StatusCode.FAILED_PRECONDITION, "already destroyed")
        version.state = State.DESTROYED
        version.data = b""
        return self._version_message(secret, version)

    # ----------------------------------------------------------------- plumbing
    def _secret(self, name: str) -> _Secret:
        secret_id = name.split("/secrets/", 1)[-1].split("/", 1)[0]
        secret = self._secrets.get(secret_id)
        if secret is None:
            raise _Abort(grpc.StatusCode.NOT_FOUND, f"Secret [{name}] not found")
        return secret

    def _version(self, name: str) -> tuple[_Secret, _Version]:
        secret = self._secret(name)
        wanted = name.rsplit("/", 1)[-1]
        if not secret.versions:
            raise _Abort(grpc.StatusCode.NOT_FOUND, "no versions")
        if wanted == "latest":
            return secret, secret.versions[-1]
        number = int(wanted) if wanted.isdigit() else 0
        if not 1 <= number <= len(secret.versions):
            raise _Abort(grpc.StatusCode.NOT_FOUND, f"Secret Version [{name}] not found")
        return secret, secret.versions[number - 1]

    @staticmethod
    def _version_message(secret: _Secret, version: _Version) -> types.SecretVersion:
        return types.SecretVersion(
            name=f"{secret.name}/versions/{version.number}",
            state=version.state,
            create_time=version.created,
        )

    def _wrap(self, method: str, fn: Callable[[Any], Any]) -> Callable[[Any, Any], Any]:
        def handler(request: Any, context: grpc.ServicerContext) -> Any:
            with self._lock:
                self.calls.append(method)
                faults = self._faults.get(method)
                fault = faults.pop(0) if faults else None
                if fault is None:
                    try:
                        return fn(request)
                    except _Abort as abort:
                        fault_code, message = abort.code, str(abort)
                else:
                    fault_code, message = fault, "injected fault"
            context.abort(fault_code, message)

        return handler

    def _handlers(self) -> grpc.GenericRpcHandler:
        table: dict[str, tuple[Callable[[Any], Any], Any, Any]] = {
            "CreateSecret": (self._create_secret, types.CreateSecretRequest, types.Secret),
            "GetSecret": (self._get_secret, types.GetSecretRequest, types.Secret),
            "UpdateSecret": (self._update_secret, types.UpdateSecretRequest, types.Secret),
            "AddSecretVersion": (
                self._add_version,
                types.AddSecretVersionRequest,
                types.SecretVersion,
            ),
            "AccessSecretVersion": (
                self._access,
                types.AccessSecretVersionRequest,
                types.AccessSecretVersionResponse,
            ),
            "ListSecretVersions": (
                self._list_versions,
                types.ListSecretVersionsRequest,
                types.ListSecretVersionsResponse,
            ),
            "DestroySecretVersion": (
                self._destroy,
                types.DestroySecretVersionRequest,
                types.SecretVersion,
            ),
        }
        handlers = {
            name: grpc.unary_unary_rpc_method_handler(
                self._wrap(name, fn),
                request_deserializer=request_type.deserialize,
                response_serializer=response_type.serialize,
            )
            for name, (fn, request_type, response_type) in table.items()
        }
        return grpc.method_handlers_generic_handler(SERVICE, handlers)


@functools.cache
def shared_gcp_fake() -> FakeSecretManager:
    """The process-wide fake, started on first use and stopped at exit."""
    server = FakeSecretManager()
    atexit.register(server.stop)
    return server
