"""The grader: run a notebook in its own sandbox, then call its functions on hidden cases.

How it stays honest
-------------------
Each notebook is graded in a sandbox of its own (:mod:`lessonkit.course.grading.sandbox`): a private copy
of that notebook alone, no network, its own process namespace, an unprivileged user, limits, and
instead of lessonkit a *grading edition* that holds only what earlier exercises taught
(:mod:`lessonkit.course.grading.edition`). The notebook's cells run there (check cells skipped). Then each
graded function is called there on hidden cases: only the inputs go in, only the outputs come out
(as ``.npy`` bytes), and the expected values are computed and compared here, in the grader's own
process, which nothing in the sandbox can reach. So patching numpy, lessonkit or the runner inside
changes nothing but the notebook's own answers, and nothing inside can compute lessonkit's answer.

The grading is in five modules, one job each: reading the notebooks (:mod:`.notebooks`), the wire
format (:mod:`.wire`), a notebook's sandbox session (:mod:`.session`), scoring (:mod:`.scoring`) and,
here, grading a notebook or a class folder; the report model and its writers are :mod:`.results`
and :mod:`.reports`.

Points are per group of cases (:mod:`lessonkit.course.exercises`). A case that raises, runs past the time
limit, kills the process, floods the output, mutates its inputs or returns the wrong type, shape or
values costs the points of its group; a function that is missing, not implemented, or uses a
lessonkit name that is not available while grading gets 0 for that exercise. Text that comes from
the notebook is escaped before it reaches a report.
"""

from __future__ import annotations

import os
import secrets
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..exercises import EXERCISES, NOTEBOOKS, exercises_of, notebook_named
from ..i18n import _, chosen, language, notebook_language, speaking, tr
from .reports import not_graded, to_json, write_csv  # noqa: F401  (part of this module's API)
from .results import ExerciseResult, Report
from .sandbox import INSTALL_HINT, Limits, sandbox_problem
from .submissions import safe_text, student_key

if TYPE_CHECKING:
    from nbformat import NotebookNode

from .notebooks import (  # noqa: F401  (read_notebook, is_check_cell ...: part of this module's API)
    NotebookError,
    defined_names,
    exercises_for,
    is_check_cell,
    notebooks_under,
    other_exercise,
    read_notebook,
)
from .scoring import evaluate, grade_exercise, grade_function, hidden_cases, local_reply, public_summary  # noqa: F401
from .session import Editions, Session
from .wire import one_line

__all__ = [
    "NotebookError",
    "SandboxRefused",
    "ExerciseResult",
    "Report",
    "Limits",
    "grade_notebook",
    "grade_snapshot",
    "grade_path",
    "evaluate",
    "grade_function",
    "local_reply",
    "hidden_cases",
    "read_notebook",
    "is_check_cell",
    "exercises_for",
    "notebooks_under",
    "feedback_language",
    "class_assignment",
    "duplicates",
    "flag_duplicates",
    "DEFAULT_TIMEOUT",
]

DEFAULT_TIMEOUT = 30.0


class SandboxRefused(Exception):
    """A folder would be graded without isolation (the CLI exits with status 2)."""


def grade_notebook(
    path: str | os.PathLike[str],
    timeout: float = DEFAULT_TIMEOUT,
    seed: int | None = None,
    *,
    limits: Limits | None = None,
    sandbox: bool | None = None,
    exercises: list | None = None,
) -> Report:
    """Grade one notebook. Raises NotebookError when it is missing or unreadable.

    Parameters
    ----------
    path : str or Path
        The notebook (never written to).
    timeout : float
        Seconds allowed for each notebook cell and for each call of a graded function.
    seed : int, optional
        Seed of the random part of the hidden cases; a fresh random one when None (it is reported).
        Points do not depend on it: every group's fixed core of edge cases decides them.
    limits : Limits, optional
        Memory, output, file size, processes and the wall-clock budget (``timeout`` wins over
        ``limits.timeout``).
    sandbox : bool, optional
        True: isolate with bubblewrap (SandboxRefused if it cannot run here); False: no isolation;
        None: isolate when bubblewrap can run, else grade without isolation and say so in a note.
    exercises : list of Exercise, optional
        The exercises to grade it on (``lessonkit.course.exercises.EXERCISES`` values); default: the
        ones its file name or its definitions name.

    Returns
    -------
    Report
    """
    path = Path(path)
    return grade_snapshot(
        read_notebook(path), path, timeout, seed, limits=limits, sandbox=sandbox, exercises=exercises
    )


def grade_snapshot(
    nb: NotebookNode,
    path: Path,
    timeout: float = DEFAULT_TIMEOUT,
    seed: int | None = None,
    *,
    limits: Limits | None = None,
    sandbox: bool | None = None,
    exercises: list | None = None,
    editions: Editions | None = None,
    public: bool = False,
) -> Report:
    """Grade a notebook already read (once, into memory) from ``path``: :func:`grade_notebook`'s work.

    ``editions`` shares the grading editions of a class (made once, closed by the caller); ``public``
    adds each exercise's public-case summary (Gradescope shows it).
    """
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    limits = _limits(limits, timeout)
    isolate, note = _isolation(sandbox)
    report = Report(safe_text(path), seed, isolated=isolate, language=feedback_language(nb))
    if note:
        report.notes.append(note)
    with speaking(report.language):  # this thread's messages; other notebooks may be graded at once
        return _grade_into(report, nb, path, seed, limits, note, editions, exercises, public)


def feedback_language(nb: NotebookNode) -> str:
    """The language of a notebook's feedback: the one the teacher chose (``--lang``), else the one
    the notebook chose in its first cell (``lessonkit.set_language``), else the locale's."""
    return chosen() or notebook_language(nb) or language()


def _grade_into(report, nb, path, seed, limits, note, shared, chosen, public) -> Report:
    """The body of :func:`grade_snapshot`: run the notebook, grade each exercise into ``report``."""
    exercises = chosen if chosen is not None else exercises_for(nb, path)
    if not exercises:
        report.notes.append(tr("no graded function found (names: {names})", names=", ".join(EXERCISES)))
        return report
    editions = shared or Editions()
    session = Session(nb, path.name, editions(exercises[0].notebook), limits, report.isolated)
    try:
        session.start()
        for ex in exercises:
            report.exercises.append(grade_exercise(session, ex, seed))
            if public:
                report.exercises[-1].public = public_summary(session, ex)
    except Exception as exc:  # the sandbox cannot start, the notebook used its budget, or worse
        report.notes.append(tr("grading stopped: {why}", why=one_line(exc, 300)))
        done = {e.name for e in report.exercises}
        for ex in exercises:
            if ex.name not in done:
                report.exercises.append(
                    ExerciseResult(
                        ex.name,
                        0,
                        ex.max_points,
                        [tr("-{points} not graded: {why}", points=ex.max_points, why=one_line(exc, 300))],
                    )
                )
    finally:
        session.stop()
        head = report.notes[:1] if note else []
        report.notes = head + session.notes + report.notes[len(head) :]
        if shared is None:
            editions.close()
    return report


def _limits(limits: Limits | None, timeout: float) -> Limits:
    from dataclasses import replace

    limits = limits or Limits()
    return replace(limits, timeout=float(timeout)) if timeout is not None else limits


def _isolation(sandbox: bool | None) -> tuple[bool, str | None]:
    if sandbox is False:
        return False, _("graded without a sandbox (--no-sandbox): the notebook's code was not isolated")
    problem = sandbox_problem()
    if problem is None:
        return True, None
    if sandbox:
        raise SandboxRefused(f"cannot grade in a sandbox: {problem}; {INSTALL_HINT}")
    return False, tr("not isolated: {problem}, so the notebook ran without a sandbox", problem=problem)


def grade_path(
    path: str | os.PathLike[str],
    timeout: float = DEFAULT_TIMEOUT,
    seed: int | None = None,
    *,
    limits: Limits | None = None,
    sandbox: bool | None = None,
    jobs: int | None = None,
    student_from: str = "file",
    progress: Callable[[Report], object] | None = None,
    assignment: str | None = None,
    resolve: Callable[[list], list] | None = None,
) -> list:
    """Grade a notebook, or every notebook under a folder (sorted); one Report each.

    A folder is graded only in sandboxes: without bubblewrap it raises SandboxRefused unless
    ``sandbox=False``. ``jobs`` notebooks are graded at once, each in its own sandbox (default: the
    number of cores); the reports are the same as a serial run's, in the same order. ``progress`` is
    called once per graded notebook. Each report's ``student`` comes from the file name
    (``student_from="file"``) or the folder holding it (``"folder"``).

    Every notebook of a folder is graded on one ``assignment`` (an exercise notebook's stem, number
    or function name; default: the exercise most of the folder's notebooks are named after, else the
    one most of them define): a notebook named after another exercise, or holding another one, gets
    0 of the assignment's points and says so. ``assignment="each"`` grades every notebook on the
    exercise it is named after (else the one it defines), for a folder of several exercises. A
    link, FIFO, folder or malformed notebook gets a row with 0 points and the reason; the rest of
    the class is graded. Two submissions of one student are both reported, each with a note. A
    missing or unreadable single notebook, or a folder with
    no notebooks, raises NotebookError. ``resolve`` (a folder only) may rename, add or reorder the
    reports before duplicates are flagged, e.g. a roster (:func:`.roster.resolve`).
    """
    from concurrent.futures import ThreadPoolExecutor

    from ..exercises import exercise_notebook
    from .lms import SOURCES

    if student_from not in SOURCES:
        raise ValueError(f"student_from must be one of {', '.join(SOURCES)}; got {student_from!r}")
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise ValueError(f"jobs must be a positive integer; got {jobs!r}")
    try:
        chosen_stem = exercise_notebook(assignment) if assignment not in (None, "each") else None
    except ValueError as exc:
        raise ValueError(str(exc).replace("exercise must", "assignment must", 1)) from None
    path = Path(path)
    students = _Students(path if path.is_dir() else path.parent, student_from)
    if not path.is_dir():
        nb = read_notebook(path)
        if chosen_stem is None:
            report = grade_snapshot(nb, path, timeout, seed, limits=limits, sandbox=sandbox)
        else:
            report = _graded_on(nb, path, chosen_stem, timeout, seed, limits, sandbox, None)
        students.name(report, path)
        return [report]
    files = notebooks_under(path)
    if not files:
        raise NotebookError(f"no notebooks (*.ipynb) under {safe_text(path)}")
    run = _ClassRun(
        files,
        students,
        timeout=timeout,
        seed=secrets.randbelow(2**31) if seed is None else int(seed),
        limits=limits,
        sandbox=_class_sandbox(sandbox),
        assignment=assignment,
        chosen_stem=chosen_stem,
        progress=progress,
    )
    try:
        with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
            # each notebook waits on its own sandbox: threads suffice
            reports = list(pool.map(run.one, files))
    finally:
        run.editions.close()
    if resolve is not None:
        reports = resolve(reports)
    flag_duplicates(reports)
    return reports


def _class_sandbox(sandbox: bool | None) -> bool:
    """Whether a class folder runs sandboxed: always, unless ``sandbox=False`` says otherwise."""
    if sandbox is None:
        problem = sandbox_problem()
        if problem is not None:
            raise SandboxRefused(f"will not grade a folder without a sandbox: {problem}; {INSTALL_HINT}")
        return True
    if sandbox:
        _isolation(True)  # raises SandboxRefused when it cannot run
    return bool(sandbox)


class _Students:
    """Who handed each file in: from the file's name, its folder, or an LMS download's name."""

    def __init__(self, root: Path, student_from: str):
        self.root, self.student_from = root, student_from
        self.lms = student_from in ("canvas", "moodle")
        self.downloads: dict = {}  # file -> what its LMS download name says (--student-from canvas|moodle)

    def download(self, file: Path):
        from .lms import download_of

        if file not in self.downloads:
            self.downloads[file] = download_of(file, self.root, self.student_from) if self.lms else None
        return self.downloads[file]

    def handed_in_as(self, file: Path) -> Path:
        """The name the learner gave the file: an LMS download's original, else the file's own."""
        got = self.download(file)
        return file.with_name(got.original) if got is not None and got.original.endswith(".ipynb") else file

    def name(self, report: Report, file: Path) -> None:
        """Fill in the report's student (and, from an LMS download, user id and lateness)."""
        from .reports import student_name

        got = self.download(file)
        report.student = got.student if got is not None else student_name(file, self.root, self.student_from)
        if got is not None:
            report.user_id, report.late = got.user_id, got.late
        elif self.lms:
            with speaking(report.language):
                why = tr(
                    "not a {lms} download name: the student is taken from the file name",
                    lms=self.student_from.title(),
                )
            report.notes.append(why)
        try:
            report.submitted = file.lstat().st_mtime
        except OSError:
            pass


class _ClassRun:
    """One class folder's grading: every file read once, the assignment chosen, then one() per file."""

    def __init__(self, files: list, students: _Students, *, timeout, seed, limits, sandbox, assignment,
                 chosen_stem, progress):  # fmt: skip
        self.students, self.timeout, self.seed = students, timeout, seed
        self.limits, self.sandbox, self.assignment, self.progress = limits, sandbox, assignment, progress
        self.found: dict = {}
        for file in files:
            try:
                self.found[file] = (read_notebook(file), "")
            except NotebookError as exc:
                self.found[file] = (None, str(exc).split(": ", 1)[-1])
        self.names = {file: students.handed_in_as(file) for file in files}
        each = assignment == "each"
        self.stem = chosen_stem or (None if each else class_assignment(self.found, list(self.names.values())))
        self.editions = Editions()

    def one(self, file: Path) -> Report:
        """The report of one file of the class (never raises: a failure is a row with its reason)."""
        nb, why = self.found[file]
        started = time.monotonic()
        # "each": the notebook's own exercise; otherwise the class's assignment
        own = exercises_for(nb, self.names[file]) if self.assignment == "each" and nb is not None else []
        exercises = own or (exercises_of(self.stem) if self.stem else [])
        if nb is None or not (own or self.stem):
            why = why or _("no graded function found in it")
            report = _not_graded(file, self.seed, exercises, why, self.sandbox is not False)
        else:
            try:
                report = self._graded(nb, file, own)
            except Exception as exc:  # one notebook must never stop the class
                why = tr("the grader failed on it ({error})", error=f"{type(exc).__name__}: {one_line(exc)}")
                report = _not_graded(file, self.seed, exercises, why, self.sandbox is not False, failed=True)
        self.students.name(report, file)
        report.seconds = time.monotonic() - started
        if nb is not None:
            from .similarity import graded_sources

            report.code = graded_sources(nb, [e.name for e in report.exercises])
        if self.progress is not None:
            self.progress(report)
        return report

    def _graded(self, nb, file: Path, own: list) -> Report:
        if own:
            return grade_snapshot(
                nb,
                file,
                self.timeout,
                self.seed,
                limits=self.limits,
                sandbox=self.sandbox,
                exercises=own,
                editions=self.editions,
            )
        return _graded_on(
            nb,
            file,
            self.stem,
            self.timeout,
            self.seed,
            self.limits,
            self.sandbox,
            self.editions,
            self.names[file],
        )


def class_assignment(found: dict, names: list | None = None) -> str | None:
    """The exercise most notebooks are named after, else the one most define (course order on ties).

    ``names``: the names the files were handed in as (an LMS download's originals), default the keys.
    """
    named = Counter(notebook_named(Path(f).stem) for f in (found if names is None else names))
    named.pop(None, None)
    if not named:
        held = [exercises_for(nb, Path("x")) for nb, _why in found.values() if nb is not None]
        named = Counter(ex[0].notebook for ex in held if ex)
    if not named:
        return None
    top = max(named.values())
    return next(n for n in NOTEBOOKS if named.get(n) == top)


def duplicates(reports: list) -> list:
    """The groups of two or more reports that resolve to one student, in the reports' order."""
    groups: dict = {}
    for r in reports:
        groups.setdefault(student_key(r.student or Path(r.path).stem), []).append(r)
    return [same for same in groups.values() if len(same) > 1]


def flag_duplicates(reports: list) -> None:
    """Note, on each, the submissions that resolve to one student (none is dropped or merged)."""
    for same in duplicates(reports):
        others = ", ".join(safe_text(r.path) for r in same)
        for r in same:
            r.notes.append(tr("{n} submissions for this student: {paths}", n=len(same), paths=others))


def _graded_on(nb, file, stem, timeout, seed, limits, sandbox, editions, handed_in_as=None) -> Report:
    """``nb`` graded on the assignment ``stem``, or 0 of its points when it holds another exercise.

    ``handed_in_as``: the name the learner gave the file (an LMS download's original), default ``file``.
    """
    exercises = exercises_of(stem)
    named_as = handed_in_as or file
    problem = other_exercise(nb, named_as, stem)
    named = notebook_named(Path(named_as).stem) == stem
    if problem is None and not named and not defined_names(nb) & {e.name for e in exercises}:
        return _not_graded(
            file, _seed(seed), exercises, _("no graded function found in it"), sandbox is not False
        )
    if problem is not None:
        report = _not_graded(file, _seed(seed), exercises, problem, sandbox is not False)
        report.notes, report.ungraded = [problem], False  # graded: 0 of the assignment's points
        return report
    return grade_snapshot(
        nb, file, timeout, seed, limits=limits, sandbox=sandbox, exercises=exercises, editions=editions
    )


def _seed(seed: int | None) -> int:
    return secrets.randbelow(2**31) if seed is None else int(seed)


def _not_graded(
    file: Path, seed: int, exercises: list, why: str, isolated: bool, failed: bool = False
) -> Report:
    """0 of the exercises' points: the notebook is refused, unreadable or empty, or the grader ``failed``."""
    why = safe_text(why)
    note = tr("grading stopped: {why}", why=why) if failed else tr("not graded: {why}", why=why)
    report = Report(safe_text(file), seed, notes=[note], isolated=isolated, ungraded=not failed)
    for ex in exercises:
        lost = [tr("-{points} not graded: {why}", points=ex.max_points, why=why)]
        report.exercises.append(ExerciseResult(ex.name, 0, ex.max_points, lost))
    return report
