"""The grade of one notebook: a :class:`Report` of one :class:`ExerciseResult` per graded function.

Kept apart from the grader so that every module that makes or reads reports (the roster, the CSV and
feedback writers, the Gradescope results) can import them without importing the grader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..i18n import _, speaking, tr
from .submissions import safe_text

__all__ = ["ExerciseResult", "Report"]


@dataclass
class ExerciseResult:
    """Points of one graded function and the reasons for every point withheld."""

    name: str
    points: float  # a whole number unless course.toml gives partial credit
    max_points: int
    feedback: list = field(default_factory=list)
    groups: list = field(default_factory=list)  # {"name", "points", "max_points", "reason"} per group
    public: str | None = None  # how the public cases went, when asked for (the Gradescope bundle)
    advice: list = field(default_factory=list)  # rules observed inside the notebook: no points ride on them

    def lines(self) -> list:
        """One line per group that lost points (or the one line of a full score), then advice."""
        return (list(self.feedback) or [_("all hidden cases pass")]) + [
            tr("advice: {text}", text=a) for a in self.advice
        ]

    def as_dict(self) -> dict:
        """The JSON form: name, points, max_points, feedback (one string), groups."""
        text = "\n".join(self.lines())
        return {
            "name": self.name,
            "points": self.points,
            "max_points": self.max_points,
            "feedback": text,
            "groups": [dict(g) for g in self.groups],
            "advice": list(self.advice),
        } | ({"public": self.public} if self.public is not None else {})


@dataclass
class Report:
    """The grade of one notebook."""

    path: str
    seed: int
    exercises: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    isolated: bool = True
    student: str = ""
    language: str = "en"  # of the feedback: the teacher's --lang, else the notebook's, else the locale
    user_id: str = ""  # the LMS's id of the student, from a Canvas or Moodle download name
    late: bool = False  # the LMS marks it late, or (see .lms.apply_lateness) it came after --due
    submitted: float | None = None  # the file's modification time (an LMS zip keeps the submission's)
    late_seconds: float = 0.0
    penalty: float = 0.0  # points the late policy takes from the score (in its own column)
    seconds: float | None = None  # how long grading it took (the class report's slowest notebooks)
    code: str = ""  # the graded functions and those they call, as graded (the similarity check)
    flags: list = field(
        default_factory=list
    )  # for the teacher only (the CSV, the class report), never feedback
    ungraded: bool = False  # it could not be graded at all (unreadable, empty, refused): the note says why

    @property
    def score(self) -> float:
        """Points earned (a whole number unless course.toml gives partial credit)."""
        total = round(sum(e.points for e in self.exercises), 2)
        return int(total) if float(total).is_integer() else total

    @property
    def max_score(self) -> int:
        """Points available."""
        return sum(e.max_points for e in self.exercises)

    def as_dict(self) -> dict:
        """The JSON form (its words in the report's language)."""
        with speaking(self.language):
            exercises = [e.as_dict() for e in self.exercises]
        return {
            "student": safe_text(self.student or Path(self.path).stem),
            "path": safe_text(self.path),
            "seed": self.seed,
            "score": self.score,
            "max_score": self.max_score,
            "exercises": exercises,
            "notes": [safe_text(n, 2000) for n in self.notes],
            "isolated": self.isolated,
        }

    def text(self) -> str:
        """Plain text, ending with ``score: X/Y``."""
        lines = [f"== {safe_text(self.path)} (hidden cases from seed {self.seed}) =="]
        for e in self.exercises:
            lines.append(f"{e.name}: {e.points}/{e.max_points}")
            with speaking(self.language):
                lines += [f"  {ln}" for ln in e.lines()]
        for note in self.notes:
            lines.append(f"note: {safe_text(note, 2000)}")
        for flag in self.flags:
            lines.append(f"flag: {safe_text(flag, 2000)}")
        lines.append(f"score: {self.score}/{self.max_score}")
        return "\n".join(lines)
