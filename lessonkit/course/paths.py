"""Where the course lives: the bottom layer, beside the language layer (imports nothing of lessonkit's
but the package's own folder)."""

from __future__ import annotations

from pathlib import Path

from . import PACKAGE

__all__ = ["course_root"]


def course_root() -> Path:
    """The course folder holding ``exercises/`` and ``solutions/``: lessonkit's parent, else the cwd."""
    here = PACKAGE.parent
    return here if (here / "exercises").is_dir() else Path.cwd()
