"""The correlate2d exercise (01_primitives): its cases, groups and known mistakes."""

from __future__ import annotations

from functools import partial

import numpy as np

from ...maths.ops import correlate2d, rot180
from .base import Case, CaseTable, Exercise, Mistake, shape_text


def corr_sizes(x, k, stride=1, *, swap=False, extra=0, short=0):
    """correlate2d as loops over the output, with its size or its window's size computed wrong."""
    x, k = np.asarray(x, float), np.asarray(k, float)
    fh, fw = k.shape
    rows, cols = (x.shape[0] - fh) // stride + 1, (x.shape[1] - fw) // stride + 1
    if swap:  # W used where H is meant, and H where W is
        rows, cols = (x.shape[1] - fw) // stride + 1, (x.shape[0] - fh) // stride + 1
    out = np.zeros((rows + extra, cols + extra))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            window = x[i * stride : i * stride + fh - short, j * stride : j * stride + fw - short]
            out[i, j] = np.sum(window * k)
    return out


MISTAKES = (
    Mistake(
        "kernel flipped: that is a convolution; cross(x, k) uses k as it is, "
        "out[i, j] = sum x[i+u, j+v] k[u, v]",
        lambda x, k, stride=1: correlate2d(x, rot180(k), stride),
    ),
    Mistake(
        "stride ignored: move the window S positions at a time", lambda x, k, stride=1: correlate2d(x, k)
    ),
    Mistake(
        "H and W swapped in the output size: it has (H - Fh)//S + 1 rows and (W - Fw)//S + 1 columns "
        "(rows go with H and Fh, columns with W and Fw)",
        partial(corr_sizes, swap=True),
    ),
    Mistake(
        "output size with an extra +1: (H - Fh)//S + 1 windows fit along the rows (and "
        "(W - Fw)//S + 1 along the columns); one more reads past the end of x",
        partial(corr_sizes, extra=1),
    ),
    Mistake(
        "window one short: the window of output (i, j) is x[i*S : i*S + Fh, j*S : j*S + Fw], Fh rows "
        "and Fw columns (a slice's end is not included)",
        partial(corr_sizes, short=1),
    ),
)


def _corr_make(values, group, spec, label) -> Case:
    xs, ks, s = spec
    kwargs = {"stride": s} if s != 1 else {}
    return Case(label, (values(xs), values(ks)), kwargs, group)


SQUARE = "stride 1, square"
RECTANGULAR = "rectangular inputs and kernels, kernel = input, F = 1"
STRIDE = "stride S > 1"


def _corr_rect(rng):
    h = int(rng.integers(3, 8))
    w = int(rng.integers(3, 8))
    while w == h:
        w = int(rng.integers(3, 8))
    return ((h, w), (2, 3), 1)


TABLE = CaseTable(
    (
        (SQUARE, "the lecture's sizes: ", ((3, 3), (2, 2), 1)),
        (SQUARE, "", ((5, 5), (3, 3), 1)),
        (RECTANGULAR, "", ((4, 5), (3, 2), 1)),
        (RECTANGULAR, "kernel as large as the input: ", ((2, 3), (2, 3), 1)),
        (RECTANGULAR, "1x1 kernel: ", ((4, 3), (1, 1), 1)),
        (STRIDE, "stride 2: ", ((5, 5), (2, 2), 2)),
        (STRIDE, "stride 2, does not divide: ", ((6, 5), (3, 2), 2)),
        (STRIDE, "stride 4, remainder 2: ", ((9, 8), (3, 2), 4)),
        (STRIDE, "stride 3, one row: ", ((2, 7), (1, 2), 3)),
    ),
    {
        SQUARE: lambda rng: (lambda h, f: ((h, h), (f, f), 1))(
            int(rng.integers(4, 8)), int(rng.integers(2, 4))
        ),
        RECTANGULAR: _corr_rect,
        STRIDE: lambda rng: (
            (int(rng.integers(6, 10)), int(rng.integers(6, 10))),
            (3, 2),
            int(rng.integers(2, 4)),
        ),
    },
    _corr_make,
    lambda spec: (
        f"{shape_text(spec[0])} input, {shape_text(spec[1])} kernel"
        + (f", stride {spec[2]}" if spec[2] != 1 else "")
    ),
    seed=4,
    first=(
        Case(
            "3x3 input, 2x2 kernel (the lecture's sizes)",
            (np.arange(1.0, 10.0).reshape(3, 3), np.array([[1.0, 2.0], [3.0, 4.0]])),
            group=SQUARE,
        ),
    ),
)


EXERCISE = Exercise(
    "correlate2d",
    "01_primitives",
    correlate2d,
    TABLE,
    {SQUARE: 1, RECTANGULAR: 1, STRIDE: 1},
    MISTAKES,
    teaches=("ops.correlate2d",),
)
