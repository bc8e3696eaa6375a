"""One secret-store backend per kind, seeded the way an operator would after the OAuth setup.

Each backend builds as many store objects as a test wants (one per simulated function
instance), all sharing one real backend: a local file, the moto server, or the GCP fake.

    backend = LocalFileBackend(tmp_path / "secrets.json")
    backend.seed({"REFRESH_TOKEN": token, ...})
    store = backend.store(clock=time.time, sleep=time.sleep)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from proxy.config import SecretNaming
from proxy.config.stores import LocalFileStore, SecretStore
from proxy.config.stores._aws_secrets_manager import SecretsManagerStore
from proxy.config.stores._aws_ssm import SsmParameterStore
from proxy.config.stores._gcp_secret_manager import GcpSecretManagerStore
from proxy.timing import Clock, Sleep
from support.gcp_secret_manager_fake import PROJECT, FakeSecretManager
from support.moto_server import MotoServer

__all__ = [
    "NAMING",
    "PREFIX",
    "Backend",
    "GcpBackend",
    "LocalFileBackend",
    "SecretsManagerBackend",
    "SsmBackend",
]

PREFIX = "PSOXY_CONFLUENCE_CLOUD_"
NAMING = SecretNaming(instance_prefix=PREFIX)


class Backend(Protocol):
    def seed(self, values: Mapping[str, str]) -> None:
        """Store instance properties (names without prefix)."""
        ...

    def read(self, name: str) -> str | None:
        """The current value of an instance property, straight from the backend."""
        ...

    def store(self, *, clock: Clock, sleep: Sleep) -> SecretStore: ...


class LocalFileBackend:
    def __init__(self, path: Path) -> None:
        self.path = path

    def seed(self, values: Mapping[str, str]) -> None:
        self.path.write_text(json.dumps({PREFIX + k: v for k, v in values.items()}))

    def read(self, name: str) -> str | None:
        value = json.loads(self.path.read_text()).get(PREFIX + name)
        return str(value) if value is not None else None

    def store(self, *, clock: Clock, sleep: Sleep) -> SecretStore:
        return LocalFileStore(self.path, NAMING, clock=clock, sleep=sleep)


class SsmBackend:
    def __init__(self, moto: MotoServer) -> None:
        self._ssm = moto.ssm()

    def seed(self, values: Mapping[str, str]) -> None:
        for name, value in values.items():
            self._ssm.put_parameter(
                Name=PREFIX + name, Value=value, Type="SecureString", Overwrite=True
            )

    def read(self, name: str) -> str | None:
        try:
            parameter = self._ssm.get_parameter(Name=PREFIX + name, WithDecryption=True)
        except self._ssm.exceptions.ParameterNotFound:
            return None
        return parameter["Parameter"].get("Value")

    def store(self, *, clock: Clock, sleep: Sleep) -> SecretStore:
        return SsmParameterStore(NAMING, self._ssm, clock=clock, sleep=sleep)


class SecretsManagerBackend:
    def __init__(self, moto: MotoServer) -> None:
        self._sm = moto.secrets_manager()
        self._ssm = moto.ssm()

    def seed(self, values: Mapping[str, str]) -> None:
        for name, value in values.items():
            self._sm.create_secret(Name=PREFIX + name, SecretString=value)

    def read(self, name: str) -> str | None:
        try:
            return self._sm.get_secret_value(SecretId=PREFIX + name).get("SecretString")
        except self._sm.exceptions.ResourceNotFoundException:
            return None

    def store(self, *, clock: Clock, sleep: Sleep) -> SecretStore:
        return SecretsManagerStore(NAMING, self._sm, ssm_client=self._ssm, clock=clock, sleep=sleep)


class GcpBackend:
    def __init__(self, fake: FakeSecretManager) -> None:
        self._fake = fake
        self._client = fake.client()
        fake.create(PREFIX + "OAUTH_REFRESH_TOKEN")  # Terraform creates the lock secret

    def seed(self, values: Mapping[str, str]) -> None:
        for name, value in values.items():
            self._fake.put(PREFIX + name, value)

    def read(self, name: str) -> str | None:
        value = self.store(clock=lambda: 0.0, sleep=lambda s: None).get_fresh(name)
        return value.reveal() if value is not None else None

    def store(self, *, clock: Clock, sleep: Sleep) -> SecretStore:
        return GcpSecretManagerStore(
            NAMING, self._client, project_id=PROJECT, clock=clock, sleep=sleep, access_retry=None
        )
