"""What a teacher gets from grading a class: a CSV, JSON, and one feedback file per student.

- the CSV has one row per submission: the student, the file, one column per graded function of the
  assignment (headed with its maximum, e.g. ``bp_delta_map (/10)``), the total and the maximum, then
  one feedback column per function and the notes; ``excel=True`` writes UTF-8 with a byte-order mark
  so that a spreadsheet reads "δ" correctly; graded with a roster (:mod:`.roster`), it has a row
  for every roster student (0 points and "no submission" for one who handed in nothing) and the
  roster's ``name`` and ``email`` columns after ``student``;
- the JSON of a folder is a list with one object per submission, in the shape of the single-notebook
  JSON, with a ``student`` field;
- a feedback file (Markdown) per student gives, for each group of cases, the points and the reason,
  naming the failing case's geometry; it never shows hidden expected values (the grader's messages
  carry none).
"""

from __future__ import annotations

import csv
import json
import os
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from ..exercises import EXERCISES, notebook_named
from ..i18n import _, speaking, tr
from .submissions import safe_text, spreadsheet_cell, student_key

if TYPE_CHECKING:
    from .lms import Manual
    from .roster import Resolution

__all__ = ["student_name", "assignment_of", "write_csv", "to_json", "write_feedback", "not_graded"]


def student_name(
    file: str | os.PathLike[str], root: str | os.PathLike[str], student_from: str = "file"
) -> str:
    """The student a submission belongs to: from its file name, or from the folder holding it.

    Examples
    --------
    >>> student_name(Path("class/02_bp_delta_map-alice.ipynb"), Path("class"))
    'alice'
    >>> student_name(Path("class/bob/02_bp_delta_map.ipynb"), Path("class"), "folder")
    'bob'
    >>> student_name(Path("class/02_bp_delta_map--alice.ipynb"), Path("class"))
    '-alice'
    >>> student_name(Path("class/leepeggy_LATE_1023_5566_02_bp_delta_map-1.ipynb"), Path("class"), "canvas")
    'leepeggy'
    """
    return safe_text(_student_name(Path(file), Path(root), student_from), 120)


def _student_name(file: Path, root: Path, student_from: str) -> str:
    if student_from in ("canvas", "moodle"):
        from .lms import download_of

        got = download_of(file, root, student_from)
        if got is not None:
            return got.student
        student_from = "file"  # not a download name: the file name's rule (the report says so)
    if student_from == "folder":
        try:
            parts = file.relative_to(root).parts
        except ValueError:
            parts = ()
        if len(parts) > 1:
            return parts[0]
        return file.parent.name or file.stem
    stem = file.stem
    name = notebook_named(stem)
    if not name:
        return stem
    rest = stem[len(name) :]
    # exactly one separator goes: "--alice" is the student "-alice", never "alice"
    rest = rest[1:] if rest[:1] in ("-", "_", " ", ".") else rest
    return rest or stem


def not_graded(reports: list) -> list:
    """The reports of notebooks that could not be graded at all (unreadable or empty)."""
    return [r for r in reports if getattr(r, "ungraded", False)]


def assignment_of(reports: list) -> list:
    """The graded functions that appear in the reports, in the course's order."""
    seen = {e.name for r in reports for e in r.exercises}
    return [name for name in EXERCISES if name in seen]


def write_csv(
    reports: list,
    target: str | os.PathLike[str],
    excel: bool = False,
    roster: Resolution | None = None,
    *,
    lateness: bool = False,
    manual: Manual | None = None,
) -> None:
    """One row per submission (see the module docstring); ``excel`` adds a UTF-8 byte-order mark.

    ``roster``: the :class:`~.roster.Resolution` the reports came from; its ``id``, ``name``,
    ``email`` and ``section`` columns follow ``student`` (every cell neutralised as the others are).
    ``lateness`` adds ``late``, ``late by`` and ``penalty`` after ``max`` (see
    :func:`.lms.apply_lateness`); ``manual`` a column per manual item and ``manual comment``; either
    adds ``final``: the score less the penalty plus the manual points. ``total`` stays the raw score.
    """
    from .lms import final_score, late_by, manual_of

    names = assignment_of(reports)
    extra = roster.extra_columns() if roster is not None else []
    items = (
        [f"{i} (/{m:g})" if m is not None else i for i, m in zip(manual.items, manual.maxima, strict=True)]
        if manual is not None
        else []
    )
    late_cols = ["late", "late by", "penalty"] if lateness else []
    final_cols = ["final"] if lateness or manual is not None else []
    maxima = {e.name: e.max_points for r in reports for e in r.exercises}
    with open(target, "w", newline="", encoding="utf-8-sig" if excel else "utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            [
                "student",
                *extra,
                "path",
                *[f"{n} (/{maxima[n]})" for n in names],
                "total",
                "max",
                *late_cols,
                *items,
                *(["manual comment"] if manual is not None else []),
                *final_cols,
                *[f"{n} feedback" for n in names],
                "notes",
                "seed",
            ]
        )
        for r in reports:
            by_name = {e.name: e for e in r.exercises}
            with speaking(getattr(r, "language", None)):
                feedback = [spreadsheet_cell(_feedback_cell(by_name.get(n))) for n in names]
            entry = roster.student_of(r) if roster is not None else None
            points, comment = manual_of(manual, r, entry)
            late = ["yes" if r.late else "", late_by(r.late_seconds), f"{r.penalty:g}"] if lateness else []
            marks = [f"{p:g}" if p is not None else "" for p in points]
            finals = [f"{final_score(r, points):g}"] if final_cols else []
            writer.writerow(
                [
                    spreadsheet_cell(r.student or Path(r.path).stem),
                    *[spreadsheet_cell(c) for c in (roster.extra_cells(r) if roster is not None else [])],
                    spreadsheet_cell(r.path),
                    *[by_name[n].points if n in by_name else "" for n in names],
                    r.score,
                    r.max_score,
                    *late,
                    *marks,
                    *([spreadsheet_cell(comment)] if manual is not None else []),
                    *finals,
                    *feedback,
                    spreadsheet_cell(" | ".join([*r.notes, *getattr(r, "flags", [])])),
                    r.seed,
                ]
            )


def _feedback_cell(result) -> str:
    """One line per group that lost points, as ``(-2) stride S > 1: ...`` (no leading minus sign)."""
    if result is None:
        return ""
    return "\n".join(re.sub(r"^-(\d+(?:\.\d+)?) ", r"(-\1) ", ln) for ln in result.lines())


def to_json(reports: list, path: str | os.PathLike[str]) -> str:
    """One notebook: its report object. A folder: a list of report objects, each with ``student``."""
    if len(reports) == 1 and not Path(path).is_dir():
        return json.dumps(reports[0].as_dict(), indent=2, ensure_ascii=False)
    return json.dumps([r.as_dict() for r in reports], indent=2, ensure_ascii=False)


def write_feedback(reports: list, folder: str | os.PathLike[str]) -> list:
    """Write one Markdown file per student into ``folder``; return the paths written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written: dict = {}
    used: set = set()
    # a student whose name is already a clean file name claims it first: no other name that cleans
    # to the same one (e.g. "_alice" or "alice!") can take alice.md, whatever the order of the files
    names = [r.student or Path(r.path).stem for r in reports]
    order = sorted(range(len(reports)), key=lambda i: _file_name(names[i]) != names[i])
    for i in order:
        base = _file_name(names[i])
        name, k = base, 2
        while student_key(name) in used:  # "Alice" and "alice" are one file on some systems
            name, k = f"{base}-{k}", k + 1
        used.add(student_key(name))
        target = folder / f"{name}.md"
        target.write_text(feedback_markdown(reports[i]), encoding="utf-8")
        written[i] = target
    return [written[i] for i in range(len(reports))]


def _file_name(student: str) -> str:
    name = re.sub(r"[^\w.-]+", "_", unicodedata.normalize("NFC", student), flags=re.UNICODE)
    # a leading "-" is replaced, not dropped: "02_bp_delta_map--alice" must not take alice's file
    name = re.sub(r"^-", "_", name.strip("._")).rstrip("._-") or "student"
    return name[:80]


def _cell(text) -> str:
    """Text for one Markdown line or table cell: safe, and no HTML, code span or cell break from it."""
    text = safe_text(str(text).replace("\n", " "), 5000)
    for ch in ("\\", "`", "|", "[", "]"):
        text = text.replace(ch, "\\" + ch)
    return re.sub(r"<(?=[A-Za-z/!?])", "&lt;", text)  # no HTML tag can start; "H < F" stays as it is


def feedback_markdown(report) -> str:
    """A student's feedback: the score, then per function a table of its groups with points and reasons.

    In the report's language (the notebook's own, or the teacher's ``--lang``).
    """
    with speaking(getattr(report, "language", None)):
        return _feedback_markdown(report)


def _feedback_markdown(report) -> str:
    lines = [
        "# " + tr("Feedback for {student}", student=_cell(report.student or Path(report.path).stem)),
        "",
        *([tr("Notebook: {name}", name=_cell(Path(report.path).name)) + "  "] if report.path else []),
        tr("Score: {score}", score=f"**{report.score}/{report.max_score}**"),
        "",
    ]  # no path: a roster's student without a submission
    for e in report.exercises:
        lines += [f"## `{e.name}`: {e.points}/{e.max_points}", ""]
        if e.groups:
            head = (_("group of cases"), _("points"), _("what happened"))
            lines += ["| " + " | ".join(head) + " |", "|---|---|---|"]
            for g in e.groups:
                reason = g["reason"] or _("every case right")
                lines.append(f"| {_cell(_(g['name']))} | {g['points']}/{g['max_points']} | {_cell(reason)} |")
        else:
            lines += [f"- {_cell(ln)}" for ln in e.lines()]
        lines.append("")
    if report.notes:
        lines += ["## " + _("Notes"), ""] + [f"- {_cell(n)}" for n in report.notes] + [""]
    lines += [
        _(
            "Points come from hidden cases of the same kinds as your notebook's public checks; the "
            "case named in a reason shows its sizes (D, N, H x W, filter, S, P), not its numbers."
        ),
        "",
    ]
    return "\n".join(lines)
