"""Judging one answer: the same comparison and explanation for the learner's check and the grader."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .exercises.base import Case, Exercise, run_case
from .i18n import _, tr

RTOL, ATOL = 1e-6, 1e-9


def _describe(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def expected_outputs(ex: Exercise, case: Case) -> list:
    """The reference outputs of ``case`` as a list of float arrays."""
    arrays, problem = normalise(ex, run_case(ex.reference, case))
    assert problem is None, problem
    return arrays


def normalise(ex: Exercise, got):
    """Return (list of float arrays, None), or (None, why the value is not of the right type)."""
    items, problem = _items(ex, got)
    if items is None:
        return None, problem
    arrays = []
    for item, name in zip(items, ex.outputs, strict=False):
        array, problem = _array(ex, item, name)
        if array is None:
            return None, problem
        arrays.append(array)
    return arrays, None


def _items(ex: Exercise, got):
    """The outputs as a list, or (None, why not)."""
    if len(ex.outputs) == 1:
        return [got], None
    if not isinstance(got, (tuple, list)) or len(got) != len(ex.outputs):
        names = ", ".join(ex.outputs)
        return None, tr(
            "must return a tuple of {n} arrays ({names}); got {got}",
            n=len(ex.outputs),
            names=names,
            got=_describe(got),
        )
    return list(got), None


def _array(ex: Exercise, item, name: str):
    """One output as a float array, or (None, why it is not one)."""
    is_class = isinstance(ex.reference, type)  # a class exercise reads attributes, not return values
    label = _(name)
    if getattr(item, "type_name", None) == "StepError":
        return None, tr("{name}: a step raised {error}", name=label, error=getattr(item, "text", ""))
    if item is None:
        if is_class:
            return None, tr("{name} is None; it must be a numpy array (the bias: a number)", name=label)
        return None, tr("returned None for {name}: is a `return` missing?", name=label)
    if type(item) is not np.ndarray:  # subclasses and look-alikes are not trusted
        kind = getattr(item, "type_name", type(item).__name__)
        if is_class:
            return None, tr(
                "{name} is a {kind} ({value}); it must be a numpy array (the bias: a number)",
                name=label,
                kind=kind,
                value=_describe(item),
            )
        return None, tr(
            "returned a {kind} ({value}) for {name}; return a numpy array",
            kind=kind,
            value=_describe(item),
            name=label,
        )
    if item.dtype.kind == "c":
        return None, tr("returned complex numbers for {name}; the answer is real (float64)", name=label)
    if item.dtype.kind not in "biuf":
        return None, tr(
            "returned an array of dtype {dtype} for {name}, which is not an array of numbers",
            dtype=item.dtype,
            name=label,
        )
    return np.array(item, dtype=np.float64), None


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    """Same shape, finite, and equal to within RTOL/ATOL (a NaN or an infinity is never right)."""
    return (
        a.shape == b.shape and bool(np.all(np.isfinite(a))) and bool(np.allclose(a, b, rtol=RTOL, atol=ATOL))
    )


@dataclass
class Verdict:
    """How one answer compares with the truth: per output ok/not, what is wrong, and the likely cause."""

    ok: list
    problem: str = ""
    shape_error: bool = False
    cause: str = ""

    @property
    def passed(self) -> bool:
        """True when every output is right."""
        return bool(self.ok) and all(self.ok)


def judge(ex: Exercise, case: Case, got, expected: list | None = None, explain: bool = True) -> Verdict:
    """Compare the learner's raw return value ``got`` with the truth for ``case``.

    ``explain=False`` skips looking for the known mistake that explains a wrong answer (faster).
    """
    if expected is None:
        expected = expected_outputs(ex, case)
    arrays, problem = normalise(ex, got)
    if arrays is None:  # the outputs that are right still count (e.g. those before a step that raised)
        items, _problem = _items(ex, got)
        ok = [False] * len(expected)
        for k, (item, name, e) in enumerate(zip(items or [], ex.outputs, expected, strict=False)):
            a, _why = _array(ex, item, name)
            ok[k] = a is not None and a.shape == e.shape and _close(a, e)
        return Verdict(ok, problem, shape_error=True)
    for name, a, e in zip(ex.outputs, arrays, expected, strict=False):
        if a.shape != e.shape:  # that output is wrong; the others are still judged
            label = "" if len(ex.outputs) == 1 else f"{_(name)} "
            return Verdict(
                [x.shape == y.shape and _close(x, y) for x, y in zip(arrays, expected, strict=False)],
                label + tr("has shape {got}; expected {expected}", got=a.shape, expected=e.shape),
                shape_error=True,
                cause=likely_cause(ex, case, arrays, expected) if explain else "",
            )
    ok = [_close(a, e) for a, e in zip(arrays, expected, strict=False)]
    if all(ok):
        return Verdict(ok)
    wrong = [name for name, good in zip(ex.outputs, ok, strict=False) if not good]
    errors = [
        float(np.max(np.abs(a - e), initial=0.0))
        for a, e, good in zip(arrays, expected, ok, strict=False)
        if not good
    ]
    worst = max(errors) if errors else float("nan")
    if len(ex.outputs) == 1:
        problem = tr("wrong values (largest difference {worst})", worst=f"{worst:.3g}")
    else:
        where = _(" and ").join(_(name) for name in wrong)
        problem = tr(
            "wrong values in {outputs} (largest difference {worst})", outputs=where, worst=f"{worst:.3g}"
        )
    return Verdict(ok, problem, cause=likely_cause(ex, case, arrays, expected) if explain else "")


def likely_cause(ex: Exercise, case: Case, arrays: list, expected: list) -> str:
    """The first known mistake whose output equals the learner's (and differs from the truth)."""
    shape_only = ""
    for mistake in ex.mistakes:
        try:
            variant, _ = normalise(ex, run_case(mistake.func, case))
        except Exception:  # a variant may not exist for this geometry
            continue
        if variant is None or len(variant) != len(arrays):
            continue
        if all(_close(v, e) for v, e in zip(variant, expected, strict=False)):
            continue  # the mistake makes no difference here
        if all(_close(v, a) for v, a in zip(variant, arrays, strict=False)):
            return mistake.cause
        if not shape_only and [v.shape for v in variant] == [a.shape for a in arrays]:
            if [v.shape for v in variant] != [e.shape for e in expected]:
                shape_only = mistake.cause
    return shape_only


# ---------------------------------------------------------------- answers that raise

MESSAGE_LIMIT = 300  # characters of an exception's message kept (the grading sandbox sends no more)


@dataclass(frozen=True)
class Raised:
    """An exception an answer raised, as plain data: the check makes it from the live exception, the
    grader from the sandbox's reply (strings and numbers only; nothing in it is run).

    ``function``, ``line`` and ``code`` are the learner's innermost frame: the function, the line's
    number within its cell and the line's text ("" and 0 when unknown). ``cell`` is the notebook
    cell the grader ran it in (None in the check, where it is the learner's own cell).
    """

    kind: str
    message: str
    function: str = ""
    line: int = 0
    code: str = ""
    cell: int | None = None


def message_of(exc: BaseException) -> str:
    """An exception's message as both sides compare it: its first line, stripped, capped."""
    try:
        text = str(exc)
    except Exception:  # a learner's exception class may break its own __str__
        text = ""
    lines = text.strip().splitlines()
    return lines[0][:MESSAGE_LIMIT] if lines else ""


_SHAPE = re.compile(r"\(\s*(\d+(?:\s*,\s*\d+)*)\s*,?\s*\)")


def shapes_in(message: str) -> set:
    """The shapes an error message names, as tuples: ``(4,2)``, ``(2, 3)``, ``(5,)``.

    Examples
    --------
    >>> sorted(shapes_in("could not broadcast input array from shape (1,4,2) into shape (1,2,4)"))
    [(1, 2, 4), (1, 4, 2)]
    """
    return {tuple(int(v) for v in m.split(",")) for m in _SHAPE.findall(message)}


def _names_shape(shapes: set, shape: tuple) -> bool:
    """True when one of ``shapes`` is ``shape`` or its last two axes (a map inside it)."""
    return bool(shape) and (shape in shapes or (len(shape) > 2 and shape[-2:] in shapes))


def causes_of_error(ex: Exercise, case: Case, raised: Raised, most: int = 3) -> tuple:
    """The known mistakes that explain an answer that raised ``raised`` on ``case``: ``(strong,
    causes)``, the causes best first.

    Each known mistake is run on the same case. Strong explanations, best first: it raises the same
    exception with the same message; it raises the same type of exception naming the same shapes;
    it does not raise but returns the wrongly shaped array the message names (the learner's next
    line tried to use it). Weak (``strong`` False): it raises the same type of exception. The
    mistakes of the best kind found are returned (at most ``most``); none when no mistake explains it.
    """
    shapes = shapes_in(raised.message)
    ranks: list = [[], [], [], []]
    expected = None
    for mistake in ex.mistakes:
        try:
            got = run_case(mistake.func, case)
        except Exception as exc:
            if type(exc).__name__ != raised.kind:
                continue
            theirs = message_of(exc)
            if theirs == raised.message:
                ranks[0].append(mistake.cause)
            elif shapes and shapes_in(theirs) == shapes:
                ranks[1].append(mistake.cause)
            else:
                ranks[3].append(mistake.cause)
            continue
        if not shapes:
            continue
        arrays, _problem = normalise(ex, got)
        if arrays is None:
            continue
        if expected is None:
            expected = [e.shape for e in expected_outputs(ex, case)]
        if any(
            a.shape != e and _names_shape(shapes, a.shape) for a, e in zip(arrays, expected, strict=False)
        ):
            ranks[2].append(mistake.cause)
    for k, rank in enumerate(ranks):
        if rank:
            return k < 3, list(dict.fromkeys(rank))[:most]
    return False, []


def explain_error(ex: Exercise, case: Case, raised: Raised) -> str:
    """What the check and the grader say of the cause of an answer that raised ``raised`` on
    ``case`` (where the reference does not): ``likely cause: ...`` when a known mistake raises the
    same error there or its shapes explain the message, a weaker pointer when a known mistake only
    raises the same type of exception there, and "" when none does.

    A filter larger than the unpadded input, for instance, is what a forgotten padding runs into.
    """
    strong, causes = causes_of_error(ex, case, raised)
    return error_explanation(strong, causes, raised.kind)


def error_explanation(strong: bool, causes: list, kind: str) -> str:
    """The sentence :func:`explain_error` says of the known mistakes :func:`causes_of_error` found."""
    if not causes:
        return ""
    named = _("; or: ").join(_(cause) for cause in causes)
    if strong:
        return tr("likely cause: {cause}", cause=named)
    return tr("a known mistake that raises {kind} here too: {cause}", kind=kind, cause=named)
