"""Secret stores behind one interface; cloud adapters are imported lazily by the factory.

from proxy.config.stores import build_secret_store
store = build_secret_store(settings)
salt = store.require("PSOXY_SALT")
"""

from proxy.config.stores._base import CachePolicy, SecretStore, StoredVersion, is_placeholder
from proxy.config.stores._env import EnvSecretStore
from proxy.config.stores._factory import build_config_store, build_secret_store
from proxy.config.stores._local_file import LocalFileStore

__all__ = [
    "CachePolicy",
    "EnvSecretStore",
    "LocalFileStore",
    "SecretStore",
    "StoredVersion",
    "build_config_store",
    "build_secret_store",
    "is_placeholder",
]
