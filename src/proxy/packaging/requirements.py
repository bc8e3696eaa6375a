"""What the artifacts depend on, pinned to the versions of the build's virtualenv.

The dependency *ranges* live in `pyproject.toml`; the tested *versions* are the ones installed
in the virtualenv that builds. Pinning the artifacts to those means a function runs exactly
what `make test` ran, and two builds of the same tree resolve the same wheels.

    pins = pinned(project_requirements(project_root(), extras=("gcp",)))
"""

from __future__ import annotations

import importlib.metadata
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import proxy

__all__ = [
    "PROJECT_DISTRIBUTION",
    "installed_constraints",
    "pinned",
    "pinned_closure",
    "project_requirements",
    "project_root",
    "target_environment",
]

PROJECT_DISTRIBUTION = "confluence-psoxy"


def project_root() -> Path:
    """The source checkout holding `src/proxy` and `pyproject.toml`."""
    root = Path(proxy.__file__).resolve().parents[2]
    if not (root / "pyproject.toml").is_file() or not (root / "src" / "proxy").is_dir():
        raise FileNotFoundError(f"no source checkout around {proxy.__file__}: build from one")
    return root


def project_requirements(root: Path, *, extras: Iterable[str] = ()) -> list[str]:
    """The runtime dependencies of `pyproject.toml`, plus those of the named extras."""
    project = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))["project"]
    requirements: list[str] = list(project.get("dependencies", []))
    optional: Mapping[str, list[str]] = project.get("optional-dependencies", {})
    for extra in extras:
        requirements += optional[extra]
    return requirements


def pinned(requirements: Iterable[str]) -> list[str]:
    """Each requirement as `name[extras]==<installed version>`, sorted; fails if not installed."""
    pins: dict[str, str] = {}
    for text in requirements:
        requirement = Requirement(text)
        version = importlib.metadata.version(requirement.name)
        extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
        pins[canonicalize_name(requirement.name)] = f"{requirement.name}{extras}=={version}"
    return [pins[name] for name in sorted(pins)]


def installed_constraints() -> list[str]:
    """`name==version` for every distribution in the build's environment (pip `-c` input)."""
    found: dict[str, str] = {}
    for distribution in importlib.metadata.distributions():
        name = distribution.metadata["Name"]
        if not name or canonicalize_name(name) == PROJECT_DISTRIBUTION:
            continue
        found.setdefault(canonicalize_name(name), f"{name}=={distribution.version}")
    return [found[name] for name in sorted(found)]


def target_environment(python_version: str, machine: str) -> dict[str, str]:
    """PEP 508 marker values of a Linux CPython target, e.g. `("3.12", "x86_64")`."""
    return {
        "python_version": python_version,
        "python_full_version": f"{python_version}.0",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "platform_machine": machine,
        "platform_system": "Linux",
        "sys_platform": "linux",
        "os_name": "posix",
    }


def pinned_closure(requirements: Iterable[str], environment: Mapping[str, str]) -> list[str]:
    """Every installed distribution these requirements pull in on `environment`, pinned.

    Walks the installed metadata, evaluating markers for the target (not this interpreter), so
    backports this Python needs but the target does not are left out. A dependency that is not
    installed here is skipped: the target's pip resolves it.
    """
    pins: dict[str, str] = {}
    visited: set[tuple[str, frozenset[str]]] = set()
    stack = [(Requirement(text), frozenset[str]()) for text in requirements]
    while stack:
        requirement, parent_extras = stack.pop()
        marker = requirement.marker
        if marker is not None and not any(
            marker.evaluate({**environment, "extra": extra}) for extra in {"", *parent_extras}
        ):
            continue
        name = canonicalize_name(requirement.name)
        key = (name, frozenset(requirement.extras))
        if key in visited:
            continue
        visited.add(key)
        try:
            distribution = importlib.metadata.distribution(requirement.name)
        except importlib.metadata.PackageNotFoundError:
            continue
        pins[name] = f"{distribution.metadata['Name']}=={distribution.version}"
        extras = frozenset(requirement.extras)
        stack += [(Requirement(child), extras) for child in distribution.requires or []]
    return [pins[name] for name in sorted(pins)]
