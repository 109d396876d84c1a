"""Points as the course file (course.toml) sets them: tests compute what they expect from these,
so that a teacher who changes a value in course.toml breaks no test."""

from __future__ import annotations

from lessonkit.course.exercises import EXERCISES, exercises_of


def total(name: str) -> int:
    """The points of a fully correct function ``name``."""
    return EXERCISES[name].max_points


def group(name: str, group_name: str) -> int:
    """The points of one group of cases of ``name``."""
    return EXERCISES[name].groups[group_name]


def without(name: str, *groups: str) -> int:
    """The points of ``name`` when the ``groups`` are lost and every other group is earned."""
    return total(name) - sum(group(name, g) for g in groups)


def only(name: str, *groups: str) -> int:
    """The points of ``name`` when only the ``groups`` are earned."""
    return sum(group(name, g) for g in groups)


def notebook_total(stem: str) -> int:
    """The points of an exercise notebook (all its graded functions)."""
    return sum(ex.max_points for ex in exercises_of(stem))
