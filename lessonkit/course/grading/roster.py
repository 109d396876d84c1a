"""A class roster: which student each submission belongs to, and who handed in nothing.

``python -m lessonkit grade FOLDER --roster roster.csv`` reads a CSV (UTF-8; a spreadsheet's
byte-order mark, and ``;`` or tab as the separator, are fine) whose header is ``student``, then any
of ``id``, ``file``, ``folder``, ``name``, ``email`` and ``section`` in any order::

    student,id,name,email,section,folder
    s001,10234,Ann Lee,ann.lee@uni.example,A,ann
    s002,10235,Ben Wu,ben@uni.example,B,

Which row a submission belongs to (all comparisons ignore case): the first of these rules that
some row meets decides, and two rows meeting the same rule leave it on no row ("ambiguous"):

0. ``id``: the LMS id in a Canvas or Moodle download name (``--student-from canvas|moodle``)
   equals the row's ``id``;
1. ``file``: the submission's path relative to the class folder equals the cell; then its file
   name equals a cell that names no folder;
2. ``folder``: it lies in that sub-folder of the class folder (the deepest such folder wins);
3. the name the grader parsed (``02_bp_delta_map-ann.ipynb`` -> ``ann``, see
   :func:`.reports.student_name`; the folder's name with ``--student-from folder``) equals the row's
   ``student``, then its ``name``, then its whole ``email``, then the email's part before the ``@``.

So an explicit file beats a folder, and a folder beats a parsed name. The reports then come in the
roster's order: each student's submissions, or one "no submission" row with 0 of the assignment's
points; then the submissions no row claims, with the name the grader gave them and the note "not on
the roster". Every cell is made safe when read (:func:`.submissions.safe_text`: one line, no control
or bidirectional characters), and the reports neutralise it again as they write (a CSV cell that
starts with ``= + - @`` gets an apostrophe). Bad input raises ValueError, naming the roster and
quoting what it got.
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from ..exercises import EXERCISES, exercises_of, notebook_named
from ..i18n import chosen, language, speaking, tr
from .results import ExerciseResult, Report
from .submissions import safe_text

__all__ = [
    "COLUMNS",
    "Student",
    "Roster",
    "Resolution",
    "read_roster",
    "read_csv_text",
    "parse_roster",
    "resolve",
]

COLUMNS = ("student", "id", "file", "folder", "name", "email", "section")
MAX_BYTES = 16 * 2**20  # a roster of a thousand students is about 100 kB


@dataclass(frozen=True)
class Student:
    """One row of a roster; every cell already safe (empty when the roster lacks its column)."""

    student: str
    row: int  # the row's number in the file, the header being row 1
    file: str = ""
    folder: str = ""
    name: str = ""
    email: str = ""
    id: str = ""  # the LMS's user id (Canvas's "ID", Moodle's "ID number")
    section: str = ""


@dataclass
class Roster:
    """A roster's students, in its order, and its columns (``student`` first)."""

    students: list
    columns: tuple = ("student",)

    def match(self, path: str, parsed: str, user_id: str = "") -> tuple:
        """``(rule, rows)``: the rule that decided and the rows it found (none, one, or several).

        ``path`` is the submission's path relative to the class folder (``/`` between folders),
        ``parsed`` the name the grader gave it, ``user_id`` the id in its LMS download name (if
        any). ``rule`` is one of ``id``, ``file``, ``file name``,
        ``folder``, ``student``, ``name``, ``email``, ``email name``, or ``""`` when none matched.

        Examples
        --------
        >>> roster = parse_roster("student,folder,email\\nann,ann,ann.lee@x.example\\nben,,ben@x.example")
        >>> [(rule, [s.student for s in rows]) for rule, rows in (
        ...     roster.match("ann/02_bp_delta_map-ben.ipynb", "ben"),
        ...     roster.match("02_bp_delta_map-Ann.Lee.ipynb", "Ann.Lee"),
        ...     roster.match("02_bp_delta_map-zed.ipynb", "zed"))]
        [('folder', ['ann']), ('email name', ['ann']), ('', [])]
        """
        rel = _key("/".join(p for p in path.split("/") if p))
        base = rel.rsplit("/", 1)[-1]
        name = _key(parsed)
        rules = [
            ("id", lambda s: user_id and s.id and _key(s.id) == _key(user_id)),
            ("file", lambda s: s.file and _key(s.file) == rel),
            ("file name", lambda s: s.file and "/" not in s.file and _key(s.file) == base),
            ("folder", lambda s: s.folder and rel.startswith(_key(s.folder) + "/")),
            ("student", lambda s: _key(s.student) == name),
            ("name", lambda s: s.name and _key(s.name) == name),
            ("email", lambda s: s.email and _key(s.email) == name),
            ("email name", lambda s: s.email and _key(s.email.rsplit("@", 1)[0]) == name),
        ]
        for rule, meets in rules:
            rows = [s for s in self.students if meets(s)]
            if rule == "folder" and rows:  # the deepest folder holding it
                deepest = max(s.folder.count("/") for s in rows)
                rows = [s for s in rows if s.folder.count("/") == deepest]
            if rows:
                return rule, rows
        return "", []


def _key(text: str) -> str:
    """How cells and names are compared: NFC (a Mac's file names are NFD), case and runs of spaces."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


# ---------------------------------------------------------------- reading


def read_roster(path: str | os.PathLike[str]) -> Roster:
    """The roster in the CSV file ``path`` (see the module docstring); ValueError when it is bad."""
    text = read_csv_text(path, "roster")
    return parse_roster(text, safe_text(Path(path)))


def read_csv_text(path: str | os.PathLike[str], what: str, noun: str | None = None) -> str:
    """The text of a teacher's CSV file (a roster, manual marks): a regular file of UTF-8 (a
    spreadsheet's byte-order mark is fine) and at most MAX_BYTES; ValueError starting with ``what``
    (``noun``: what the file is called in the size error, default ``what``)."""
    path = Path(path)
    shown = safe_text(path)
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISDIR(mode):
            raise ValueError(f"{what}: {shown} is a folder, not a CSV file")
        if not stat.S_ISREG(mode):
            raise ValueError(f"{what}: {shown} is not a regular file")
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise ValueError(f"{what}: no such file: {shown}") from None
    except OSError as exc:
        raise ValueError(f"{what}: cannot read {shown}: {exc.strerror or type(exc).__name__}") from None
    if len(data) > MAX_BYTES:
        raise ValueError(
            f"{what}: {shown} is larger than {MAX_BYTES // 2**20} MB; a {noun or what} is a CSV file"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{what}: {shown} is not UTF-8 text (byte {exc.start}); save it as 'CSV UTF-8'"
        ) from None


def parse_roster(text: str, source: str = "the roster") -> Roster:
    """The roster in CSV ``text`` (``source`` names it in errors); ValueError when it is bad.

    Examples
    --------
    >>> roster = parse_roster("\\ufeffStudent,Email\\nann,ann@x.example\\n\\nben,\\n")
    >>> roster.columns, [(s.student, s.email, s.row) for s in roster.students]
    (('student', 'email'), [('ann', 'ann@x.example', 2), ('ben', '', 4)])
    """
    rows = _records(text.removeprefix("\ufeff"), source)
    numbered = [(n, cells) for n, cells in enumerate(rows, start=1) if any(c.strip() for c in cells)]
    if not numbered:
        raise ValueError(f"roster: {source} is empty; its first row must be a header starting with 'student'")
    head_row, header = numbered[0]
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):  # a spreadsheet's ";" or tab
        rows = _records(text.removeprefix("\ufeff"), source, ";" if ";" in header[0] else "\t")
        numbered = [(n, cells) for n, cells in enumerate(rows, start=1) if any(c.strip() for c in cells)]
        head_row, header = numbered[0]
    while header and not header[-1].strip():  # a spreadsheet's empty columns at the end
        header = header[:-1]
    got = _shown(header)
    columns = tuple(h.strip().lower() for h in header)
    if not columns or columns[0] != "student":
        raise ValueError(f"roster must have a 'student' column first; got columns {got}")
    for i, column in enumerate(columns):
        if column not in COLUMNS:
            raise ValueError(
                f"roster: unknown column {safe_text(header[i], 60)!r}; after 'student' the columns may be "
                f"'id', 'file', 'folder', 'name', 'email' and 'section'; got columns {got}"
            )
        if columns.index(column) != i:
            raise ValueError(f"roster: column {column!r} appears twice; got columns {got}")
    students: list = []
    seen: dict = {}  # (column, key) -> the Student who has it
    for n, cells in numbered[1:]:
        if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
            raise ValueError(
                f"roster: row {n} has {len(cells)} cells but the header has {len(columns)} columns; "
                f"got {_shown(cells)}"
            )
        values = dict(zip(columns, [*cells, *[""] * len(columns)], strict=False))
        entry = _student(values, n, cells)
        for column in ("student", "id", "file", "folder", "email"):
            value = getattr(entry, column)
            if not value:
                continue
            other = seen.setdefault((column, _key(value)), entry)
            if other is not entry:
                if column == "student":
                    raise ValueError(
                        f"roster: student {entry.student!r} appears twice (rows {other.row} and {n})"
                    )
                raise ValueError(
                    f"roster: {column} {value!r} is given for two students, {other.student!r} (row "
                    f"{other.row}) and {entry.student!r} (row {n})"
                )
        students.append(entry)
    if not students:
        raise ValueError(f"roster: {source} lists no students, only its header (row {head_row})")
    return Roster(students, columns)


def _records(text: str, source: str, delimiter: str = ",") -> list:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return list(reader)
    except csv.Error as exc:
        raise ValueError(f"roster: {source} is not a readable CSV (line {reader.line_num}: {exc})") from None


def _shown(cells: list) -> list:
    """Cells as an error message quotes them: each made safe and capped, at most 12 of them."""
    shown = [safe_text(c, 60) for c in cells[:12]]
    return shown + ["..."] if len(cells) > 12 else shown


def _student(values: dict, n: int, cells: list) -> Student:
    student = safe_text(values["student"].strip(), 120)
    if not student:
        raise ValueError(f"roster: row {n} has no student (its first cell is empty); got {_shown(cells)}")
    email = safe_text(values.get("email", "").strip(), 200)
    if email and "@" not in email:
        raise ValueError(f"roster: row {n}: email {email!r} has no '@'")
    return Student(
        student,
        n,
        file=_inside(values.get("file", ""), "file", n),
        folder=_inside(values.get("folder", ""), "folder", n),
        name=safe_text(values.get("name", "").strip(), 200),
        email=email,
        id=safe_text(values.get("id", "").strip(), 120),
        section=safe_text(values.get("section", "").strip(), 120),
    )


def _inside(cell: str, column: str, n: int) -> str:
    """A path relative to the class folder, ``/`` between folders; ValueError when it leaves it."""
    text = cell.strip().replace("\\", "/")
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if text and (not parts or text.startswith("/") or ".." in parts or re.match(r"[A-Za-z]:", text)):
        raise ValueError(
            f"roster: row {n}: {column} {safe_text(cell, 120)!r} must be a path inside the class "
            "folder (relative, without '..')"
        )
    return safe_text("/".join(parts))


# ---------------------------------------------------------------- the class's reports, by roster


@dataclass
class Resolution:
    """Reports resolved by a roster: in its order, a "no submission" row for each student without one."""

    roster: Roster
    reports: list = field(default_factory=list)
    owner: dict = field(default_factory=dict)  # id(report) -> its Student, for the reports in `reports`
    without: list = field(default_factory=list)  # the "no submission" reports
    off_roster: list = field(default_factory=list)  # the reports no row claims

    def student_of(self, report: Report) -> Student | None:
        """The roster row a report belongs to (a "no submission" row's too), or None."""
        return self.owner.get(id(report))

    def missing(self, report: Report) -> bool:
        """True for a "no submission" row."""
        return any(report is r for r in self.without)

    def extra_columns(self) -> list:
        """The roster's columns the CSV shows after ``student``: ``id``, ``name``, ``email``, ``section``."""
        return [c for c in self.roster.columns if c in ("id", "name", "email", "section")]

    def extra_cells(self, report: Report) -> list:
        """That report's cells of :meth:`extra_columns` (empty off the roster)."""
        entry = self.student_of(report)
        return [getattr(entry, c) if entry else "" for c in self.extra_columns()]

    def summary(self) -> str:
        """``roster: 120 students, 117 with a submission, 3 without``."""
        n = len(self.roster.students)
        students = "1 student" if n == 1 else f"{n} students"
        return f"roster: {students}, {n - len(self.without)} with a submission, {len(self.without)} without"


def resolve(reports: list, roster: Roster, root: str | os.PathLike[str]) -> Resolution:
    """Give each report of the class folder ``root`` its roster student (see the module docstring).

    A report of a student keeps its grade and gets ``student`` from the roster; one no row claims
    gets a note. The reports' order becomes the roster's (off-roster ones last).
    """
    result = Resolution(roster)
    claimed: dict = {id(s): [] for s in roster.students}
    for r in reports:
        rule, rows = roster.match(_relative(r.path, root), r.student or PurePath(r.path).stem, r.user_id)
        if len(rows) == 1:
            claimed[id(rows[0])].append(r)
            r.student = rows[0].student
            result.owner[id(r)] = rows[0]
            continue
        with speaking(r.language):
            if rows:
                r.notes.append(
                    tr(
                        "not on the roster: it matches several students ({students}) by {rule}; "
                        "give its file in the roster's file column",
                        students=", ".join(s.student for s in rows),
                        rule=rule,
                    )
                )
            else:
                r.notes.append(tr("not on the roster"))
        result.off_roster.append(r)
    seed = reports[0].seed if reports else 0
    isolated = all(r.isolated for r in reports)
    for s in roster.students:
        got = claimed[id(s)]
        if not got:
            report = _no_submission(s, _assignment(reports, s), seed, isolated)
            result.owner[id(report)] = s
            result.without.append(report)
            got = [report]
        result.reports += got
    result.reports += result.off_roster
    return result


def _relative(path: str, root: str | os.PathLike[str]) -> str:
    """A report's path (made safe) relative to the class folder, ``/`` between folders."""
    shown = PurePath(path)
    for base in (str(Path(root)), safe_text(Path(root))):
        try:
            return shown.relative_to(base).as_posix()
        except ValueError:
            pass
    return shown.name


def _assignment(reports: list, student: Student) -> list:
    """The exercises a "no submission" row has 0 of: the class's one assignment, else the roster file's."""
    notebooks = {EXERCISES[e.name].notebook for r in reports for e in r.exercises if e.name in EXERCISES}
    if len(notebooks) == 1:
        return exercises_of(notebooks.pop())
    named = notebook_named(PurePath(student.file).stem) if student.file else None
    return exercises_of(named) if named else []


def _no_submission(student: Student, exercises: list, seed: int, isolated: bool):
    lang = chosen() or language()
    with speaking(lang):
        why = tr("no submission")
    report = Report("", seed, notes=[why], isolated=isolated, student=student.student, language=lang)
    for ex in exercises:
        report.exercises.append(ExerciseResult(ex.name, 0, ex.max_points, [f"-{ex.max_points} {why}"]))
    return report
