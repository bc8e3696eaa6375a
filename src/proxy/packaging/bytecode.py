"""Bytecode for the Lambda zip, compiled by a CPython of the runtime's own minor version.

Lambda imports the zip from a read-only `/var/task`: without `.pyc` files in it, every cold
start compiles every module it imports, and cannot keep the result. Bytecode is specific to a
CPython minor version (3.12's is useless to 3.11 and the reverse), so the build runs an
interpreter of the target's version (`find_interpreter("3.12")`) over every shipped `.py`.

The files are PEP 552 *unchecked-hash* pycs in `__pycache__/<module>.<cache tag>.pyc`, where
the importer looks for them: it loads them without comparing mtimes (the zip dates everything
1980) or hashing the source. Their bytes depend only on the source and the compiler: the
recorded file name is the archive name (the importer replaces it with the real path on load),
and `PYTHONHASHSEED=0` fixes the order of set constants, so the zip stays reproducible.

    interpreter = find_interpreter("3.12")
    entries.update(compile_bytecode(entries, interpreter, scratch))
"""

from __future__ import annotations

import json
import os
import posixpath
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "BytecodeFailed",
    "Interpreter",
    "InterpreterNotFound",
    "compile_bytecode",
    "find_interpreter",
    "pyc_name",
]

_PROBE = (
    "import json, sys; print(json.dumps({'implementation': sys.implementation.name, "
    "'version': '%d.%d' % sys.version_info[:2], 'full': sys.version.split()[0], "
    "'cache_tag': sys.implementation.cache_tag}))"
)
_COMPILER = """
import json, py_compile, sys
failed = []
for source, target, shown in json.load(sys.stdin):
    try:
        py_compile.compile(source, cfile=target, dfile=shown, doraise=True,
                           invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    except py_compile.PyCompileError as error:
        failed.append([shown, error.msg.strip().splitlines()[-1]])
print(json.dumps(failed))
"""


class InterpreterNotFound(RuntimeError):
    """No CPython of the target's minor version on this machine: its bytecode cannot be made."""


class BytecodeFailed(RuntimeError):
    """A shipped source did not compile for the target (the message names the files)."""


@dataclass(frozen=True)
class Interpreter:
    """A CPython that compiles for one target, e.g. 3.12.1 at `/usr/bin/python3.12`."""

    path: Path
    version: str  # major.minor
    full_version: str
    cache_tag: str


def find_interpreter(version: str, explicit: Path | None = None) -> Interpreter:
    """A CPython `version` (e.g. "3.12"): `explicit`, this one, `python3.12` on PATH, or pyenv's."""
    candidates = [explicit] if explicit is not None else list(_candidates(version))
    for candidate in candidates:
        found = _probe(candidate)
        if found is not None and found.version == version:
            return found
    if explicit is not None:
        raise InterpreterNotFound(f"{explicit} is not a working CPython {version}")
    raise InterpreterNotFound(
        f"no CPython {version} on this machine to compile the artifact's bytecode (looked for "
        f"python{version} on PATH and in pyenv); install one, or name it with --python"
    )


def pyc_name(source_name: str, cache_tag: str) -> str:
    """`proxy/lazy.py` → `proxy/__pycache__/lazy.cpython-312.pyc` (what the importer opens)."""
    directory, file = posixpath.split(source_name)
    return posixpath.join(directory, "__pycache__", f"{file[:-3]}.{cache_tag}.pyc")


def compile_bytecode(
    entries: Mapping[str, Path | bytes], interpreter: Interpreter, scratch: Path
) -> dict[str, Path]:
    """Archive name → compiled file, one unchecked-hash `.pyc` per `.py` entry of `entries`."""
    jobs: list[tuple[str, str, str]] = []
    compiled: dict[str, Path] = {}
    sources = scratch / "sources"
    for name in sorted(entries):
        if not name.endswith(".py"):
            continue
        source = entries[name]
        if isinstance(source, bytes):
            written = sources / name
            written.parent.mkdir(parents=True, exist_ok=True)
            written.write_bytes(source)
            source = written
        target = scratch / "bytecode" / pyc_name(name, interpreter.cache_tag)
        compiled[pyc_name(name, interpreter.cache_tag)] = target
        jobs.append((str(source), str(target), name))
    done = subprocess.run(
        [str(interpreter.path), "-S", "-s", "-c", _COMPILER],
        input=json.dumps(jobs),
        capture_output=True,
        text=True,
        env={"PYTHONHASHSEED": "0", "PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        check=False,
    )
    if done.returncode != 0:
        raise BytecodeFailed(f"{interpreter.path} could not compile:\n{done.stderr[-3000:]}")
    failed: list[list[str]] = json.loads(done.stdout)
    if failed:
        listed = "\n".join(f"  {name}: {message}" for name, message in failed[:10])
        raise BytecodeFailed(
            f"{len(failed)} shipped sources do not compile for {interpreter.version}:\n{listed}"
        )
    return compiled


def _candidates(version: str) -> Iterator[Path]:
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        yield Path(sys.executable)
    on_path = shutil.which(f"python{version}")
    if on_path:
        yield Path(on_path)  # may be a pyenv shim that refuses to run: probed before use
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    installed = sorted(pyenv.glob(f"{version}.*/bin/python{version}"), key=_patch, reverse=True)
    yield from installed
    yield from (Path(f"/usr/bin/python{version}"), Path(f"/usr/local/bin/python{version}"))


def _patch(path: Path) -> tuple[int, ...]:
    """`~/.pyenv/versions/3.12.10/bin/python3.12` → (3, 12, 10), so the newest comes first."""
    release = path.parents[1].name
    return tuple(int(part) if part.isdigit() else -1 for part in release.split("."))


def _probe(path: Path) -> Interpreter | None:
    try:
        done = subprocess.run(
            [str(path), "-S", "-c", _PROBE],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except OSError:
        return None
    if done.returncode != 0:
        return None
    facts = json.loads(done.stdout)
    if facts["implementation"] != "cpython":
        return None
    return Interpreter(path, facts["version"], facts["full"], facts["cache_tag"])
