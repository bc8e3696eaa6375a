"""The Lambda zip: reproducible, only what runs, aarch64 natives, python3.12 bytecode for every
module, and importable once unpacked without compiling anything.

This host is x86_64 with Python 3.11, so the "import from the unpacked zip" check builds the
same zip with the same code for the host's platform and Python (`proxy build lambda
--host-platform`) and invokes the handler from it in a fresh interpreter that cannot see the
virtualenv and may not write bytecode. Wheels are cached in `build/wheels`; the first run
downloads them. The arm64 build compiles with a CPython 3.12 of this machine (pyenv's).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from platforms.aws_rig import ROOT, SANITIZED, SPACES_PATH, SimulatedSite, load_event

from proxy.cli.main import main
from proxy.packaging.artifacts import Artifact, build_lambda_zip
from proxy.packaging.bytecode import pyc_name
from proxy.packaging.reproducible_zip import FILE_MODE, FIXED_DATE
from proxy.packaging.wheels import LAMBDA_ARM64, host_target
from proxy.sanitize import loads_values, pretty

CACHE = ROOT / "build" / "wheels"
RUNNER = Path(__file__).with_name("run_unpacked_lambda.py")
EM_AARCH64 = 183  # ELF e_machine
PYC_312_MAGIC = (3531).to_bytes(2, "little") + b"\r\n"  # CPython 3.12's bytecode version
UNCHECKED_HASH = 0b01  # PEP 552 flags: hash-based, source not checked


@pytest.fixture(scope="module")
def arm64_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Artifact, Artifact]:
    out = tmp_path_factory.mktemp("arm64")
    first = build_lambda_zip(out / "first" / "lambda-arm64.zip", cache=CACHE)
    second = build_lambda_zip(out / "second" / "lambda-arm64.zip", cache=CACHE)
    return first, second


@pytest.fixture(scope="module")
def host_zip(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Built through the CLI, as a developer would; returns the zip and what the CLI printed."""
    out = tmp_path_factory.mktemp("host")
    argv = ["build", "lambda", "--host-platform", "--output-dir", str(out)]
    completed = subprocess.run(
        [sys.executable, "-m", "proxy.cli.main", *argv, "--wheel-cache", str(CACHE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    target = host_target()
    return out / f"lambda-{target.architecture}-py{target.python_version}.zip", completed.stdout


def test_two_builds_give_the_same_bytes(arm64_builds: tuple[Artifact, Artifact]) -> None:
    first, second = arm64_builds
    data = first.path.read_bytes()
    assert data == second.path.read_bytes()
    assert first.sha256_base64 == second.sha256_base64
    assert first.sha256_base64 == base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert first.size_bytes == len(data)


def test_zip_holds_the_package_rules_and_dependencies_only(
    arm64_builds: tuple[Artifact, Artifact],
) -> None:
    with zipfile.ZipFile(arm64_builds[0].path) as archive:
        infos = archive.infolist()
    names = [info.filename for info in infos]
    assert names == sorted(names)
    assert "proxy/platforms/aws_lambda.py" in names
    assert "proxy/bundled_rules/confluence.yaml" in names
    for package in ("httpx/", "yaml/", "orjson/", "cryptography/", "jsonschema/"):
        assert any(name.startswith(package) for name in names), package
    unwanted = (
        "bin/",
        "tests/",
        "boto3/",
        "botocore/",
        "jsonpath_ng/",  # a dev dependency (differential tests, bench) since issue 15
        "proxy/simulator/responses/",
        "proxy/packaging/",
    )
    assert [n for n in names if n.startswith(unwanted)] == []
    assert {info.date_time for info in infos} == {FIXED_DATE}
    assert {info.external_attr >> 16 for info in infos} == {0o100000 | FILE_MODE}


def test_every_module_has_unchecked_hash_bytecode_for_python_3_12(
    arm64_builds: tuple[Artifact, Artifact],
) -> None:
    with zipfile.ZipFile(arm64_builds[0].path) as archive:
        names = archive.namelist()
        headers = {n: archive.read(n)[:8] for n in names if n.endswith(".pyc")}
    sources = [n for n in names if n.endswith(".py")]
    assert "proxy/platforms/aws_lambda.py" in sources and "httpx/_client.py" in sources
    expected = {pyc_name(source, "cpython-312") for source in sources}
    assert set(headers) == expected  # one per module, and no other bytecode
    assert [n for n in names if "__pycache__/" in n and not n.endswith(".cpython-312.pyc")] == []
    for name, header in headers.items():
        assert header[:4] == PYC_312_MAGIC, name
        assert int.from_bytes(header[4:8], "little") == UNCHECKED_HASH, name
    assert arm64_builds[0].bytecode.startswith("CPython 3.12.")


def test_native_libraries_are_aarch64_for_python_3_12(
    arm64_builds: tuple[Artifact, Artifact],
) -> None:
    assert LAMBDA_ARM64.python_version == "3.12"
    with zipfile.ZipFile(arm64_builds[0].path) as archive:
        libraries = {n: archive.read(n)[:20] for n in archive.namelist() if n.endswith(".so")}
    assert len(libraries) >= 5  # cryptography, cffi, yaml, orjson, rpds
    for name, header in libraries.items():
        assert header[:4] == b"\x7fELF", name
        assert int.from_bytes(header[18:20], "little") == EM_AARCH64, name
        assert "x86_64" not in name and "cpython-311" not in name, name


def test_cli_prints_the_source_code_hash(host_zip: tuple[Path, str]) -> None:
    path, printed = host_zip
    expected = base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode()
    assert f"  source_code_hash = {expected}\n" in printed
    assert printed.startswith(f"{path}: ")


def unpack(zip_path: Path, tmp_path: Path) -> Path:
    """The zip extracted into `tmp_path/task`, as Lambda unpacks it into `/var/task`."""
    unpacked = tmp_path / "task"
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(unpacked)
    return unpacked


def run_unpacked(unpacked: Path, event: dict[str, Any], env: dict[str, str], tmp: Path) -> Any:
    event_file = tmp / "event.json"
    event_file.write_text(json.dumps(event), "utf-8")
    completed = subprocess.run(
        [sys.executable, "-I", "-S", "-B", str(RUNNER), str(unpacked), str(event_file)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp,
        check=False,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def test_handler_from_the_unpacked_zip_serves_a_confluence_call(
    host_zip: tuple[Path, str], site: SimulatedSite, tmp_path: Path
) -> None:
    unpacked = unpack(host_zip[0], tmp_path)
    event = load_event(
        "lambda-function-url-v2.json", rawPath=SPACES_PATH, rawQueryString="limit=100"
    )
    report = run_unpacked(unpacked, event, site.environment, tmp_path)

    for module, file in report["module_files"].items():
        assert file.startswith(str(unpacked)), (module, file)
    assert report["libyaml"] is True
    assert report["boto3_importable"] is False  # not bundled; the Lambda runtime provides it
    assert report["boto3_loaded"] is False
    assert report["flask_loaded"] is False
    result = report["result"]
    assert result["statusCode"] == 200, result
    assert result["isBase64Encoded"] is False  # gzip accepted, but under 2048 bytes
    assert "Content-Encoding" not in result["headers"]
    printed = "\n".join(pretty(v) for v in loads_values(result["body"].encode())) + "\n"
    assert printed == (SANITIZED / "spaces.json").read_text("utf-8")


def _files(tree: Path) -> dict[str, int]:
    return {str(path): path.stat().st_size for path in tree.rglob("*") if path.is_file()}


def test_handler_from_the_unpacked_zip_compiles_nothing(
    host_zip: tuple[Path, str], site: SimulatedSite, tmp_path: Path
) -> None:
    unpacked = unpack(host_zip[0], tmp_path)
    before = _files(unpacked)
    event = load_event(
        "lambda-function-url-v2.json", rawPath=SPACES_PATH, rawQueryString="limit=100"
    )
    report = run_unpacked(unpacked, event, site.environment, tmp_path)

    assert report["result"]["statusCode"] == 200
    assert report["dont_write_bytecode"] is True
    assert report["compiled"] == []  # import + first request: every module from its .pyc
    assert _files(unpacked) == before

    # The same zip without its bytecode compiles every module it imports: what the check sees.
    stripped = tmp_path / "stripped"
    shutil.copytree(unpacked, stripped, ignore=shutil.ignore_patterns("__pycache__"))
    bare = run_unpacked(stripped, event, site.environment, tmp_path)
    assert bare["result"]["statusCode"] == 200
    compiled = {Path(path).relative_to(stripped).as_posix() for path in bare["compiled"]}
    assert {"proxy/platforms/aws_lambda.py", "proxy/gateway/_pipeline.py"} <= compiled
    assert "httpx/_client.py" in compiled


def test_a_cold_start_from_the_zip_needs_no_yaml_parser_and_defines_no_dataclass(
    host_zip: tuple[Path, str], site: SimulatedSite, tmp_path: Path
) -> None:
    """The bundled rules come pre-parsed (`proxy/bundled_rules/*.json`), and the cold path's
    records are NamedTuples: PyYAML's import and dataclass definitions were a fifth of it."""
    unpacked = unpack(host_zip[0], tmp_path)
    assert (unpacked / "proxy/bundled_rules/confluence.json").is_file()
    event = load_event(
        "lambda-function-url-v2.json", rawPath=SPACES_PATH, rawQueryString="limit=100"
    )
    report = run_unpacked(unpacked, event, site.environment, tmp_path)

    assert report["result"]["statusCode"] == 200
    assert report["yaml_loaded"] is False
    assert report["proxy_dataclasses"] == []


def test_gzipped_answer_from_the_unpacked_zip(
    host_zip: tuple[Path, str], site: SimulatedSite, tmp_path: Path
) -> None:
    unpacked = unpack(host_zip[0], tmp_path)
    report = run_unpacked(
        unpacked, load_event("api-gateway-http-v1-stage-proxy.json"), site.environment, tmp_path
    )
    result = report["result"]
    assert result["statusCode"] == 200, result
    assert result["isBase64Encoded"] is True
    body = gzip.decompress(base64.b64decode(result["body"]))
    printed = "\n".join(pretty(v) for v in loads_values(body)) + "\n"
    assert printed == (SANITIZED / "content_search.json").read_text("utf-8")


def test_cli_entry_point_is_registered() -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["build", "--help"])
    assert exit_info.value.code == 0
