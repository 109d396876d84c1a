"""The four pooling exercises (05_pooling): max and mean pooling, forward and backward.

A spec is (D, H, W, size, stride). Every group's fixed core already has depth D > 1, a non-square
input and at least four windows per channel, and its random case is drawn of the same kind (the
overlap group always overlaps, the gaps group always leaves entries no window reads), so each known
mistake fails a group on every seed or on none. Max pooling's inputs are made tie-free (see
:func:`_distinct`): which of two equal maxima gets δ is a convention, not the maths.
"""

from __future__ import annotations

import numpy as np

from ...maths.pooling import (
    max_pool_backward,
    max_pool_forward,
    mean_pool_backward,
    mean_pool_forward,
    pool_size,
)
from .base import Case, CaseTable, Exercise, Mistake

NOTEBOOK = "05_pooling"

SIDE_BY_SIDE = "windows side by side (stride = size), depth D > 1"
OVERLAP = "overlapping windows (stride < size): the shares add up"
GAPS = "stride > size and leftover rows: entries no window reads get 0"
FORWARD_GENERAL = "stride != size, leftover rows, non-square"

CORE_SIDE = (
    (SIDE_BY_SIDE, "the usual 2x2 windows, stride 2: ", (2, 4, 6, 2, 2)),
    (SIDE_BY_SIDE, "", (3, 6, 9, 3, 3)),
)
CORE_OVERLAP = (
    (OVERLAP, "", (2, 5, 6, 3, 2)),
    (OVERLAP, "stride 1: ", (2, 4, 5, 2, 1)),
)
CORE_GAPS = (
    (GAPS, "", (2, 7, 8, 2, 3)),
    (GAPS, "stride = size, leftover rows and columns: ", (2, 7, 5, 2, 2)),
)


def _draw(rng, size_stride) -> tuple:
    """A spec with D in 2..3, H != W and at least two windows along each axis."""
    size, stride = size_stride(rng)
    d = int(rng.integers(2, 4))
    lo = size + stride  # two windows per axis
    h = int(rng.integers(lo, lo + 4))
    w = int(rng.integers(lo, lo + 4))
    while w == h:
        w = int(rng.integers(lo, lo + 4))
    return d, h, w, size, stride


def _side(rng) -> tuple:
    size = int(rng.integers(2, 4))
    return size, size


def _overlap(rng) -> tuple:
    size = int(rng.integers(2, 5))
    return size, int(rng.integers(1, size))


def _gaps_draw(rng) -> tuple:
    size = int(rng.integers(1, 4))
    d, h, w, size, stride = _draw(rng, lambda r: (size, int(r.integers(size + 1, size + 3))))
    return d, h, w, size, stride


RANDOM = {
    SIDE_BY_SIDE: lambda rng: _draw(rng, _side),
    OVERLAP: lambda rng: _draw(rng, _overlap),
    GAPS: _gaps_draw,
}


def _distinct(x: np.ndarray) -> np.ndarray:
    """``x`` unchanged when its values are all different; otherwise its ranks, centred (small integers)."""
    flat = x.ravel()
    if len(np.unique(flat)) == flat.size:
        return x
    ranks = np.argsort(np.argsort(flat, kind="stable"), kind="stable")
    return (ranks - flat.size // 2).astype(np.float64).reshape(x.shape)


def _label(spec) -> str:
    d, h, w, size, stride = spec
    return f"x of shape ({d}, {h}, {w}), size {size}, stride {stride}"


def _out_shape(spec) -> tuple:
    d, h, w, size, stride = spec
    return (d, *pool_size(h, w, size, stride))


def _forward_make(values, group, spec, label) -> Case:
    d, h, w, size, stride = spec
    return Case(label, (_distinct(values((d, h, w))), size, stride), group=group)


def _max_backward_make(values, group, spec, label) -> Case:
    d, h, w, size, stride = spec
    x = _distinct(values((d, h, w)))
    return Case(label, (values(_out_shape(spec)), x, size, stride), group=group)


def _mean_backward_make(values, group, spec, label) -> Case:
    d, h, w, size, stride = spec
    return Case(label, (values(_out_shape(spec)), (d, h, w), size, stride), group=group)


HAND_X = np.array([[[1.0, 5.0, 2.0, 0.0], [3.0, 4.0, 8.0, 1.0], [0.0, 2.0, 6.0, 7.0], [9.0, 1.0, 3.0, 2.0]]])
HAND_DELTA = np.array([[[10.0, 20.0], [30.0, 40.0]]])
HAND = "the 4x4 example of the lesson, 2x2 windows, stride 2"


def _table(core, random, make, seed, first=()) -> CaseTable:
    return CaseTable(
        core, {g: random[g] for g in dict.fromkeys(g for g, _, _ in core)}, make, _label, seed, first
    )


# ---------------------------------------------------------------- known mistakes


def _pool(x, size, stride, reduce):
    x = np.asarray(x, float)
    h_out, w_out = pool_size(x.shape[1], x.shape[2], size, stride)
    out = np.zeros((x.shape[0], h_out, w_out))
    for i in range(h_out):
        for j in range(w_out):
            out[:, i, j] = reduce(x[:, i * stride : i * stride + size, j * stride : j * stride + size])
    return out


def _max_routes(delta, x, size, stride, *, place="argmax", add=True, step=None):
    """Max pooling's backward with one way of placing δ wrong (``place``) or of combining it (``add``)."""
    delta, x = np.asarray(delta, float), np.asarray(x, float)
    d_x = np.zeros(x.shape)
    for d in range(x.shape[0]):
        for i in range(delta.shape[1]):
            for j in range(delta.shape[2]):
                r, c = i * (step or stride), j * (step or stride)
                window = x[d, r : r + size, c : c + size]
                best = int(np.argmax(window))
                u, v = divmod(best, size)
                if place == "swapped":
                    u, v = v, u
                if place == "corner":
                    u, v = 0, 0
                if place == "everywhere":
                    d_x[d, r : r + size, c : c + size] += delta[d, i, j]
                elif add:
                    d_x[d, r + u, c + v] += delta[d, i, j]
                else:
                    d_x[d, r + u, c + v] = delta[d, i, j]
    return d_x


def _mean_spread(delta, input_shape, size, stride, *, divide=None, add=True, corner=False, step=None):
    delta = np.asarray(delta, float)
    d_x = np.zeros(tuple(input_shape))
    share = delta / (size * size if divide is None else divide(size))
    for i in range(delta.shape[1]):
        for j in range(delta.shape[2]):
            r, c = i * (step or stride), j * (step or stride)
            if corner:
                d_x[:, r, c] += delta[:, i, j]
            elif add:
                d_x[:, r : r + size, c : c + size] += share[:, i, j, None, None]
            else:
                d_x[:, r : r + size, c : c + size] = share[:, i, j, None, None]
    return d_x


def _one_window_short(forward):
    """The output without its last row and column of windows: H_out computed without the + 1."""
    return lambda x, size, stride: forward(x, size, stride)[:, :-1, :-1]


def _h_and_w_swapped(forward):
    """An output of shape (D, W_out, H_out): only its shape is compared (see feedback.likely_cause)."""

    def swapped(x, size, stride):
        out = forward(x, size, stride)
        return np.zeros((out.shape[0], out.shape[2], out.shape[1]))

    return swapped


ONE_SHORT = (
    "one window too few along each axis: H_out = (H - size)//stride + 1, the + 1 counts the first window"
)
SWAPPED = "H and W swapped in the output's size: H_out comes from H, W_out from W"


def _stride_ignored(forward) -> Mistake:
    return Mistake(
        "stride ignored: the windows start every stride entries, i*stride and j*stride",
        lambda x, size, stride: forward(x, size, 1),
    )


def _shape_mistakes(forward) -> tuple:
    """The output-size mistakes both forward exercises share (only their shapes are compared)."""
    return Mistake(ONE_SHORT, _one_window_short(forward)), Mistake(SWAPPED, _h_and_w_swapped(forward))


MAX_FORWARD_MISTAKES = (
    _stride_ignored(max_pool_forward),
    Mistake(
        "size and stride swapped: the window is size x size and moves stride entries at a time",
        lambda x, size, stride: _pool(x, stride, size, lambda win: win.max(axis=(-2, -1))),
    ),
    Mistake(
        "the channels pooled together: each channel d has its own windows",
        lambda x, size, stride: _pool(x, size, stride, lambda win: np.full(win.shape[0], win.max())),
    ),
    Mistake(
        "the average taken: that is mean pooling; max pooling keeps each window's largest entry",
        lambda x, size, stride: mean_pool_forward(x, size, stride),
    ),
    *_shape_mistakes(max_pool_forward),
)

MEAN_FORWARD_MISTAKES = (
    _stride_ignored(mean_pool_forward),
    Mistake(
        "the sum taken, not the average: divide by size² entries",
        lambda x, size, stride: mean_pool_forward(x, size, stride) * size * size,
    ),
    Mistake(
        "divided by size, not size²: a window has size x size entries",
        lambda x, size, stride: mean_pool_forward(x, size, stride) * size,
    ),
    Mistake(
        "the largest entry kept: that is max pooling; mean pooling averages the window",
        lambda x, size, stride: max_pool_forward(x, size, stride),
    ),
    *_shape_mistakes(mean_pool_forward),
)

BACKWARD_STRIDE = "stride ignored: the window of output (i, j) starts at row i*stride, column j*stride"

MAX_BACKWARD_MISTAKES = (
    Mistake(BACKWARD_STRIDE, lambda delta, x, size, stride: _max_routes(delta, x, size, stride, step=1)),
    Mistake(
        "δ copied to every entry of the window: only the largest entry changed the output, the others get 0",
        lambda delta, x, size, stride: _max_routes(delta, x, size, stride, place="everywhere"),
    ),
    Mistake(
        "δ spread as in mean pooling: max pooling's output depends on the largest entry alone",
        lambda delta, x, size, stride: mean_pool_backward(delta, np.shape(x), size, stride),
    ),
    Mistake(
        "overlapping windows overwrite instead of adding: an entry that is the largest in two windows "
        "gets both δ (+=, not =)",
        lambda delta, x, size, stride: _max_routes(delta, x, size, stride, add=False),
    ),
    Mistake(
        "row and column of the maximum swapped: the k-th entry of a flattened window is at "
        "(k // size, k % size)",
        lambda delta, x, size, stride: _max_routes(delta, x, size, stride, place="swapped"),
    ),
    Mistake(
        "δ put at the window's first entry: it goes where the window's largest entry is",
        lambda delta, x, size, stride: _max_routes(delta, x, size, stride, place="corner"),
    ),
)

MEAN_BACKWARD_MISTAKES = (
    Mistake(
        BACKWARD_STRIDE,
        lambda delta, input_shape, size, stride: _mean_spread(delta, input_shape, size, stride, step=1),
    ),
    Mistake(
        "δ not divided: each of the size² entries had weight 1/size² in the average",
        lambda delta, input_shape, size, stride: _mean_spread(
            delta, input_shape, size, stride, divide=lambda s: 1
        ),
    ),
    Mistake(
        "divided by size, not size²: a window has size x size entries",
        lambda delta, input_shape, size, stride: _mean_spread(
            delta, input_shape, size, stride, divide=lambda s: s
        ),
    ),
    Mistake(
        "overlapping windows overwrite instead of adding: an entry inside two windows gets both shares "
        "(+=, not =)",
        lambda delta, input_shape, size, stride: _mean_spread(delta, input_shape, size, stride, add=False),
    ),
    Mistake(
        "δ put at the window's first entry: every entry of the window shares it, δ/size² each",
        lambda delta, input_shape, size, stride: _mean_spread(delta, input_shape, size, stride, corner=True),
    ),
)

# ---------------------------------------------------------------- the exercises

FORWARD_CORE = (*CORE_SIDE, *((FORWARD_GENERAL, p, s) for _, p, s in (*CORE_OVERLAP, *CORE_GAPS)))
FORWARD_RANDOM = {
    SIDE_BY_SIDE: RANDOM[SIDE_BY_SIDE],
    FORWARD_GENERAL: lambda rng: RANDOM[OVERLAP](rng) if rng.integers(2) else RANDOM[GAPS](rng),
}
BACKWARD_CORE = (*CORE_SIDE, *CORE_OVERLAP, *CORE_GAPS)


def _forward(reference, seed: int, mistakes: tuple) -> Exercise:
    """A forward exercise: two groups, the lesson's 4x4 example first."""
    first = (Case(HAND, (HAND_X, 2, 2), group=SIDE_BY_SIDE),)
    table = _table(FORWARD_CORE, FORWARD_RANDOM, _forward_make, seed=seed, first=first)
    groups = {SIDE_BY_SIDE: 1, FORWARD_GENERAL: 1}
    name = reference.__name__
    return Exercise(name, NOTEBOOK, reference, table, groups, mistakes, teaches=(f"pooling.{name}",))


def _backward(reference, make, first_args: tuple, seed: int, mistakes: tuple) -> Exercise:
    """A backward exercise: three groups (side by side, overlapping, gaps), the lesson's example first."""
    first = (Case(HAND, first_args, group=SIDE_BY_SIDE),)
    table = _table(BACKWARD_CORE, RANDOM, make, seed=seed, first=first)
    groups = {SIDE_BY_SIDE: 1, OVERLAP: 1, GAPS: 1}
    name = reference.__name__
    return Exercise(name, NOTEBOOK, reference, table, groups, mistakes, teaches=(f"pooling.{name}",))


MAX_POOL_FORWARD = _forward(max_pool_forward, 51, MAX_FORWARD_MISTAKES)
MAX_POOL_BACKWARD = _backward(
    max_pool_backward, _max_backward_make, (HAND_DELTA, HAND_X, 2, 2), 52, MAX_BACKWARD_MISTAKES
)
MEAN_POOL_FORWARD = _forward(mean_pool_forward, 53, MEAN_FORWARD_MISTAKES)
MEAN_POOL_BACKWARD = _backward(
    mean_pool_backward, _mean_backward_make, (HAND_DELTA, (1, 4, 4), 2, 2), 54, MEAN_BACKWARD_MISTAKES
)

EXERCISES = (MAX_POOL_FORWARD, MAX_POOL_BACKWARD, MEAN_POOL_FORWARD, MEAN_POOL_BACKWARD)
