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

Points are per group of cases (:mod:`lessonkit.course.exercises`). A case that raises, runs past the time
limit, kills the process, floods the output, mutates its inputs or returns the wrong type, shape or
values costs the points of its group; a function that is missing, not implemented, or uses a
lessonkit name that is not available while grading gets 0 for that exercise. Text that comes from
the notebook is escaped before it reaches a report.
"""

from __future__ import annotations

import base64
import inspect
import io
import os
import re
import secrets
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..curriculum import describe
from ..exercises import EXERCISES, NOTEBOOKS, Case, Exercise, exercises_of, notebook_named
from ..exercises.base import run_case
from ..feedback import MESSAGE_LIMIT, Raised, causes_of_error, error_explanation, judge
from ..i18n import _, chosen, language, notebook_language, speaking, tr
from .reports import not_graded, to_json, write_csv  # noqa: F401  (part of this module's API)
from .results import ExerciseResult, Report
from .sandbox import INSTALL_HINT, Limits, Sandbox, SandboxError, sandbox_problem
from .submissions import Refused, find_submissions, parse_notebook, read_submission, safe_text, student_key

if TYPE_CHECKING:
    from nbformat import NotebookNode

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
    "DEFAULT_TIMEOUT",
]

DEFAULT_TIMEOUT = 30.0
_GRACE = 3.0  # seconds the hard deadline outside adds to the soft alarm inside

_CHECK_LINE = re.compile(r"^\s*(?:\w+\s*=\s*)?lessonkit\.check\(.*\)\s*;?\s*$")


class NotebookError(Exception):
    """The notebook is missing or cannot be read (the CLI exits with status 2)."""


class SandboxRefused(Exception):
    """A folder would be graded without isolation (the CLI exits with status 2)."""


# ---------------------------------------------------------------- reading


def read_notebook(path: Path):
    """The notebook at ``path`` (nbformat v4), read once without following links, or NotebookError.

    The error's message is one line that names the file (made safe) and what is wrong by position,
    never quoting the file's content (see :mod:`lessonkit.course.grading.submissions`).
    """
    try:
        data = read_submission(path)
    except Refused as exc:
        if str(exc) == "no such file":
            raise NotebookError(f"no such notebook: {safe_text(path)}") from None
        raise NotebookError(f"cannot read {safe_text(path)} as a notebook: {exc}") from None
    try:
        return parse_notebook(data)
    except Refused as exc:
        raise NotebookError(f"cannot read {safe_text(path)} as a notebook: {exc}") from None


def exercises_for(nb, path: Path) -> list:
    """The exercises a notebook is graded on: by file name, else by the functions and classes it defines."""
    by_name = _exercises_by_name(path)
    if by_name:
        return by_name
    defined = defined_names(nb)
    best = max(
        NOTEBOOKS, key=lambda n: (len(defined & {e.name for e in exercises_of(n)}), -NOTEBOOKS.index(n))
    )
    if not defined & {e.name for e in exercises_of(best)}:
        return []
    return exercises_of(best)


def _exercises_by_name(path: Path) -> list:
    name = notebook_named(Path(path).stem)
    return exercises_of(name) if name else []


def notebooks_under(folder) -> list:
    """Every ``*.ipynb`` entry under a folder, sorted, checkpoints left out, links not entered."""
    return find_submissions(folder)


def defined_names(nb) -> set:
    """The functions and classes a notebook's code cells define at the top level of a line."""
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    return set(re.findall(r"^(?:def|class)\s+(\w+)\s*[(:]", source, flags=re.M))


def other_exercise(nb, path, assignment: str) -> str | None:
    """Why a notebook is not graded on ``assignment`` (an exercise notebook's stem), or None.

    It is named after another exercise, or it defines none of the assignment's functions but some of
    another exercise's. Either way it gets 0 of the assignment's points, never another exercise's.
    """
    named = notebook_named(Path(path).stem)
    if named is not None and named != assignment:
        return tr(
            "this file is named after exercise {other}, but the assignment is {assignment}; "
            "hand in {assignment}.ipynb",
            other=named,
            assignment=assignment,
        )
    defined = defined_names(nb)
    if not defined & {e.name for e in exercises_of(assignment)}:  # named after it or not at all
        for other in NOTEBOOKS:
            if other != assignment and defined & {e.name for e in exercises_of(other)}:
                return tr(
                    "this notebook holds exercise {other}, not the assignment {assignment}",
                    other=other,
                    assignment=assignment,
                )
    return None


def hidden_cases(ex: Exercise, seed: int) -> list:
    """The hidden cases of ``ex`` for ``seed``: each exercise of a notebook draws from its own stream."""
    index = [e.name for e in exercises_of(ex.notebook)].index(ex.name)
    return ex.hidden(np.random.default_rng([seed, index]))


def is_check_cell(source: str) -> bool:
    """True for a cell made only of ``lessonkit.check(...)`` lines (and comments/blank lines).

    Examples
    --------
    >>> is_check_cell('lessonkit.check("pad", pad)')
    True
    >>> is_check_cell('lessonkit.check("pad", pad)\\nprint(1)')
    False
    """
    lines = [ln for ln in source.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    return bool(lines) and all(_CHECK_LINE.match(ln) for ln in lines)


def clean(text, limit: int = 300) -> str:
    """Text from a notebook, safe for a report line: one line, control characters escaped, capped.

    Examples
    --------
    >>> clean("oops\\nscore: 10/10")
    'oops\\\\nscore: 10/10'
    """
    text = str(text)
    out = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)
    return out if len(out) <= limit else out[: limit - 3] + "..."


def _one_line(text, limit: int = 200) -> str:
    return clean((str(text or "").strip().splitlines() or [""])[0], limit)


# ---------------------------------------------------------------- a notebook in its sandbox


class _Session:
    """One notebook in its sandbox: its cells run (a cell that hangs or kills it is skipped on a restart)."""

    def __init__(self, nb, name: str, edition: Path, limits: Limits, isolate: bool) -> None:
        import nbformat

        self.text = nbformat.writes(nb)
        self.name, self.edition, self.limits, self.isolate = name, edition, limits, isolate
        cells = [(i, c.source) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
        self.cells = [(i, s) for i, s in cells if not is_check_cell(s)]
        self.skip: set = set()
        self.notes: list = []
        self.box: Sandbox | None = None
        self.slow: set = set()  # functions that ran past the time limit once: none of their cases runs again
        self.deadline = time.monotonic() + limits.budget
        self._recorded = False

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def request_timeout(self) -> float:
        return min(self.limits.timeout + _GRACE, max(0.0, self.remaining()))

    def _running(self) -> Sandbox:
        """The sandbox that start() started."""
        if self.box is None:
            raise SandboxError("no sandbox is running for this notebook")
        return self.box

    def start(self) -> None:
        """A fresh sandbox with the notebook run; raises SandboxError when it cannot be had."""
        while True:
            if self.remaining() <= 0:
                raise SandboxError(f"the notebook used up its time budget of {self.limits.budget:g} s")
            self.box = Sandbox(self.text, self.name, self.edition, self.limits, self.isolate)
            self.box.start()
            bad = self._run_cells(record=not self._recorded)
            self._recorded = True
            if bad is None:
                return
            self.skip.add(bad)

    def _run_cells(self, record: bool):
        for index, source in self.cells:
            if index in self.skip:
                continue
            reply = self._running().request(
                {"op": "run", "cell": index + 1, "source": source}, self.request_timeout()
            )
            status = reply.get("status")
            if status in ("hung", "died"):
                what = (
                    tr("ran longer than {seconds} s", seconds=f"{self.limits.timeout:g}")
                    if status == "hung"
                    else _died(reply, _("stopped the Python process"))
                )
                self.notes.append(
                    tr(
                        "cell {cell} {what}; the grader skipped it and re-ran the notebook",
                        cell=index + 1,
                        what=what,
                    )
                )
                self.stop()
                return index
            if not record:
                continue
            if status == "timeout":
                self.notes.append(
                    tr(
                        "cell {cell} timed out after {seconds} s; the grader stopped it and went on",
                        cell=index + 1,
                        seconds=f"{self.limits.timeout:g}",
                    )
                )
            elif status == "error" and reply.get("ename") == "LessonkitUnavailable":
                used = clean(str(reply.get("evalue") or "").split(" ", 1)[0], 80)
                self.notes.append(
                    tr(
                        "cell {cell} uses {name}, which is not available while grading; that is fine outside the graded functions (only they earn points)",  # noqa: E501 (one msgid)
                        cell=index + 1,
                        name=used,
                    )
                )
            elif status == "error":
                self.notes.append(
                    tr(
                        "cell {cell} raised {error}",
                        cell=index + 1,
                        error=f"{clean(reply.get('ename'), 60)}: {_one_line(reply.get('evalue'))}",
                    )
                )
            elif status != "ok":
                self.notes.append(
                    tr(
                        "cell {cell}: the grader could not run it ({why})",
                        cell=index + 1,
                        why=_one_line(reply.get("message")),
                    )
                )
        return None

    def call(self, ex: Exercise, case) -> dict:
        """Call ``ex.name`` on one case; on a hang or a death the sandbox is started afresh."""
        if ex.name in self.slow:  # one endless loop costs one --timeout, not one per case
            return {"status": "skipped"}
        if self.box is None:
            self.start()
        request: dict[str, object] = {"op": "call", "name": ex.name, "args": [_enc(a) for a in case.args]}
        request["kwargs"] = {k: _enc(v) for k, v in case.kwargs.items()}
        if case.steps:  # a class exercise: the runner does these with the object the call made
            request["steps"] = [[op, name, *(_enc(v) for v in rest)] for op, name, *rest in case.steps]
        reply = self._running().request(request, self.request_timeout())
        if reply.get("status") in ("timeout", "hung"):
            self.slow.add(ex.name)
        if reply.get("status") in ("hung", "died"):
            self.stop()
        return reply

    def stop(self) -> None:
        if self.box is not None:
            self.box.close()
            self.box = None


def _died(reply: dict, default: str) -> str:
    reason = reply.get("reason")
    return tr("was stopped: it {reason}", reason=reason) if reason else default


def _enc(value):
    if isinstance(value, np.ndarray):
        buf = io.BytesIO()
        np.save(buf, value, allow_pickle=False)
        return {"npy": base64.b64encode(buf.getvalue()).decode("ascii")}
    if isinstance(value, tuple):
        return {"tuple": [_enc(v) for v in value]}
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    return value


class _Opaque:
    """Stands for a returned value that was not a plain numpy array of numbers."""

    def __init__(self, type_name: str, text: str) -> None:
        self.type_name, self.text = clean(type_name, 60), clean(text, 200)

    def __repr__(self) -> str:
        return self.text or f"<{self.type_name}>"


def _dec(value):
    """A value from the sandbox: a numpy array (from .npy bytes), a list of them, None or _Opaque."""
    if isinstance(value, dict):
        if "npy" in value:
            arr = np.load(io.BytesIO(base64.b64decode(value["npy"])), allow_pickle=False)
            if type(arr) is not np.ndarray:
                raise ValueError("not an array")
            return arr
        if "seq" in value and isinstance(value["seq"], list):
            items = [_dec(v) for v in value["seq"][:8]]
            return items + [None] * max(0, min(int(value.get("length", 0)), 100) - len(items))
        if "none" in value:
            return None
        if "type" in value:
            return _Opaque(str(value["type"]), str(value.get("repr", "")))
    raise ValueError(f"unexpected value: {clean(str(value), 60)}")


# ---------------------------------------------------------------- scoring


def evaluate(
    ex: Exercise,
    cases: list,
    call: Callable[[Case], dict],
    limits: Limits | None = None,
    where: str = "hidden",
    expected_of: Callable[[Case], list] | None = None,
    explain: bool = True,
) -> ExerciseResult:
    """Score ``ex`` on ``cases``: ``call(case)`` returns the runner's reply for that case.

    This is the one place where replies become points, used by the grader (replies from the
    sandbox) and by the tests (replies from an in-process call, with the raw value under "value").
    """
    limits = limits or Limits()
    result = ExerciseResult(ex.name, 0, ex.max_points)
    names = list(inspect.signature(ex.reference).parameters)  # a class: its __init__'s, without self
    failed: dict = {}
    causes: dict = {}  # group -> the known mistake explaining its first wrong answer (course.toml's partial)
    named: dict = {}  # group -> the likely causes its reason names (English; the class report counts them)

    advice: dict = {}  # one line per rule, from the first case that showed it

    def zero(message: str) -> ExerciseResult:
        result.points, result.feedback = 0, [f"-{ex.max_points} {message}"]
        result.groups = [
            {"name": g, "points": 0, "max_points": p, "reason": message, "causes": []}
            for g, p in ex.groups.items()
        ]
        return result

    for case in cases:
        groups = ex.groups_of(case)
        if all(g in failed for g in groups):
            continue  # its points are lost already
        on = tr('on {where} case "{label}"', where=_(where), label=_(case.label))
        reply = call(case)
        if not isinstance(reply, dict):
            reply = {"status": "broken", "message": "its reply was not an object"}
        status = reply.get("status")
        used = reply.get("unavailable")
        unavailable = [clean(u, 120) for u in used[:5]] if isinstance(used, list) else []
        if unavailable:
            return zero(
                tr(
                    "{name} used {used}, which is not available while grading: only what earlier exercises taught can be used ({allowed}), plus numpy and the rest of the environment",  # noqa: E501 (one msgid)
                    name=ex.name,
                    used=", ".join(unavailable),
                    allowed=describe(ex.notebook),
                )
            )
        if status == "missing":
            return zero(
                tr(
                    "no function named {name} after running the notebook; keep the stub's name and signature",
                    name=ex.name,
                )
            )
        if status == "not implemented":
            return zero(
                tr("{name} is not implemented yet (it still raises NotImplementedError)", name=ex.name)
            )
        printed = reply.get("printed", 0)
        if status == "flood" or (isinstance(printed, (int, float)) and printed > limits.output_mb * 1e6):
            advice.setdefault(
                "output",
                tr(
                    "printed or displayed more than {mb} MB in one call {on}; remove the prints",
                    mb=f"{limits.output_mb:g}",
                    on=on,
                ),
            )
        problem, likely = _case_problem(ex, case, reply, limits, on, explain)
        if problem is None:
            try:
                got = reply["value"] if "value" in reply else _dec(reply["out"])
            except Exception as exc:  # whatever came back, the grader does not fall over it
                got = _Opaque("unreadable value", clean(exc, 60))
            verdict = judge(ex, case, got, expected_of(case) if expected_of else None, explain)
            cause = "; " + tr("likely cause: {cause}", cause=_(verdict.cause)) if verdict.cause else ""
            if verdict.shape_error:
                text = (
                    tr("returned the wrong type or shape {on}: {problem}", on=on, problem=verdict.problem)
                    + cause
                )
            else:
                text = f"{verdict.problem} {on}{cause}"
            for ok, group in zip(verdict.ok, groups, strict=False):
                if not ok and group not in failed:
                    failed[group] = text
                    causes[group] = verdict.cause
                    named[group] = [verdict.cause] if verdict.cause else []
        if problem is not None:
            for group in dict.fromkeys(groups):
                if group not in failed:
                    failed[group], named[group] = problem, likely
            continue
        mutated = reply.get("mutated")
        mutated = mutated[:10] if isinstance(mutated, list) else []
        if mutated:
            shown = ", ".join(
                names[m] if isinstance(m, int) and 0 <= m < len(names) else "?" for m in mutated
            )
            # still judged inside the notebook's process (as the learner's check judges it): see README
            for group in dict.fromkeys(groups):
                failed.setdefault(
                    group,
                    tr("changed its input {names} {on} (inputs must be left alone)", names=shown, on=on),
                )
    earned = {g: _partial(ex, p, causes.get(g)) if g in failed else p for g, p in ex.groups.items()}
    for g in failed:
        if earned[g]:
            failed[g] += " " + tr(
                "(partial credit for this known mistake: {points} of {max_points})",
                points=f"{earned[g]:g}",
                max_points=ex.groups[g],
            )
    result.points = _number(sum(earned.values()))
    result.feedback = [
        f"-{_number(ex.groups[g] - earned[g])} {_(g)}: {failed[g]}" for g in ex.groups if g in failed
    ]
    result.groups = [
        {
            "name": g,
            "points": _number(earned[g]),
            "max_points": p,
            "reason": failed.get(g, ""),
            "causes": list(named.get(g, [])),
        }
        for g, p in ex.groups.items()
    ]
    result.advice = list(advice.values())
    return result


def _partial(ex: Exercise, points: int, cause: str | None) -> float:
    """The points a failed group keeps: course.toml's share for the known mistake that explains it."""
    from ..config import mistake_name

    share = ex.partial.get(mistake_name(cause)) if cause else None
    return round(share * points, 2) if share else 0


def _number(x: float) -> float | int:
    """Points as a whole number when they are one (partial credit can make them fractional)."""
    return int(x) if float(x).is_integer() else round(float(x), 2)


def _case_problem(
    ex: Exercise, case, reply: dict, limits: Limits, on: str, explain: bool = True
) -> tuple[str | None, list]:
    """Why a reply earns nothing for its case's groups (None when its outputs are to be judged), and
    the known mistakes (English causes) that its exception names as likely."""
    found: list = []
    return _problem_text(ex, case, reply, limits, on, explain, found), found


def _problem_text(ex: Exercise, case, reply: dict, limits: Limits, on: str, explain: bool, found: list):
    """:func:`_case_problem`'s sentence; the likely causes it names are appended to ``found``."""
    status = reply.get("status")
    if status in ("timeout", "hung"):
        return tr(
            "ran longer than {seconds} s {on} (an endless loop?); the grader stopped it",
            seconds=f"{limits.timeout:g}",
            on=on,
        )
    if status == "skipped":
        return tr(
            "not run: {name} ran longer than {seconds} s on an earlier case, and the grader runs no more of its cases",  # noqa: E501 (one msgid)
            name=ex.name,
            seconds=f"{limits.timeout:g}",
        )
    if status == "died":
        reason = reply.get("reason")
        why = tr("it {reason}", reason=reason) if reason else _("os._exit, a crash or running out of memory")
        return tr("killed the Python process {on} ({why})", on=on, why=why)
    if status == "budget":
        return tr(
            "not run: the notebook used up its time budget of {seconds} s", seconds=f"{limits.budget:g}"
        )
    if status == "raised":
        kind = clean(reply.get("type"), 60)
        message = _one_line(reply.get("message"), 300)
        hint = " " + tr("(the memory limit is {mb} MB)", mb=limits.memory_mb) if kind == "MemoryError" else ""
        raised = raised_of_reply(reply)
        strong, causes = causes_of_error(ex, case, raised) if explain else (False, [])
        found += causes if strong else []
        cause = error_explanation(strong, causes, raised.kind)
        likely = "; " + cause if cause else ""
        error = f"{kind}: {message}{_where_note(raised)}{hint}"
        return tr("raised {error} {on}", error=error, on=on) + likely
    if status != "ok" or ("out" not in reply and "value" not in reply):
        return tr(
            "the grader could not call {name} ({why}) {on}",
            name=ex.name,
            why=_one_line(reply.get("message") or status),
            on=on,
        )
    if "out" in reply:
        try:
            _dec(reply["out"])
        except Exception as exc:
            return tr("returned something the grader cannot read ({why}) {on}", why=clean(exc, 80), on=on)
    return None


def raised_of_reply(reply: dict) -> Raised:
    """The exception a runner's reply reports, as plain data (strings and numbers, checked here; a
    malformed ``where`` is left out). Its message is compared with the known mistakes' messages,
    never run; what a report shows of it is made safe by :func:`clean`."""
    kind, message = reply.get("type"), reply.get("message")
    kind = kind[:60] if isinstance(kind, str) else ""
    lines = message.strip().splitlines() if isinstance(message, str) else []
    message = lines[0][:MESSAGE_LIMIT] if lines else ""
    where = reply.get("where")
    if not (isinstance(where, list) and len(where) in (3, 4)):
        return Raised(kind, message)
    function, cell, line, *code = where
    if not (isinstance(function, str) and all(type(v) is int and 0 <= v < 10**6 for v in (cell, line))):
        return Raised(kind, message)
    text = code[0] if code and isinstance(code[0], str) else ""
    return Raised(kind, message, function[:60], line, " ".join(text.split())[:200], cell)


def _where_note(raised: Raised) -> str:
    """Where in the notebook ``raised`` was raised, as a note for the report, or "" when unknown."""
    if raised.cell is None:
        return ""
    where = {"function": clean(raised.function, 60), "line": raised.line, "cell": raised.cell}
    if raised.code:
        code = clean(raised.code, 120)
        return " " + tr("(in {function}, line {line} of cell {cell}: {code})", code=code, **where)
    return " " + tr("(in {function}, line {line} of cell {cell})", **where)


def _public_summary(session: _Session, ex: Exercise) -> str:
    """How the public cases (the notebook's check) go in the sandbox, in a line or a few."""
    cases = ex.public()
    result = evaluate(ex, cases, lambda case: session.call(ex, case), session.limits, where="public")
    if result.points == result.max_points:
        return tr("all {n} public cases pass", n=len(cases))
    return "\n".join(ln.split(" ", 1)[1] for ln in result.feedback)


def local_reply(fn, case) -> dict:
    """Call ``fn`` on ``case`` in this process and reply as the sandbox's runner would (for tests)."""
    args = [a.copy() if isinstance(a, np.ndarray) else a for a in case.args]
    kwargs = {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in case.kwargs.items()}
    try:
        value = run_case(fn, case, tuple(args), kwargs, keep_going=True)
    except NotImplementedError:
        return {"status": "not implemented"}
    except Exception as exc:
        return {"status": "raised", "type": type(exc).__name__, "message": str(exc)}
    mutated = [
        i
        for i, (a, b) in enumerate(zip(case.args, args, strict=False))
        if isinstance(a, np.ndarray) and not (a.shape == b.shape and np.array_equal(a, b))
    ]
    return {"status": "ok", "value": value, "mutated": mutated}


def grade_function(
    name: str, fn: Callable, seed: int, expected_of: Callable[[Case], list] | None = None
) -> ExerciseResult:
    """Grade a function of this process on the hidden cases of ``seed``, unsandboxed (for tests).

    Examples
    --------
    >>> import lessonkit
    >>> result = grade_function("rot180", lambda w: np.asarray(w)[..., ::-1, ::-1].copy(), seed=0)
    >>> result.points == EXERCISES["rot180"].max_points  # every group right: all its points
    True
    """
    ex = EXERCISES[name]
    return evaluate(ex, hidden_cases(ex, seed), lambda case: local_reply(fn, case), expected_of=expected_of)


def grade_exercise(session: _Session, ex: Exercise, seed: int) -> ExerciseResult:
    """Call the learner's ``ex.name`` in the session's sandbox on the hidden cases; points per group."""

    def call(case) -> dict:
        if session.remaining() <= 0:
            return {"status": "budget"}
        try:
            return session.call(ex, case)
        except SandboxError as exc:
            return {"status": "died", "reason": f"could not be restarted ({_one_line(exc)})"}

    return evaluate(ex, hidden_cases(ex, seed), call, session.limits)


# ---------------------------------------------------------------- notebooks and folders


class _Editions:
    """The grading editions of lessonkit, one per exercise notebook, written once per grading run."""

    def __init__(self) -> None:
        self.tmp = tempfile.TemporaryDirectory(prefix="lessonkit-editions-")
        os.chmod(self.tmp.name, 0o755)  # readable by an unprivileged runner
        self.made: dict = {}
        self.lock = threading.Lock()

    def __call__(self, notebook: str) -> Path:
        from .edition import write_edition

        with self.lock:
            if notebook not in self.made:
                self.made[notebook] = write_edition(notebook, Path(self.tmp.name) / notebook)
            return self.made[notebook]

    def close(self) -> None:
        self.tmp.cleanup()


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
    editions: _Editions | None = None,
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
    editions = shared or _Editions()
    session = _Session(nb, path.name, editions(exercises[0].notebook), limits, report.isolated)
    try:
        session.start()
        for ex in exercises:
            report.exercises.append(grade_exercise(session, ex, seed))
            if public:
                report.exercises[-1].public = _public_summary(session, ex)
    except Exception as exc:  # the sandbox cannot start, the notebook used its budget, or worse
        report.notes.append(tr("grading stopped: {why}", why=_one_line(exc, 300)))
        done = {e.name for e in report.exercises}
        for ex in exercises:
            if ex.name not in done:
                report.exercises.append(
                    ExerciseResult(
                        ex.name,
                        0,
                        ex.max_points,
                        [tr("-{points} not graded: {why}", points=ex.max_points, why=_one_line(exc, 300))],
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
    from .lms import SOURCES, download_of
    from .reports import student_name

    if student_from not in SOURCES:
        raise ValueError(f"student_from must be one of {', '.join(SOURCES)}; got {student_from!r}")
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise ValueError(f"jobs must be a positive integer; got {jobs!r}")
    try:
        chosen_stem = exercise_notebook(assignment) if assignment not in (None, "each") else None
    except ValueError as exc:
        raise ValueError(str(exc).replace("exercise must", "assignment must", 1)) from None
    path = Path(path)

    lms = student_from in ("canvas", "moodle")
    root = path if path.is_dir() else path.parent
    downloads = {}  # file -> what its LMS download name says (--student-from canvas|moodle)

    def download(file: Path):
        if file not in downloads:
            downloads[file] = download_of(file, root, student_from) if lms else None
        return downloads[file]

    def handed_in_as(file: Path) -> Path:
        """The name the learner gave the file: an LMS download's original, else the file's own."""
        got = download(file)
        return file.with_name(got.original) if got is not None and got.original.endswith(".ipynb") else file

    def who(report: Report, file: Path) -> None:
        got = download(file)
        report.student = got.student if got is not None else student_name(file, root, student_from)
        if got is not None:
            report.user_id, report.late = got.user_id, got.late
        elif lms:
            with speaking(report.language):
                why = tr(
                    "not a {lms} download name: the student is taken from the file name",
                    lms=student_from.title(),
                )
            report.notes.append(why)
        try:
            report.submitted = file.lstat().st_mtime
        except OSError:
            pass

    if not path.is_dir():
        nb = read_notebook(path)
        if chosen_stem is None:
            report = grade_snapshot(nb, path, timeout, seed, limits=limits, sandbox=sandbox)
        else:
            report = _graded_on(nb, path, chosen_stem, timeout, seed, limits, sandbox, None)
        who(report, path)
        return [report]
    files = notebooks_under(path)
    if not files:
        raise NotebookError(f"no notebooks (*.ipynb) under {safe_text(path)}")
    if sandbox is None:
        problem = sandbox_problem()
        if problem is not None:
            raise SandboxRefused(f"will not grade a folder without a sandbox: {problem}; {INSTALL_HINT}")
        sandbox = True
    elif sandbox:
        _isolation(True)  # raises SandboxRefused when it cannot run
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    found: dict = {}
    for file in files:
        try:
            found[file] = (read_notebook(file), "")
        except NotebookError as exc:
            found[file] = (None, str(exc).split(": ", 1)[-1])
    names = {file: handed_in_as(file) for file in files}
    stem = chosen_stem or (None if assignment == "each" else class_assignment(found, list(names.values())))
    editions = _Editions()

    def one(file: Path) -> Report:
        nb, why = found[file]
        started = time.monotonic()
        # "each": the notebook's own exercise; otherwise the class's assignment
        own = exercises_for(nb, names[file]) if assignment == "each" and nb is not None else []
        exercises = own or (exercises_of(stem) if stem else [])
        if nb is None or not (own or stem):
            why = why or _("no graded function found in it")
            report = _not_graded(file, seed, exercises, why, sandbox is not False)
        else:
            try:
                if own:
                    report = grade_snapshot(
                        nb,
                        file,
                        timeout,
                        seed,
                        limits=limits,
                        sandbox=sandbox,
                        exercises=own,
                        editions=editions,
                    )
                else:
                    report = _graded_on(nb, file, stem, timeout, seed, limits, sandbox, editions, names[file])
            except Exception as exc:  # one notebook must never stop the class
                why = tr("the grader failed on it ({error})", error=f"{type(exc).__name__}: {_one_line(exc)}")
                report = _not_graded(file, seed, exercises, why, sandbox is not False, failed=True)
        who(report, file)
        report.seconds = time.monotonic() - started
        if nb is not None:
            from .similarity import graded_sources

            report.code = graded_sources(nb, [e.name for e in report.exercises])
        if progress is not None:
            progress(report)
        return report

    try:
        with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
            reports = list(pool.map(one, files))  # each notebook waits on its own sandbox: threads suffice
    finally:
        editions.close()
    if resolve is not None:
        reports = resolve(reports)
    flag_duplicates(reports)
    return reports


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
