"""The conv_forward exercise (04_conv_layer): its cases, groups and known mistakes."""

from __future__ import annotations

from functools import partial

import numpy as np

from ...maths.conv import conv_forward
from ...maths.ops import correlate2d, pad, rot180
from .base import LECTURE, Case, CaseTable, Exercise, Mistake, draw, geom_label, geom_text


def _fwd_case(values, group, geom, label=None) -> Case:
    D, N, H, W, Fh, Fw, S, P = geom
    x, w, b = values((D, H, W)), values((N, D, Fh, Fw)), values((N,))
    return Case(label or geom_label(*geom), (x, w, b), {"stride": S, "padding": P}, group)


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


def fwd_sizes(x, w, b, stride=1, padding=0, *, swap=False, extra=0, short=0):
    """conv_forward as loops over the output, with its size or its window's size computed wrong."""
    x, w, b = np.asarray(x, float), np.asarray(w, float), np.asarray(b, float)
    xp = pad(x, padding)
    N, _, fh, fw = w.shape
    hp, wp = xp.shape[1:]
    rows, cols = (hp - fh) // stride + 1, (wp - fw) // stride + 1
    if swap:  # W used where H is meant, and H where W is
        rows, cols = (wp - fw) // stride + 1, (hp - fh) // stride + 1
    out = np.zeros((N, rows + extra, cols + extra))
    for n in range(N):
        for i in range(out.shape[1]):
            for j in range(out.shape[2]):
                r, c = i * stride, j * stride
                out[n, i, j] = np.sum(xp[:, r : r + fh - short, c : c + fw - short] * w[n]) + b[n]
    return out


MISTAKES = (
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
    Mistake(
        "H and W swapped in the output size: net has (H + 2P - Fh)//S + 1 rows and "
        "(W + 2P - Fw)//S + 1 columns (rows go with H and Fh, columns with W and Fw)",
        partial(fwd_sizes, swap=True),
    ),
    Mistake(
        "output size with an extra +1: (H + 2P - Fh)//S + 1 windows fit along the rows (and "
        "(W + 2P - Fw)//S + 1 along the columns); one more reads past the end of pad(x, P)",
        partial(fwd_sizes, extra=1),
    ),
    Mistake(
        "window one short: net[n, i, j] reads pad(x, P)[:, i*S : i*S + Fh, j*S : j*S + Fw], Fh rows "
        "and Fw columns (a slice's end is not included)",
        partial(fwd_sizes, short=1),
    ),
)


PADDED, EVERYTHING = "stride 1 and padding", "stride, depth, filters, non-square"

TABLE = CaseTable(
    (
        (PADDED, "the lecture's case: ", LECTURE),
        (PADDED, "padding 1, non-square filter: ", (1, 1, 4, 5, 3, 2, 1, 1)),
        (PADDED, "padding > F-1: ", (1, 1, 3, 3, 2, 2, 1, 2)),
        (PADDED, "1x1 filter, padding 2: ", (1, 1, 3, 4, 1, 1, 1, 2)),
        (EVERYTHING, "stride 2: ", (1, 1, 5, 5, 3, 3, 2, 0)),
        (EVERYTHING, "stride that does not divide: ", (1, 1, 6, 7, 3, 2, 2, 0)),
        (EVERYTHING, "depth and filters: ", (3, 2, 4, 4, 2, 2, 1, 0)),
        (EVERYTHING, "1x1 filter, stride 2, depth and filters: ", (2, 3, 6, 5, 1, 1, 2, 0)),
        (EVERYTHING, "all together, stride 3, padding 2: ", (3, 2, 9, 6, 2, 3, 3, 2)),
    ),
    {
        PADDED: lambda rng: draw(rng, P=(0, 2)),
        EVERYTHING: lambda rng: draw(rng, D=(2, 3), N=(2, 3), S=(2, 3), P=(0, 2), distinct=True),
    },
    _fwd_case,
    geom_text,
    seed=7,
)


EXERCISE = Exercise(
    "conv_forward",
    "04_conv_layer",
    conv_forward,
    TABLE,
    {PADDED: 2, EVERYTHING: 2},
    MISTAKES,
    teaches=("conv.conv_forward",),
)
