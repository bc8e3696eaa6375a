"""Bytecode of the Lambda zip: where each `.pyc` goes, what it holds, and which Python makes it."""

from __future__ import annotations

import importlib.util
import marshal
import sys
from pathlib import Path

import pytest

from proxy.packaging.bytecode import (
    BytecodeFailed,
    InterpreterNotFound,
    compile_bytecode,
    find_interpreter,
    pyc_name,
)

THIS_VERSION = f"{sys.version_info.major}.{sys.version_info.minor}"


def test_pyc_name_is_where_the_importer_looks() -> None:
    assert pyc_name("proxy/lazy.py", "cpython-312") == "proxy/__pycache__/lazy.cpython-312.pyc"
    assert pyc_name("six.py", "cpython-311") == "__pycache__/six.cpython-311.pyc"
    assert importlib.util.cache_from_source("/task/proxy/lazy.py") == (
        f"/task/proxy/__pycache__/lazy.{sys.implementation.cache_tag}.pyc"
    )


def test_compiled_file_is_an_unchecked_hash_pyc_of_the_source(tmp_path: Path) -> None:
    source = tmp_path / "module.py"
    source.write_bytes(b"ANSWER = sorted({'b', 'a'})\n")
    interpreter = find_interpreter(THIS_VERSION)
    compiled = compile_bytecode(
        {"pkg/module.py": source, "pkg/data.yaml": source, "pkg/inline.py": b"X = 1\n"},
        interpreter,
        tmp_path / "scratch",
    )

    assert set(compiled) == {
        pyc_name("pkg/module.py", interpreter.cache_tag),
        pyc_name("pkg/inline.py", interpreter.cache_tag),
    }
    data = compiled[pyc_name("pkg/module.py", interpreter.cache_tag)].read_bytes()
    assert data[:4] == importlib.util.MAGIC_NUMBER
    assert int.from_bytes(data[4:8], "little") == 0b01  # hash-based, never checked
    assert data[8:16] == importlib.util.source_hash(source.read_bytes())
    code = marshal.loads(data[16:])  # noqa: S302  (our own build output)
    assert code.co_filename == "pkg/module.py"  # the archive name, not the build's scratch path
    namespace: dict[str, object] = {}
    exec(code, namespace)  # noqa: S102  (the module just compiled, to check it runs)
    assert namespace["ANSWER"] == ["a", "b"]


def test_same_sources_give_the_same_bytes_wherever_they_are_built(tmp_path: Path) -> None:
    interpreter = find_interpreter(THIS_VERSION)
    sources = {"pkg/sets.py": b"S = frozenset({'x', 'y', 'z', 'w'})\ndef f(v): return v in S\n"}
    first = compile_bytecode(sources, interpreter, tmp_path / "one")
    second = compile_bytecode(sources, interpreter, tmp_path / "elsewhere" / "two")
    name = pyc_name("pkg/sets.py", interpreter.cache_tag)
    assert first[name].read_bytes() == second[name].read_bytes()


def test_a_source_that_does_not_compile_fails_the_build_by_name(tmp_path: Path) -> None:
    interpreter = find_interpreter(THIS_VERSION)
    with pytest.raises(BytecodeFailed, match=r"1 shipped sources.*\n  pkg/broken\.py: "):
        compile_bytecode(
            {"pkg/fine.py": b"X = 1\n", "pkg/broken.py": b"def (:\n"},
            interpreter,
            tmp_path,
        )


def test_interpreter_of_this_version_is_found_and_described() -> None:
    interpreter = find_interpreter(THIS_VERSION)
    assert interpreter.version == THIS_VERSION
    assert interpreter.cache_tag == sys.implementation.cache_tag
    assert interpreter.full_version == sys.version.split()[0]


def test_missing_version_is_reported_with_what_to_do() -> None:
    with pytest.raises(InterpreterNotFound, match=r"no CPython 2\.9 .*--python"):
        find_interpreter("2.9")


def test_explicit_interpreter_of_another_version_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InterpreterNotFound, match=r"is not a working CPython 2\.9"):
        find_interpreter("2.9", Path(sys.executable))
    not_python = tmp_path / "python3.12"
    not_python.write_text("not a program")
    with pytest.raises(InterpreterNotFound, match=r"is not a working CPython 3\.12"):
        find_interpreter("3.12", not_python)
