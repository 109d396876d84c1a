"""The correlate2d exercise (01_primitives): its cases, groups and known mistakes."""

from __future__ import annotations

import numpy as np

from ...maths.ops import correlate2d, rot180
from .base import Case, CaseTable, Exercise, Mistake, shape_text

MISTAKES = (
    Mistake(
        "kernel flipped: that is a convolution; cross(x, k) uses k as it is, "
        "out[i, j] = sum x[i+u, j+v] k[u, v]",
        lambda x, k, stride=1: correlate2d(x, rot180(k), stride),
    ),
    Mistake(
        "stride ignored: move the window S positions at a time", lambda x, k, stride=1: correlate2d(x, k)
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
