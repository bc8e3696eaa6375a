"""Secret stores behind one interface: caching, placeholders and errors written once.

Owns the stores of secrets and remote config: environment and local file (local mode), AWS SSM
Parameter Store, AWS Secrets Manager, GCP Secret Manager, and the factory that picks one from
the settings. The cloud adapters are private modules imported only by the factory, when one is
built: importing this package loads neither boto3 nor google-cloud.

May import: `proxy.config` (settings, naming, locks) and the kernel; cloud SDKs only inside the
cloud adapters.

>>> from proxy.config import SecretNaming
>>> from proxy.secret_value import Secret
>>> naming = SecretNaming(instance_prefix="PSOXY_CONFLUENCE_CLOUD_")
>>> environ = {"PSOXY_CONFLUENCE_CLOUD_CLIENT_ID": Secret("id"), "PSOXY_SALT": Secret("fill me")}
>>> store = EnvSecretStore(environ, naming)
>>> store.require("CLIENT_ID").reveal(), store.get("PSOXY_SALT")  # `fill me` means unset
('id', None)
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
