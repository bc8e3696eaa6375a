"""`LocalFileStore`: one JSON object of full names to string values, shared by local processes.

``{"PSOXY_SALT": "...", "PSOXY_CONFLUENCE_CLOUD_REFRESH_TOKEN": "..."}``. Writes are
read-modify-write under an exclusive ``flock`` on ``<file>.lock`` and land atomically (temp
file in the same directory, fsync, rename), so a reader never sees half a file and two
processes never lose each other's updates. The refresh lock is ``<file>.<key>.lock``.

    store = LocalFileStore(Path("secrets.local.json"), settings.naming)
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from proxy.config._naming import SecretNaming
from proxy.config.locks import DistributedLock, FileLock, exclusive_file_lock
from proxy.config.stores._base import CachePolicy, SecretStore, StoredVersion
from proxy.errors import ConfigStoreUnavailable, ConfigurationError
from proxy.secret_value import Secret
from proxy.timing import Clock, Sleep, system_clock, system_sleep

__all__ = ["LocalFileStore"]


class LocalFileStore(SecretStore):
    """Secret store in a local JSON file (``SECRETS_STORE=LOCAL_FILE``)."""

    def __init__(
        self,
        path: Path,
        naming: SecretNaming,
        *,
        clock: Clock = system_clock,
        sleep: Sleep = system_sleep,
        cache: CachePolicy | None = None,
    ) -> None:
        super().__init__(naming, clock=clock, sleep=sleep, cache=cache)
        self.path = path
        self.description = f"local secrets file {path}"

    def _read(self, key: str) -> str | None:
        return self._load().get(key)

    def _write(self, key: str, value: str) -> None:
        try:
            with exclusive_file_lock(self._sibling(".lock")):
                content = dict(self._load())
                content[key] = value
                self._replace(content)
        except OSError as exc:
            raise ConfigStoreUnavailable(
                f"cannot write {key} to {self.path}: {exc.strerror}"
            ) from exc

    def _versions(self, key: str, limit: int) -> Sequence[StoredVersion]:
        value = self._load().get(key)
        return [StoredVersion(version="1", value=Secret(value))] if value is not None else []

    def _lock(self, key: str, ttl_seconds: float) -> DistributedLock:
        return FileLock(self._sibling(f".{key}.lock"), clock=self._clock)

    def _sibling(self, suffix: str) -> Path:
        return self.path.with_name(self.path.name + suffix)

    def _load(self) -> Mapping[str, str]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise ConfigStoreUnavailable(f"cannot read {self.path}: {exc.strerror}") from exc
        try:
            content = json.loads(text) if text.strip() else {}
        except json.JSONDecodeError as exc:
            raise ConfigurationError(
                f"{self.path} is not valid JSON (line {exc.lineno}, column {exc.colno})"
            ) from None
        if not isinstance(content, dict) or not all(isinstance(v, str) for v in content.values()):
            raise ConfigurationError(f"{self.path} must hold one JSON object of string values")
        return content

    def _replace(self, content: Mapping[str, str]) -> None:
        """Write the whole file atomically: temp file, fsync, rename over the old one."""
        import tempfile  # with shutil, random, bz2, lzma: 3 ms a cold start that never writes skips

        fd, temp_name = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(content, handle, indent=2, sort_keys=True)
                handle.write("\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp_name, self.path)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
