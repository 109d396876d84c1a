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


# The layers, bottom up (lessonkit/course/__init__.py says what each holds). A module may import
# its own layer and those below, never one above.
_LAYERS = [
    (
        "lessonkit",
        "lessonkit.course",
        "lessonkit.course.i18n",
        "lessonkit.course.paths",
        "lessonkit.course.config",
        "lessonkit.course.mathjax",
    ),
    ("lessonkit.maths",),
    ("lessonkit.network", "lessonkit.figures"),
    (
        "lessonkit.course.exercises",
        "lessonkit.course.curriculum",
        "lessonkit.course.feedback",
        "lessonkit.course.checks",
        "lessonkit.course.switches",
        "lessonkit.course.tracebacks",
        "lessonkit.course.learner",
        "lessonkit.course.hints",
        "lessonkit.course.predictions",
    ),
    ("lessonkit.course.grading",),
    (
        "lessonkit.course.lessons_build",
        "lessonkit.course.exercises_build",
        "lessonkit.course.translations",
        "lessonkit.course.site",
    ),
    ("lessonkit.course.cli", "lessonkit.__main__"),
]


def _layer(module: str) -> int:
    """The layer of a module: the one listing it or, failing that, its nearest listed parent."""
    best = (-1, None)
    for rank, names in enumerate(_LAYERS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and len(name) > best[0]:
                best = (len(name), rank)
    assert best[1] is not None, f"{module} is in no layer: add it to _LAYERS"
    return best[1]


def _import_graph() -> dict:
    """Every lessonkit module and the lessonkit modules it imports anywhere (lazy imports included)."""
    package = ROOT / "lessonkit"
    modules = {}
    for path in package.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = {}
    for name, path in modules.items():
        here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        deps = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                deps |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(
                        here[: len(here) - node.level + 1] + ([node.module] if node.module else [])
                    )
                deps |= {f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names}
        # a module may use its own package's __init__ (e.g. PACKAGE); that is not an upward edge
        graph[name] = {d for d in deps if d in modules and d != name and not name.startswith(d + ".")}
    return graph


def test_imports_point_down_the_layers():
    graph = _import_graph()
    assert len(graph) > 40 and "lessonkit.course.cli" in graph
    up = [
        (a, b) for a, deps in graph.items() if a != "lessonkit" for b in deps if _layer(b) > _layer(a)
    ]  # lessonkit/__init__.py re-exports on first use (PEP 562), so it may name any layer
    assert not up, up


def test_no_import_cycles():
    graph = _import_graph()
    graph["lessonkit"] = set()  # its re-exports are looked up on first use only, see above
    state: dict = {}

    def visit(module, path):
        state[module] = "open"
        for dep in sorted(graph[module]):
            assert state.get(dep) != "open", " -> ".join([*path, module, dep])
            if dep not in state:
                visit(dep, [*path, module])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [])


def test_importing_lessonkit_does_not_pull_in_plotting():
    code = "import sys, lessonkit; print('matplotlib' in sys.modules, 'ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


@pytest.mark.parametrize("module", ["lessonkit.maths.ops", "lessonkit.maths.conv", "lessonkit.maths.layer"])
def test_importing_the_maths_loads_only_the_maths(module):
    code = f"import sys, {module}; print(sorted(m for m in sys.modules if m.startswith('lessonkit')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = eval(out.stdout)  # a printed list of module names
    assert all(m == "lessonkit" or m.startswith("lessonkit.maths") for m in loaded), loaded


def test_top_level_names_are_the_modules_own_objects():
    """lessonkit re-exports on first use; each name is the one object of the module that defines it."""
    import lessonkit
    from lessonkit.course import checks
    from lessonkit.maths import conv
    from lessonkit.network import fast, nn

    assert lessonkit.fast is fast and lessonkit.nn is nn and lessonkit.check is checks.check
    assert lessonkit.bp_delta_map is conv.bp_delta_map
    assert all(hasattr(lessonkit, name) for name in lessonkit.__all__)
    assert "lessonkit.fast" not in sys.modules  # one module, one name
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        lessonkit.nope  # noqa: B018


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


def test_lessonkits_commands_skip_the_slow_iri_checker_and_still_validate(tmp_path):
    """``python -m lessonkit`` never imports rfc3987_syntax (1.2 s, see lessonkit/_startup.py), and
    nbformat still validates: a notebook that breaks the schema is still refused."""
    bad = tmp_path / "class" / "01_primitives-ann.ipynb"
    bad.parent.mkdir()
    bad.write_text('{"cells": 3, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}', encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "lessonkit", "grade", "--no-sandbox", str(bad.parent)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    imported = {line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines() if "|" in line}
    assert "nbformat" in imported and "jsonschema" in imported, run.stderr[-2000:]
    assert "rfc3987_syntax.syntax_helpers" not in imported
    assert "0/" in run.stdout, run.stdout
    code = (
        "import lessonkit._startup, nbformat\n"
        "nb = nbformat.v4.new_notebook(); nbformat.validate(nb)\n"
        "nb['metadata'] = 3\n"
        "try:\n    nbformat.validate(nb)\nexcept nbformat.ValidationError:\n    print('refused')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["refused"]
