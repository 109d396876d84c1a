"""The course file (``course.toml``): each exercise's points per group of cases, and partial credit.

The file ships in the package (``lessonkit/course/course.toml``); ``LESSONKIT_COURSE=/path/to/file``
or ``python -m lessonkit grade --course FILE`` uses another
(:func:`lessonkit.course.exercises.use_course_file`). It is read with :mod:`tomllib` (``tomli``
on Python 3.10) and validated when read: every error is a ValueError naming the file, the key and
the value it got. :data:`lessonkit.course.exercises.EXERCISES` carries the configured points, so
``lessonkit.check``, the grader and the Gradescope bundle all see the same numbers.

Examples
--------
>>> from lessonkit.course.exercises import DECLARED
>>> text = '[pad.points]\\n"2-D x, p >= 1" = 3\\n"p = 0 and leading axes left alone" = 1\\n'
>>> cfg = parse_course(text, "course.toml", DECLARED)
>>> cfg["pad"].points
{'2-D x, p >= 1': 3, 'p = 0 and leading axes left alone': 1}
"""

from __future__ import annotations

import dataclasses
import math
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: tomli is the same parser
    import tomli as tomllib

__all__ = [
    "DEFAULT",
    "ENV",
    "Settings",
    "course_file",
    "parse_course",
    "read_course",
    "configured",
    "mistake_name",
]

DEFAULT = Path(__file__).with_name("course.toml")
ENV = "LESSONKIT_COURSE"


@dataclass(frozen=True)
class Settings:
    """One exercise's settings: points per group (all of them) and partial credit per mistake name."""

    points: dict = field(default_factory=dict)
    partial: dict = field(default_factory=dict)


def course_file() -> Path:
    """The course file in force: ``$LESSONKIT_COURSE`` if set, else the package's."""
    given = os.environ.get(ENV)
    return Path(given) if given else DEFAULT


def mistake_name(cause: str) -> str:
    """A known mistake's name: its sentence up to the first ``": "`` ("filter not rotated")."""
    return cause.split(": ", 1)[0]


def read_course(path: str | os.PathLike[str] | None, exercises: dict) -> dict:
    """The settings in the course file ``path`` (None: :func:`course_file`) for ``exercises`` (name
    -> Exercise, as declared); ValueError when bad."""
    path = Path(path) if path is not None else course_file()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"course file: no such file: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"course file: cannot read {path}: {exc}") from None
    return parse_course(text, str(path), exercises)


def parse_course(text: str, source: str, exercises: dict) -> dict:
    """Name -> :class:`Settings` from the TOML ``text``, checked against ``exercises`` (name ->
    Exercise, as the modules declare them). An exercise the file leaves out keeps its points."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{source}: not valid TOML ({exc})") from None
    out = {}
    for name, table in data.items():
        if name not in exercises:
            raise ValueError(
                f"{source}: [{name}] is not an exercise; the exercises are {', '.join(exercises)}"
            )
        ex = exercises[name]
        if not isinstance(table, dict):
            raise ValueError(f"{source}: {name} must be a table ([{name}]); got {table!r}")
        unknown = set(table) - {"notebook", "points", "partial"}
        if unknown:
            raise ValueError(
                f"{source}: [{name}] has unknown key {sorted(unknown)[0]!r}; its keys are notebook, "
                "points and partial"
            )
        if "notebook" in table and table["notebook"] != ex.notebook:
            raise ValueError(f"{source}: {name}.notebook must be {ex.notebook!r}; got {table['notebook']!r}")
        points = dict(ex.groups)
        given = table.get("points", {})
        if not isinstance(given, dict):
            raise ValueError(f"{source}: {name}.points must be a table of groups; got {given!r}")
        for group, value in given.items():
            if group not in ex.groups:
                raise ValueError(
                    f"{source}: {name}.points has no group {group!r}; its groups are "
                    + ", ".join(repr(g) for g in ex.groups)
                )
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(
                    f"{source}: {name}.points.{group!r} must be a whole number of points, 1 or more; "
                    f"got {value!r}"
                )
            points[group] = value
        partial = table.get("partial", {})
        if not isinstance(partial, dict):
            raise ValueError(f"{source}: {name}.partial must be a table of mistakes; got {partial!r}")
        names = list(dict.fromkeys(mistake_name(m.cause) for m in ex.mistakes))
        for mistake, share in partial.items():
            if mistake not in names:
                raise ValueError(
                    f"{source}: {name}.partial has no known mistake {mistake!r}; its mistakes are "
                    + (", ".join(repr(n) for n in names) or "none")
                )
            if (
                isinstance(share, bool)
                or not isinstance(share, (int, float))
                or not math.isfinite(share)
                or not 0 < share < 1
            ):
                raise ValueError(
                    f"{source}: {name}.partial.{mistake!r} must be a share of the group's points "
                    f"between 0 and 1 (e.g. 0.3); got {share!r}"
                )
        out[name] = Settings(points, {k: float(v) for k, v in partial.items()})
    return out


def configured(exercises: dict, settings: dict) -> dict:
    """The exercises with the settings' points and partial credit (new objects; same order)."""
    return {
        name: dataclasses.replace(
            ex, groups=dict(settings[name].points), partial=dict(settings[name].partial)
        )
        if name in settings
        else ex
        for name, ex in exercises.items()
    }
