"""The dilate exercise (01_primitives): its cases, groups and known mistakes."""

from __future__ import annotations

import numpy as np

from ...maths.ops import dilate
from .base import Case, CaseTable, Exercise, Mistake, array_and_int, shape_text


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


def _dilate_swapped(delta, stride):
    delta = np.asarray(delta, float)
    h, w = delta.shape[-2:]
    out = np.zeros(delta.shape[:-2] + ((w - 1) * stride + 1, (h - 1) * stride + 1))
    out[..., ::stride, ::stride] = delta
    return out


MISTAKES = (
    Mistake("S zeros inserted instead of S-1: out[i*S, j*S] = δ[i, j]", _dilate_too_many),
    Mistake(
        "trailing zeros kept: the result has (H_out - 1)*S + 1 rows, no zeros after the last entry",
        _dilate_trailing,
    ),
    Mistake(
        "H and W swapped in the dilated size: the result has (H - 1)*S + 1 rows and (W - 1)*S + 1 "
        "columns (H, W = delta.shape[-2:])",
        _dilate_swapped,
    ),
)


TWO_D, LEADING = "2-D maps, stride 2 and 3", "stride 1 and leading axes"

TABLE = CaseTable(
    (
        (TWO_D, "", ((2, 3), 3)),
        (TWO_D, "", ((3, 1), 2)),
        (TWO_D, "", ((1, 1), 3)),
        (LEADING, "stride 1 returns an equal copy: ", ((2, 2), 1)),
        (LEADING, "(N, H_out, W_out): ", ((2, 2, 2), 2)),
        (LEADING, "4-D: ", ((2, 1, 2, 3), 3)),
    ),
    {
        TWO_D: lambda rng: ((int(rng.integers(2, 5)), int(rng.integers(2, 5))), int(rng.integers(2, 4))),
        LEADING: lambda rng: (
            tuple(int(v) for v in rng.integers(2, 4, size=3)),
            int(rng.integers(2, 4)),
        ),
    },
    array_and_int,
    lambda spec: f"{shape_text(spec[0])}, stride {spec[1]}",
    seed=3,
    first=(Case("2x2, stride 2", (np.array([[1.0, 2.0], [3.0, 4.0]]), 2), group=TWO_D),),
)


EXERCISE = Exercise(
    "dilate",
    "01_primitives",
    dilate,
    TABLE,
    {TWO_D: 1, LEADING: 1},
    MISTAKES,
    teaches=("ops.dilate",),
)
