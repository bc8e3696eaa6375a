"""`proxy build`: the deployable artifacts, reproducibly (also `make package`).

    proxy build              # dist/lambda-arm64.zip and dist/gcp-source.zip
    proxy build lambda --host-platform   # a Lambda zip this machine can import (checks)
    proxy build lambda --host-platform --python-version 3.12   # … for its python3.12

The Lambda zip ships `.pyc` files compiled by a CPython of the runtime's version (3.12): found
as `python3.12` on PATH or in pyenv, or named with `--python`.

Each artifact is printed with its base64 SHA-256, the value Terraform's `source_code_hash`
expects. Wheels are cached in `build/wheels`; the first build downloads them from PyPI.
Exit codes: 0 built; 1 pip, the compiler or the build failed (the reason on stderr); 2 bad
options.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["register"]

_LAMBDA_NAME = "lambda-arm64.zip"
_GCP_NAME = "gcp-source.zip"


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "build",
        help="build the Lambda zip and the GCP source zip (prints source_code_hash)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "artifact",
        nargs="?",
        choices=("all", "lambda", "gcp"),
        default="all",
        help="which artifact to build (default: all)",
    )
    parser.add_argument("--output-dir", type=Path, help="default: <checkout>/dist")
    parser.add_argument("--wheel-cache", type=Path, help="default: <checkout>/build/wheels")
    parser.add_argument(
        "--with-boto3",
        action="store_true",
        help="bundle the build's boto3 in the Lambda zip (the runtime's is used otherwise)",
    )
    parser.add_argument(
        "--host-platform",
        action="store_true",
        help="build the Lambda zip for this machine's platform and Python instead of arm64/3.12",
    )
    parser.add_argument(
        "--python-version",
        metavar="X.Y",
        help="with --host-platform: the Python the zip is for (default: the one running this)",
    )
    parser.add_argument(
        "--python",
        type=Path,
        metavar="PATH",
        help="the CPython of the target's version that compiles the Lambda zip's bytecode",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # Imported here: the build needs `packaging` and pip, which deployed functions do not have.
    from proxy.packaging.artifacts import Artifact, build_gcp_zip, build_lambda_zip
    from proxy.packaging.bytecode import find_interpreter
    from proxy.packaging.requirements import project_root
    from proxy.packaging.wheels import LAMBDA_ARM64, PipFailed, host_target

    try:
        root = project_root()
    except FileNotFoundError as error:
        print(f"proxy build: {error}", file=sys.stderr)
        return 1
    output_dir: Path = args.output_dir or root / "dist"
    cache: Path = args.wheel_cache or root / "build" / "wheels"
    built: list[Artifact] = []
    try:
        if args.artifact in ("all", "lambda"):
            target = host_target(args.python_version) if args.host_platform else LAMBDA_ARM64
            name = _LAMBDA_NAME
            if args.host_platform:
                name = f"lambda-{target.architecture}-py{target.python_version}.zip"
            built.append(
                build_lambda_zip(
                    output_dir / name,
                    cache=cache,
                    target=target,
                    with_boto3=args.with_boto3,
                    interpreter=find_interpreter(target.python_version, args.python),
                )
            )
        if args.artifact in ("all", "gcp"):
            built.append(build_gcp_zip(output_dir / _GCP_NAME))
    except (PipFailed, OSError, RuntimeError) as error:
        print(f"proxy build: {error}", file=sys.stderr)
        return 1
    for artifact in built:
        print(
            f"{artifact.path}: {artifact.size_bytes / 1e6:.1f} MB, {artifact.entries} files, "
            f"{artifact.seconds:.1f} s\n  source_code_hash = {artifact.sha256_base64}"
        )
        if artifact.bytecode:
            print(f"  bytecode compiled by {artifact.bytecode}")
    return 0
