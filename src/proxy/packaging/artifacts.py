"""The two deployable artifacts, built reproducibly from the source tree and pinned wheels.

- **Lambda zip** (`dist/lambda-arm64.zip`): the `proxy` package with its bundled rules at the
  root, and the runtime dependencies installed from manylinux aarch64 wheels for python3.12.
  Handler: `proxy.platforms.aws_lambda.handler`. Every `.py` has its unchecked-hash `.pyc`,
  compiled by a CPython of the runtime's version (`proxy.packaging.bytecode`): Lambda's
  `/var/task` is read-only, so a zip without bytecode compiles every module on every cold start.
  boto3 is not bundled: the Lambda runtime ships one, and the SSM and Secrets Manager calls the
  proxy makes are years old (`--with-boto3` pins the build's version instead, for about 18 MB
  more).
- **GCP source zip** (`dist/gcp-source.zip`): `main.py` (entry point `route`), a fully pinned
  `requirements.txt` that Cloud Build installs, and the `proxy` package with its rules. No
  bytecode: Cloud Functions' Python buildpack compiles the source itself (`compileall -f`, which
  would overwrite any shipped `.pyc`) and the installed requirements (unchecked-hash pycs).

Only what runs is shipped: `*.py` (with bytecode in the Lambda zip), `py.typed`, the rule
YAMLs and their pre-parsed JSON (`proxy.rules`: no YAML parser on a cold start); no tests, no
simulator example responses, and not this build code.

    artifact = build_lambda_zip(Path("dist/lambda-arm64.zip"), cache=Path("build/wheels"))
    print(artifact.sha256_base64)   # Terraform's source_code_hash
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from proxy.packaging.bytecode import Interpreter, compile_bytecode, find_interpreter
from proxy.packaging.reproducible_zip import write_reproducible_zip
from proxy.packaging.requirements import (
    installed_constraints,
    pinned,
    pinned_closure,
    project_requirements,
    project_root,
    target_environment,
)
from proxy.packaging.wheels import LAMBDA_ARM64, TargetPlatform, install_wheels

__all__ = [
    "GCP_PYTHON_VERSION",
    "Artifact",
    "build_gcp_zip",
    "build_lambda_zip",
    "gcp_requirements_txt",
    "package_files",
]

GCP_PYTHON_VERSION = "3.12"  # Terraform: build_config.runtime = "python312"
_SHIPPED_SUFFIXES = frozenset({".py", ".yaml", ".json", ".typed"})  # .json: pre-parsed rules
_NOT_SHIPPED = ("simulator/responses/", "packaging/")  # example data; this build code


@dataclass(frozen=True)
class Artifact:
    path: Path
    sha256_base64: str
    size_bytes: int
    seconds: float
    entries: int
    bytecode: str = ""  # who compiled the shipped .pyc files, e.g. "CPython 3.12.1 (cpython-312)"


def package_files(root: Path) -> dict[str, Path]:
    """`proxy/...` archive name → source file, for everything of the package that runs."""
    package = root / "src" / "proxy"
    files: dict[str, Path] = {}
    for path in sorted(package.rglob("*")):
        relative = path.relative_to(package).as_posix()
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        if path.suffix in _SHIPPED_SUFFIXES and not relative.startswith(_NOT_SHIPPED):
            files[f"proxy/{relative}"] = path
    return files


def build_lambda_zip(
    output: Path,
    *,
    cache: Path,
    target: TargetPlatform = LAMBDA_ARM64,
    with_boto3: bool = False,
    interpreter: Interpreter | None = None,
) -> Artifact:
    """The Lambda deployment zip for `target`; the same tree, cache and compiler give the same
    bytes. `interpreter` compiles the bytecode (default: a CPython of `target`'s version)."""
    started = time.perf_counter()
    root = project_root()
    compiler = interpreter or find_interpreter(target.python_version)
    if compiler.version != target.python_version:
        raise RuntimeError(
            f"{compiler.path} is Python {compiler.version}, the target runs {target.python_version}"
        )
    requirements = pinned(project_requirements(root, extras=("aws",) if with_boto3 else ()))
    with tempfile.TemporaryDirectory(prefix="proxy-lambda-") as scratch:
        site = Path(scratch) / "site"
        install_wheels(requirements, site, target, cache=cache, constraints=installed_constraints())
        entries: dict[str, Path | bytes] = {
            path.relative_to(site).as_posix(): path
            for path in sorted(site.rglob("*"))
            if path.is_file()
        }
        collisions = sorted(set(entries) & set(package_files(root)))
        if collisions:
            raise RuntimeError(f"a dependency ships files of the proxy package: {collisions[:3]}")
        entries.update(package_files(root))
        entries.update(compile_bytecode(entries, compiler, Path(scratch)))
        digest = write_reproducible_zip(output, entries)
    compiled_by = f"CPython {compiler.full_version} ({compiler.cache_tag})"
    return _artifact(output, digest, started, len(entries), compiled_by)


def gcp_requirements_txt(root: Path) -> str:
    """Top-level pins first, then every transitive one, all from the build's virtualenv."""
    top = project_requirements(root, extras=("gcp",))
    direct = pinned(top)
    direct_names = {pin.split("==")[0].split("[")[0].lower() for pin in direct}
    closure = pinned_closure(top, target_environment(GCP_PYTHON_VERSION, "x86_64"))
    transitive = [pin for pin in closure if pin.split("==")[0].lower() not in direct_names]
    lines = [
        "# Generated by `proxy build gcp` from the build's virtualenv: every version is pinned,",
        "# so Cloud Build installs exactly what the tests ran against.",
        *direct,
        "# transitive",
        *transitive,
    ]
    return "\n".join(lines) + "\n"


def build_gcp_zip(output: Path) -> Artifact:
    """The Cloud Functions gen2 source zip: `main.py`, `requirements.txt`, the package."""
    started = time.perf_counter()
    root = project_root()
    entries: dict[str, Path | bytes] = {
        "main.py": root / "main.py",
        "requirements.txt": gcp_requirements_txt(root).encode("utf-8"),
        **package_files(root),
    }
    digest = write_reproducible_zip(output, entries)
    return _artifact(output, digest, started, len(entries))


def _artifact(
    path: Path, digest: str, started: float, entries: int, bytecode: str = ""
) -> Artifact:
    return Artifact(
        path=path,
        sha256_base64=digest,
        size_bytes=path.stat().st_size,
        seconds=time.perf_counter() - started,
        entries=entries,
        bytecode=bytecode,
    )
