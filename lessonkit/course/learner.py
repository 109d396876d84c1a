"""The learner's own functions, taken from their exercise notebook, for the lessons to run.

:func:`learner_functions` reads a notebook, runs only its import cells and the cells that define the
requested functions, in a fresh namespace, and returns those functions. A function that is missing,
not written yet (``NotImplementedError``), raises on the lecture's case or runs too long is replaced
by lessonkit's own, and a note says so: a lesson that trains a network with "your" functions
always runs, and always says whose functions it ran.

This runs the learner's code in the learner's own kernel, as their notebook does; grading runs it in
the sandbox instead (:mod:`lessonkit.course.grading`).
"""

from __future__ import annotations

import ast
import os
from collections.abc import Callable
from pathlib import Path

from .checks import _time_limit, _TooSlow
from .exercises import EXERCISES

__all__ = ["LearnerFunction", "learner_functions"]


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
        An exercise notebook (``.ipynb``) the learner wrote their functions in.
    names : tuple of str
        Exercise names, e.g. ``("bp_delta_map", "compute_gradient")``.
    timeout : float, optional
        Seconds the notebook's cells, and one call on the lecture's case, may take.
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
    path = Path(notebook)
    namespace: dict = {"__name__": "__learner__"}
    problem = _run_cells(path, names, namespace, timeout)
    found = {}
    for name in names:
        ex = EXERCISES[name]
        why = problem or _unusable(namespace.get(name), ex, timeout)
        if why is None:
            fn = LearnerFunction(namespace[name], "yours")
        else:
            fn = LearnerFunction(ex.reference, f"lessonkit's ({why})")
        found[name] = fn
        if not quiet:
            print(f"{name}: {fn.lessonkit_source}")
    return found


def _run_cells(path: Path, names: tuple[str, ...], namespace: dict, timeout: float) -> str | None:
    """Run the notebook's import cells and the cells defining ``names``; why not, or None."""
    import nbformat

    if not path.is_file():
        return f"the notebook {path} does not exist"
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:
        return f"the notebook could not be read: {type(exc).__name__}"
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError as exc:
            if any(f"def {n}(" in cell.source for n in names):
                return f"a cell defining it has a syntax error, line {exc.lineno}"
            continue
        if not tree.body or not _wanted(tree, names):
            continue
        try:
            with _time_limit(timeout):
                exec(compile(tree, f"<{path.name}>", "exec"), namespace)
        except _TooSlow:
            return f"a cell of the notebook ran longer than {timeout:g} s"
        except Exception as exc:
            return f"a cell of the notebook raised {type(exc).__name__}"
    return None


def _wanted(tree: ast.Module, names: tuple[str, ...]) -> bool:
    """An import-only cell, or one whose top level defines one of ``names``."""
    if all(isinstance(node, (ast.Import, ast.ImportFrom)) for node in tree.body):
        return True
    return any(isinstance(node, ast.FunctionDef) and node.name in names for node in tree.body)


def _unusable(fn: object, ex, timeout: float) -> str | None:
    """Why ``fn`` cannot stand in for the exercise's function (tried on its first public case)."""
    if not callable(fn):
        return "no such function in the notebook"
    case = ex.public()[0]
    try:
        with _time_limit(timeout):
            fn(*case.args, **case.kwargs)
    except NotImplementedError:
        return "not written yet"
    except _TooSlow:
        return f"it ran longer than {timeout:g} s on the lecture's case"
    except Exception as exc:
        return f"it raised {type(exc).__name__} on the lecture's case"
    return None


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
