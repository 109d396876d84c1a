"""Judging one answer: the same comparison and explanation for the learner's check and the grader."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .exercises.base import Case, Exercise, run_case

RTOL, ATOL = 1e-6, 1e-9


def _describe(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def normalise(ex: Exercise, got):
    """Return (list of float arrays, None), or (None, why the value is not of the right type)."""
    if len(ex.outputs) == 1:
        items = [got]
    else:
        if not isinstance(got, (tuple, list)) or len(got) != len(ex.outputs):
            names = ", ".join(ex.outputs)
            return None, f"must return a tuple of {len(ex.outputs)} arrays ({names}); got {_describe(got)}"
        items = list(got)
    arrays = []
    for item, name in zip(items, ex.outputs, strict=False):
        if item is None:
            return None, f"returned None for {name}: is a `return` missing?"
        if type(item) is not np.ndarray:  # subclasses and look-alikes are not trusted
            kind = getattr(item, "type_name", type(item).__name__)
            return None, f"returned a {kind} ({_describe(item)}) for {name}; return a numpy array"
        if item.dtype.kind == "c":
            return None, f"returned complex numbers for {name}; the answer is real (float64)"
        if item.dtype.kind not in "biuf":
            return (
                None,
                f"returned an array of dtype {item.dtype} for {name}, which is not an array of numbers",
            )
        arrays.append(np.array(item, dtype=np.float64))
    return arrays, None


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
        expected = ex.expected(case)
    arrays, problem = normalise(ex, got)
    if arrays is None:
        return Verdict([False] * len(expected), problem, shape_error=True)
    for name, a, e in zip(ex.outputs, arrays, expected, strict=False):
        if a.shape != e.shape:  # that output is wrong; the others are still judged
            label = "" if len(ex.outputs) == 1 else f"{name} "
            return Verdict(
                [x.shape == y.shape and _close(x, y) for x, y in zip(arrays, expected, strict=False)],
                f"{label}has shape {a.shape}; expected {e.shape}",
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
    label = "" if len(ex.outputs) == 1 else " in " + " and ".join(wrong)
    worst = max(errors) if errors else float("nan")
    problem = f"wrong values{label} (largest difference {worst:.3g})"
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


def cause_of_error(ex: Exercise, case: Case) -> str:
    """The first known mistake that also raises on ``case`` (the reference does not): the likely cause
    of an answer that raised there, or "".

    A filter larger than the unpadded input, for instance, is what a forgotten padding runs into.
    """
    for mistake in ex.mistakes:
        try:
            run_case(mistake.func, case)
        except Exception:
            return mistake.cause
    return ""
