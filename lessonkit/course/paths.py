"""Where the course lives: the bottom layer, beside the language layer (imports nothing of lessonkit's
but the package's own folder)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from . import PACKAGE

__all__ = ["course_root", "installed_course", "shown", "workspace"]


def installed_course() -> Path:
    """Where a wheel or a non-editable ``pip install`` puts the lessons and exercises (pyproject's
    data-files): ``<prefix>/share/lessonkit``."""
    return Path(sys.prefix) / "share" / "lessonkit"


def course_root() -> Path:
    """The course folder holding ``exercises/``: lessonkit's parent in a source tree or an editable
    install, else the installed copy (:func:`installed_course`), else the current folder."""
    for here in (PACKAGE.parent, installed_course()):
        if (here / "exercises").is_dir():
            return here
    return Path.cwd()


def workspace() -> Path:
    """The folder ``python -m lessonkit start`` copies the exercises into: ``my-work/`` in the course
    folder of a source tree, else in the current folder (never inside an installed environment)."""
    root = course_root()
    return root / "my-work" if root == PACKAGE.parent else Path.cwd() / "my-work"


def shown(path: str | os.PathLike[str]) -> str:
    """``path`` as a learner should read it: relative to the course folder when it lies inside it
    (so a stored output never names the machine it was built on), else as given."""
    path = Path(path)
    try:
        return path.resolve().relative_to(course_root().resolve()).as_posix()
    except ValueError:
        return str(path)
