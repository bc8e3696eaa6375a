"""The GCP source zip: main.py, a fully pinned requirements.txt, the package; it serves a call."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from platforms.aws_rig import ROOT, SANITIZED, SPACES_PATH, SimulatedSite

from proxy.packaging.artifacts import Artifact, build_gcp_zip, gcp_requirements_txt

RUNNER = Path(__file__).with_name("run_unpacked_gcp.py")


@pytest.fixture(scope="module")
def gcp_zip(tmp_path_factory: pytest.TempPathFactory) -> Artifact:
    return build_gcp_zip(tmp_path_factory.mktemp("gcp") / "gcp-source.zip")


def test_two_builds_give_the_same_bytes(gcp_zip: Artifact, tmp_path: Path) -> None:
    again = build_gcp_zip(tmp_path / "gcp-source.zip")
    assert again.path.read_bytes() == gcp_zip.path.read_bytes()
    assert again.sha256_base64 == gcp_zip.sha256_base64


def test_zip_holds_main_requirements_and_the_package(gcp_zip: Artifact) -> None:
    with zipfile.ZipFile(gcp_zip.path) as archive:
        names = archive.namelist()
        main_py = archive.read("main.py")
    assert {name.split("/")[0] for name in names} == {"main.py", "requirements.txt", "proxy"}
    assert main_py == (ROOT / "main.py").read_bytes()
    assert "proxy/platforms/gcp_main.py" in names
    assert "proxy/bundled_rules/confluence.yaml" in names
    assert [
        n for n in names if n.startswith(("proxy/simulator/responses/", "proxy/packaging/"))
    ] == []
    assert [n for n in names if "__pycache__" in n or n.endswith(".pyc")] == []


def test_requirements_pin_every_version_of_the_build_environment() -> None:
    text = gcp_requirements_txt(ROOT)
    pins = [line for line in text.splitlines() if line and not line.startswith("#")]
    versions = dict(pin.split("==") for pin in pins)
    for name, version in versions.items():
        assert importlib.metadata.version(name) == version, name
    direct = pins[: text.splitlines().index("# transitive") - 2]
    assert [pin.split("==")[0] for pin in direct] == [
        "cryptography",
        "functions-framework",
        "google-cloud-secret-manager",
        "httpx",
        "jsonschema",
        "orjson",
        "PyYAML",
    ]
    for needed in ("grpcio", "google-api-core", "Flask", "gunicorn", "httpcore", "rpds-py"):
        assert needed in versions, needed
    for dev_only in ("pytest", "moto", "boto3", "hypothesis", "mypy", "ruff", "jsonpath-ng"):
        assert dev_only not in versions, dev_only


def test_unpacked_source_serves_through_functions_framework(
    gcp_zip: Artifact, site: SimulatedSite, tmp_path: Path
) -> None:
    unpacked = tmp_path / "source"
    with zipfile.ZipFile(gcp_zip.path) as archive:
        archive.extractall(unpacked)
    completed = subprocess.run(
        [sys.executable, str(RUNNER), str(unpacked), f"{SPACES_PATH}?limit=100"],
        capture_output=True,
        text=True,
        env=site.environment,
        cwd=tmp_path,
        check=False,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert report["proxy_file"].startswith(str(unpacked))
    assert report["status"] == 200, report
    assert json.loads(report["body"]) == json.loads((SANITIZED / "spaces.json").read_text())
