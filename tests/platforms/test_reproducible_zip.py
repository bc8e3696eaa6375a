"""Zip bytes depend on names and contents only: not on order, file times or permissions."""

from __future__ import annotations

import base64
import hashlib
import os
import zipfile
from pathlib import Path

import pytest

from proxy.packaging.reproducible_zip import sha256_base64, write_reproducible_zip


def test_order_times_and_modes_do_not_change_the_bytes(tmp_path: Path) -> None:
    source = tmp_path / "a.py"
    source.write_text("print('a')\n")
    first = write_reproducible_zip(tmp_path / "1.zip", {"b/x.txt": b"x", "a.py": source})
    os.utime(source, (1_700_000_000, 1_700_000_000))
    source.chmod(0o755)
    second = write_reproducible_zip(tmp_path / "2.zip", {"a.py": source, "b/x.txt": b"x"})
    assert first == second
    assert (tmp_path / "1.zip").read_bytes() == (tmp_path / "2.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "1.zip") as archive:
        assert archive.namelist() == ["a.py", "b/x.txt"]
        assert archive.read("a.py") == b"print('a')\n"
        assert archive.getinfo("a.py").external_attr >> 16 == 0o100644


def test_content_changes_the_hash(tmp_path: Path) -> None:
    one = write_reproducible_zip(tmp_path / "1.zip", {"a": b"1"})
    two = write_reproducible_zip(tmp_path / "2.zip", {"a": b"2"})
    assert one != two


def test_hash_is_terraforms_filebase64sha256(tmp_path: Path) -> None:
    path = tmp_path / "blob"
    path.write_bytes(b"hello")
    assert sha256_base64(path) == base64.b64encode(hashlib.sha256(b"hello").digest()).decode()
    assert sha256_base64(path) == "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="


@pytest.mark.parametrize("name", ["/etc/passwd", "../x", "a/../../x", "dir/", "a\\b"])
def test_names_must_be_relative_files(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="not a relative file name"):
        write_reproducible_zip(tmp_path / "x.zip", {name: b""})
    assert not (tmp_path / "x.zip").exists()
