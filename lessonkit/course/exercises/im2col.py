"""The im2col and col2im exercises (06_im2col): receptive fields as columns, and back.

A spec is (B, D, H, W, Fh, Fw, S, P). The batch group's cases always have B > 1, D > 1, a filter
with more than one entry and at least two outputs per axis, so a wrong order of rows or columns
shows in every one of its cases, on every seed.
"""

from __future__ import annotations

import numpy as np

from ...maths.validate import output_size
from ...network.columns import col2im, im2col
from .base import Case, CaseTable, Exercise, Mistake, draw

NOTEBOOK = "06_im2col"

BASIC = "one sample, one channel, stride 1, no padding"
GEOMETRY = "stride S > 1 and padding P > 0"
BATCH = "batch B > 1 and depth D > 1: the order of rows and columns"

CORE = (
    (BASIC, "the lecture's sizes: ", (1, 1, 3, 3, 2, 2, 1, 0)),
    (BASIC, "non-square: ", (1, 1, 4, 5, 3, 2, 1, 0)),
    (GEOMETRY, "stride 2, padding 1: ", (1, 1, 5, 5, 3, 3, 2, 1)),
    (GEOMETRY, "stride that does not divide: ", (1, 1, 6, 7, 3, 2, 2, 0)),
    (GEOMETRY, "padding > F - 1, stride 3: ", (1, 1, 4, 4, 2, 2, 3, 2)),
    (BATCH, "", (2, 3, 4, 4, 2, 2, 1, 0)),
    (BATCH, "everything at once: ", (3, 2, 5, 4, 3, 2, 2, 1)),
)


def _basic(rng):
    _, _, h, w, fh, fw, s, p = draw(rng, F=(2, 3))
    return 1, 1, h, w, fh, fw, s, p


def _geometry(rng):
    _, _, h, w, fh, fw, s, p = draw(rng, F=(2, 3), S=(2, 3), P=(1, 2))
    return 1, 1, h, w, fh, fw, s, p


def _batch(rng):
    _, d, h, w, fh, fw, s, p = draw(rng, D=(2, 3), F=(2, 3), S=(1, 2), P=(0, 1))
    return int(rng.integers(2, 4)), d, h, w, fh, fw, s, p


RANDOM = {BASIC: _basic, GEOMETRY: _geometry, BATCH: _batch}


def _label(spec) -> str:
    b, d, h, w, fh, fw, s, p = spec
    return f"x of shape ({b}, {d}, {h}, {w}), {fh}x{fw} filter, S={s}, P={p}"


def _geometry_kwargs(s: int, p: int) -> dict:
    """stride and padding as keywords, each only where it is not the default (S = 1, P = 0)."""
    return {k: v for k, v in (("stride", s), ("padding", p)) if v != (1 if k == "stride" else 0)}


def _im2col_make(values, group, spec, label) -> Case:
    b, d, h, w, fh, fw, s, p = spec
    kwargs = _geometry_kwargs(s, p)
    return Case(label, (values((b, d, h, w)), fh, fw), kwargs, group)


def _col2im_make(values, group, spec, label) -> Case:
    b, d, h, w, fh, fw, s, p = spec
    h_out, w_out = output_size(h, w, fh, fw, s, p)
    kwargs = _geometry_kwargs(s, p)
    return Case(label, (values((d * fh * fw, b * h_out * w_out)), (b, d, h, w), fh, fw), kwargs, group)


# ---------------------------------------------------------------- known mistakes


def _loop_im2col(
    x, fh, fw, stride=1, padding=0, *, batch_last=False, channel_last=False, step=None, pad=None
):
    """A window-by-window im2col with one thing done differently (the keyword says which)."""
    x = np.asarray(x, float)
    p = padding if pad is None else pad
    s = stride if step is None else step
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    h_out, w_out = output_size(x.shape[2], x.shape[3], fh, fw, s, p)
    order = [(b, i, j) for b in range(x.shape[0]) for i in range(h_out) for j in range(w_out)]
    if batch_last:
        order = [(b, i, j) for i in range(h_out) for j in range(w_out) for b in range(x.shape[0])]
    columns = []
    for b, i, j in order:
        window = xp[b, :, i * s : i * s + fh, j * s : j * s + fw]
        columns.append((window.transpose(1, 2, 0) if channel_last else window).ravel())
    return np.stack(columns, axis=1)


def _loop_col2im(cols, x_shape, fh, fw, stride=1, padding=0, *, assign=False, crop=True, average=False):
    cols = np.asarray(cols, float)
    n_b, d, h, w = x_shape
    p, s = padding, stride
    h_out, w_out = output_size(h, w, fh, fw, s, p)
    out = np.zeros((n_b, d, h + 2 * p, w + 2 * p))
    count = np.zeros_like(out)
    k = 0
    for b in range(n_b):
        for i in range(h_out):
            for j in range(w_out):
                field = cols[:, k].reshape(d, fh, fw)
                where = (b, slice(None), slice(i * s, i * s + fh), slice(j * s, j * s + fw))
                if assign:
                    out[where] = field
                else:
                    out[where] += field
                count[where] += 1
                k += 1
    if average:
        out = np.divide(out, count, out=np.zeros_like(out), where=count > 0)
    return out[:, :, p : p + h, p : p + w] if crop else out


IM2COL_MISTAKES = (
    Mistake(
        "one receptive field per row: the exercise asks for one per column, shape (D*Fh*Fw, B*H_out*W_out)",
        lambda x, fh, fw, stride=1, padding=0: _loop_im2col(x, fh, fw, stride, padding).T,
    ),
    Mistake(
        "columns ordered (i, j, b): the samples come first, column (b*H_out + i)*W_out + j",
        lambda x, fh, fw, stride=1, padding=0: _loop_im2col(x, fh, fw, stride, padding, batch_last=True),
    ),
    Mistake(
        "rows ordered (u, v, d): a column lists the window channel by channel, as w[n].ravel() does",
        lambda x, fh, fw, stride=1, padding=0: _loop_im2col(x, fh, fw, stride, padding, channel_last=True),
    ),
    Mistake(
        "padding ignored: pad x by P on every side before taking the windows",
        lambda x, fh, fw, stride=1, padding=0: _loop_im2col(x, fh, fw, stride, padding, pad=0),
    ),
    Mistake(
        "stride ignored: the window of output (i, j) starts at row i*S, column j*S",
        lambda x, fh, fw, stride=1, padding=0: _loop_im2col(x, fh, fw, stride, padding, step=1),
    ),
)

COL2IM_MISTAKES = (
    Mistake(
        "overlapping fields overwrite instead of adding: an entry in several windows gets the sum "
        "(+=, not =)",
        lambda cols, x_shape, fh, fw, stride=1, padding=0: _loop_col2im(
            cols, x_shape, fh, fw, stride, padding, assign=True
        ),
    ),
    Mistake(
        "overlapping fields averaged: the adjoint adds them (it is the transpose, not an inverse)",
        lambda cols, x_shape, fh, fw, stride=1, padding=0: _loop_col2im(
            cols, x_shape, fh, fw, stride, padding, average=True
        ),
    ),
    Mistake(
        "padding not cropped: return x_shape, dropping what fell on the P rows and columns of zeros",
        lambda cols, x_shape, fh, fw, stride=1, padding=0: _loop_col2im(
            cols, x_shape, fh, fw, stride, padding, crop=False
        ),
    ),
    Mistake(
        "columns read as rows: column (b*H_out + i)*W_out + j is one field, its D*Fh*Fw entries down it",
        lambda cols, x_shape, fh, fw, stride=1, padding=0: _loop_col2im(
            np.asarray(cols, float).reshape(np.shape(cols)[::-1]).T, x_shape, fh, fw, stride, padding
        ),
    ),
)

IM2COL = Exercise(
    "im2col",
    NOTEBOOK,
    im2col,
    CaseTable(CORE, RANDOM, _im2col_make, _label, seed=61),
    {BASIC: 1, GEOMETRY: 1, BATCH: 1},
    IM2COL_MISTAKES,
)

COL2IM = Exercise(
    "col2im",
    NOTEBOOK,
    col2im,
    CaseTable(CORE, RANDOM, _col2im_make, _label, seed=62),
    {BASIC: 1, GEOMETRY: 1, BATCH: 1},
    COL2IM_MISTAKES,
)

EXERCISES = (IM2COL, COL2IM)
