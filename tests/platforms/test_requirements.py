"""Pins come from the build's virtualenv; the closure follows extras and the target's markers."""

from __future__ import annotations

import importlib.metadata

from proxy.packaging.requirements import (
    installed_constraints,
    pinned,
    pinned_closure,
    project_requirements,
    project_root,
    target_environment,
)

PY312 = target_environment("3.12", "x86_64")


def names(pins: list[str]) -> set[str]:
    return {pin.split("==")[0].lower() for pin in pins}


def test_pinned_uses_installed_versions_and_keeps_extras() -> None:
    httpx = importlib.metadata.version("httpx")
    moto = importlib.metadata.version("moto")
    assert pinned(["moto[server]>=5", "httpx<0.29,>=0.28.1"]) == [
        f"httpx=={httpx}",
        f"moto[server]=={moto}",
    ]


def test_project_runtime_requirements_are_the_pyproject_ones() -> None:
    runtime = project_requirements(project_root())
    assert [r.split("<")[0].split(">")[0] for r in runtime] == [
        "httpx",
        "PyYAML",
        "orjson",
        "cryptography",
        "jsonschema",
    ]
    with_gcp = project_requirements(project_root(), extras=("gcp",))
    assert with_gcp[len(runtime) :] == [
        "google-cloud-secret-manager>=2.20,<3",
        "functions-framework>=3.8,<4",
    ]


def test_closure_follows_dependencies_and_requested_extras() -> None:
    assert names(pinned_closure(["jsonschema"], PY312)) == {
        "jsonschema",
        "attrs",
        "jsonschema-specifications",
        "referencing",
        "rpds-py",
        "typing_extensions",  # as its metadata spells it
    }
    with_extra = names(pinned_closure(["moto[server]"], PY312))
    assert {"flask", "werkzeug", "moto"} <= with_extra
    assert "flask" not in names(pinned_closure(["moto"], PY312))


def test_closure_evaluates_markers_for_the_target() -> None:
    assert pinned_closure(['httpx; python_version < "3.12"'], PY312) == []
    assert names(
        pinned_closure(['h11; python_version < "3.12"'], target_environment("3.11", "x86_64"))
    ) == {"h11"}


def test_not_installed_dependencies_are_left_to_the_target() -> None:
    assert pinned_closure(["surely-not-installed-package-xyz"], PY312) == []


def test_constraints_cover_the_environment_but_not_the_project() -> None:
    constraints = installed_constraints()
    assert f"httpx=={importlib.metadata.version('httpx')}" in constraints
    assert not any(c.lower().startswith("confluence-psoxy==") for c in constraints)
    assert constraints == sorted(
        constraints, key=lambda c: c.split("==")[0].lower().replace("_", "-")
    )
