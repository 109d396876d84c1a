"""The learner's own functions, taken from their exercise notebooks, for the lessons to run.

:func:`learner_functions` reads a notebook (or, given a folder, each function's exercise notebook in
it), runs only its first code cell (imports and constants), its import cells and the cells that
define the requested functions, in a fresh namespace, and returns those functions. A function that
is missing, not written yet (``NotImplementedError``), fails its public check (the very cases of
``lessonkit.check``) or runs too long is replaced by lessonkit's own, and a note says so: a lesson
that trains a network with "your" functions always runs, always trains with correct gradients, and
always says whose functions it ran.

This runs the learner's code in the learner's own kernel, as their notebook does; grading runs it in
the sandbox instead (:mod:`lessonkit.course.grading`).
"""

from __future__ import annotations

import ast
import os
from collections.abc import Callable
from pathlib import Path

from .checks import _run, _time_limit, _TooSlow
from .exercises import EXERCISES
from .i18n import N_, _, english, tr

Reason = tuple  # (message with {fields}, their values): said in the learner's language

__all__ = ["LearnerFunction", "learner_functions", "workspace"]


def workspace() -> Path:
    """The folder ``python -m lessonkit start`` copies the exercises into (see :func:`.paths.workspace`)."""
    from .paths import workspace as where

    return where()


def learner_functions(
    notebook: str | os.PathLike[str],
    names: tuple[str, ...] = ("bp_delta_map", "compute_gradient"),
    *,
    timeout: float = 10.0,
    quiet: bool = False,
) -> dict[str, LearnerFunction]:
    """The learner's ``names`` from ``notebook``, each replaced by lessonkit's when it cannot be used.

    Parameters
    ----------
    notebook : path
        An exercise notebook (``.ipynb``) the learner wrote their functions in, or a folder holding
        the exercise notebooks under their course names (``02_bp_delta_map.ipynb``, ...), such as the
        ``my-work/`` that ``python -m lessonkit start`` makes.
    names : tuple of str
        Exercise names, e.g. ``("bp_delta_map", "compute_gradient")``.
    timeout : float, optional
        Seconds the notebook's cells, and each public case of the check, may take.
    quiet : bool, optional
        Do not print the notes (they are printed by default, one line per function).

    Returns
    -------
    dict
        name -> function. Each has ``.lessonkit_source``: ``"yours"``, or ``"lessonkit's (why)"``.

    Examples
    --------
    >>> fns = learner_functions("no/such/notebook.ipynb", ("pad",))
    pad: lessonkit's (the notebook no/such/notebook.ipynb does not exist)
    >>> fns["pad"].lessonkit_source.startswith("lessonkit's")
    True
    """
    unknown = [n for n in names if n not in EXERCISES]
    if unknown:
        raise ValueError(f"names must be exercise names ({', '.join(EXERCISES)}); got {unknown}")
    found = {}
    runs: dict = {}  # notebook path -> (namespace, problem): each notebook runs once
    for name in names:
        ex = EXERCISES[name]
        path = Path(notebook)
        if path.is_dir() or path.suffix != ".ipynb":
            path = path / f"{ex.notebook}.ipynb"
        if path not in runs:
            namespace: dict = {"__name__": "__learner__"}
            one_notebook = Path(notebook).is_file()
            wanted = tuple(n for n in names if one_notebook or EXERCISES[n].notebook == ex.notebook)
            runs[path] = namespace, _run_cells(path, wanted, namespace, timeout)
        namespace, problem = runs[path]
        why = problem or _unusable(namespace.get(name), ex, timeout)
        if why is None:
            fn = LearnerFunction(namespace[name], "yours")
            note = _("yours")
        else:
            template, values = why
            fn = LearnerFunction(ex.reference, f"lessonkit's ({template.format(**values)})")
            note = tr("lessonkit's ({why})", why=tr(template, **values))
        found[name] = fn
        if not quiet:
            print(f"{name}: {note}")
    return found


def _run_cells(path: Path, names: tuple[str, ...], namespace: dict, timeout: float) -> Reason | None:
    """Run the notebook's first code cell (its imports and constants), its import-only cells and the
    cells defining ``names``; why not (a message and its values), or None."""
    import nbformat

    if not path.is_file():
        from .paths import shown

        return N_("the notebook {path} does not exist"), {"path": shown(path)}
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:
        return N_("the notebook could not be read: {error}"), {"error": type(exc).__name__}
    code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    for index, cell in enumerate(code_cells):
        try:
            tree = ast.parse(cell.source)
        except SyntaxError as exc:
            if any(f"def {n}(" in cell.source or f"class {n}" in cell.source for n in names):
                return N_("a cell defining it has a syntax error, line {line}"), {"line": exc.lineno}
            continue
        if not tree.body or not (index == 0 or _wanted(tree, names)):
            continue
        try:
            with _time_limit(timeout):
                exec(compile(tree, f"<{path.name}>", "exec"), namespace)
        except _TooSlow:
            return N_("a cell of the notebook ran longer than {seconds} s"), {"seconds": f"{timeout:g}"}
        except Exception as exc:
            return N_("a cell of the notebook raised {error}"), {"error": type(exc).__name__}
    return None


def _wanted(tree: ast.Module, names: tuple[str, ...]) -> bool:
    """An import-only cell, or one whose top level defines one of ``names`` (a function or a class)."""
    if all(isinstance(node, (ast.Import, ast.ImportFrom)) for node in tree.body):
        return True
    return any(isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in names for node in tree.body)


def _unusable(fn: object, ex, timeout: float) -> Reason | None:
    """Why ``fn`` cannot stand in for the exercise's function: its public check, run silently."""
    if not callable(fn):
        return N_("no such function in the notebook"), {}
    lines: list = []
    with english():  # the lines are read here, not shown
        passed, status = _run(ex.name, fn, lines, timeout)
    if passed:
        return None
    if status == "not implemented":
        return N_("not written yet"), {}
    failed = next((ln.strip() for ln in lines if ln.endswith(": FAILED")), "")
    case = failed.removesuffix(": FAILED").split("  ", 1)[0].removeprefix("case ")  # "3/7"
    template = {
        "timeout": N_("yours runs too long on case {case} of its check; run lessonkit.check there"),
        "raised": N_("yours raises on case {case} of its check; run lessonkit.check there"),
    }.get(status, N_("yours gives a wrong answer on case {case} of its check; run lessonkit.check there"))
    return template, {"case": case or "?"}


class LearnerFunction:
    """A function for a lesson to call; ``lessonkit_source`` says whose: "yours" or "lessonkit's (why)"."""

    def __init__(self, fn: Callable, source: str) -> None:
        self.fn, self.lessonkit_source = fn, source
        self.__name__ = getattr(fn, "__name__", "function")
        self.__doc__ = getattr(fn, "__doc__", None)

    def __call__(self, *args, **kwargs):
        return self.fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<{self.__name__}: {self.lessonkit_source}>"
