"""Reading the notebooks handed in, and choosing what each is graded on: its file name, its
definitions, or the class's assignment (the check cells it holds are never run)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..exercises import NOTEBOOKS, exercises_of, notebook_named
from ..i18n import tr
from .submissions import Refused, find_submissions, parse_notebook, read_submission, safe_text

if TYPE_CHECKING:
    from nbformat import NotebookNode


__all__ = [
    "NotebookError",
    "read_notebook",
    "exercises_for",
    "notebooks_under",
    "defined_names",
    "other_exercise",
    "is_check_cell",
]

_CHECK_LINE = re.compile(r"^\s*(?:\w+\s*=\s*)?lessonkit\.check\(.*\)\s*;?\s*$")


class NotebookError(Exception):
    """The notebook is missing or cannot be read (the CLI exits with status 2)."""


def read_notebook(path: Path) -> NotebookNode:
    """The notebook at ``path`` (nbformat v4), read once without following links, or NotebookError.

    The error's message is one line that names the file (made safe) and what is wrong by position,
    never quoting the file's content (see :mod:`lessonkit.course.grading.submissions`).
    """
    try:
        data = read_submission(path)
    except Refused as exc:
        if str(exc) == "no such file":
            raise NotebookError(f"no such notebook: {safe_text(path)}") from None
        raise NotebookError(f"cannot read {safe_text(path)} as a notebook: {exc}") from None
    try:
        return parse_notebook(data)
    except Refused as exc:
        raise NotebookError(f"cannot read {safe_text(path)} as a notebook: {exc}") from None


def exercises_for(nb: NotebookNode, path: Path) -> list:
    """The exercises a notebook is graded on: by file name, else by the functions and classes it defines."""
    by_name = _exercises_by_name(path)
    if by_name:
        return by_name
    defined = defined_names(nb)
    best = max(
        NOTEBOOKS, key=lambda n: (len(defined & {e.name for e in exercises_of(n)}), -NOTEBOOKS.index(n))
    )
    if not defined & {e.name for e in exercises_of(best)}:
        return []
    return exercises_of(best)


def _exercises_by_name(path: Path) -> list:
    name = notebook_named(Path(path).stem)
    return exercises_of(name) if name else []


def notebooks_under(folder: str | os.PathLike[str]) -> list:
    """Every ``*.ipynb`` entry under a folder, sorted, checkpoints left out, links not entered."""
    return find_submissions(folder)


def defined_names(nb: NotebookNode) -> set:
    """The functions and classes a notebook's code cells define at the top level of a line."""
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    return set(re.findall(r"^(?:def|class)\s+(\w+)\s*[(:]", source, flags=re.M))


def other_exercise(nb: NotebookNode, path: str | os.PathLike[str], assignment: str) -> str | None:
    """Why a notebook is not graded on ``assignment`` (an exercise notebook's stem), or None.

    It is named after another exercise, or it defines none of the assignment's functions but some of
    another exercise's. Either way it gets 0 of the assignment's points, never another exercise's.
    """
    named = notebook_named(Path(path).stem)
    if named is not None and named != assignment:
        return tr(
            "this file is named after exercise {other}, but the assignment is {assignment}; "
            "hand in {assignment}.ipynb",
            other=named,
            assignment=assignment,
        )
    defined = defined_names(nb)
    if not defined & {e.name for e in exercises_of(assignment)}:  # named after it or not at all
        for other in NOTEBOOKS:
            if other != assignment and defined & {e.name for e in exercises_of(other)}:
                return tr(
                    "this notebook holds exercise {other}, not the assignment {assignment}",
                    other=other,
                    assignment=assignment,
                )
    return None


def is_check_cell(source: str) -> bool:
    """True for a cell made only of ``lessonkit.check(...)`` lines (and comments/blank lines).

    Examples
    --------
    >>> is_check_cell('lessonkit.check("pad", pad)')
    True
    >>> is_check_cell('lessonkit.check("pad", pad)\\nprint(1)')
    False
    """
    lines = [ln for ln in source.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    return bool(lines) and all(_CHECK_LINE.match(ln) for ln in lines)
