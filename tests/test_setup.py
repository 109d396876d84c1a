"""The project's setup: pyproject and environment.yml agree, README and CI say what the issue asks."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10 has no tomllib; tomli is its twin
    tomllib = pytest.importorskip("tomli")


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _normalise(spec: str) -> tuple[str, str]:
    req = Requirement(spec.replace(" ", ""))
    return req.name.lower().replace("_", "-"), str(req.specifier)


def test_environment_yml_and_pyproject_declare_the_same_dependencies():
    project = _pyproject()["project"]
    declared = {_normalise(s) for s in project["dependencies"]}
    declared |= {_normalise(s) for s in project["optional-dependencies"]["test"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    python = [d for d in conda if d.startswith("python")]
    conda_deps = {_normalise(d) for d in conda if not d.startswith(("python", "pip"))}
    assert declared == conda_deps, declared ^ conda_deps
    assert python == ["python>=3.10"] and project["requires-python"] == ">=3.10"


def test_core_packages_are_declared():
    names = {_normalise(s)[0] for s in _pyproject()["project"]["dependencies"]}
    names |= {_normalise(s)[0] for s in _pyproject()["project"]["optional-dependencies"]["test"]}
    assert {"numpy", "jupyterlab", "ipywidgets", "matplotlib", "nbval"} <= names


def test_readme_quickstart_starts_with_make_lab_then_make_test():
    text = (ROOT / "README.md").read_text()
    quick = text.split("## Quickstart", 1)[1]
    commands = re.findall(r"^(?:\$ )?(make \S+.*)$", quick, flags=re.M)
    assert commands[:2] == ["make lab", "make test"]
    assert "conda env create -f environment.yml" in quick
    assert "pip install -e '.[test]'" in quick


def test_ci_runs_make_test():
    lines = [
        ln.strip()
        for ln in (ROOT / ".ci" / "run").read_text().splitlines()
        if ln.strip() and not ln.strip().startswith("#")
    ]
    assert "make test" in lines


def test_math_modules_import_only_numpy():
    for name in (
        "_checks",
        "ops",
        "conv",
        "gradcheck",
        "activations",
        "layer",
        "fast",
        "nn",
        "losses",
        "optim",
    ):
        tree = ast.parse((ROOT / "lessonkit" / f"{name}.py").read_text())
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add(node.module.split(".")[0])
        assert imported <= {"numpy", "__future__", "numbers", "typing", "collections"}, (
            name,
            imported,
        )


def test_importing_lessonkit_does_not_pull_in_plotting():
    code = "import sys, lessonkit; print('matplotlib' in sys.modules, 'ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
