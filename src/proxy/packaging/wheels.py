"""Install dependencies for another platform into a directory, from a local wheel cache.

`pip install --platform … --only-binary=:all: --no-compile --target` resolves wheels for the
target (manylinux aarch64 for Lambda arm64) whatever the build machine is. Wheels are kept in a
cache (`build/wheels`, git-ignored): a build first tries the cache alone, and downloads only
when something is missing, so a repeated build is offline and quick.

    install_wheels(["httpx==0.28.1"], Path("build/site"), LAMBDA_ARM64, cache=Path("build/wheels"))
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["LAMBDA_ARM64", "PipFailed", "TargetPlatform", "host_target", "install_wheels"]

_ARCHITECTURES = {"aarch64": "arm64", "x86_64": "x86_64"}


@dataclass(frozen=True)
class TargetPlatform:
    """Where the artifact runs: manylinux platform tags and a CPython version."""

    platform_tags: tuple[str, ...]
    python_version: str

    @property
    def machine(self) -> str:
        """The target's `platform.machine()`, e.g. `aarch64`."""
        return self.platform_tags[0].split("_", 1)[1] if "_" in self.platform_tags[0] else ""

    @property
    def architecture(self) -> str:
        """Lambda's name for it: `arm64` or `x86_64`."""
        return _ARCHITECTURES.get(self.machine, self.machine)

    def pip_options(self) -> list[str]:
        options = [f"--platform={tag}" for tag in self.platform_tags]
        return [
            *options,
            "--implementation=cp",
            f"--python-version={self.python_version}",
            "--only-binary=:all:",
        ]


LAMBDA_ARM64 = TargetPlatform(("manylinux2014_aarch64",), "3.12")
"""The Lambda runtime the Terraform modules deploy: python3.12 on arm64."""


def host_target(python_version: str | None = None) -> TargetPlatform:
    """This machine's platform and Python (or another `X.Y` it has): an artifact it can run."""
    version = python_version or f"{sys.version_info.major}.{sys.version_info.minor}"
    return TargetPlatform((f"manylinux2014_{platform.machine()}",), version)


class PipFailed(RuntimeError):
    """pip could not install or download the wheels; the message ends with pip's output."""


def install_wheels(
    requirements: Sequence[str],
    target_dir: Path,
    target: TargetPlatform,
    *,
    cache: Path,
    constraints: Sequence[str] = (),
) -> None:
    """Install `requirements` for `target` into `target_dir` (no `bin/`, no bytecode)."""
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="proxy-build-") as scratch:
        requirements_file = Path(scratch) / "requirements.txt"
        requirements_file.write_text("\n".join(requirements) + "\n", "utf-8")
        constraints_file = Path(scratch) / "constraints.txt"
        constraints_file.write_text("\n".join(constraints) + "\n", "utf-8")
        inputs = ["-r", str(requirements_file), "-c", str(constraints_file)]
        offline = [
            "install",
            "--no-index",
            f"--find-links={cache}",
            "--no-compile",
            f"--target={target_dir}",
            *target.pip_options(),
            *inputs,
        ]
        if _pip(offline).returncode != 0:
            shutil.rmtree(target_dir, ignore_errors=True)
            download = ["download", f"--dest={cache}", *target.pip_options(), *inputs]
            _check(_pip(download))
            _check(_pip(offline))
    shutil.rmtree(target_dir / "bin", ignore_errors=True)
    for cache_dir in sorted(target_dir.rglob("__pycache__")):
        shutil.rmtree(cache_dir, ignore_errors=True)


def _pip(arguments: list[str]) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pip", *arguments, "--quiet"],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )


def _check(result: subprocess.CompletedProcess[str]) -> None:
    if result.returncode != 0:
        output = "\n".join(
            line
            for line in (result.stdout + result.stderr).splitlines()
            if not line.startswith("WARNING: Location")
        )
        raise PipFailed(f"pip {result.args[3]} failed:\n{output[-4000:]}")
