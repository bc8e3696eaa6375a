"""Zip files whose bytes depend only on their contents: same inputs, same SHA-256.

Entries are sorted by name, dated 1980-01-01 (the zip epoch), given mode 0644 and compressed at
a fixed level; no directory entries, no extra fields. Terraform's `source_code_hash` is the
base64 SHA-256 of the file, so an unchanged build does not redeploy.

    digest = write_reproducible_zip(Path("dist/lambda-arm64.zip"), {"proxy/__init__.py": path})
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from collections.abc import Mapping
from pathlib import Path

__all__ = ["FILE_MODE", "FIXED_DATE", "sha256_base64", "write_reproducible_zip"]

FIXED_DATE = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644
_COMPRESS_LEVEL = 6  # zlib default: level 9 takes 3x as long for 0.5 % less
_UNIX = 3  # `create_system`: the mode bits in `external_attr` are Unix permissions


def write_reproducible_zip(destination: Path, entries: Mapping[str, Path | bytes]) -> str:
    """Write `entries` (archive name → file or bytes) and return the zip's base64 SHA-256."""
    for name in entries:
        if name.startswith("/") or "\\" in name or ".." in name.split("/") or name.endswith("/"):
            raise ValueError(f"not a relative file name: {name!r}")
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    with zipfile.ZipFile(partial, "w") as archive:
        for name in sorted(entries):
            source = entries[name]
            data = source if isinstance(source, bytes) else source.read_bytes()
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.create_system = _UNIX
            info.external_attr = (0o100000 | FILE_MODE) << 16  # regular file, rw-r--r--
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data, compresslevel=_COMPRESS_LEVEL)
    partial.replace(destination)
    return sha256_base64(destination)


def sha256_base64(path: Path) -> str:
    """`filebase64sha256(path)` as Terraform computes it."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return base64.b64encode(digest.digest()).decode("ascii")
