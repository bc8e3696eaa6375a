"""The composition root: `Settings` in, a ready `Gateway` out. Nothing else builds collaborators.

Cheap, always-valid parts are built at once; everything that needs a secret or the rules (salt,
keys, rules, source auth, upstream target) is built on the first request by `LazyRuntime`, so
a missing secret is reported by the health check instead of crashing the cold start.

    gateway = build_gateway(Settings.from_env(os.environ))
"""

from __future__ import annotations

import platform
import ssl

import httpx

from proxy import VERSION, __version__
from proxy.auth import build_source_auth
from proxy.config import ConfigValues, Settings, TlsVersion
from proxy.config.stores import SecretStore, build_config_store, build_secret_store
from proxy.errors import ConfigurationError
from proxy.gateway import (
    Gateway,
    GatewayConfig,
    HealthFacts,
    LazyRuntime,
    Runtime,
    Upstream,
    UpstreamTarget,
    salt_sha256,
    timeouts_for,
)
from proxy.http import upstream_cap_bytes
from proxy.http_client import cookieless_client
from proxy.rules import BUNDLED_RULES, EndpointMatcher, Rules, load_rules, resolve_rules
from proxy.sanitize import Sanitizer
from proxy.sanitize.links import LinkRewriter
from proxy.sanitize.pseudonyms import PseudonymKeys, PseudonymTools

__all__ = [
    "RUNTIME_PROPERTIES",
    "VERSION",
    "build_gateway",
    "default_user_agent",
    "new_http_client",
]

# What building the runtime reads from the store: fetched together (see `SecretStore.prefetch`).
RUNTIME_PROPERTIES = (
    "PSOXY_SALT",
    "PSOXY_ENCRYPTION_KEY",
    "SALT_IP",
    "ENCRYPTION_KEY_IP",
    "SALT_EMAIL_DOMAINS",
    "ENCRYPTION_KEY_EMAIL_DOMAINS",
)


def default_user_agent() -> str:
    python = platform.python_version()
    return f"confluence-psoxy/{__version__} (API Data Sanitization; Python/{python})"


def new_http_client(settings: Settings) -> httpx.Client:
    """One pooled client per warm instance; no cookies kept, and httpx follows no redirect
    (`Upstream` follows those `FOLLOW_REDIRECTS` allows, to the configured origin only)."""
    context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if settings.tls_version is TlsVersion.TLS_1_2:
        context.maximum_version = ssl.TLSVersion.TLSv1_2
    return cookieless_client(
        verify=context,
        follow_redirects=False,
        timeout=timeouts_for(settings.request_timeout_seconds),
        limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
    )


def build_gateway(
    settings: Settings,
    *,
    http_client: httpx.Client | None = None,
    store: SecretStore | None = None,
) -> Gateway:
    """The gateway for these settings; `http_client`/`store` are injectable for tests."""
    client = http_client or new_http_client(settings)
    user_agent = settings.user_agent or default_user_agent()
    facts = HealthFacts(
        source=settings.source,
        target_host=settings.target_host,
        auth_strategy=settings.source_auth_strategy,
        grant_type=settings.grant_type,
        pseudonym_implementation=settings.pseudonym_implementation,
        user_agent=user_agent,
        version=VERSION,
        bundle_filename=settings.bundle_filename,
        pseudonymize_app_ids=settings.pseudonymize_app_ids,
    )
    config = GatewayConfig(
        facts=facts,
        function_name=settings.function_name,
        path_prefix_to_trim=settings.request_path_prefix_to_trim,
        allowed_ip_blocks=",".join(str(n) for n in settings.allowed_data_access_ip_blocks),
        development_mode=settings.is_development_mode,
        request_timeout_seconds=settings.request_timeout_seconds,
    )

    def build_runtime() -> Runtime:
        secrets = store or build_secret_store(settings)
        config = ConfigValues(settings, lambda: build_config_store(settings, secrets))
        in_environment = config.from_environment("RULES") is not None
        secrets.prefetch(RUNTIME_PROPERTIES if in_environment else (*RUNTIME_PROPERTIES, "RULES"))
        salt = secrets.require("PSOXY_SALT")
        keys = PseudonymKeys(
            salt=salt,
            encryption_key=secrets.get("PSOXY_ENCRYPTION_KEY"),
            canonicalization=settings.email_canonicalization,
            domain_handling=settings.email_domain_handling,
            ip_salt=secrets.get("SALT_IP"),
            ip_encryption_key=secrets.get("ENCRYPTION_KEY_IP"),
            domain_salt=secrets.get("SALT_EMAIL_DOMAINS"),
            domain_encryption_key=secrets.get("ENCRYPTION_KEY_EMAIL_DOMAINS"),
        )
        rules = _rules(settings, config)
        tools = PseudonymTools.from_keys(keys)
        endpoints, sanitizer = EndpointMatcher(rules), Sanitizer(rules, tools)  # rules checked
        upstream = Upstream(
            client,
            UpstreamTarget.parse(settings.target_host),
            timeout=timeouts_for(settings.request_timeout_seconds),
            user_agent=user_agent,
            max_body_bytes=upstream_cap_bytes(settings.memory_mb, settings.concurrent_requests),
            follow_redirects=settings.follow_redirects,
        )
        auth = build_source_auth(settings, secrets, client)
        links = LinkRewriter(tools.pseudonymizer)
        return Runtime(
            rules=rules,
            endpoints=endpoints,
            reverse_tokens=tools.pseudonymizer.reverse_tokens,
            decrypt_token=tools.pseudonymizer.decrypt,
            sanitizer=sanitizer,
            source_auth=auth,
            upstream=upstream,
            salt_sha256=salt_sha256(salt),
            rewrite_link_header=links.rewrite_link_header,
        )

    return Gateway(config, LazyRuntime(build_runtime))


def _rules(settings: Settings, config: ConfigValues) -> Rules:
    """`RULES` from the environment or the config store, else the bundled rules for `SOURCE`."""
    configured = config.get("RULES")
    if configured is not None:
        return load_rules(configured)
    source = (settings.source or "").lower()
    if source in BUNDLED_RULES:
        return resolve_rules(source)  # pre-parsed: no YAML parser on a cold start
    raise ConfigurationError(
        f"no RULES configured and no bundled rules for SOURCE={settings.source!r} "
        f"(bundled: {', '.join(BUNDLED_RULES)})"
    )
