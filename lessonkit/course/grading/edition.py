"""The grading edition of lessonkit: what one notebook may use while it is graded, and nothing else.

The sandbox gets this package instead of lessonkit. It keeps lessonkit's layout, so the exercises'
import cells work unchanged, but a maths module holds only the definitions the notebook may use
(:func:`lessonkit.course.curriculum.allowed_units`), copied from lessonkit's source, and every other
module (the network, the course tooling, the figures, ...) is empty. Any other name still imports, as a
placeholder that raises :class:`LessonkitUnavailable` with the reason when it is used, and records
that it was used so the grader can say so. ``lessonkit.check`` does nothing.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

from ..curriculum import MATHS, MATHS_MODULES, PACKAGE, allowed_units, describe, module_units

__all__ = ["write_edition"]

_UNAVAILABLE = '''"""Placeholders for what is not available while this notebook is graded."""

WHAT = {what!r}
ALLOWED = {allowed!r}
USED = []


class LessonkitUnavailable(RuntimeError):
    """A lessonkit name that is not available while grading was used."""


class Placeholder:
    """Stands for a lessonkit name that is out of reach while grading; any use raises."""

    __slots__ = ("_name",)

    def __init__(self, name):
        object.__setattr__(self, "_name", name)

    def _refuse(self, *args, **kwargs):
        name = object.__getattribute__(self, "_name")
        USED.append(name)
        raise LessonkitUnavailable(
            f"{{name}} is not available while {{WHAT}} is graded: only what earlier exercises taught "
            f"can be used ({{ALLOWED}}), plus numpy and the rest of the environment"
        )

    __call__ = __getitem__ = __iter__ = __len__ = __enter__ = _refuse

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return Placeholder(object.__getattribute__(self, "_name") + "." + attr)

    def __mro_entries__(self, bases):
        self._refuse()

    def __repr__(self):
        return "<" + object.__getattribute__(self, "_name") + ": not available while grading>"


def module_getattr(module):
    """A module-level ``__getattr__``: every missing public name is a Placeholder."""

    def __getattr__(name):
        if name.startswith("__"):
            raise AttributeError(f"module {{module!r}} has no attribute {{name!r}}")
        return Placeholder(f"{{module}}.{{name}}")

    return __getattr__
'''

_EMPTY = '''"""{name}: not available while a notebook is graded (see lessonkit._unavailable)."""

from lessonkit._unavailable import module_getattr as _module_getattr

__getattr__ = _module_getattr(__name__)
'''

_CHECKS = '''"""lessonkit.check while grading: does nothing (the grader decides the points)."""

from lessonkit._unavailable import module_getattr as _module_getattr

__getattr__ = _module_getattr(__name__)


def check(name, fn, *args, **kwargs):
    """Does nothing while grading."""
    return None


class safely:
    """An example cell's guard while grading: the body runs, and an error in it is not raised."""

    def __init__(self, name, timeout=30.0):
        self.name = name

    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        return kind is not None and issubclass(kind, Exception)
'''

_LEARNER = '''"""lessonkit.learner_functions while grading: lessonkit's own, where this notebook may use them.

Each graded function is graded on its own: a notebook that builds on the learner's earlier exercises
gets lessonkit's versions of them here, and only those its exercises may use (the rest are
placeholders that refuse to run).
"""

import lessonkit
from lessonkit._unavailable import module_getattr as _module_getattr

__getattr__ = _module_getattr(__name__)


def workspace():
    """While grading: the notebook's own folder."""
    import pathlib

    return pathlib.Path(".")


def learner_functions(notebook, names=("bp_delta_map", "compute_gradient"), *, timeout=10.0, quiet=True):
    """While grading: {name: lessonkit's own name}, placeholders where the notebook may not use it."""
    return {name: getattr(lessonkit, name) for name in names}
'''

_I18N = '''"""lessonkit.set_language while grading: does nothing (the grader chooses its own language)."""

from lessonkit._unavailable import module_getattr as _module_getattr

__getattr__ = _module_getattr(__name__)


def set_language(lang):
    """Does nothing while grading."""
    return lang
'''


def write_edition(notebook: str, target: str | os.PathLike[str]) -> Path:
    """Write the grading edition of lessonkit for ``notebook`` (e.g. ``"02_bp_delta_map"``).

    Parameters
    ----------
    notebook : str
        The exercise notebook's stem; its exercises decide what is lent.
    target : path
        A folder; the package is written to ``target/lessonkit``.

    Returns
    -------
    Path
        ``target``, the folder to put first on ``sys.path``.
    """
    target = Path(target)
    root = target / "lessonkit"
    units = allowed_units(notebook)
    files = {
        "__init__.py": (PACKAGE / "__init__.py").read_text(encoding="utf-8"),
        "_unavailable.py": _UNAVAILABLE.format(what=notebook, allowed=describe(notebook)),
        "course/checks.py": _CHECKS,
        "course/learner.py": _LEARNER,
        "course/i18n.py": _I18N,
    }
    for module in MATHS_MODULES:
        files[f"maths/{module}.py"] = _partial_module(module, units)
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if "__pycache__" in rel or rel in files:
            continue
        dotted = "lessonkit." + rel[: -len(".py")].replace("/", ".").removesuffix(".__init__")
        files[rel] = _EMPTY.format(name=dotted)
    for rel, text in files.items():
        dest = root / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text, encoding="utf-8")
    for path in [target, *target.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return target


def _segment(source: str, node: ast.AST) -> str:
    """The source text of one top-level statement."""
    text = ast.get_source_segment(source, node)
    assert text is not None  # a node parsed from this very source always has positions
    return text


def _partial_module(module: str, units: frozenset) -> str:
    """The module's imports and the allowed definitions, in their order, then the placeholder hook."""
    source = (MATHS / f"{module}.py").read_text(encoding="utf-8")
    lines = source.splitlines()
    keep = {name for name in module_units(module) if f"{module}.{name}" in units}
    parts = [f'"""lessonkit.maths.{module}, grading edition: only what this notebook may use."""\n']
    for node in ast.parse(source).body:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            parts.insert(1, _segment(source, node) + "\n")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            parts.append(_segment(source, node))
    for name in sorted(keep, key=lambda n: module_units(module)[n][0]):
        first, last, _ = module_units(module)[name]
        parts.append("\n\n" + "\n".join(lines[first - 1 : last]))
    parts.append(
        "\n\nfrom lessonkit._unavailable import module_getattr as _module_getattr\n\n"
        "__getattr__ = _module_getattr(__name__)\n"
    )
    return "\n".join(parts)
