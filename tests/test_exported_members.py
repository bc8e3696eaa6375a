"""The public surface of every `proxy.*` package, pinned (as httpx's `test_exported_members`),
and the boundaries between them: no module reaches into another package's private modules, and
each package imports only what its docstring's "May import:" allows (no arrow from `config`
up to `sanitize`, no cloud SDK in the core)."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import types
from pathlib import Path

import pytest

import proxy

SRC = Path(proxy.__file__).parent
PACKAGES = sorted(
    ["proxy", *(m.name for m in pkgutil.walk_packages(proxy.__path__, "proxy.") if m.ispkg)]
)
EXPORTS = {
    "proxy": ["VERSION"],
    "proxy.auth": [
        "ABSOLUTE_LIFETIME_DAYS",
        "DAY",
        "GRANTED_AT",
        "IDLE_LIMIT_DAYS",
        "RefreshTiming",
        "RefreshTokenSourceAuth",
        "SourceAuth",
        "UpstreamCredentials",
        "build_source_auth",
        "format_instant",
        "parse_instant",
    ],
    "proxy.cli": [],
    "proxy.config": [
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
    ],
    "proxy.config.locks": [
        "DEFAULT_LOCK_TTL_SECONDS",
        "DistributedLock",
        "FileLock",
        "LockLease",
        "ThreadLock",
        "exclusive_file_lock",
        "new_owner_id",
    ],
    "proxy.config.stores": [
        "CachePolicy",
        "EnvSecretStore",
        "LocalFileStore",
        "SecretStore",
        "StoredVersion",
        "build_config_store",
        "build_secret_store",
        "is_placeholder",
    ],
    "proxy.gateway": [
        "HEALTH_CHECK_HEADER",
        "Gateway",
        "GatewayConfig",
        "HealthFacts",
        "LazyRuntime",
        "OutboundRequest",
        "Runtime",
        "Upstream",
        "UpstreamResponse",
        "UpstreamTarget",
        "salt_sha256",
        "timeouts_for",
    ],
    "proxy.http": [
        "DEFAULT_MEMORY_MB",
        "ERROR_HEADER",
        "GCP_RESPONSE_LIMIT",
        "GZIP_MIN_BYTES",
        "LAMBDA_RESPONSE_LIMIT",
        "MIB",
        "Headers",
        "HttpRequest",
        "HttpResponse",
        "PlatformLimit",
        "accepts_gzip",
        "error_response",
        "gzipped",
        "is_loopback_host",
        "response_too_large",
        "says_scope_mismatch",
        "upstream_cap_bytes",
        "upstream_error_summary",
        "upstream_too_large",
    ],
    "proxy.packaging": [],
    "proxy.platforms": [],
    "proxy.rules": [
        "BUNDLED_RULES",
        "Augment",
        "Endpoint",
        "EndpointMatcher",
        "ParameterSchema",
        "RequestBody",
        "Rules",
        "SchemaNode",
        "Transform",
        "body_allowed",
        "bundled_rules_text",
        "compile_java_regex",
        "load_rules",
        "resolve_rules",
        "translate_java_regex",
    ],
    "proxy.sanitize": [
        "LinkRewriter",
        "PseudonymKeys",
        "PseudonymTools",
        "ReverseTokens",
        "Sanitizer",
        "dumps",
        "loads_values",
        "pretty",
    ],
    "proxy.sanitize.jsonpath": [
        "GuardedUpdates",
        "JsonFunction",
        "JsonPath",
        "JsonPathError",
        "PathUpdate",
        "compile_path",
        "compile_updates",
    ],
    "proxy.sanitize.links": [
        "PAGINATION_RELATIONS",
        "CqlError",
        "LinkRewriter",
        "RequestEcho",
        "current_echo",
        "java_url_encode",
        "rewrite_cql",
        "rewrite_link_header",
    ],
    "proxy.sanitize.pseudonyms": [
        "HASH_LENGTH",
        "NOT_OURS",
        "TOKEN_IN_TEXT",
        "IpPseudonymizer",
        "Mailbox",
        "PseudonymKeys",
        "PseudonymTools",
        "PseudonymizedIdentity",
        "Pseudonymizer",
        "ReverseTokens",
        "b64url_decode",
        "b64url_encode",
        "canonical_account_id",
        "contains_identifier",
        "decoded_forms",
        "is_email_address",
        "parse_mailbox",
        "personal_space_owner",
    ],
    "proxy.sanitize.transforms": [
        "compile_augments",
        "compile_transforms",
        "text_digest",
        "text_digest_object",
    ],
    "proxy.simulator": [
        "DEFAULT_SCOPES",
        "AtlassianSimulator",
        "Handler",
        "OAuthAuthority",
        "RecordedRequest",
        "Route",
        "RouteTable",
        "SimRequest",
        "SimResponse",
        "SimulatorServer",
    ],
    "proxy.tooling": [],
}
# Top-level modules everything may use: errors, secrets, time, logging helpers.
KERNEL = {
    "proxy",
    "proxy.deadline",
    "proxy.errors",
    "proxy.http_client",
    "proxy.lazy",
    "proxy.lifecycle",
    "proxy.log_events",
    "proxy.pseudonym_options",
    "proxy.safe_logging",
    "proxy.secret_value",
    "proxy.timing",
}
CORE = [
    "proxy.auth",
    "proxy.config",
    "proxy.gateway",
    "proxy.http",
    "proxy.rules",
    "proxy.sanitize",
]
CLOUD_SDKS = ("boto3", "botocore", "google", "flask", "functions_framework")


def test_every_package_is_pinned() -> None:
    assert sorted(EXPORTS) == PACKAGES


@pytest.mark.parametrize("name", PACKAGES)
def test_a_package_exports_exactly_its_pinned_names(name: str) -> None:
    package = importlib.import_module(name)
    public = {
        member
        for member, value in vars(package).items()
        if not member.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert package.__all__ == EXPORTS[name]
    assert public == set(package.__all__)


def _modules() -> list[tuple[str, Path]]:
    modules = []
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules.append((name, path))
    return modules


def _imports(path: Path, *, runtime_only: bool = False) -> list[str]:
    """Every module an import statement names (top level or inside a function); with
    `runtime_only`, not those under `if TYPE_CHECKING:`."""
    tree = ast.parse(path.read_text("utf-8"))
    skipped: set[ast.AST] = set()
    if runtime_only:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
                skipped.update(n for child in node.body for n in ast.walk(child))
    found = []
    for node in ast.walk(tree):
        if node in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
            found.extend(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
    return found


def _component(module: str) -> str:
    return ".".join(module.split(".")[:2])


@pytest.mark.parametrize(("name", "path"), _modules(), ids=[n for n, _ in _modules()])
def test_no_module_imports_another_packages_private_modules(name: str, path: Path) -> None:
    for imported in _imports(path):
        if not imported.startswith("proxy.") or _component(imported) == _component(name):
            continue
        private = [p for p in imported.split(".") if p.startswith("_") and not p.endswith("__")]
        assert not private, imported


def _package_of(name: str, path: Path) -> str:
    return name if path.name == "__init__.py" else name.rsplit(".", 1)[0]


def _names(text: str) -> set[str]:
    return set(re.findall(r"`(proxy(?:\.\w+)*)`", text))


def _may_import(package: str) -> tuple[set[str] | None, set[str]]:
    """(allowed, forbidden) from the package docstring's "May import:" paragraph; allowed is
    None for "everything of the proxy" (with the packages after "except" forbidden)."""
    doc = importlib.import_module(package).__doc__ or ""
    paragraph = doc.split("May import:", 1)[1].split("\n\n", 1)[0]
    allowed, _, never = paragraph.partition("never")
    if "everything of the proxy" in allowed:
        return None, _names(allowed.partition("except")[2]) | _names(never)
    return _names(allowed), _names(never)


def _within(module: str, packages: set[str]) -> bool:
    return any(module == p or module.startswith(f"{p}.") for p in packages)


def _is_kernel(module: str) -> bool:
    return module in {"proxy.VERSION", "proxy.__version__"} or _within(module, KERNEL - {"proxy"})


DOCUMENTED = [p for p in PACKAGES if "May import:" in (importlib.import_module(p).__doc__ or "")]


def test_every_package_says_what_it_may_import() -> None:
    assert sorted(set(PACKAGES) - set(DOCUMENTED)) == ["proxy"]


@pytest.mark.parametrize("package", DOCUMENTED)
def test_a_package_imports_only_what_its_docstring_allows(package: str) -> None:
    allowed, forbidden = _may_import(package)
    for name, path in _modules():
        if _package_of(name, path) != package:
            continue
        for imported in _imports(path):
            if not imported.startswith("proxy.") or _within(imported, {package}):
                continue
            assert not _within(imported, forbidden), f"{name} imports {imported}"
            if allowed is not None and not _is_kernel(imported):
                assert _within(imported, allowed), (
                    f"{name} imports {imported}; {package} may import {sorted(allowed)}"
                )


@pytest.mark.parametrize("package", CORE)
def test_the_core_imports_no_cloud_sdk(package: str) -> None:
    """Only the cloud adapters of the stores and locks (`_aws_*`, `_gcp_*`) may, and the store
    factory when it builds a GCP store (google-auth finds the project)."""
    for name, path in _modules():
        if _component(name) != package or name.rsplit(".", 1)[1].startswith(("_aws", "_gcp")):
            continue
        sdks = [m for m in _imports(path, runtime_only=True) if m.split(".")[0] in CLOUD_SDKS]
        if name == "proxy.config.stores._factory":
            sdks = [m for m in sdks if m != "google.auth"]
        assert sdks == [], f"{name} imports {sdks}"


def test_config_does_not_import_sanitize() -> None:
    for name, path in _modules():
        if _component(name) == "proxy.config":
            assert not any(m.startswith("proxy.sanitize") for m in _imports(path)), name
