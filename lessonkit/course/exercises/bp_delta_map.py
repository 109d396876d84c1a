"""The bp_delta_map exercise (02_bp_delta_map): its cases, groups and known mistakes."""

from __future__ import annotations

from functools import partial

import numpy as np

from ...maths.conv import bp_delta_map, stride_one_map
from ...maths.ops import correlate2d, dilate, pad_hw, rot180
from ...maths.validate import output_size
from .base import (
    BACKWARD_CORE,
    BACKWARD_RANDOM,
    DEPTH,
    EVERYTHING,
    LECTURE_GROUP,
    PADDING,
    STRIDE,
    STRIDE_ONE,
    Case,
    CaseTable,
    Exercise,
    Mistake,
    geom_label,
    geom_text,
)


def _bp_case(values, group, geom, label=None) -> Case:
    D, N, H, W, Fh, Fw, S, P = geom
    ho, wo = output_size(H, W, Fh, Fw, S, P)
    delta, w = values((N, ho, wo)), values((N, D, Fh, Fw))
    return Case(label or geom_label(*geom), (delta, w, (D, H, W)), {"stride": S, "padding": P}, group)


def bp_variant(
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
        d1 = stride_one_map(delta, h1, w1, s)
    else:
        d1 = dilate(delta, s)
    full = pad_hw(d1, fh - 1, fw - 1)
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


def bp_sizes(delta, w, input_shape, stride=1, padding=0, *, swap=False, extra=0):
    """bp_delta_map in the lecture's steps, with the size of the stride-1 map computed wrong."""
    delta, w = np.asarray(delta, float), np.asarray(w, float)
    D, H, W = input_shape
    N, _, fh, fw = w.shape
    p = padding
    rows, cols = H + 2 * p - fh + 1, W + 2 * p - fw + 1
    if swap:  # W used where H is meant, and H where W is
        rows, cols = W + 2 * p - fw + 1, H + 2 * p - fh + 1
    full = pad_hw(stride_one_map(delta, rows + extra, cols + extra, stride), fh - 1, fw - 1)
    grad = np.zeros((D, H + 2 * p, W + 2 * p))
    for n in range(N):
        for d in range(D):
            grad[d] += correlate2d(full[n], rot180(w[n, d]))
    return grad[:, p : p + H, p : p + W]


MISTAKES = (
    Mistake(
        "filter not rotated: dE/da^{l-1} is cross(pad(δ, F-1), rot180(W)); without rot180 each δ "
        "meets the weights in the wrong order",
        partial(bp_variant, rotate=False),
    ),
    Mistake(
        "stride ignored: at stride S, δ must first be dilated (S-1 zeros between entries) back to "
        "the stride-1 map before padding it with F-1 zeros",
        partial(bp_variant, use_stride=False),
    ),
    Mistake(
        "padding not cropped: the forward read pad(x, P), so the result of the full correlation "
        "has P extra rows and columns on each side; crop them to get shape (D, H, W)",
        partial(bp_variant, crop="none"),
    ),
    Mistake(
        "crop with p:-p: for P = 0, x[0:-0] is empty; crop with explicit ends, g[:, P:P+H, P:P+W]",
        partial(bp_variant, crop="p:-p"),
    ),
    Mistake(
        "rows the stride never reaches are missing: when S does not divide H - F + 2P, extend the "
        "dilated δ with zeros to the stride-1 size (H + 2P - F + 1) so those inputs get gradient 0",
        partial(bp_variant, extend=False),
    ),
    Mistake(
        "not summed over the N filters: each input channel d gets sum over n of the "
        "contributions of filter n (the code keeps only the last one)",
        partial(bp_variant, sum_filters=False),
    ),
    Mistake(
        "H and W swapped in the stride-1 map's size: it has H + 2P - Fh + 1 rows and W + 2P - Fw + 1 "
        "columns (rows go with H and Fh, columns with W and Fw)",
        partial(bp_sizes, swap=True),
    ),
    Mistake(
        "extra +1 in the stride-1 map's size: the window has H + 2P - Fh + 1 positions down "
        "(and W + 2P - Fw + 1 across) at stride 1, not one more",
        partial(bp_sizes, extra=1),
    ),
)


TABLE = CaseTable(
    BACKWARD_CORE,
    BACKWARD_RANDOM,
    _bp_case,
    geom_text,
    seed=5,
    first=(
        Case(
            "the lecture's case: 3x3 input, 2x2 filter, S=1, P=0",
            (np.array([[[1.0, 2.0], [3.0, 4.0]]]), np.array([[[[1.0, 2.0], [3.0, 4.0]]]]), (1, 3, 3)),
            {"stride": 1, "padding": 0},
            LECTURE_GROUP,
        ),
    ),
)


EXERCISE = Exercise(
    "bp_delta_map",
    "02_bp_delta_map",
    bp_delta_map,
    TABLE,
    {LECTURE_GROUP: 1, STRIDE_ONE: 1, STRIDE: 2, PADDING: 2, DEPTH: 2, EVERYTHING: 2},
    MISTAKES,
    teaches=("conv.bp_delta_map",),
)
