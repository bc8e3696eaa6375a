"""Secret and parameter names, derived exactly as the reference derives them.

Instance prefix: ``PATH_TO_INSTANCE_CONFIG`` if set; else the function name upper-cased with
``-`` turned into ``_`` plus ``_`` (``psoxy-confluence-cloud`` -> ``PSOXY_CONFLUENCE_CLOUD_``).
Shared prefix: ``PATH_TO_SHARED_CONFIG`` or nothing, so the salt is the bare ``PSOXY_SALT``.

>>> naming = SecretNaming(instance_prefix="PSOXY_CONFLUENCE_CLOUD_", shared_prefix="")
>>> naming.instance_key("REFRESH_TOKEN")
'PSOXY_CONFLUENCE_CLOUD_REFRESH_TOKEN'
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = [
    "LOCAL_DEFAULT_INSTANCE_PREFIX",
    "SecretNaming",
    "derive_instance_prefix",
    "ssm_parameter_name",
]

LOCAL_DEFAULT_INSTANCE_PREFIX = "PSOXY_CONFLUENCE_CLOUD_"
"""Instance prefix when running locally with neither PATH_TO_INSTANCE_CONFIG nor a function name."""


def derive_instance_prefix(path_to_instance_config: str | None, function_name: str | None) -> str:
    """The instance namespace: explicit config, else the function name, else the local default."""
    if path_to_instance_config:
        return path_to_instance_config
    if function_name:
        return function_name.upper().replace("-", "_") + "_"
    return LOCAL_DEFAULT_INSTANCE_PREFIX


def ssm_parameter_name(key: str) -> str:
    """SSM hierarchical names start with ``/``: add one when the key has ``/`` but no lead."""
    if "/" in key and not key.startswith("/"):
        return "/" + key
    return key


class SecretNaming(NamedTuple):
    """The two namespaces a property may live in: instance (read first, written) and shared."""

    instance_prefix: str
    shared_prefix: str = ""

    def instance_key(self, name: str) -> str:
        return self.instance_prefix + name

    def shared_key(self, name: str) -> str:
        return self.shared_prefix + name

    def lookup_keys(self, name: str) -> tuple[str, ...]:
        """Keys to try for a read, instance first; one key when both namespaces coincide."""
        instance, shared = self.instance_key(name), self.shared_key(name)
        return (instance,) if instance == shared else (instance, shared)
