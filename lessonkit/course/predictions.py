"""Predictions the learner commits to: ``lessonkit.predict(key, answer)`` judges, then reveals.

A lesson's "Predict" prompt is a code cell ``lessonkit.predict("06-shape", None)``. Run as it is, it
only says where the answer goes; the worked answer is nowhere in the notebook (not in the prompt,
its code, its output or the next cell), only here. With the learner's answer it says *right* and
shows the worked answer, or *not yet* and why (a known wrong answer is named: "those are the
unrotated weights"), and then how to try again or ask for the answer
(``lessonkit.predict(key, show=True)``). The grader never reads predictions; the stored output of a
prompt cell is its unanswered state, so nbval stays strict.

Kinds of answer (:class:`Question.kind`):

* ``"number"``: an int or float (or its text), equal to within 1e-9;
* ``"shape"``: a tuple of ints, e.g. ``(2, 4, 4)``;
* ``"formula"``: text such as ``"d(1,1)*w(1,2) + d(1,2)*w(1,1)"``, parsed with sympy (``d`` or
  ``delta``, ``w``, ``a`` are the lecture's δ, w and a; 1-based) and compared symbolically;
* ``"choice"``: one of the question's ``choices`` (case, spaces, ``_``, braces and commas do not
  matter: ``"a_{2,1}"`` is ``"a21"``);
* ``"set"``: a set of tuples, e.g. ``{(1, 1), (1, 2)}``.

The English texts are messages of lessonkit's catalogs (``lessonkit/locale``), so a Chinese
notebook's learner reads them in Chinese.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

from .i18n import _, tr
from .questions import QUESTIONS, Question

__all__ = ["QUESTIONS", "Question", "judge_prediction", "predict", "revealed"]

_REVEALED: set = set()  # the predictions answered right or shown in this kernel

# ---------------------------------------------------------------- reading an answer


def _formula(text):
    import sympy
    from sympy.parsing.sympy_parser import parse_expr, standard_transformations

    from ..maths import symbolic as sy

    if isinstance(text, sympy.Basic):
        return text
    if not isinstance(text, str):
        raise TypeError('a formula is text, e.g. "d(1,1)*w(1,2)"')
    names = {"d": sy.delta, "delta": sy.delta, "δ": sy.delta, "w": sy.w, "a": sy.a, "w_b": sy.w_b()}
    # The learner's own text in the learner's own kernel: parse_expr's eval runs nothing they could
    # not run by typing it into a cell. The grader never calls this.
    return parse_expr(text.replace("^", "**"), local_dict=names, transformations=standard_transformations)


def _number(value) -> float:
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, str)):
        raise TypeError("a number, e.g. 4 or 0.25")
    return float(value)


def _shape(value) -> tuple:
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return (int(value),)
    items = tuple(value)
    if not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in items):
        raise TypeError("a tuple of whole numbers, e.g. (2, 4, 4)")
    return tuple(int(v) for v in items)


def _set(value) -> frozenset:
    if isinstance(value, (str, bytes)):
        raise TypeError("a set of pairs, e.g. {(1, 1), (1, 2)}")
    return frozenset(tuple(v) if isinstance(v, (tuple, list)) else v for v in value)


def _choice(value) -> str:
    if not isinstance(value, str):
        raise TypeError('one of the choices, as text, e.g. "b"')
    return "".join(ch for ch in value.lower() if ch not in " _{},")  # "a_{2,1}", "A21": "a21"


READ = {"number": _number, "shape": _shape, "formula": _formula, "choice": _choice, "set": _set}


def _same(kind: str, a, b) -> bool:
    if kind == "number":
        return abs(a - b) <= 1e-9 * max(1.0, abs(b))
    if kind == "formula":
        import sympy

        return sympy.simplify(sympy.expand(a - b)) == 0
    return a == b


def _terms(expr) -> int:
    import sympy

    expanded = sympy.expand(expr)
    return len(sympy.Add.make_args(expanded)) if expanded != 0 else 0


def _why_not(q: Question, got, want) -> str:
    """Why ``got`` is not the answer, in general terms for its kind (the answer stays hidden)."""
    if q.kind == "shape":
        if len(got) != len(want):
            return tr("yours has {k} axes; the answer has {m}", k=len(got), m=len(want))
        axes = ", ".join(str(k) for k, (g, w) in enumerate(zip(got, want, strict=True)) if g != w)
        return tr("the axes that differ: {axes} (counted from 0)", axes=axes)
    if q.kind == "formula":
        k, m = _terms(got), _terms(want)
        if k != m:
            return tr("yours has {k} terms; the answer has {m}", k=k, m=m)
        return tr("yours has the right number of terms, {m}, but not the same ones", m=m)
    if q.kind == "set":
        if len(got) != len(want):
            return tr("yours has {k} elements; the answer has {m}", k=len(got), m=len(want))
        return tr("{n} of yours are not in the answer", n=len(got - want))
    if q.kind == "number":
        return _("yours is too large") if got > want else _("yours is too small")
    return _("not that one")


@dataclass(frozen=True)
class Judgement:
    """The verdict on one answer: ``status`` is "unanswered", "right", "not yet" or "unreadable"."""

    status: str
    why: str = ""


def judge_prediction(key: str, answer: object) -> Judgement:
    """Judge ``answer`` to prediction ``key`` without printing anything."""
    q = question(key)
    if answer is None:
        return Judgement("unanswered")
    try:
        got = READ[q.kind](answer)
    except Exception as exc:  # the learner's text may be anything; say what form is wanted
        return Judgement(
            "unreadable", tr("could not read {answer!r} as the answer: {why}", answer=answer, why=exc)
        )
    want = READ[q.kind](q.answer)
    if q.kind == "choice" and got not in {READ["choice"](c) for c in q.choices}:
        return Judgement("unreadable", tr("the choices are {choices}", choices=", ".join(q.choices)))
    if _same(q.kind, got, want):
        return Judgement("right")
    for wrong, why in q.wrong:
        if _same(q.kind, got, READ[q.kind](wrong)):
            return Judgement("not yet", _(why))
    return Judgement("not yet", _why_not(q, got, want))


def question(key: str) -> Question:
    """The registered prediction ``key``; ValueError naming the keys when there is none."""
    if key not in QUESTIONS:
        raise ValueError(f"key must be a prediction of the lessons ({', '.join(QUESTIONS)}); got {key!r}")
    return QUESTIONS[key]


def _markdown(text: str) -> None:
    """Show Markdown rendered in a notebook, as text elsewhere."""
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display
    except ImportError:  # pragma: no cover - IPython ships with the course
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display(Markdown(text))
    else:
        print(text)


def predict(key: str, answer: object = None, *, show: bool = False) -> None:
    """Judge the learner's ``answer`` to the lesson's prediction ``key``; reveal the worked answer once right.

    ``answer=None`` (the prompt as the lesson ships it) says where the answer goes and reveals
    nothing. ``show=True`` reveals the worked answer whatever the answer (after trying).

    Examples
    --------
    >>> predict("06-shape", (3, 3, 3))
    06-shape: not yet: the axes that differ: 0, 2 (counted from 0)
    Try again, or see the worked answer: lessonkit.predict("06-shape", show=True)
    """
    q = question(key)
    verdict = judge_prediction(key, answer)
    if verdict.status == "unanswered" and not show:
        print(tr("{key}: write your prediction in place of None, then run this cell.", key=key))
        return
    if verdict.status == "right":
        print(tr("{key}: right.", key=key))
    elif verdict.status != "unanswered":  # say why not before any worked answer, asked for or not
        if verdict.status == "not yet":
            print(tr("{key}: not yet: {why}", key=key, why=verdict.why))
        else:
            print(tr("{key}: {why}", key=key, why=verdict.why))
        if not show:
            print(
                tr(
                    "Try again, or see the worked answer: {call}",
                    call=f'lessonkit.predict("{key}", show=True)',
                )
            )
            return
    _REVEALED.add(key)
    _markdown(_(q.reveal))
    if q.show is not None:
        q.show()


def revealed(key: str) -> bool:
    """True once prediction ``key`` was answered right or shown in this kernel; else say so, False.

    A lesson's cell that would show the answer runs its demonstration under ``if lk.revealed(key):``,
    so a fresh notebook (and its stored output) shows the answer nowhere.

    Examples
    --------
    >>> revealed("06-overlap")  # doctest: +ELLIPSIS
    06-overlap: answer the prediction above first (or lessonkit.predict("06-overlap", show=True)); ...
    False
    """
    question(key)
    if key in _REVEALED:
        return True
    print(
        tr(
            "{key}: answer the prediction above first (or {call}); this cell then shows why.",
            key=key,
            call=f'lessonkit.predict("{key}", show=True)',
        )
    )
    return False
