"""The compute_gradient exercise (03_compute_gradient): its cases, groups and known mistakes."""

from __future__ import annotations

from functools import partial

import numpy as np

from ...maths.conv import compute_gradient, stride_one_map
from ...maths.ops import correlate2d, dilate, pad, rot180
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


def _cg_case(values, group, geom, label=None) -> Case:
    D, N, H, W, Fh, Fw, S, P = geom
    ho, wo = output_size(H, W, Fh, Fw, S, P)
    delta, x = values((N, ho, wo)), values((D, H, W))
    return Case(label or geom_label(*geom), (delta, x, (N, D, Fh, Fw)), {"stride": S, "padding": P}, group)


def cg_variant(
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
    dilate_delta=True,
    extend=True,
    pad_axes="hw",
):
    """compute_gradient with one thing done wrong (see the keyword arguments)."""
    delta, x = np.asarray(delta, float), np.asarray(x, float)
    N, D, fh, fw = filter_shape
    s, p = stride, padding
    H, W = x.shape[1:]
    h1, w1 = H + 2 * p - fh + 1, W + 2 * p - fw + 1  # the stride-1 map's size
    if not use_stride:
        d1 = delta
    elif not dilate_delta:  # extended to the stride-1 size, but not dilated
        d1 = np.zeros((N, h1, w1))
        d1[:, : delta.shape[1], : delta.shape[2]] = delta[:, :h1, :w1]
    elif not extend:
        d1 = dilate(delta, s)
    else:
        d1 = stride_one_map(delta, h1, w1, s)
    if not use_padding:
        xp = x
    elif pad_axes == "all":  # np.pad(x, P) pads the depth axis too
        xp = np.pad(x, p)
    else:
        xp = pad(x, p)
    k = rot180(d1) if rotate else d1
    dW = np.array([[correlate2d(xp[d], k[n]) for d in range(D)] for n in range(N)])
    if bias == "mean":
        db = delta.mean(axis=(1, 2))
    elif bias == "total":
        db = np.full(N, delta.sum())
    else:
        db = delta.sum(axis=(1, 2))
    return dW, db


def cg_sizes(delta, x, filter_shape, stride=1, padding=0, *, swap=False, extra=0):
    """compute_gradient in the lecture's steps, with the size of the stride-1 map computed wrong."""
    delta, x = np.asarray(delta, float), np.asarray(x, float)
    N, D, fh, fw = filter_shape
    H, W = x.shape[1:]
    p = padding
    rows, cols = H + 2 * p - fh + 1, W + 2 * p - fw + 1
    if swap:  # W used where H is meant, and H where W is
        rows, cols = W + 2 * p - fw + 1, H + 2 * p - fh + 1
    d1 = stride_one_map(delta, rows + extra, cols + extra, stride)
    xp = pad(x, p)
    dW = np.zeros((N, D, fh, fw))
    for n in range(N):
        for d in range(D):
            dW[n, d] = correlate2d(xp[d], d1[n])
    return dW, delta.sum(axis=(1, 2))


MISTAKES = (
    Mistake(
        "bias averaged instead of summed: every net^l contains w_b once, so dE/dw_b is the sum of "
        "δ over the whole map, not its mean",
        partial(cg_variant, bias="mean"),
    ),
    Mistake(
        "bias summed over all filters: db has one entry per filter, db[n] = sum of δ_n",
        partial(cg_variant, bias="total"),
    ),
    Mistake(
        "stride ignored: at stride S, dilate δ (S-1 zeros between entries) before using it as the "
        "kernel over the input",
        partial(cg_variant, use_stride=False),
    ),
    Mistake(
        "padding ignored: δ slides over pad(x, P), the input the forward pass actually read",
        partial(cg_variant, use_padding=False),
    ),
    Mistake(
        "δ extended but not dilated: at stride S put S-1 zeros between δ's entries (dilate) first, "
        "then extend it with zeros to the stride-1 size",
        partial(cg_variant, dilate_delta=False),
    ),
    Mistake(
        "dilated δ not extended to the stride-1 size: when S does not divide H - F + 2P, append "
        "zero rows and columns at the bottom and right up to H + 2P - F + 1 (and W + 2P - F + 1)",
        partial(cg_variant, extend=False),
    ),
    Mistake(
        "every axis padded: np.pad(x, P) pads the depth axis D too; pad only H and W "
        "(pad(x, P), or np.pad(x, ((0, 0), (P, P), (P, P))))",
        partial(cg_variant, pad_axes="all"),
    ),
    Mistake(
        "δ rotated: the weight gradient is a cross-correlation of the input with δ, no rot180",
        partial(cg_variant, rotate=True),
    ),
    Mistake(
        "H and W swapped in the stride-1 map's size: it has H + 2P - Fh + 1 rows and W + 2P - Fw + 1 "
        "columns (rows go with H and Fh, columns with W and Fw)",
        partial(cg_sizes, swap=True),
    ),
    Mistake(
        "extra +1 in the stride-1 map's size: the window has H + 2P - Fh + 1 positions down "
        "(and W + 2P - Fw + 1 across) at stride 1, not one more",
        partial(cg_sizes, extra=1),
    ),
)


TABLE = CaseTable(
    BACKWARD_CORE,
    BACKWARD_RANDOM,
    _cg_case,
    geom_text,
    seed=6,
    first=(
        Case(
            "the lecture's case: 3x3 input, 2x2 filter, S=1, P=0",
            (np.array([[[1.0, 0.0], [0.0, 2.0]]]), np.arange(1.0, 10.0).reshape(1, 3, 3), (1, 1, 2, 2)),
            {"stride": 1, "padding": 0},
            LECTURE_GROUP,
        ),
    ),
)


BIAS = "db, the bias gradient (every case)"

EXERCISE = Exercise(
    "compute_gradient",
    "03_compute_gradient",
    compute_gradient,
    TABLE,
    {LECTURE_GROUP: 1, STRIDE_ONE: 1, STRIDE: 2, PADDING: 2, DEPTH: 1, EVERYTHING: 1, BIAS: 2},
    MISTAKES,
    outputs=("dW", "db"),
    split=(None, BIAS),
    teaches=("conv.compute_gradient",),
)
