"""The exercises, one module each: public cases (the check), hidden cases (the grader), known mistakes.

Every exercise mirrors a lessonkit function. Expected values always come from lessonkit's core; a
known mistake is a deliberately wrong variant of the same computation, so an answer that equals a
variant (and not the truth) can be explained to the learner ("filter not rotated", ...).
"""

from __future__ import annotations

import os
from pathlib import Path

from ..config import ENV, configured, course_file, read_course
from . import (
    bp_delta_map,
    compute_gradient,
    conv_forward,
    correlate2d,
    dilate,
    im2col,
    layer_backward,
    pad,
    pooling,
    rot180,
)
from . import filter as filter_exercise  # not bare `filter`: that is a builtin
from .base import ACTIVATIONS, Case, CaseTable, Exercise, Mistake

__all__ = [
    "ACTIVATIONS",
    "Case",
    "CaseTable",
    "DECLARED",
    "EXERCISES",
    "Exercise",
    "Mistake",
    "NOTEBOOKS",
    "exercises_of",
    "notebook_named",
    "exercise_notebook",
    "use_course_file",
]

# In course order: a notebook's exercises may use what the exercises before them teach.
_MODULES = (
    pad,
    rot180,
    dilate,
    correlate2d,
    bp_delta_map,
    compute_gradient,
    conv_forward,
    layer_backward,
    filter_exercise,
    pooling,
    im2col,
)

# The exercises as their modules declare them (one EXERCISE, or several in EXERCISES), then with the
# course file's points (config.py).
DECLARED: dict[str, Exercise] = {
    ex.name: ex for m in _MODULES for ex in getattr(m, "EXERCISES", None) or (m.EXERCISE,)
}
EXERCISES: dict[str, Exercise] = configured(DECLARED, read_course(course_file(), DECLARED))

NOTEBOOKS: tuple[str, ...] = tuple(dict.fromkeys(ex.notebook for ex in EXERCISES.values()))


def use_course_file(path: str | os.PathLike[str] | None = None) -> Path:
    """Make the course file ``path`` (default: the one in force) the points of :data:`EXERCISES`,
    updated in place, here and in the processes this one starts (``$LESSONKIT_COURSE``); ValueError
    naming the key and the value when it is bad."""
    path = Path(path).resolve() if path is not None else course_file()
    settings = read_course(path, DECLARED)
    EXERCISES.clear()
    EXERCISES.update(configured(DECLARED, settings))
    os.environ[ENV] = str(path)
    return path


def exercises_of(notebook: str) -> list[Exercise]:
    """The exercises of one notebook (by stem, e.g. ``"02_bp_delta_map"``), in order."""
    return [ex for ex in EXERCISES.values() if ex.notebook == notebook]


def exercise_notebook(exercise: str) -> str:
    """The exercise notebook's stem from its stem, its number or one of its functions' names.

    Examples
    --------
    >>> from lessonkit.course.exercises import exercise_notebook
    >>> exercise_notebook("bp_delta_map"), exercise_notebook("04")
    ('02_bp_delta_map', '04_conv_layer')
    """
    text = str(exercise).removesuffix(".ipynb")
    for stem in NOTEBOOKS:
        if text in (stem, stem[:2]) or (text in EXERCISES and EXERCISES[text].notebook == stem):
            return stem
    raise ValueError(
        f"exercise must be an exercise notebook ({', '.join(NOTEBOOKS)}), its number or a graded "
        f"function's name; got {exercise!r}"
    )


def notebook_named(stem: str) -> str | None:
    """The exercise notebook a file's stem starts with (``"02_bp_delta_map-alice"``), or None."""
    return next((name for name in NOTEBOOKS if stem.startswith(name)), None)
