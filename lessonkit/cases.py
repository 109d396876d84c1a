"""The exercises: their public cases (in-notebook checks), hidden cases (grader) and known mistakes.

Every exercise mirrors a lessonkit function. Expected values always come from lessonkit's core; a
known mistake is a deliberately wrong variant of the same computation, so an answer that equals a
variant (and not the truth) can be explained to the learner ("filter not rotated", ...).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from .activations import Identity, ReLU, Sigmoid, Tanh
from .conv import _restore_stride_one, bp_delta_map, compute_gradient, conv_forward
from .ops import _pad2, correlate2d, dilate, pad, rot180

__all__ = ["Case", "Mistake", "Exercise", "EXERCISES", "ACTIVATIONS", "normalise", "judge", "Verdict"]

ACTIVATIONS = {"identity": Identity(), "relu": ReLU(), "sigmoid": Sigmoid(), "tanh": Tanh()}

RTOL, ATOL = 1e-6, 1e-9


@dataclass(frozen=True)
class Case:
    """One call: a label a learner can read, the arguments, and the group it scores in."""

    label: str
    args: tuple
    kwargs: dict = field(default_factory=dict)
    group: str = ""


@dataclass(frozen=True)
class Mistake:
    """A known wrong variant of the computation and the sentence that explains it."""

    cause: str
    func: Callable


@dataclass(frozen=True)
class Exercise:
    """An exercise: the graded function's name, notebook, reference, cases, groups and mistakes."""

    name: str
    notebook: str
    reference: Callable
    public: Callable[[], list]
    hidden: Callable[[np.random.Generator], list]
    groups: dict
    mistakes: tuple = ()
    outputs: tuple = ("result",)
    split: tuple = (None,)
    teaches: tuple = ()  # the lessonkit units ("module.name") later exercises may use

    @property
    def max_points(self) -> int:
        """Points for a fully correct function."""
        return sum(self.groups.values())

    def expected(self, case: Case) -> list:
        """The reference outputs of ``case`` as a list of float arrays."""
        arrays, problem = normalise(self, self.reference(*case.args, **case.kwargs))
        assert problem is None, problem
        return arrays

    def groups_of(self, case: Case) -> list:
        """The group each output of ``case`` scores in."""
        return [case.group if g is None else g for g in self.split]


# ---------------------------------------------------------------- comparing answers


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
            variant, _ = normalise(ex, mistake.func(*case.args, **case.kwargs))
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


# ---------------------------------------------------------------- case builders


def _ints(rng, shape) -> np.ndarray:
    """Small integers as floats: public cases stay readable."""
    return rng.integers(-3, 4, size=shape).astype(np.float64)


def _normal(rng, shape) -> np.ndarray:
    return rng.normal(size=shape)


def _geom_label(D, N, H, W, Fh, Fw, S, P) -> str:
    return f"D={D}, N={N}, {H}x{W} input, {Fh}x{Fw} filter, S={S}, P={P}"


def _bp_case(values, group, geom, label=None) -> Case:
    D, N, H, W, Fh, Fw, S, P = geom
    ho, wo = (H - Fh + 2 * P) // S + 1, (W - Fw + 2 * P) // S + 1
    delta, w = values((N, ho, wo)), values((N, D, Fh, Fw))
    return Case(label or _geom_label(*geom), (delta, w, (D, H, W)), {"stride": S, "padding": P}, group)


def _cg_case(values, group, geom, label=None) -> Case:
    D, N, H, W, Fh, Fw, S, P = geom
    ho, wo = (H - Fh + 2 * P) // S + 1, (W - Fw + 2 * P) // S + 1
    delta, x = values((N, ho, wo)), values((D, H, W))
    return Case(label or _geom_label(*geom), (delta, x, (N, D, Fh, Fw)), {"stride": S, "padding": P}, group)


def _fwd_case(values, group, geom, label=None) -> Case:
    D, N, H, W, Fh, Fw, S, P = geom
    x, w, b = values((D, H, W)), values((N, D, Fh, Fw)), values((N,))
    return Case(label or _geom_label(*geom), (x, w, b), {"stride": S, "padding": P}, group)


def _layer_case(values, group, spec, label=None) -> Case:
    activation, (D, N, H, W, Fh, Fw, S, P) = spec
    ho, wo = (H - Fh + 2 * P) // S + 1, (W - Fw + 2 * P) // S + 1
    for _ in range(100):  # ReLU cases always have nets on both sides of 0, none at 0
        g, x, w, b = values((N, ho, wo)), values((D, H, W)), values((N, D, Fh, Fw)), values((N,))
        net = conv_forward(x, w, b, S, P)
        if activation != "relu" or (
            (net > 0).sum() >= 2 and (net < 0).sum() >= 2 and np.abs(net).min() > 1e-6
        ):
            break
    text = label or f"{activation}, " + _geom_label(D, N, H, W, Fh, Fw, S, P)
    return Case(text, (g, x, w, b, activation), {"stride": S, "padding": P}, group)


LECTURE = (1, 1, 3, 3, 2, 2, 1, 0)  # the lecture's 3x3 input and 2x2 filter


# ---------------------------------------------------------------- mistakes: wrong variants


def _bp_variant(
    delta,
    w,
    input_shape,
    stride=1,
    padding=0,
    *,
    rotate=True,
    use_stride=True,
    extend=True,
    sum_filters=True,
    crop="right",
):
    """bp_delta_map with one thing done wrong (see the keyword arguments)."""
    delta, w = np.asarray(delta, float), np.asarray(w, float)
    D, H, W = input_shape
    N, _, fh, fw = w.shape
    s, p = stride, padding
    h1, w1 = H + 2 * p - fh + 1, W + 2 * p - fw + 1
    if not use_stride:
        d1 = np.zeros((N, h1, w1))
        d1[:, : delta.shape[1], : delta.shape[2]] = delta[:, :h1, :w1]
    elif extend:
        d1 = _restore_stride_one(delta, h1, w1, s)
    else:
        d1 = dilate(delta, s)
    full = _pad2(d1, fh - 1, fw - 1)
    k = rot180(w) if rotate else w
    hp, wp = full.shape[1] - fh + 1, full.shape[2] - fw + 1
    g = np.zeros((D, hp, wp))
    for d in range(D):
        for n in range(N):
            c = correlate2d(full[n], k[n, d])
            g[d] = g[d] + c if sum_filters else c
    if crop == "none":
        return g
    if crop == "p:-p":
        return g[:, p:-p, p:-p]
    return g[:, p : p + H, p : p + W]


BP_MISTAKES = (
    Mistake(
        "filter not rotated: dE/da^{l-1} is cross(pad(δ, F-1), rot180(W)); without rot180 each δ "
        "meets the weights in the wrong order",
        partial(_bp_variant, rotate=False),
    ),
    Mistake(
        "stride ignored: at stride S, δ must first be dilated (S-1 zeros between entries) back to "
        "the stride-1 map before padding it with F-1 zeros",
        partial(_bp_variant, use_stride=False),
    ),
    Mistake(
        "padding not cropped: the forward read pad(x, P), so the result of the full correlation "
        "has P extra rows and columns on each side; crop them to get shape (D, H, W)",
        partial(_bp_variant, crop="none"),
    ),
    Mistake(
        "crop with p:-p: for P = 0, x[0:-0] is empty; crop with explicit ends, g[:, P:P+H, P:P+W]",
        partial(_bp_variant, crop="p:-p"),
    ),
    Mistake(
        "rows the stride never reaches are missing: when S does not divide H - F + 2P, extend the "
        "dilated δ with zeros to the stride-1 size (H + 2P - F + 1) so those inputs get gradient 0",
        partial(_bp_variant, extend=False),
    ),
    Mistake(
        "not summed over the N filters: each input channel d gets sum over n of the "
        "contributions of filter n (the code keeps only the last one)",
        partial(_bp_variant, sum_filters=False),
    ),
)


def _cg_variant(
    delta,
    x,
    filter_shape,
    stride=1,
    padding=0,
    *,
    use_stride=True,
    use_padding=True,
    rotate=False,
    bias="sum",
):
    """compute_gradient with one thing done wrong."""
    delta, x = np.asarray(delta, float), np.asarray(x, float)
    N, D, fh, fw = filter_shape
    s, p = stride, padding
    H, W = x.shape[1:]
    if use_stride:
        d1 = _restore_stride_one(delta, H + 2 * p - fh + 1, W + 2 * p - fw + 1, s)
    else:
        d1 = delta
    xp = pad(x, p) if use_padding else x
    k = rot180(d1) if rotate else d1
    dW = np.array([[correlate2d(xp[d], k[n]) for d in range(D)] for n in range(N)])
    if bias == "mean":
        db = delta.mean(axis=(1, 2))
    elif bias == "total":
        db = np.full(N, delta.sum())
    else:
        db = delta.sum(axis=(1, 2))
    return dW, db


CG_MISTAKES = (
    Mistake(
        "bias averaged instead of summed: every net^l contains w_b once, so dE/dw_b is the sum of "
        "δ over the whole map, not its mean",
        partial(_cg_variant, bias="mean"),
    ),
    Mistake(
        "bias summed over all filters: db has one entry per filter, db[n] = sum of δ_n",
        partial(_cg_variant, bias="total"),
    ),
    Mistake(
        "stride ignored: at stride S, dilate δ (S-1 zeros between entries) before using it as the "
        "kernel over the input",
        partial(_cg_variant, use_stride=False),
    ),
    Mistake(
        "padding ignored: δ slides over pad(x, P), the input the forward pass actually read",
        partial(_cg_variant, use_padding=False),
    ),
    Mistake(
        "δ rotated: the weight gradient is a cross-correlation of the input with δ, no rot180",
        partial(_cg_variant, rotate=True),
    ),
)


def _fwd_variant(
    x, w, b, stride=1, padding=0, *, rotate=False, bias="once", use_stride=True, use_padding=True
):
    """conv_forward with one thing done wrong."""
    x, w, b = np.asarray(x, float), np.asarray(w, float), np.asarray(b, float)
    xp = pad(x, padding) if use_padding else x
    k = rot180(w) if rotate else w
    s = stride if use_stride else 1
    out = []
    for n in range(w.shape[0]):
        acc = sum(correlate2d(xp[d], k[n, d], s) for d in range(x.shape[0]))
        if bias == "once":
            acc = acc + b[n]
        elif bias == "per-channel":
            acc = acc + x.shape[0] * b[n]
        out.append(acc)
    return np.array(out)


FWD_MISTAKES = (
    Mistake(
        "bias missing: net^l = sum over d of the correlations, plus w_b", partial(_fwd_variant, bias="none")
    ),
    Mistake(
        "bias added once per input channel: add b[n] once per filter, after summing over d",
        partial(_fwd_variant, bias="per-channel"),
    ),
    Mistake(
        "filter rotated: the forward pass is a cross-correlation (no flip), as in the lecture",
        partial(_fwd_variant, rotate=True),
    ),
    Mistake("stride ignored: move the window S positions at a time", partial(_fwd_variant, use_stride=False)),
    Mistake("padding ignored: correlate pad(x, P), not x", partial(_fwd_variant, use_padding=False)),
)


def layer_backward_reference(grad_output, x, w, b, activation, stride=1, padding=0):
    """δ^l = dE/da^l ∘ f'(net^l); returns (dE/da^{l-1}, dW, db)."""
    act = ACTIVATIONS[activation]
    net = conv_forward(x, w, b, stride, padding)
    delta = np.asarray(grad_output, float) * act.derivative(net)
    dW, db = compute_gradient(delta, x, np.shape(w), stride, padding)
    return bp_delta_map(delta, w, np.shape(x), stride, padding), dW, db


def _layer_variant(grad_output, x, w, b, activation, stride=1, padding=0, *, fprime="net", bp=None, cg=None):
    """layer_backward with one thing done wrong."""
    act = ACTIVATIONS[activation]
    net = conv_forward(x, w, b, stride, padding)
    g = np.asarray(grad_output, float)
    if fprime == "net":
        delta = g * act.derivative(net)
    elif fprime == "output":
        delta = g * act.derivative(act.forward(net))
    else:
        delta = g
    dW, db = _cg_variant(delta, x, np.shape(w), stride, padding, **(cg or {}))
    return _bp_variant(delta, w, np.shape(x), stride, padding, **(bp or {})), dW, db


LAYER_MISTAKES = (
    Mistake(
        "f' not applied: δ^l = dE/da^l ∘ f'(net^l) before anything is sent back",
        partial(_layer_variant, fprime="none"),
    ),
    Mistake(
        "f' evaluated at the output a^l = f(net^l) instead of at net^l",
        partial(_layer_variant, fprime="output"),
    ),
    Mistake(
        "bias averaged instead of summed: dE/dw_b is the sum of δ over the map",
        partial(_layer_variant, cg={"bias": "mean"}),
    ),
    Mistake("filter not rotated in dE/da^{l-1}", partial(_layer_variant, bp={"rotate": False})),
)


# ---------------------------------------------------------------- the exercises


PAD_MISTAKES = (
    Mistake(
        "leading axes padded too: pad only the last two axes (H and W), leave D and N alone",
        lambda x, p: np.pad(np.asarray(x, float), p),
    ),
    Mistake(
        "padded on one side only: add p zeros above, below, left and right",
        lambda x, p: np.pad(np.asarray(x, float), [(0, 0)] * (np.ndim(x) - 2) + [(0, p), (0, p)]),
    ),
)


ROT_MISTAKES = (
    Mistake(
        "rotated the first two axes (np.rot90's default): rotate the last two, "
        "e.g. np.rot90(w, 2, axes=(-2, -1))",
        lambda w: np.rot90(np.asarray(w, float), 2),
    ),
    Mistake(
        "rows flipped only: a 180-degree rotation flips rows and columns",
        lambda w: np.asarray(w, float)[..., ::-1, :],
    ),
    Mistake(
        "columns flipped only: a 180-degree rotation flips rows and columns",
        lambda w: np.asarray(w, float)[..., ::-1],
    ),
    Mistake("transposed, not rotated", lambda w: np.swapaxes(np.asarray(w, float), -1, -2)),
)


def _dilate_too_many(delta, stride):
    delta = np.asarray(delta, float)
    h, w = delta.shape[-2:]
    out = np.zeros(delta.shape[:-2] + ((h - 1) * (stride + 1) + 1, (w - 1) * (stride + 1) + 1))
    out[..., :: stride + 1, :: stride + 1] = delta
    return out


def _dilate_trailing(delta, stride):
    delta = np.asarray(delta, float)
    h, w = delta.shape[-2:]
    out = np.zeros(delta.shape[:-2] + (h * stride, w * stride))
    out[..., ::stride, ::stride] = delta
    return out


DIL_MISTAKES = (
    Mistake("S zeros inserted instead of S-1: out[i*S, j*S] = δ[i, j]", _dilate_too_many),
    Mistake(
        "trailing zeros kept: the result has (H_out - 1)*S + 1 rows, no zeros after the last entry",
        _dilate_trailing,
    ),
)


CORR_MISTAKES = (
    Mistake(
        "kernel flipped: that is a convolution; cross(x, k) uses k as it is, "
        "out[i, j] = sum x[i+u, j+v] k[u, v]",
        lambda x, k, stride=1: correlate2d(x, rot180(k), stride),
    ),
    Mistake(
        "stride ignored: move the window S positions at a time", lambda x, k, stride=1: correlate2d(x, k)
    ),
)


_LECTURE_GROUP = "the lecture's case (3x3 input, 2x2 filter)"

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


def _draw(rng, *, D=(1, 1), N=(1, 1), F=(2, 3), S=(1, 1), P=(0, 0), distinct=False, hmax=8):
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


def _geom_text(spec) -> str:
    return _geom_label(*spec)


_G1 = "stride 1, one channel"
_GS = "stride S > 1"
_GP = "padding P >= 0, including P > F - 1"
_GD = "depth D and N filters"
_GX = "non-square, F = 1, and everything at once"

# bp_delta_map and compute_gradient share their geometries.
_BACKWARD_CORE = (
    (_LECTURE_GROUP, "the lecture's sizes: ", LECTURE),
    (_G1, "", (1, 1, 4, 4, 3, 3, 1, 0)),
    (_G1, "non-square filter: ", (1, 1, 5, 4, 2, 3, 1, 0)),
    (_GS, "stride 2: ", (1, 1, 5, 5, 3, 3, 2, 0)),
    (_GS, "stride that does not divide H - F + 2P: ", (1, 1, 6, 7, 3, 2, 2, 0)),
    (_GS, "stride 3, remainder 2: ", (1, 1, 8, 8, 3, 3, 3, 0)),
    (_GS, "1x1 filter, stride 2: ", (1, 1, 6, 5, 1, 1, 2, 0)),
    (_GP, "padding 1, non-square filter: ", (1, 1, 4, 5, 3, 2, 1, 1)),
    (_GP, "padding > F-1: ", (1, 1, 3, 3, 2, 2, 1, 2)),
    (_GP, "1x1 filter, padding 2: ", (1, 1, 3, 4, 1, 1, 1, 2)),
    (_GP, "filter taller than the input (padding makes room): ", (1, 1, 2, 3, 3, 2, 1, 1)),
    (_GD, "depth and filters: ", (3, 2, 4, 4, 2, 2, 1, 0)),
    (_GD, "one channel, three filters: ", (1, 3, 4, 4, 2, 2, 1, 0)),
    (_GD, "three channels, one filter: ", (3, 1, 4, 5, 2, 3, 1, 0)),
    (_GX, "1x1 filter, depth and filters: ", (2, 3, 4, 6, 1, 1, 1, 0)),
    (_GX, "filter as large as the input: ", (1, 2, 3, 5, 3, 5, 1, 0)),
    (_GX, "non-square, all together: ", (2, 3, 5, 7, 3, 2, 2, 1)),
    (_GX, "filter taller than the input, stride 2, padding 2: ", (2, 2, 2, 3, 3, 2, 2, 2)),
    (_GX, "all together, stride 3 leaving 2 > P rows and columns unread: ", (3, 2, 8, 9, 2, 3, 3, 1)),
)

_BACKWARD_RANDOM = {
    _LECTURE_GROUP: lambda rng: LECTURE,
    _G1: lambda rng: _draw(rng, F=(2, 4)),
    _GS: lambda rng: _draw(rng, S=(2, 3)),
    _GP: lambda rng: _draw(rng, P=(1, 3)),
    _GD: lambda rng: _draw(rng, D=(2, 4), N=(2, 4)),
    _GX: lambda rng: _draw(rng, D=(1, 3), N=(1, 3), S=(2, 3), P=(1, 3), distinct=True),
}

BP_TABLE = CaseTable(
    _BACKWARD_CORE,
    _BACKWARD_RANDOM,
    _bp_case,
    _geom_text,
    seed=5,
    first=(
        Case(
            "the lecture's case: 3x3 input, 2x2 filter, S=1, P=0",
            (np.array([[[1.0, 2.0], [3.0, 4.0]]]), np.array([[[[1.0, 2.0], [3.0, 4.0]]]]), (1, 3, 3)),
            {"stride": 1, "padding": 0},
            _LECTURE_GROUP,
        ),
    ),
)

CG_TABLE = CaseTable(
    _BACKWARD_CORE,
    _BACKWARD_RANDOM,
    _cg_case,
    _geom_text,
    seed=6,
    first=(
        Case(
            "the lecture's case: 3x3 input, 2x2 filter, S=1, P=0",
            (np.array([[[1.0, 0.0], [0.0, 2.0]]]), np.arange(1.0, 10.0).reshape(1, 3, 3), (1, 1, 2, 2)),
            {"stride": 1, "padding": 0},
            _LECTURE_GROUP,
        ),
    ),
)

_GF1, _GF2 = "stride 1 and padding", "stride, depth, filters, non-square"

FWD_TABLE = CaseTable(
    (
        (_GF1, "the lecture's case: ", LECTURE),
        (_GF1, "padding 1, non-square filter: ", (1, 1, 4, 5, 3, 2, 1, 1)),
        (_GF1, "padding > F-1: ", (1, 1, 3, 3, 2, 2, 1, 2)),
        (_GF1, "1x1 filter, padding 2: ", (1, 1, 3, 4, 1, 1, 1, 2)),
        (_GF2, "stride 2: ", (1, 1, 5, 5, 3, 3, 2, 0)),
        (_GF2, "stride that does not divide: ", (1, 1, 6, 7, 3, 2, 2, 0)),
        (_GF2, "depth and filters: ", (3, 2, 4, 4, 2, 2, 1, 0)),
        (_GF2, "1x1 filter, stride 2, depth and filters: ", (2, 3, 6, 5, 1, 1, 2, 0)),
        (_GF2, "all together, stride 3, padding 2: ", (3, 2, 9, 6, 2, 3, 3, 2)),
    ),
    {
        _GF1: lambda rng: _draw(rng, P=(0, 2)),
        _GF2: lambda rng: _draw(rng, D=(2, 3), N=(2, 3), S=(2, 3), P=(0, 2), distinct=True),
    },
    _fwd_case,
    _geom_text,
    seed=7,
)

_GL1, _GL2 = "identity and ReLU", "sigmoid and tanh (f' at net^l)"

LAYER_TABLE = CaseTable(
    (
        (_GL1, "the lecture's case: ", ("identity", LECTURE)),
        (_GL1, "", ("relu", (1, 1, 4, 4, 2, 2, 1, 0))),
        (_GL1, "", ("relu", (2, 3, 6, 5, 3, 2, 2, 1))),
        (_GL2, "", ("sigmoid", (1, 2, 4, 4, 2, 2, 1, 2))),
        (_GL2, "", ("tanh", (2, 2, 8, 7, 3, 2, 3, 0))),
    ),
    {
        _GL1: lambda rng: ("relu", _draw(rng, D=(1, 3), N=(1, 3), S=(1, 3), P=(0, 2))),
        _GL2: lambda rng: (
            ("sigmoid", "tanh")[int(rng.integers(0, 2))],
            _draw(rng, D=(1, 3), N=(1, 3), S=(1, 3), P=(0, 2)),
        ),
    },
    _layer_case,
    lambda spec: f"{spec[0]}, " + _geom_label(*spec[1]),
    seed=8,
)


def _shape_text(shape) -> str:
    return f"{shape[0]}x{shape[1]}" if len(shape) == 2 else f"shape {tuple(shape)}"


def _array_and_int(values, group, spec, label) -> Case:
    """A case of pad(x, p) or dilate(delta, stride): spec = (shape of the array, the integer)."""
    shape, k = spec
    return Case(label, (values(shape), k), group=group)


_GP2, _GPL = "2-D x, p >= 1", "p = 0 and leading axes left alone"

PAD_TABLE = CaseTable(
    (
        (_GP2, "", ((2, 2), 1)),
        (_GP2, "", ((3, 4), 2)),
        (_GP2, "", ((1, 1), 1)),
        (_GPL, "p=0 returns an equal copy: ", ((2, 3), 0)),
        (_GPL, "depth 2 (D, H, W), only the last two axes padded: ", ((2, 2, 3), 1)),
        (_GPL, "4-D (N, D, H, W): ", ((2, 1, 2, 2), 1)),
    ),
    {
        _GP2: lambda rng: ((int(rng.integers(2, 6)), int(rng.integers(2, 6))), int(rng.integers(1, 4))),
        _GPL: lambda rng: (
            (int(rng.integers(2, 4)), int(rng.integers(1, 5)), int(rng.integers(1, 5))),
            int(rng.integers(1, 3)),
        ),
    },
    _array_and_int,
    lambda spec: f"{_shape_text(spec[0])} input, p={spec[1]}",
    seed=1,
)


def _rot_make(values, group, spec, label) -> Case:
    return Case(label, (values(spec),), group=group)


_GR2, _GR4 = "2-D filters, square and rectangular", "stacks of filters (N, D, Fh, Fw)"


def _rot_rect(rng):
    h = int(rng.integers(2, 5))
    w = int(rng.integers(2, 5))
    while w == h:
        w = int(rng.integers(2, 5))
    return (h, w)


ROT_TABLE = CaseTable(
    (
        (_GR2, "", (2, 2)),
        (_GR2, "", (3, 3)),
        (_GR2, "rectangular: ", (2, 3)),
        (_GR2, "one row: ", (1, 3)),
        (_GR4, "a stack of filters: ", (2, 3, 2, 2)),
        (_GR4, "", (3, 2, 3, 2)),
        (_GR4, "depth only (D, Fh, Fw): ", (2, 2, 3)),
    ),
    {
        _GR2: _rot_rect,
        _GR4: lambda rng: (int(rng.integers(2, 4)), int(rng.integers(2, 4)), 3, 2),
    },
    _rot_make,
    lambda spec: f"{_shape_text(spec)} filter" if len(spec) == 2 else _shape_text(spec),
    seed=2,
)


_GD2, _GDL = "2-D maps, stride 2 and 3", "stride 1 and leading axes"

DIL_TABLE = CaseTable(
    (
        (_GD2, "", ((2, 3), 3)),
        (_GD2, "", ((3, 1), 2)),
        (_GD2, "", ((1, 1), 3)),
        (_GDL, "stride 1 returns an equal copy: ", ((2, 2), 1)),
        (_GDL, "(N, H_out, W_out): ", ((2, 2, 2), 2)),
        (_GDL, "4-D: ", ((2, 1, 2, 3), 3)),
    ),
    {
        _GD2: lambda rng: ((int(rng.integers(2, 5)), int(rng.integers(2, 5))), int(rng.integers(2, 4))),
        _GDL: lambda rng: (
            tuple(int(v) for v in rng.integers(2, 4, size=3)),
            int(rng.integers(2, 4)),
        ),
    },
    _array_and_int,
    lambda spec: f"{_shape_text(spec[0])}, stride {spec[1]}",
    seed=3,
    first=(Case("2x2, stride 2", (np.array([[1.0, 2.0], [3.0, 4.0]]), 2), group=_GD2),),
)


def _corr_make(values, group, spec, label) -> Case:
    xs, ks, s = spec
    kwargs = {"stride": s} if s != 1 else {}
    return Case(label, (values(xs), values(ks)), kwargs, group)


_GC1 = "stride 1, square"
_GCR = "rectangular inputs and kernels, kernel = input, F = 1"
_GCS = "stride S > 1"


def _corr_rect(rng):
    h = int(rng.integers(3, 8))
    w = int(rng.integers(3, 8))
    while w == h:
        w = int(rng.integers(3, 8))
    return ((h, w), (2, 3), 1)


CORR_TABLE = CaseTable(
    (
        (_GC1, "the lecture's sizes: ", ((3, 3), (2, 2), 1)),
        (_GC1, "", ((5, 5), (3, 3), 1)),
        (_GCR, "", ((4, 5), (3, 2), 1)),
        (_GCR, "kernel as large as the input: ", ((2, 3), (2, 3), 1)),
        (_GCR, "1x1 kernel: ", ((4, 3), (1, 1), 1)),
        (_GCS, "stride 2: ", ((5, 5), (2, 2), 2)),
        (_GCS, "stride 2, does not divide: ", ((6, 5), (3, 2), 2)),
        (_GCS, "stride 4, remainder 2: ", ((9, 8), (3, 2), 4)),
        (_GCS, "stride 3, one row: ", ((2, 7), (1, 2), 3)),
    ),
    {
        _GC1: lambda rng: (lambda h, f: ((h, h), (f, f), 1))(
            int(rng.integers(4, 8)), int(rng.integers(2, 4))
        ),
        _GCR: _corr_rect,
        _GCS: lambda rng: (
            (int(rng.integers(6, 10)), int(rng.integers(6, 10))),
            (3, 2),
            int(rng.integers(2, 4)),
        ),
    },
    _corr_make,
    lambda spec: (
        f"{_shape_text(spec[0])} input, {_shape_text(spec[1])} kernel"
        + (f", stride {spec[2]}" if spec[2] != 1 else "")
    ),
    seed=4,
    first=(
        Case(
            "3x3 input, 2x2 kernel (the lecture's sizes)",
            (np.arange(1.0, 10.0).reshape(3, 3), np.array([[1.0, 2.0], [3.0, 4.0]])),
            group=_GC1,
        ),
    ),
)


def _exercises():
    items = [
        Exercise(
            "pad",
            "01_primitives",
            pad,
            PAD_TABLE.public,
            PAD_TABLE.hidden,
            {"2-D x, p >= 1": 1, "p = 0 and leading axes left alone": 1},
            PAD_MISTAKES,
            teaches=("ops.pad",),
        ),
        Exercise(
            "rot180",
            "01_primitives",
            rot180,
            ROT_TABLE.public,
            ROT_TABLE.hidden,
            {"2-D filters, square and rectangular": 1, "stacks of filters (N, D, Fh, Fw)": 1},
            ROT_MISTAKES,
            teaches=("ops.rot180",),
        ),
        Exercise(
            "dilate",
            "01_primitives",
            dilate,
            DIL_TABLE.public,
            DIL_TABLE.hidden,
            {"2-D maps, stride 2 and 3": 1, "stride 1 and leading axes": 1},
            DIL_MISTAKES,
            teaches=("ops.dilate",),
        ),
        Exercise(
            "correlate2d",
            "01_primitives",
            correlate2d,
            CORR_TABLE.public,
            CORR_TABLE.hidden,
            {
                "stride 1, square": 1,
                "rectangular inputs and kernels, kernel = input, F = 1": 1,
                "stride S > 1": 1,
            },
            CORR_MISTAKES,
            teaches=("ops.correlate2d",),
        ),
        Exercise(
            "bp_delta_map",
            "02_bp_delta_map",
            bp_delta_map,
            BP_TABLE.public,
            BP_TABLE.hidden,
            {
                _LECTURE_GROUP: 1,
                "stride 1, one channel": 1,
                "stride S > 1": 2,
                "padding P >= 0, including P > F - 1": 2,
                "depth D and N filters": 2,
                "non-square, F = 1, and everything at once": 2,
            },
            BP_MISTAKES,
            teaches=("conv.bp_delta_map",),
        ),
        Exercise(
            "compute_gradient",
            "03_compute_gradient",
            compute_gradient,
            CG_TABLE.public,
            CG_TABLE.hidden,
            {
                _LECTURE_GROUP: 1,
                "stride 1, one channel": 1,
                "stride S > 1": 2,
                "padding P >= 0, including P > F - 1": 2,
                "depth D and N filters": 1,
                "non-square, F = 1, and everything at once": 1,
                "db, the bias gradient (every case)": 2,
            },
            CG_MISTAKES,
            outputs=("dW", "db"),
            split=(None, "db, the bias gradient (every case)"),
            teaches=("conv.compute_gradient",),
        ),
        Exercise(
            "conv_forward",
            "04_conv_layer",
            conv_forward,
            FWD_TABLE.public,
            FWD_TABLE.hidden,
            {"stride 1 and padding": 2, "stride, depth, filters, non-square": 2},
            FWD_MISTAKES,
            teaches=("conv.conv_forward",),
        ),
        Exercise(
            "layer_backward",
            "04_conv_layer",
            layer_backward_reference,
            LAYER_TABLE.public,
            LAYER_TABLE.hidden,
            {"identity and ReLU": 2, "sigmoid and tanh (f' at net^l)": 2, "db, the bias gradient": 2},
            LAYER_MISTAKES,
            outputs=("d_input", "dW", "db"),
            split=(None, None, "db, the bias gradient"),
        ),
    ]
    return {ex.name: ex for ex in items}


EXERCISES = _exercises()


def exercises_of(notebook: str) -> list:
    """The exercises of one notebook (by stem, e.g. ``"02_bp_delta_map"``), in order."""
    return [ex for ex in EXERCISES.values() if ex.notebook == notebook]


def notebook_named(stem: str) -> str | None:
    """The exercise notebook a file's stem starts with (``"02_bp_delta_map-alice"``), or None."""
    return next((name for name in NOTEBOOKS if stem.startswith(name)), None)


NOTEBOOKS = tuple(dict.fromkeys(ex.notebook for ex in EXERCISES.values()))
