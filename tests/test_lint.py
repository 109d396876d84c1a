"""Lint: every public function of lessonkit is type-annotated, so mypy (make lint) checks its body.

ruff and mypy themselves run in ``make lint``, which ``make test`` runs first.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import lessonkit

ROOT = Path(__file__).resolve().parents[1]
# Run as programs, not imported: the sandbox's runner (standalone by design) and the package's main.
NOT_IMPORTED = ("lessonkit.course.grading.runner", "lessonkit.__main__")


def _modules() -> list[str]:
    names = [m.name for m in pkgutil.walk_packages(lessonkit.__path__, "lessonkit.")]
    return sorted(n for n in names if n not in NOT_IMPORTED)


def _public_functions(module) -> list:
    """(name, function) of everything in ``__all__`` defined there, and of its classes' public methods."""
    found = []
    for name in getattr(module, "__all__", []):
        obj = getattr(module, name)
        if getattr(obj, "__module__", None) != module.__name__:
            continue
        if inspect.isfunction(obj):
            found.append((name, obj))
        elif inspect.isclass(obj):
            for key, value in vars(obj).items():
                value = getattr(value, "fget", value)
                if inspect.isfunction(value) and (not key.startswith("_") or key == "__init__"):
                    found.append((f"{name}.{key}", value))
    return found


def _missing(name: str, fn) -> list[str]:
    sig = inspect.signature(fn)
    missing = [
        p.name
        for p in sig.parameters.values()
        if p.name not in ("self", "cls")
        and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        and p.annotation is inspect.Parameter.empty
    ]
    if sig.return_annotation is inspect.Signature.empty and not name.endswith("__init__"):
        missing.append("return")
    return missing


@pytest.mark.parametrize("modname", _modules())
def test_public_functions_are_annotated(modname):
    module = importlib.import_module(modname)
    unannotated = {name: missing for name, fn in _public_functions(module) if (missing := _missing(name, fn))}
    assert not unannotated, f"{modname}: public functions without type hints: {unannotated}"


def test_the_check_finds_an_unannotated_function():
    def f(x, y: int):
        return x

    assert _missing("f", f) == ["x", "return"]


def test_make_lint_runs_ruff_and_mypy_and_make_test_runs_make_lint():
    makefile = (ROOT / "Makefile").read_text()
    lint = re.search(r"^lint:.*\n((?:\t.*\n)+)", makefile, re.M).group(1)
    assert "ruff check" in lint and "ruff format --check" in lint and "mypy" in lint
    assert re.search(r"^test: .*\blint\b", makefile, re.M)
    assert (ROOT / "pyproject.toml").read_text().count('files = ["lessonkit"]') == 1
