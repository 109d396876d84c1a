"""The rot180 exercise (01_primitives): its cases, groups and known mistakes."""

from __future__ import annotations

import numpy as np

from ...maths.ops import rot180
from .base import Case, CaseTable, Exercise, Mistake, shape_text

MISTAKES = (
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


def _rot_make(values, group, spec, label) -> Case:
    return Case(label, (values(spec),), group=group)


TWO_D, STACKS = "2-D filters, square and rectangular", "stacks of filters (N, D, Fh, Fw)"


def _rot_rect(rng):
    h = int(rng.integers(2, 5))
    w = int(rng.integers(2, 5))
    while w == h:
        w = int(rng.integers(2, 5))
    return (h, w)


TABLE = CaseTable(
    (
        (TWO_D, "", (2, 2)),
        (TWO_D, "", (3, 3)),
        (TWO_D, "rectangular: ", (2, 3)),
        (TWO_D, "one row: ", (1, 3)),
        (STACKS, "a stack of filters: ", (2, 3, 2, 2)),
        (STACKS, "", (3, 2, 3, 2)),
        (STACKS, "depth only (D, Fh, Fw): ", (2, 2, 3)),
    ),
    {
        TWO_D: _rot_rect,
        STACKS: lambda rng: (int(rng.integers(2, 4)), int(rng.integers(2, 4)), 3, 2),
    },
    _rot_make,
    lambda spec: f"{shape_text(spec)} filter" if len(spec) == 2 else shape_text(spec),
    seed=2,
)


EXERCISE = Exercise(
    "rot180",
    "01_primitives",
    rot180,
    TABLE,
    {TWO_D: 1, STACKS: 1},
    MISTAKES,
    teaches=("ops.rot180",),
)
