"""What a learning-management system adds to grading: download names, lateness, manual marks, gradebooks.

- **Download names.** ``--student-from canvas`` reads a Canvas "Download Submissions" name,
  ``name[_LATE]_userid_submissionid_original`` (``smithpeggy_LATE_10234_556677_02_bp_delta_map.ipynb``:
  student ``smithpeggy``, id ``10234``, late, handed in as ``02_bp_delta_map.ipynb``; Canvas adds
  ``-1``, ``-2`` to the original of a resubmission). ``--student-from moodle`` reads Moodle's
  ``Full Name_id_assignsubmission_file_original``, on the file or on the folder holding it
  (Moodle's "download submissions in folders"). The id is matched against a roster's ``id`` column.
- **Lateness.** ``--due 2026-12-01T23:59`` with ``--late-penalty 10%/day`` (or ``5%/hour``, ``20%``
  once, ``none``): a submission is late when its file time (which the LMS's zip keeps) is after the
  due time, or when Canvas marks it ``LATE``. The penalty counts each started day (or hour), is
  capped at the whole score, and is shown in its own column; the raw score is never changed.
- **Manual marks.** ``--manual marks.csv``: a ``student`` column (a roster's student, id or email, or
  the name the grader parsed), then one column per manual item, headed ``written`` or ``written (/5)``
  for a maximum, and an optional ``comment``. Each item gets its own column and adds to the final.
- **Gradebooks.** ``--gradebook canvas FILE`` writes Canvas's gradebook import CSV; ``--gradebook
  moodle FILE`` Moodle's grade import CSV (see :func:`write_gradebook` for the columns each needs).

Everything here reads the reports the grader made; nothing in it runs learner code.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from ..i18n import _, speaking
from .submissions import safe_text, spreadsheet_cell, student_key

if TYPE_CHECKING:
    from .results import Report
    from .roster import Resolution, Student

__all__ = [
    "SOURCES",
    "Download",
    "parse_download",
    "download_of",
    "LatePolicy",
    "parse_due",
    "parse_late_penalty",
    "apply_lateness",
    "Manual",
    "read_manual",
    "parse_manual",
    "final_score",
    "unmatched_marks",
    "manual_of",
    "write_gradebook",
    "GRADEBOOKS",
]

SOURCES = ("file", "folder", "canvas", "moodle")  # where --student-from takes a student's name
GRADEBOOKS = ("canvas", "moodle")

_CANVAS = re.compile(
    r"^(?P<name>.+?)(?P<late>_late)?_(?P<user>\d+)_(?P<sub>\d+)_(?P<original>.+)$", re.I | re.S
)
_MOODLE = re.compile(r"^(?P<name>.+?)_(?P<user>\d+)_assignsubmission_[a-z]+_(?P<original>.*)$", re.I | re.S)


@dataclass(frozen=True)
class Download:
    """What an LMS's download name says about a submission."""

    student: str
    user_id: str
    late: bool
    original: str  # the file name the learner handed in


def parse_download(path: str | os.PathLike[str], kind: str) -> Download | None:
    """The student, id, late marker and original name in an LMS download name; None when it is not one.

    Examples
    --------
    >>> parse_download("smithpeggy_LATE_10234_556677_02_bp_delta_map.ipynb", "canvas")
    Download(student='smithpeggy', user_id='10234', late=True, original='02_bp_delta_map.ipynb')
    >>> parse_download("Ann Lee_4411_assignsubmission_file_/02_bp_delta_map-1.ipynb", "moodle")
    Download(student='Ann Lee', user_id='4411', late=False, original='02_bp_delta_map-1.ipynb')
    >>> parse_download("02_bp_delta_map-1.ipynb", "canvas") is None
    True
    """
    if kind not in GRADEBOOKS:
        raise ValueError(f"kind must be 'canvas' or 'moodle'; got {kind!r}")
    path = PurePath(path)
    if kind == "canvas":
        m = _CANVAS.match(path.name)
        if m is None:
            return None
        return Download(safe_text(m["name"], 120), m["user"], bool(m["late"]), safe_text(m["original"], 200))
    m = _MOODLE.match(path.name)
    if m is not None and m["original"]:
        return Download(safe_text(m["name"], 120), m["user"], False, safe_text(m["original"], 200))
    for folder in reversed(path.parts[:-1]):  # a folder per submission: "Ann Lee_4411_assignsubmission_file_"
        m = _MOODLE.match(folder)
        if m is not None:
            return Download(safe_text(m["name"], 120), m["user"], False, safe_text(path.name, 200))
    return None


def download_of(file: str | os.PathLike[str], root: str | os.PathLike[str], kind: str) -> Download | None:
    """:func:`parse_download` of ``file`` by its path inside the class folder ``root`` (Moodle may put
    the download name on a folder), or by its own name when it lies outside ``root``."""
    try:
        where: PurePath = Path(file).relative_to(root)
    except ValueError:
        where = PurePath(Path(file).name)
    return parse_download(where, kind)


# ---------------------------------------------------------------- lateness


@dataclass(frozen=True)
class LatePolicy:
    """A late penalty: ``percent`` of the score per ``unit`` started ("day", "hour"), or once ("")."""

    percent: float = 0.0
    unit: str = "day"

    def fraction(self, late_seconds: float) -> float:
        """The share of the score taken from a submission ``late_seconds`` late (0 to 1)."""
        if late_seconds <= 0 or self.percent == 0:
            return 0.0
        units = 1 if not self.unit else math.ceil(late_seconds / (86400 if self.unit == "day" else 3600))
        return min(1.0, units * self.percent / 100)


def parse_late_penalty(text: str) -> LatePolicy:
    """``10%/day``, ``5%/hour``, ``20%`` (once) or ``none``; ValueError naming what it got.

    Examples
    --------
    >>> parse_late_penalty("10%/day"), parse_late_penalty("none").percent
    (LatePolicy(percent=10.0, unit='day'), 0.0)
    """
    t = str(text).strip().lower().replace(" ", "")
    if t in ("none", "0", "0%"):
        return LatePolicy(0.0, "")
    m = re.fullmatch(r"(\d+(?:\.\d+)?)%(?:/(day|hour|d|h))?", t)
    if m is None or not 0 < float(m[1]) <= 100:
        raise ValueError(
            f"late_penalty must be like '10%/day', '5%/hour', '20%' (once) or 'none', with a percentage "
            f"above 0 and at most 100; got {safe_text(text, 60)!r}"
        )
    unit = {"d": "day", "h": "hour"}.get(m[2] or "", m[2] or "")
    return LatePolicy(float(m[1]), unit)


def parse_due(text: str) -> datetime:
    """The due time: ISO 8601 (``2026-12-01T23:59``, ``2026-12-01 23:59+08:00``, ``2026-12-01``).

    Without an offset it is the grader's local time; a bare date means the end of that day.
    """
    t = str(text).strip()
    try:
        due = datetime.fromisoformat(t.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"due must be a date and time like '2026-12-01T23:59' or '2026-12-01T23:59+08:00'; "
            f"got {safe_text(text, 60)!r}"
        ) from None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", t):
        due = due.replace(hour=23, minute=59, second=59)
    return due if due.tzinfo is not None else due.astimezone()


def apply_lateness(reports: list, due: datetime | None, policy: LatePolicy | None) -> None:
    """Set each report's ``late_seconds`` and ``penalty`` (points), from its file time and LMS marker.

    A submission Canvas marks late whose file time is not after ``due`` (or with no ``due``) counts
    as late by one unit of the policy, and its note says why.
    """
    policy = policy or LatePolicy(0.0, "")
    for r in reports:
        if not r.path:  # a roster's "no submission" row
            continue
        late = 0.0
        if due is not None and r.submitted is not None:
            late = max(0.0, r.submitted - due.timestamp())
        if r.late and late <= 0:
            late = 86400.0 if policy.unit == "day" else 3600.0
            if due is not None:
                with speaking(r.language):
                    r.notes.append(
                        _("the LMS marks it late, but its file time is not after --due: 1 unit late")
                    )
        r.late = r.late or late > 0
        r.late_seconds = late
        r.penalty = round(policy.fraction(late) * r.score, 2) if r.late else 0.0


def late_by(seconds: float) -> str:
    """``2 d 3 h`` for a late submission, ``""`` for one on time."""
    if seconds <= 0:
        return ""
    days, rest = divmod(int(math.ceil(seconds)), 86400)
    hours = math.ceil(rest / 3600)
    if hours == 24:
        days, hours = days + 1, 0
    return " ".join(p for p in (f"{days} d" if days else "", f"{hours} h" if hours else "") if p)


# ---------------------------------------------------------------- manual marks


@dataclass
class Manual:
    """A teacher's manual marks: item names, their maxima (None: no maximum), points per student key."""

    items: list
    maxima: list
    points: dict = field(default_factory=dict)  # student_key -> list of float|None, one per item
    comments: dict = field(default_factory=dict)  # student_key -> comment
    rows: dict = field(default_factory=dict)  # student_key -> the row it came from (for errors)
    names: dict = field(default_factory=dict)  # student_key -> the student as the marks spell it

    def of(self, keys: list) -> tuple:
        """``(points per item, comment)`` of the first of ``keys`` the marks name; Nones when none."""
        for k in keys:
            if k and student_key(k) in self.points:
                key = student_key(k)
                return self.points[key], self.comments.get(key, "")
        return [None] * len(self.items), ""


def read_manual(path: str | os.PathLike[str]) -> Manual:
    """The manual marks in the CSV file ``path`` (see the module docstring); ValueError when bad."""
    from .roster import read_csv_text

    return parse_manual(read_csv_text(path, "manual", "file of marks"), safe_text(Path(path)))


def parse_manual(text: str, source: str = "the marks") -> Manual:
    """Manual marks from CSV ``text``; ValueError naming the row, the column and the value.

    Examples
    --------
    >>> m = parse_manual("student,written (/5),comment\\nann,4.5,good\\nben,,")
    >>> m.items, m.maxima, m.of(["Ann"]), m.of(["ben"]), m.of(["zed"])
    (['written'], [5.0], ([4.5], 'good'), ([None], ''), ([None], ''))
    """
    rows = [
        r
        for r in csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
        if any(c.strip() for c in r)
    ]
    if not rows or rows[0][0].strip().lower() != "student":
        got = [safe_text(c, 40) for c in rows[0][:8]] if rows else []
        raise ValueError(f"manual: {source} must start with a 'student' column; got columns {got}")
    header = [h.strip() for h in rows[0]]
    items, maxima, cols = [], [], []
    comment_col = None
    for i, h in enumerate(header[1:], start=1):
        if not h:
            continue
        if h.lower() == "comment":
            comment_col = i
            continue
        m = re.fullmatch(r"(.+?)\s*\(/\s*(\d+(?:\.\d+)?)\s*\)", h)
        items.append(safe_text(m[1] if m else h, 60))
        maxima.append(float(m[2]) if m else None)
        cols.append(i)
    if not items:
        raise ValueError(
            f"manual: {source} has no column of points after 'student'; got columns {header[:8]}"
        )
    marks = Manual(items, maxima)
    for n, cells in enumerate(rows[1:], start=2):
        cells = cells + [""] * (len(header) - len(cells))
        who = safe_text(cells[0].strip(), 120)
        if not who:
            raise ValueError(f"manual: row {n} has no student; got {[safe_text(c, 40) for c in cells[:8]]}")
        key = student_key(who)
        if key in marks.rows:
            raise ValueError(f"manual: student {who!r} appears twice (rows {marks.rows[key]} and {n})")
        points: list[float | None] = []
        for item, top, i in zip(items, maxima, cols, strict=True):
            cell = (
                cells[i].strip().replace(",", ".") if cells[i].strip().count(",") == 1 else cells[i].strip()
            )
            if not cell:
                points.append(None)
                continue
            try:
                value = float(cell)
            except ValueError:
                raise ValueError(
                    f"manual: row {n}, column {item!r}: points must be a number; "
                    f"got {safe_text(cells[i], 40)!r}"
                ) from None
            if not math.isfinite(value) or value < 0 or (top is not None and value > top):
                limit = f"0 to {top:g}" if top is not None else "a number of 0 or more"
                raise ValueError(
                    f"manual: row {n}, column {item!r}: points must be {limit}; got {cells[i]!r}"
                )
            points.append(value)
        marks.points[key] = points
        marks.rows[key] = n
        marks.names[key] = who
        if comment_col is not None:
            marks.comments[key] = safe_text(cells[comment_col].strip(), 500)
    return marks


def unmatched_marks(manual: Manual, reports: list, resolution: Resolution | None = None) -> list:
    """The students of the manual marks whom no report (or roster row) matches: likely a typo."""
    seen = {
        student_key(k)
        for r in reports
        for k in _names_of(r, resolution.student_of(r) if resolution is not None else None)
        if k
    }
    return [manual.names[key] for key in manual.rows if key not in seen]


def final_score(report: Report, manual_points: list | None = None) -> float:
    """The score after the late penalty, plus the manual points: what a gradebook gets."""
    extra = sum(p for p in (manual_points or []) if p is not None)
    return round(report.score - (report.penalty or 0.0) + extra, 2)


# ---------------------------------------------------------------- gradebooks


def write_gradebook(
    reports: list,
    kind: str,
    target: str | os.PathLike[str],
    assignment: str,
    resolution: Resolution | None = None,
    manual: Manual | None = None,
) -> None:
    """Write the class's final scores as the LMS imports them.

    - ``canvas``: ``Student, ID, SIS User ID, SIS Login ID, Section, <assignment>``. Canvas needs
      ``Student`` and ``ID`` (its user id: the roster's ``id``, else the id in a Canvas download
      name) and matches rows by ``ID``; a column it does not know becomes a new assignment on import
      (give the column as Canvas names it, ``Name (12345)``, to fill an existing one).
    - ``moodle``: ``ID number, Email address, Full name, <assignment>, Feedback``. On "Import grades
      from CSV" map ``ID number`` (or ``Email address``) to the user field of that name, the
      ``<assignment>`` column to the grade item, and ``Feedback`` to its feedback.

    One row per student: a student with several submissions gets the best final score. Rows
    with no id are left out only by the LMS itself (Canvas warns), never here.
    """
    if kind not in GRADEBOOKS:
        raise ValueError(f"gradebook must be 'canvas' or 'moodle'; got {kind!r}")
    best: dict = {}
    for r in reports:
        entry = resolution.student_of(r) if resolution is not None else None
        key = student_key(entry.student if entry else (r.student or Path(r.path).stem))
        manual_points = manual_of(manual, r, entry)[0] if manual else None
        score = final_score(r, manual_points)
        if key not in best or score > best[key][0]:
            best[key] = (score, r, entry)
    with open(target, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        if kind == "canvas":
            w.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", assignment])
        else:
            w.writerow(["ID number", "Email address", "Full name", assignment, "Feedback"])
        for score, r, entry in best.values():
            uid = (entry.id if entry and entry.id else "") or r.user_id
            name = (entry.name if entry and entry.name else "") or r.student or Path(r.path).stem
            if kind == "canvas":
                section = entry.section if entry else ""
                w.writerow(
                    [
                        spreadsheet_cell(name),
                        spreadsheet_cell(uid),
                        "",
                        "",
                        spreadsheet_cell(section),
                        f"{score:g}",
                    ]
                )
            else:
                email = entry.email if entry else ""
                why = f"{r.score}/{r.max_score}" + (f", late: -{r.penalty:g}" if r.penalty else "")
                w.writerow(
                    [
                        spreadsheet_cell(uid),
                        spreadsheet_cell(email),
                        spreadsheet_cell(name),
                        f"{score:g}",
                        spreadsheet_cell(why),
                    ]
                )


def _names_of(report: Report, entry: Student | None) -> list:
    """Every name manual marks may give a report by: its roster row's student, id and email, then
    the name the grader parsed and the LMS id."""
    return [*([entry.student, entry.id, entry.email] if entry else []), report.student, report.user_id]


def manual_of(manual: Manual | None, report: Report, entry: Student | None) -> tuple:
    """``(points per item, comment)`` of a report (``entry``: its roster row, or None) in the marks."""
    if manual is None:
        return [], ""
    return manual.of(_names_of(report, entry))
