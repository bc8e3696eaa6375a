"""Configuration: `Settings` (the environment, read once) and the stores of secrets and config.

Owns every environment variable the proxy reads (`Settings.from_env`, the only place the
environment is read), the naming of secrets (`PSOXY_CONFLUENCE_CLOUD_…` prefixes), the
env-then-store chain of the few properties that may live in either (`ConfigValues`), and the
secret stores and cross-instance locks (`stores`, `locks`; the cloud adapters are imported only
when built, so importing this package loads no cloud SDK).

May import: `proxy.http` (the default memory of the response-size policy),
`proxy.pseudonym_options` and the kernel (`proxy.errors`, `proxy.timing`, `proxy.deadline`,
`proxy.secret_value`, logging helpers); never `sanitize`, `rules`, `gateway` or `auth`.

>>> settings = Settings.from_env({"SOURCE": "confluence", "TARGET_HOST": "api.atlassian.com"})
>>> settings.platform, settings.instance_prefix, settings.secrets_store
(<Platform.LOCAL: 'LOCAL'>, 'PSOXY_CONFLUENCE_CLOUD_', <SecretsStoreKind.ENV: 'ENV'>)
"""

from proxy.config._config_values import ConfigValues
from proxy.config._naming import SecretNaming
from proxy.config._settings import LogFormat, Platform, SecretsStoreKind, Settings, TlsVersion
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
    "LogFormat",
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
