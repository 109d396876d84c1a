"""Where the course lives: the bottom layer, beside the language layer (imports nothing of lessonkit's
but the package's own folder)."""

from __future__ import annotations

import os
from pathlib import Path

from . import PACKAGE

__all__ = ["course_root", "shown"]


def course_root() -> Path:
    """The course folder holding ``exercises/`` and ``solutions/``: lessonkit's parent, else the cwd."""
    here = PACKAGE.parent
    return here if (here / "exercises").is_dir() else Path.cwd()


def shown(path: str | os.PathLike[str]) -> str:
    """``path`` as a learner should read it: relative to the course folder when it lies inside it
    (so a stored output never names the machine it was built on), else as given."""
    path = Path(path)
    try:
        return path.resolve().relative_to(course_root().resolve()).as_posix()
    except ValueError:
        return str(path)
