"""Scoring: the replies to an exercise's hidden cases become points per group, with the reason for
every point withheld (the one place where replies become points)."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import numpy as np

from ..curriculum import describe
from ..exercises import EXERCISES, Case, Exercise, exercises_of
from ..exercises.base import run_case
from ..feedback import MESSAGE_LIMIT, Raised, causes_of_error, error_explanation, judge
from ..i18n import _, tr
from .results import ExerciseResult
from .sandbox import Limits, SandboxError
from .session import Session
from .wire import Opaque, clean, decode, one_line

__all__ = [
    "hidden_cases",
    "evaluate",
    "raised_of_reply",
    "public_summary",
    "local_reply",
    "grade_function",
    "grade_exercise",
]


def hidden_cases(ex: Exercise, seed: int) -> list:
    """The hidden cases of ``ex`` for ``seed``: each exercise of a notebook draws from its own stream."""
    index = [e.name for e in exercises_of(ex.notebook)].index(ex.name)
    return ex.hidden(np.random.default_rng([seed, index]))


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
    names = list(inspect.signature(ex.reference).parameters)  # a class: its __init__'s, without self
    failed: dict = {}
    causes: dict = {}  # group -> the known mistake explaining its first wrong answer (course.toml's partial)
    named: dict = {}  # group -> the likely causes its reason names (English; the class report counts them)
    advice: dict = {}  # one line per rule, from the first case that showed it
    for case in cases:
        groups = ex.groups_of(case)
        if all(g in failed for g in groups):
            continue  # its points are lost already
        on = tr('on {where} case "{label}"', where=_(where), label=_(case.label))
        reply = call(case)
        if not isinstance(reply, dict):
            reply = {"status": "broken", "message": "its reply was not an object"}
        refused = _refusal(ex, reply)
        if refused is not None:
            return _zero(ex, refused)
        printed = reply.get("printed", 0)
        if reply.get("status") == "flood" or (
            isinstance(printed, (int, float)) and printed > limits.output_mb * 1e6
        ):
            advice.setdefault(
                "output",
                tr(
                    "printed or displayed more than {mb} MB in one call {on}; remove the prints",
                    mb=f"{limits.output_mb:g}",
                    on=on,
                ),
            )
        problem, likely = _case_problem(ex, case, reply, limits, on, explain)
        if problem is not None:
            for group in dict.fromkeys(groups):
                if group not in failed:
                    failed[group], named[group] = problem, likely
            continue
        text, verdict = _judged(ex, case, reply, expected_of, explain, on)
        for ok, group in zip(verdict.ok, groups, strict=False):
            if not ok and group not in failed:
                failed[group] = text
                causes[group] = verdict.cause
                named[group] = [verdict.cause] if verdict.cause else []
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
    return _result(ex, failed, causes, named, list(advice.values()))


def _zero(ex: Exercise, message: str) -> ExerciseResult:
    """No points at all, for a reason that stops the exercise's grading (every group says it)."""
    result = ExerciseResult(ex.name, 0, ex.max_points)
    result.feedback = [f"-{ex.max_points} {message}"]
    result.groups = [
        {"name": g, "points": 0, "max_points": p, "reason": message, "causes": []}
        for g, p in ex.groups.items()
    ]
    return result


def _refusal(ex: Exercise, reply: dict) -> str | None:
    """Why a reply ends the exercise at 0 (a lessonkit function it may not use, no function, the
    stub), or None."""
    used = reply.get("unavailable")
    unavailable = [clean(u, 120) for u in used[:5]] if isinstance(used, list) else []
    if unavailable:
        return tr(
            "{name} used {used}, which is not available while grading: only what earlier exercises taught can be used ({allowed}), plus numpy and the rest of the environment",  # noqa: E501 (one msgid)
            name=ex.name,
            used=", ".join(unavailable),
            allowed=describe(ex.notebook),
        )
    status = reply.get("status")
    if status == "missing":
        return tr(
            "no function named {name} after running the notebook; keep the stub's name and signature",
            name=ex.name,
        )
    if status == "not implemented":
        return tr("{name} is not implemented yet (it still raises NotImplementedError)", name=ex.name)
    return None


def _judged(ex: Exercise, case: Case, reply: dict, expected_of, explain: bool, on: str) -> tuple:
    """(the reason a wrong answer gives, the verdict) for a reply that holds a value."""
    try:
        got = reply["value"] if "value" in reply else decode(reply["out"])
    except Exception as exc:  # whatever came back, the grader does not fall over it
        got = Opaque("unreadable value", clean(exc, 60))
    verdict = judge(ex, case, got, expected_of(case) if expected_of else None, explain)
    cause = "; " + tr("likely cause: {cause}", cause=_(verdict.cause)) if verdict.cause else ""
    if verdict.shape_error:
        return tr(
            "returned the wrong type or shape {on}: {problem}", on=on, problem=verdict.problem
        ) + cause, verdict
    return f"{verdict.problem} {on}{cause}", verdict


def _result(ex: Exercise, failed: dict, causes: dict, named: dict, advice: list) -> ExerciseResult:
    """Points, feedback lines and groups from the groups that failed (with partial credit)."""
    earned = {g: _partial(ex, p, causes.get(g)) if g in failed else p for g, p in ex.groups.items()}
    for g in failed:
        if earned[g]:
            failed[g] += " " + tr(
                "(partial credit for this known mistake: {points} of {max_points})",
                points=f"{earned[g]:g}",
                max_points=ex.groups[g],
            )
    result = ExerciseResult(ex.name, _number(sum(earned.values())), ex.max_points)
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
    result.advice = advice
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
        message = one_line(reply.get("message"), 300)
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
            why=one_line(reply.get("message") or status),
            on=on,
        )
    if "out" in reply:
        try:
            decode(reply["out"])
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


def public_summary(session: Session, ex: Exercise) -> str:
    """How the public cases (the notebook's check) go in the sandbox, in a line or a few."""
    cases = ex.public()
    result = evaluate(ex, cases, lambda case: session.call(ex, case), session.limits, where="public")
    if result.points == result.max_points:
        return tr("all {n} public cases pass", n=len(cases))
    return "\n".join(ln.split(" ", 1)[1] for ln in result.feedback)


def local_reply(fn: Callable, case: Case) -> dict:
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


def grade_exercise(session: Session, ex: Exercise, seed: int) -> ExerciseResult:
    """Call the learner's ``ex.name`` in the session's sandbox on the hidden cases; points per group."""

    def call(case) -> dict:
        if session.remaining() <= 0:
            return {"status": "budget"}
        try:
            return session.call(ex, case)
        except SandboxError as exc:
            return {"status": "died", "reason": f"could not be restarted ({one_line(exc)})"}

    return evaluate(ex, hidden_cases(ex, seed), call, session.limits)
