"""What every exercise is made of: cases, known mistakes, case tables and the geometries they draw."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from ...maths.activations import Identity, ReLU, Sigmoid, Tanh
from .steps import run_steps

ACTIVATIONS = {"identity": Identity(), "relu": ReLU(), "sigmoid": Sigmoid(), "tanh": Tanh()}


@dataclass(frozen=True)
class Case:
    """One call: a label a learner can read, the arguments, and the group it scores in."""

    label: str
    args: tuple
    kwargs: dict = field(default_factory=dict)
    group: str = ""
    steps: tuple = ()  # a class exercise: what is done with the object the call made (see run_case)


def run_case(
    fn: Callable, case: Case, args: tuple | None = None, kwargs: dict | None = None, keep_going: bool = False
):
    """``fn(*args, **kwargs)``; for a class exercise, then the case's steps on the object it made.

    A step is ``("set", attr, value)``, ``("get", attr)``, ``("start", attr)`` or
    ``("call", method, args, keep)``; the values that ``get``, ``start`` and a kept ``call`` read are
    returned as a tuple, copied when read (a later step cannot change them), numbers as 0-d float
    arrays. ``start`` reads a new object's array as ``[*shape, in (-1e-4, 1e-4) and finite, not all
    equal]``. With ``keep_going`` (the grader), a step that raises does not stop the case: it and
    every output after it is a :class:`~lessonkit.course.exercises.steps.StepError`, so the outputs
    before it still earn their points.
    The steps are :func:`lessonkit.course.exercises.steps.run_steps`, the loop the grading sandbox's
    runner runs too.

    Examples
    --------
    >>> class Box:
    ...     def __init__(self, n):
    ...         self.items = np.zeros(n)
    ...     def grow(self, k):
    ...         self.items = np.zeros(len(self.items) + k)
    >>> steps = (("get", "items"), ("call", "grow", (3,), False), ("get", "items"))
    >>> run_case(Box, Case("a box", (2,), steps=steps))
    (array([0., 0.]), array([0., 0., 0., 0., 0.]))
    """
    made = fn(*(case.args if args is None else args), **(case.kwargs if kwargs is None else kwargs))
    if not case.steps:
        return made
    return run_steps(made, case.steps, keep_going=keep_going)


def describe_steps(steps: tuple) -> str:
    """The steps of a class exercise's case in words: ``"read weights.shape; update(0.1); ..."``."""
    words = []
    for op, name, *rest in steps:
        if op == "set":
            words.append(("set", name))
        elif op == "call":
            args = ", ".join(f"{a:g}" if isinstance(a, float) else repr(a) for a in rest[0])
            words.append(("call", f"{name}({args})"))
        else:
            words.append(("read", name))
    parts: list = []
    for kind, text in words:
        if parts and parts[-1][0] == kind and kind != "call":
            parts[-1][1].append(text)
        else:
            parts.append((kind, [text]))
    return "; ".join(
        ", ".join(texts) if kind == "call" else f"{kind} {', '.join(texts)}" for kind, texts in parts
    )


@dataclass(frozen=True)
class Mistake:
    """A known wrong variant of the computation and the sentence that explains it."""

    cause: str
    func: Callable


@dataclass(frozen=True)
class Exercise:
    """An exercise: the graded function's name, notebook, reference, case table, groups and mistakes.

    ``groups`` maps each group of cases to its points. It is a declaration, checked when the exercise
    is made: its groups must be exactly the table's groups plus those ``split`` scores outputs in.
    """

    name: str
    notebook: str
    reference: Callable
    table: CaseTable
    groups: dict[str, int]
    mistakes: tuple = ()
    outputs: tuple = ("result",)
    split: tuple = (None,)
    teaches: tuple = ()  # the lessonkit units ("module.name") later exercises may use
    partial: dict = field(default_factory=dict)  # mistake name -> share of a group's points (course.toml)

    def __post_init__(self) -> None:
        scored = set(self.table.groups) | {g for g in self.split if g is not None}
        if set(self.groups) != scored:
            raise ValueError(
                f"groups of exercise {self.name!r} must be the case table's groups and the split's, "
                f"{sorted(scored)}; got {sorted(self.groups)}"
            )
        bad = {g: v for g, v in self.groups.items() if not isinstance(v, int) or v < 1}
        if bad:
            raise ValueError(f"groups of exercise {self.name!r} must score positive integers; got {bad}")
        if len(self.split) != len(self.outputs):
            raise ValueError(
                f"split of exercise {self.name!r} must have one entry per output {self.outputs}; "
                f"got {self.split}"
            )

    def public(self) -> list:
        """The check's cases, easy to hard (the same every time)."""
        return self.table.public()

    def hidden(self, rng: np.random.Generator) -> list:
        """The grader's cases for one seed."""
        return self.table.hidden(rng)

    @property
    def max_points(self) -> int:
        """Points for a fully correct function."""
        return sum(self.groups.values())

    def groups_of(self, case: Case) -> list:
        """The group each output of ``case`` scores in."""
        return [case.group if g is None else g for g in self.split]


# ---------------------------------------------------------------- case builders


def _ints(rng, shape) -> np.ndarray:
    """Small integers as floats: public cases stay readable."""
    return rng.integers(-3, 4, size=shape).astype(np.float64)


def _normal(rng, shape) -> np.ndarray:
    return rng.normal(size=shape)


def geom_label(D, N, H, W, Fh, Fw, S, P) -> str:
    return f"D={D}, N={N}, {H}x{W} input, {Fh}x{Fw} filter, S={S}, P={P}"


LECTURE = (1, 1, 3, 3, 2, 2, 1, 0)  # the lecture's 3x3 input and 2x2 filter

LECTURE_GROUP = "the lecture's case (3x3 input, 2x2 filter)"

# ---------------------------------------------------------------- case tables
#
# Each exercise's cases come from one table. Every group of hidden cases is the group's fixed core
# (the very geometries of the public cases of that group, with fresh random values) plus one case
# drawn at random *within the group's kind*: a stride group always has a stride that matters
# (S > 1, at least two outputs per axis), a rotation-sensitive group never draws a 1x1 or symmetric
# filter (values are continuous), a ReLU case always has nets of both signs. So a function's points
# do not depend on the seed, and a function that passes the public check passes every core.


@dataclass(frozen=True)
class CaseTable:
    """The public and hidden cases of one exercise (see the comment above)."""

    core: tuple  # (group, label prefix, spec), easy to hard: the public cases, in order
    random: dict  # group -> draw(rng) -> spec: one more case of the group's kind
    make: Callable  # make(values, group, spec, label) -> Case
    label: Callable  # label(spec) -> str
    seed: int  # of the public cases' values
    first: tuple = ()  # public cases shown first, with hand-checkable numbers

    @property
    def groups(self) -> tuple:
        """The groups, in the order of the core."""
        return tuple(dict.fromkeys(g for g, _, _ in self.core))

    def public(self) -> list:
        """The check's cases: ``first``, then the core with small integers (the last with decimals)."""
        r = np.random.default_rng(self.seed)
        cases = list(self.first)
        for k, (group, prefix, spec) in enumerate(self.core):
            last = k == len(self.core) - 1
            values = partial(_decimals, r) if last else partial(_ints, r)
            cases.append(self.make(values, group, spec, prefix + self.label(spec)))
        return cases

    def hidden(self, rng: np.random.Generator) -> list:
        """The grader's cases: per group, its core with random values and one random case of its kind."""
        values = partial(_normal, rng)
        cases = []
        for group in self.groups:
            for g, prefix, spec in self.core:
                if g == group:
                    cases.append(self.make(values, group, spec, prefix + self.label(spec)))
            spec = self.random[group](rng)
            cases.append(self.make(values, group, spec, self.label(spec)))
        return cases


def _decimals(rng, shape) -> np.ndarray:
    """Values with two decimals: an answer that rounds to integers is caught by the check too."""
    return np.round(rng.normal(size=shape) * 2, 2)


def draw(rng, *, D=(1, 1), N=(1, 1), F=(2, 3), S=(1, 1), P=(0, 0), distinct=False, hmax=8):
    """A random geometry (D, N, H, W, Fh, Fw, S, P) with at least two outputs along each axis."""

    def pick(lo_hi):
        return int(rng.integers(lo_hi[0], lo_hi[1] + 1))

    d, n, s, p, fh = pick(D), pick(N), pick(S), pick(P), pick(F)
    fw = pick(F)
    while distinct and fw == fh:
        fw = pick(F)
    sizes = []
    for f in (fh, fw):
        lo = max(1, s + f - 2 * p)  # H + 2P - F >= S: two outputs, so the stride matters
        sizes.append(int(rng.integers(lo, max(lo, hmax) + 1)))
    return d, n, sizes[0], sizes[1], fh, fw, s, p


def geom_text(spec) -> str:
    return geom_label(*spec)


def shape_text(shape) -> str:
    return f"{shape[0]}x{shape[1]}" if len(shape) == 2 else f"shape {tuple(shape)}"


def array_and_int(values, group, spec, label) -> Case:
    """A case of pad(x, p) or dilate(delta, stride): spec = (shape of the array, the integer)."""
    shape, k = spec
    return Case(label, (values(shape), k), group=group)


# ---------------------------------------------------------------- geometries of the two backward exercises

# The groups of the two backward exercises, easy to hard.
STRIDE_ONE = "stride 1, one channel"
STRIDE = "stride S > 1"
PADDING = "padding P >= 0, including P > F - 1"
DEPTH = "depth D and N filters"
EVERYTHING = "non-square, F = 1, and everything at once"

# bp_delta_map and compute_gradient share their geometries.
BACKWARD_CORE = (
    (LECTURE_GROUP, "the lecture's sizes: ", LECTURE),
    (STRIDE_ONE, "", (1, 1, 4, 4, 3, 3, 1, 0)),
    (STRIDE_ONE, "non-square filter: ", (1, 1, 5, 4, 2, 3, 1, 0)),
    (STRIDE, "stride 2: ", (1, 1, 5, 5, 3, 3, 2, 0)),
    (STRIDE, "stride that does not divide H - F + 2P: ", (1, 1, 6, 7, 3, 2, 2, 0)),
    (STRIDE, "stride 3, remainder 2: ", (1, 1, 8, 8, 3, 3, 3, 0)),
    (STRIDE, "1x1 filter, stride 2: ", (1, 1, 6, 5, 1, 1, 2, 0)),
    (PADDING, "padding 1, non-square filter: ", (1, 1, 4, 5, 3, 2, 1, 1)),
    (PADDING, "padding > F-1: ", (1, 1, 3, 3, 2, 2, 1, 2)),
    (PADDING, "1x1 filter, padding 2: ", (1, 1, 3, 4, 1, 1, 1, 2)),
    (PADDING, "filter taller than the input (padding makes room): ", (1, 1, 2, 3, 3, 2, 1, 1)),
    (DEPTH, "depth and filters: ", (3, 2, 4, 4, 2, 2, 1, 0)),
    (DEPTH, "one channel, three filters: ", (1, 3, 4, 4, 2, 2, 1, 0)),
    (DEPTH, "three channels, one filter: ", (3, 1, 4, 7, 2, 3, 1, 0)),
    (EVERYTHING, "1x1 filter, depth and filters: ", (2, 3, 4, 6, 1, 1, 1, 0)),
    (EVERYTHING, "filter as large as the input: ", (1, 2, 3, 5, 3, 5, 1, 0)),
    (EVERYTHING, "non-square, all together: ", (2, 3, 5, 7, 3, 2, 2, 1)),
    (EVERYTHING, "filter taller than the input, stride 2, padding 2: ", (2, 2, 2, 3, 3, 2, 2, 2)),
    (EVERYTHING, "all together, stride 3 leaving 2 > P rows and columns unread: ", (3, 2, 8, 9, 2, 3, 3, 1)),
)

BACKWARD_RANDOM = {
    LECTURE_GROUP: lambda rng: LECTURE,
    STRIDE_ONE: lambda rng: draw(rng, F=(2, 4)),
    STRIDE: lambda rng: draw(rng, S=(2, 3)),
    PADDING: lambda rng: draw(rng, P=(1, 3)),
    DEPTH: lambda rng: draw(rng, D=(2, 4), N=(2, 4)),
    EVERYTHING: lambda rng: draw(rng, D=(1, 3), N=(1, 3), S=(2, 3), P=(1, 3), distinct=True),
}
