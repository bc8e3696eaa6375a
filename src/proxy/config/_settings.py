"""`Settings`: every environment variable the proxy reads, read once, validated, named.

This is the ONLY place the environment is read. A platform adapter calls
``Settings.from_env(os.environ)`` at cold start and passes the result down; the core never
touches ``os.environ``. Secrets (salt, tokens, client secret) are not here: they come from the
secret store (``proxy.config.stores``), except in local mode with ``SECRETS_STORE=ENV``.

>>> settings = Settings.from_env({"SOURCE": "confluence", "TARGET_HOST": "api.atlassian.com"})
>>> settings.instance_prefix  # the local default
'PSOXY_CONFLUENCE_CLOUD_'
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

from proxy.config._env_parsing import EnvReader, IpNetwork
from proxy.config._naming import SecretNaming, derive_instance_prefix
from proxy.errors import ConfigurationError
from proxy.http import DEFAULT_MEMORY_MB
from proxy.pseudonym_options import EmailCanonicalization, EmailDomainHandling
from proxy.secret_value import Secret

__all__ = [
    "LogFormat",
    "Platform",
    "SecretsStoreKind",
    "Settings",
    "TlsVersion",
]

DEFAULT_REQUEST_TIMEOUT_SECONDS = 180
_PSEUDONYM_IMPLEMENTATIONS = {"v0.4", "default"}
_LEGACY_PSEUDONYM_IMPLEMENTATIONS = {"v0.3", "legacy"}
_GCP_PROJECT_KEYS = ("GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT", "GCP_PROJECT")


class Platform(StrEnum):
    """Where the proxy runs, detected from the runtime's own variables."""

    AWS_LAMBDA = "AWS_LAMBDA"
    GCP = "GCP"
    LOCAL = "LOCAL"


class SecretsStoreKind(StrEnum):
    """`SECRETS_STORE` values; ENV and LOCAL_FILE exist for local mode only."""

    AWS_SSM_PARAMETER_STORE = "AWS_SSM_PARAMETER_STORE"
    AWS_SECRETS_MANAGER = "AWS_SECRETS_MANAGER"
    GCP_SECRET_MANAGER = "GCP_SECRET_MANAGER"  # noqa: S105 - a store name, not a password
    LOCAL_FILE = "LOCAL_FILE"
    ENV = "ENV"


class LogFormat(StrEnum):
    """`LOG_FORMAT`: `auto` is JSON on AWS and GCP, text on a local terminal, JSON otherwise."""

    AUTO = "auto"
    JSON = "json"
    TEXT = "text"


class TlsVersion(StrEnum):
    """Highest outbound TLS version (`TLS_VERSION`, spelled exactly as the reference)."""

    TLS_1_3 = "TLSv1.3"
    TLS_1_2 = "TLSv1.2"


_NOT_SHOWN = frozenset({"env_secrets", "rules"})  # left out of the repr


class Settings(NamedTuple):
    """Validated environment of one proxy instance; build with `Settings.from_env`.

    Immutable; a `NamedTuple` rather than a dataclass, which would cost a cold start ten times
    as much to define. Its repr leaves out `env_secrets` and `rules`.
    """

    # --- where we run and how names are derived -------------------------------------------
    platform: Platform
    """AWS_LAMBDA if AWS_LAMBDA_FUNCTION_NAME is set, GCP if K_SERVICE is set, else LOCAL."""
    function_name: str | None
    """AWS_LAMBDA_FUNCTION_NAME or K_SERVICE; the gateway strips ``/<function_name>`` from paths."""
    path_to_instance_config: str | None
    """PATH_TO_INSTANCE_CONFIG as set (None when unset); see `instance_prefix` for the result."""
    path_to_shared_config: str | None
    """PATH_TO_SHARED_CONFIG as set (None when unset)."""
    instance_prefix: str
    """Prefix of this instance's secrets, e.g. ``PSOXY_CONFLUENCE_CLOUD_`` (derived)."""
    shared_prefix: str
    """Prefix of shared secrets such as ``PSOXY_SALT``; empty by default (derived)."""
    aws_region: str | None
    """AWS_REGION (runtime-provided on Lambda)."""
    gcp_project_id: str | None
    """GOOGLE_CLOUD_PROJECT, GCLOUD_PROJECT or GCP_PROJECT; None: the adapter asks google-auth."""

    # --- secret store ---------------------------------------------------------------------
    secrets_store: SecretsStoreKind
    """SECRETS_STORE; default SSM on Lambda, Secret Manager on GCP, LOCAL_FILE/ENV locally."""
    local_secrets_file: Path | None
    """LOCAL_SECRETS_FILE: the JSON file of the LOCAL_FILE store."""
    env_secrets: Mapping[str, Secret]
    """The environment, as secrets, for the local-only ENV store; empty otherwise."""

    # --- the upstream and its authentication ----------------------------------------------
    source: str | None
    """SOURCE, e.g. ``confluence``: picks the bundled rules; reported by the health check."""
    target_host: str | None
    """TARGET_HOST as configured (stripped), e.g. ``api.atlassian.com``; the gateway checks it."""
    source_auth_strategy: str | None
    """SOURCE_AUTH_STRATEGY_IDENTIFIER, e.g. ``oauth2_refresh_token``."""
    grant_type: str | None
    """GRANT_TYPE, e.g. ``refresh_token``."""
    refresh_endpoint: str | None
    """REFRESH_ENDPOINT from env; when None the auth reads it from the config store."""
    client_id: str | None
    """CLIENT_ID from env; when None the auth reads it from the secret store."""
    use_shared_token: bool
    """USE_SHARED_TOKEN: share the access token between instances through the store."""
    token_response_type: str | None
    """TOKEN_RESPONSE_TYPE; only the default parser is supported."""
    request_timeout_seconds: int
    """REQUEST_TIMEOUT_SECONDS (default 180): the time budget of a whole request (its deadline);
    Terraform sets it a margin below the function timeout."""
    tls_version: TlsVersion
    """TLS_VERSION: highest outbound TLS version (default TLSv1.3)."""
    follow_redirects: bool
    """FOLLOW_REDIRECTS (default true): follow an upstream 3xx to a GET or HEAD, to the
    configured origin only (see `proxy.gateway.Upstream`)."""
    user_agent: str | None
    """USER_AGENT override for outbound calls."""

    # --- request handling -----------------------------------------------------------------
    allowed_data_access_ip_blocks: tuple[IpNetwork, ...]
    """ALLOWED_DATA_ACCESS_IP_BLOCKS parsed; empty means no IP restriction."""
    trusted_proxy_hops: int
    """TRUSTED_PROXY_HOPS (default 0): proxies in front of the platform's own (see
    `proxy.platforms._client_ip`)."""
    request_path_prefix_to_trim: str | None
    """REQUEST_PATH_PREFIX_TO_TRIM, e.g. ``/v1/``."""
    is_development_mode: bool
    """IS_DEVELOPMENT_MODE: verbose logs (never the skip-sanitizer header: not supported)."""

    # --- platform resources (the response-size policy) -------------------------------------
    memory_mb: int
    """AWS_LAMBDA_FUNCTION_MEMORY_SIZE (set by Lambda), else FUNCTION_MEMORY_MB (set by the GCP
    Terraform), else 512: bounds what one request may read from upstream."""
    concurrent_requests: int
    """Requests one instance serves at once: 1 on Lambda; THREADS elsewhere (default 1)."""

    # --- rules and pseudonyms -------------------------------------------------------------
    rules: str | None
    """RULES from env, raw (YAML, base64 YAML or base64 gzip YAML); the rules loader parses it."""
    pseudonymize_app_ids: bool
    """PSEUDONYMIZE_APP_IDS (default false): reported by the health check. The reference picks a
    `<SOURCE>_no-app-ids` rule set with it; Confluence has none, so the rules are the same."""
    pseudonym_implementation: str | None
    """PSEUDONYM_IMPLEMENTATION as configured (`v0.4`/`DEFAULT`; the legacy v0.3 is rejected)."""
    email_canonicalization: EmailCanonicalization
    """EMAIL_CANONICALIZATION (default STRICT)."""
    email_domain_handling: EmailDomainHandling
    """EMAIL_DOMAIN_HANDLING (default PRESERVE)."""

    # --- reported or optional features ----------------------------------------------------
    bundle_filename: str | None
    """BUNDLE_FILENAME, reported by the health check."""

    # --- operations -----------------------------------------------------------------------
    log_format: LogFormat = LogFormat.AUTO
    """LOG_FORMAT: `json`, `text` or `auto` (the default; see `proxy.platforms._logs`)."""

    def __repr__(self) -> str:
        shown = (
            f"{k}={v!r}" for k, v in zip(self._fields, self, strict=True) if k not in _NOT_SHOWN
        )
        return f"Settings({', '.join(shown)})"

    @property
    def naming(self) -> SecretNaming:
        """Instance and shared namespaces for the secret store."""
        return SecretNaming(instance_prefix=self.instance_prefix, shared_prefix=self.shared_prefix)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Read and validate; raises `ConfigurationError` naming the offending key and value."""
        env = EnvReader(environ)
        platform, function_name = _detect_platform(env)
        store = _secrets_store(env, platform)
        path_to_instance_config = env.text("PATH_TO_INSTANCE_CONFIG")
        path_to_shared_config = env.text("PATH_TO_SHARED_CONFIG")
        return cls(
            platform=platform,
            function_name=function_name,
            path_to_instance_config=path_to_instance_config,
            path_to_shared_config=path_to_shared_config,
            instance_prefix=derive_instance_prefix(path_to_instance_config, function_name),
            shared_prefix=path_to_shared_config or "",
            aws_region=env.text("AWS_REGION"),
            gcp_project_id=next((p for k in _GCP_PROJECT_KEYS if (p := env.text(k))), None),
            secrets_store=store,
            local_secrets_file=_local_secrets_file(env, store),
            env_secrets=_env_secrets(environ, store),
            source=env.text("SOURCE"),
            target_host=env.text("TARGET_HOST"),
            source_auth_strategy=env.text("SOURCE_AUTH_STRATEGY_IDENTIFIER"),
            grant_type=env.text("GRANT_TYPE"),
            refresh_endpoint=env.text("REFRESH_ENDPOINT"),
            client_id=env.text("CLIENT_ID"),
            use_shared_token=env.boolean(
                "USE_SHARED_TOKEN", default=env.text("GRANT_TYPE") == "account_credentials"
            ),
            token_response_type=env.text("TOKEN_RESPONSE_TYPE"),
            request_timeout_seconds=env.integer(
                "REQUEST_TIMEOUT_SECONDS", default=DEFAULT_REQUEST_TIMEOUT_SECONDS
            ),
            tls_version=_tls_version(env),
            follow_redirects=env.boolean("FOLLOW_REDIRECTS", default=True),
            user_agent=env.text("USER_AGENT"),
            allowed_data_access_ip_blocks=env.ip_blocks("ALLOWED_DATA_ACCESS_IP_BLOCKS"),
            trusted_proxy_hops=env.integer("TRUSTED_PROXY_HOPS", default=0, minimum=0),
            request_path_prefix_to_trim=env.text("REQUEST_PATH_PREFIX_TO_TRIM"),
            is_development_mode=env.boolean("IS_DEVELOPMENT_MODE", default=False),
            memory_mb=_memory_mb(env),
            concurrent_requests=(
                1 if platform is Platform.AWS_LAMBDA else env.integer("THREADS", default=1)
            ),
            rules=env.raw("RULES"),
            pseudonymize_app_ids=env.boolean("PSEUDONYMIZE_APP_IDS", default=False),
            pseudonym_implementation=_pseudonym_implementation(env),
            email_canonicalization=env.choice(
                "EMAIL_CANONICALIZATION",
                EmailCanonicalization,
                default=EmailCanonicalization.STRICT,
            ),
            email_domain_handling=env.choice(
                "EMAIL_DOMAIN_HANDLING", EmailDomainHandling, default=EmailDomainHandling.PRESERVE
            ),
            bundle_filename=env.text("BUNDLE_FILENAME"),
            log_format=env.choice("LOG_FORMAT", LogFormat, default=LogFormat.AUTO),
        )


def _detect_platform(env: EnvReader) -> tuple[Platform, str | None]:
    if lambda_name := env.text("AWS_LAMBDA_FUNCTION_NAME"):
        return Platform.AWS_LAMBDA, lambda_name
    if service := env.text("K_SERVICE"):
        return Platform.GCP, service
    return Platform.LOCAL, None


def _memory_mb(env: EnvReader) -> int:
    for key in ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "FUNCTION_MEMORY_MB"):
        if env.text(key) is not None:
            return env.integer(key, default=DEFAULT_MEMORY_MB, minimum=128)
    return DEFAULT_MEMORY_MB


def _secrets_store(env: EnvReader, platform: Platform) -> SecretsStoreKind:
    configured = env.text("SECRETS_STORE")
    if configured is not None and configured.upper() == "HASHICORP_VAULT":
        raise ConfigurationError("SECRETS_STORE=HASHICORP_VAULT is not supported")
    default = {
        Platform.AWS_LAMBDA: SecretsStoreKind.AWS_SSM_PARAMETER_STORE,
        Platform.GCP: SecretsStoreKind.GCP_SECRET_MANAGER,
        Platform.LOCAL: (
            SecretsStoreKind.LOCAL_FILE if env.text("LOCAL_SECRETS_FILE") else SecretsStoreKind.ENV
        ),
    }[platform]
    kind = env.choice("SECRETS_STORE", SecretsStoreKind, default=default)
    local_only = (SecretsStoreKind.ENV, SecretsStoreKind.LOCAL_FILE)
    if platform is not Platform.LOCAL and kind in local_only:
        raise ConfigurationError(
            f"SECRETS_STORE={kind.value} is for local mode only; on {platform.value} secrets are "
            "never read from environment variables or local files"
        )
    return kind


def _local_secrets_file(env: EnvReader, store: SecretsStoreKind) -> Path | None:
    path = env.text("LOCAL_SECRETS_FILE")
    if store is SecretsStoreKind.LOCAL_FILE and path is None:
        raise ConfigurationError("SECRETS_STORE=LOCAL_FILE needs LOCAL_SECRETS_FILE (a JSON file)")
    return Path(path) if path else None


def _env_secrets(environ: Mapping[str, str], store: SecretsStoreKind) -> Mapping[str, Secret]:
    if store is not SecretsStoreKind.ENV:
        return MappingProxyType({})
    return MappingProxyType({key: Secret(value) for key, value in environ.items()})


def _tls_version(env: EnvReader) -> TlsVersion:
    value = env.text("TLS_VERSION")
    if value is None:
        return TlsVersion.TLS_1_3
    try:
        return TlsVersion(value)
    except ValueError:
        raise ConfigurationError(
            f"TLS_VERSION must be exactly 'TLSv1.3' or 'TLSv1.2', got {value!r}"
        ) from None


def _pseudonym_implementation(env: EnvReader) -> str | None:
    value = env.text("PSEUDONYM_IMPLEMENTATION")
    if value is None or value.lower() in _PSEUDONYM_IMPLEMENTATIONS:
        return value
    if value.lower() in _LEGACY_PSEUDONYM_IMPLEMENTATIONS:
        raise ConfigurationError(
            f"PSEUDONYM_IMPLEMENTATION={value!r} (legacy v0.3) is not supported; use v0.4"
        )
    raise ConfigurationError(f"PSEUDONYM_IMPLEMENTATION must be 'v0.4', got {value!r}")
