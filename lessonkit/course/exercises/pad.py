"""The pad exercise (01_primitives): its cases, groups and known mistakes."""

from __future__ import annotations

import numpy as np

from ...maths.ops import pad
from .base import CaseTable, Exercise, Mistake, array_and_int, shape_text


def _pad_swapped(x, p):
    """pad with the padded array's size made with H and W swapped."""
    x = np.asarray(x, float)
    h, w = x.shape[-2:]
    out = np.zeros(x.shape[:-2] + (w + 2 * p, h + 2 * p))
    out[..., p : p + h, p : p + w] = x
    return out


MISTAKES = (
    Mistake(
        "leading axes padded too: pad only the last two axes (H and W), leave D and N alone",
        lambda x, p: np.pad(np.asarray(x, float), p),
    ),
    Mistake(
        "padded on one side only: add p zeros above, below, left and right",
        lambda x, p: np.pad(np.asarray(x, float), [(0, 0)] * (np.ndim(x) - 2) + [(0, p), (0, p)]),
    ),
    Mistake(
        "H and W swapped in the padded size: the result has H + 2p rows and W + 2p columns "
        "(H, W = x.shape[-2:])",
        _pad_swapped,
    ),
)


TWO_D, LEADING = "2-D x, p >= 1", "p = 0 and leading axes left alone"

TABLE = CaseTable(
    (
        (TWO_D, "", ((2, 2), 1)),
        (TWO_D, "", ((3, 4), 2)),
        (TWO_D, "", ((1, 1), 1)),
        (LEADING, "p=0 returns an equal copy: ", ((2, 3), 0)),
        (LEADING, "depth 2 (D, H, W), only the last two axes padded: ", ((2, 2, 3), 1)),
        (LEADING, "4-D (N, D, H, W): ", ((2, 1, 2, 2), 1)),
    ),
    {
        TWO_D: lambda rng: ((int(rng.integers(2, 6)), int(rng.integers(2, 6))), int(rng.integers(1, 4))),
        LEADING: lambda rng: (
            (int(rng.integers(2, 4)), int(rng.integers(1, 5)), int(rng.integers(1, 5))),
            int(rng.integers(1, 3)),
        ),
    },
    array_and_int,
    lambda spec: f"{shape_text(spec[0])} input, p={spec[1]}",
    seed=1,
)


EXERCISE = Exercise(
    "pad",
    "01_primitives",
    pad,
    TABLE,
    {TWO_D: 1, LEADING: 1},
    MISTAKES,
    teaches=("ops.pad",),
)
