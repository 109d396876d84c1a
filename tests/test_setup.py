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
    pip = [p for d in env["dependencies"] if isinstance(d, dict) for p in d.get("pip", [])]
    python = [d for d in conda if d.startswith("python")]
    conda_deps = {_normalise(d) for d in conda + pip if not d.startswith(("python", "pip"))}
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


# What each folder may import at module level. The maths and the network are numpy only (sympy is
# imported inside lessonkit.maths.symbolic's functions; torch inside the benchmark's, if installed).
_STDLIB_SMALL = {"__future__", "numbers", "typing", "collections", "functools", "operator", "dataclasses"}
_ALLOWED = {
    "maths": _STDLIB_SMALL | {"numpy"},
    "network": _STDLIB_SMALL | {"numpy"},
}
_BENCH_STDLIB = {"argparse", "contextlib", "os", "platform", "statistics", "sys", "time"}


def _top_level_imports(path: Path) -> tuple[set, set]:
    """(absolute top-level packages, relative targets like "..course") a module imports at its top level."""
    absolute, relative = set(), set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            absolute |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            absolute.add(node.module.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            relative.add("." * node.level + (node.module or ""))
    return absolute, relative


@pytest.mark.parametrize("folder", sorted(_ALLOWED))
def test_maths_and_network_import_only_numpy(folder):
    modules = sorted((ROOT / "lessonkit" / folder).glob("*.py"))
    assert len(modules) >= 5, modules
    for path in modules:
        absolute, relative = _top_level_imports(path)
        allowed = _ALLOWED[folder] | (_BENCH_STDLIB if path.name == "bench.py" else set())
        assert absolute <= allowed, (path.name, absolute - allowed)
        # The maths stands alone; the network may use the maths; neither uses the course or figures.
        outside = {r[2:].split(".")[0] for r in relative if r.startswith("..")}
        assert outside <= ({"maths"} if folder == "network" else set()), (path.name, relative)


def test_importing_lessonkit_does_not_pull_in_plotting():
    code = "import sys, lessonkit; print('matplotlib' in sys.modules, 'ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_tests_mirror_the_package_folders():
    package = ROOT / "lessonkit"
    folders = sorted(p.relative_to(package) for p in package.rglob("*") if p.is_dir() and any(p.glob("*.py")))
    assert {str(f) for f in folders} >= {"maths", "network", "course", "course/grading", "figures"}
    for folder in folders:
        if folder.name == "exercises":  # its modules are tested together, in tests/course/test_exercises.py
            continue
        tests = list((ROOT / "tests" / folder).glob("test_*.py"))
        assert tests, f"lessonkit/{folder}/ has no tests/{folder}/test_*.py"


def test_test_files_have_unique_names():
    """pytest imports test files by their base name (no __init__.py): two with one name clash."""
    names = [p.name for p in (ROOT / "tests").rglob("test_*.py")]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
