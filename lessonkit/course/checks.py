"""Instant feedback in the exercise notebooks: ``lessonkit.check(name, fn)`` runs the public cases.

A check never raises (Run All goes on), prints plain deterministic text, stops at the first failing
case, shows expected against got for small cases and names the likely cause when a known mistake
explains the answer.
"""

from __future__ import annotations

import inspect
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np

from .exercises import EXERCISES, Case, Exercise
from .exercises.base import describe_steps, run_case
from .feedback import expected_outputs, explain_error, judge
from .i18n import _, tr
from .switches import switched_off
from .tracebacks import _first_line, _raiser_name, _where_note, raised_by

__all__ = ["check", "CheckResult", "safely", "switched_off"]  # switched_off: see .switches

SMALL = 64  # arrays with at most this many entries are printed in full


class CheckResult:
    """What a check found: ``bool(result)`` is True when every public case passed; ``text`` is the report.

    In a notebook the result shows nothing by itself (the report was already printed).
    """

    def __init__(self, name: str, passed: bool, text: str, status: str) -> None:
        self.name, self.passed, self.text, self.status = name, passed, text, status

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return f"CheckResult({self.name!r}, passed={self.passed}, status={self.status!r})"

    def _ipython_display_(self) -> None:
        """Show nothing: the report was printed while checking."""


def check(name: str, fn: Callable, *, timeout: float = 10.0) -> CheckResult:
    """Check the learner's function ``fn`` for exercise ``name`` on the public cases, easy to hard.

    Parameters
    ----------
    name : str
        The exercise, i.e. the lessonkit function it mirrors: ``"pad"``, ``"rot180"``, ``"dilate"``,
        ``"correlate2d"``, ``"bp_delta_map"``, ``"compute_gradient"``, ``"conv_forward"``,
        ``"layer_backward"``, or ``"Filter"`` (the lecture's class: each case makes one and uses it).
    fn : callable
        The learner's function (or class), with the same signature.
    timeout : float, optional
        Seconds one case may take before it counts as an endless loop (where SIGALRM exists and
        the check runs in the main thread, as in a notebook).

    Returns
    -------
    CheckResult
        Truthy when every case passed. The report is printed; this function never raises (a
        KeyboardInterrupt still stops it, so a function that hangs can be interrupted).

    Examples
    --------
    >>> import lessonkit
    >>> result = lessonkit.check("rot180", lambda w: np.asarray(w)[..., ::-1, ::-1])  # doctest: +ELLIPSIS
    Checking rot180 on 7 public cases, easy to hard.
      case 1/7  2x2 filter: ok
      case 2/7  3x3 filter: ok
      case 3/7  rectangular: 2x3 filter: ok
      case 4/7  one row: 1x3 filter: ok
      case 5/7  a stack of filters: shape (2, 3, 2, 2): ok
      case 6/7  shape (3, 2, 3, 2): ok
      case 7/7  depth only (D, Fh, Fw): shape (2, 2, 3): ok
    rot180: all 7 public cases pass.
    The grader runs hidden cases of the same kinds, in ... groups worth ... points in all.
    >>> bool(result)
    True
    """
    lines: list[str] = []
    try:
        passed, status = _run(name, fn, lines, timeout)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # the checker itself must never stop Run All
        lines.append(
            tr(
                "{name}: the check could not run ({error}).",
                name=name,
                error=f"{type(exc).__name__}: {_first_line(exc)}",
            )
        )
        passed, status = False, "error"
    text = "\n".join(lines)
    print(text)
    return CheckResult(str(name), passed, text, status)


@contextmanager
def safely(name: str, timeout: float = 30.0) -> Iterator[None]:
    """Run an example cell's body so that Run All goes on: a time limit, and errors printed, not raised.

    The cells under each exercise call the learner's function on the lecture's hand example. A
    function that loops forever, returns the wrong shape or is not written yet must not stop the
    notebook there: the error is printed in one line, with a pointer to the check.

    Parameters
    ----------
    name : str
        The exercise, for the messages.
    timeout : float, optional
        Seconds before the body counts as an endless loop (SIGALRM, main thread, as in a notebook).

    Examples
    --------
    >>> import lessonkit
    >>> with lessonkit.safely("compute_gradient"):
    ...     dW = np.zeros((1, 1, 3, 3))
    ...     print(dW[0, 0, 0, 5])
    this example stopped: IndexError: index 5 is out of bounds for axis 3 with size 3. The check above \
names the likely cause: lessonkit.check("compute_gradient", compute_gradient).
    """
    try:
        with _time_limit(timeout):
            yield
    except NotImplementedError as exc:
        what = _raiser_name(exc) or name
        print(tr("{name} is not implemented yet: write it above, run its cell, then this one.", name=what))
    except _TooSlow:
        print(
            tr(
                "stopped after {seconds} s: does {name} loop forever? Fix it, run its cell, then this one.",
                seconds=f"{timeout:g}",
                name=name,
            )
        )
    except Exception as exc:
        print(
            tr(
                'this example stopped: {error}. The check above names the likely cause: lessonkit.check("{name}", {name}).',  # noqa: E501 (one msgid)
                error=f"{type(exc).__name__}: {_first_line(exc)}",
                name=name,
            )
        )


def _run(name, fn, lines: list, timeout: float) -> tuple[bool, str]:
    ex = EXERCISES.get(name) if isinstance(name, str) else None
    if ex is None:
        lines.append(
            tr("check: unknown exercise {name}; known: {known}.", name=repr(name), known=", ".join(EXERCISES))
        )
        return False, "unknown"
    if not callable(fn):
        lines.append(
            tr(
                "{name}: expected your function, got {got}; call check({quoted}, {name}).",
                name=name,
                got=_short(fn),
                quoted=repr(name),
            )
        )
        return False, "not callable"
    own = fn is ex.reference or _is_lessonkits(fn)
    cases = ex.public()
    lines.append(tr("Checking {name} on {n} public cases, easy to hard.", name=name, n=len(cases)))
    for i, case in enumerate(cases, 1):
        head = "  " + tr("case {i}/{n}", i=i, n=len(cases)) + f"  {_(case.label)}"
        expected = expected_outputs(ex, case)
        args = _copy(case.args)
        kwargs = _copy(case.kwargs)
        try:
            with _off(name, own), _time_limit(timeout):
                got = run_case(fn, case, args, kwargs)
        except NotImplementedError as exc:
            hint = _(_first_line(exc))  # the stub raises its exercise's first hint (hints.py)
            lines.append(head + ": " + _("not implemented yet"))
            if hint:
                lines.append(tr("{name}: not implemented yet (hint: {hint}).", name=name, hint=hint))
            else:
                lines.append(tr("{name}: not implemented yet.", name=name))
            lines.append(
                tr(
                    "Replace the `raise NotImplementedError` in {name}'s cell with your code, run it, then this cell.",  # noqa: E501 (one msgid)
                    name=name,
                )
            )
            return False, "not implemented"
        except (KeyboardInterrupt, GeneratorExit):
            raise
        except _TooSlow:
            lines.append(head + ": " + _("FAILED"))
            lines.append(f"    {_call(ex, case)}")
            lines.append(
                "    "
                + tr("still running after {seconds} s (an endless loop?); stopped", seconds=f"{timeout:g}")
            )
            lines.append(
                tr("{name}: case {i} did not finish; fix it and run this cell again.", name=name, i=i)
            )
            return False, "timeout"
        except BaseException as exc:
            lines.append(head + ": " + _("FAILED"))
            lines.append(f"    {_call(ex, case)}")
            raised = raised_by(exc)
            error = f"{raised.kind}: {_first_line(exc)}"
            lines.append("    " + tr("raised {error}", error=error) + _where_note(raised))
            if raised.code:
                lines.append("      " + tr("line {line}: {code}", line=raised.line, code=raised.code))
            cause = explain_error(ex, case, raised)
            if cause:
                lines.append("    " + cause)
            lines.append(
                tr("{name}: case {i} raised an exception; fix it and run this cell again.", name=name, i=i)
            )
            return False, "raised"
        mutated = _mutated(ex, case.args, args) + _mutated(ex, case.kwargs, kwargs)
        verdict = judge(ex, case, got, expected)
        if verdict.passed and not mutated:
            lines.append(head + ": " + _("ok"))
            continue
        lines.append(head + ": " + _("FAILED"))
        lines.append(f"    {_call(ex, case)}")
        if mutated:
            lines.append(
                "    "
                + tr(
                    "changed its input {names}: inputs must be left as they were (work on a copy)",
                    names=", ".join(mutated),
                )
            )
        if not verdict.passed:
            lines.append(f"    {verdict.problem}")
            lines += _show(ex, expected, got)
        if verdict.cause:
            lines.append("    " + tr("likely cause: {cause}", cause=_(verdict.cause)))
        elif mutated:
            lines.append(
                "    "
                + _("likely cause: input mutated (e.g. `x += ...` or writing into a slice of an argument)")
            )
        lines.append(
            tr(
                "{name}: {k} of {n} public cases pass; fix case {i} first.",
                name=name,
                k=i - 1,
                n=len(cases),
                i=i,
            )
        )
        return False, "failed"
    lines.append(tr("{name}: all {n} public cases pass.", name=name, n=len(cases)))
    lines.append(
        tr(
            "The grader runs hidden cases of the same kinds, in {groups} groups worth {points} points in all.",  # noqa: E501 (one msgid)
            groups=len(ex.groups),
            points=ex.max_points,
        )
    )
    if own:
        lines.append(
            tr(
                "note: this is lessonkit's own {name}, not yours; the grader gives 0 to a notebook whose {name} is lessonkit's or only calls it.",  # noqa: E501 (one msgid)
                name=name,
            )
        )
    return True, "passed"


def _is_lessonkits(fn) -> bool:
    """True for a function defined in lessonkit's files (the check then tests lessonkit, not the learner)."""
    from pathlib import Path

    code = getattr(fn, "__code__", None)
    if code is None:
        return False
    from . import PACKAGE

    return Path(code.co_filename).resolve().is_relative_to(PACKAGE)


@contextmanager
def _off(name: str, own: bool):
    if own:
        yield
        return
    from .curriculum import allowed_units

    with switched_off(name, allowed_units(EXERCISES[name].notebook)):
        yield


class _TooSlow(Exception):
    """Raised by the alarm when a case runs past the check's time limit."""


@contextmanager
def _time_limit(seconds: float):
    """Raise _TooSlow after ``seconds`` (SIGALRM, main thread only; otherwise no limit)."""
    if not (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()):
        yield
        return

    def _alarm(signum, frame):
        raise _TooSlow()

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _copy(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, tuple):
        return tuple(_copy(v) for v in value)
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and bool(np.array_equal(a, b))
    return a == b


def _mutated(ex: Exercise, original, passed) -> list:
    names = _param_names(ex)
    if isinstance(original, dict):
        return [k for k in original if not _same(original[k], passed[k])]
    return [
        names[i] if i < len(names) else f"argument {i + 1}"
        for i, (a, b) in enumerate(zip(original, passed, strict=False))
        if not _same(a, b)
    ]


def _param_names(ex: Exercise) -> list:
    try:
        return list(inspect.signature(ex.reference).parameters)
    except (TypeError, ValueError):
        return []


def _describe_arg(value) -> str:
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape}"
    return repr(value)


def _call(ex: Exercise, case: Case) -> str:
    """The call, with arrays shown by their shape: ``bp_delta_map(delta=<(1, 2, 2)>, ...)``."""
    names = _param_names(ex)
    parts = [f"{n}={_describe_arg(v)}" for n, v in zip(names, case.args, strict=False)]
    parts += [f"{k}={_describe_arg(v)}" for k, v in case.kwargs.items()]
    then = ", " + tr("then: {steps}", steps=describe_steps(case.steps)) if case.steps else ""
    return tr("call: {call}", call=f"{ex.name}({', '.join(parts)})") + then


def _fmt(a: np.ndarray) -> str:
    a = np.round(np.asarray(a, dtype=np.float64), 4) + 0.0  # + 0.0 turns -0.0 into 0.0
    return np.array2string(a, precision=4, suppress_small=True, max_line_width=100)


def _show(ex: Exercise, expected: list, got) -> list:
    out = []
    items = list(got) if len(ex.outputs) > 1 and isinstance(got, (tuple, list)) else [got]
    for k, (name, e) in enumerate(zip(ex.outputs, expected, strict=False)):
        label = "" if len(ex.outputs) == 1 else f" {name}"
        try:
            g = np.asarray(items[k], dtype=np.float64)
        except (TypeError, ValueError, IndexError):
            g = None
        if g is not None and g.shape == e.shape and np.allclose(g, e, rtol=1e-6, atol=1e-9):
            continue
        if e.size > SMALL or (g is not None and g.size > SMALL):
            continue
        out.append("    " + tr("expected{label}:", label=label))
        out += ["      " + ln for ln in _fmt(e).splitlines()]
        out.append("    " + tr("got{label}:", label=label))
        out += [
            "      " + ln
            for ln in (
                _fmt(g) if g is not None else _short(items[k] if k < len(items) else None)
            ).splitlines()
        ]
    return out


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
