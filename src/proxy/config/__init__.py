"""Configuration: `Settings` (the environment, read once) and secret stores.

settings = Settings.from_env(os.environ)
store = build_secret_store(settings)
"""

from proxy.config._config_values import ConfigValues
from proxy.config._naming import SecretNaming
from proxy.config._settings import Platform, SecretsStoreKind, Settings, TlsVersion
from proxy.config.stores import (
    CachePolicy,
    SecretStore,
    StoredVersion,
    build_config_store,
    build_secret_store,
)

__all__ = [
    "CachePolicy",
    "ConfigValues",
    "Platform",
    "SecretNaming",
    "SecretStore",
    "SecretsStoreKind",
    "Settings",
    "StoredVersion",
    "TlsVersion",
    "build_config_store",
    "build_secret_store",
]
