"""Plausible wrong answers to exercises 05 (pooling) and 06 (im2col), written as a learner would (one bug each).

Merged into tests/mutants.py's MUTANTS, so tests/course/test_seed_independence.py grades each on the
hidden cases of 100 seeds.
"""

from __future__ import annotations

from functools import partial

import numpy as np


def _out(h, w, size, stride, bug):
    if bug == "no +1":
        return (h - size) // stride, (w - size) // stride
    if bug == "H and W swapped":
        return (w - size) // stride + 1, (h - size) // stride + 1
    if bug == "stride ignored":
        return h - size + 1, w - size + 1
    return (h - size) // stride + 1, (w - size) // stride + 1


def pool_forward(x, size, stride, *, mean=False, bug=""):
    """A loop pooling forward pass with one bug (``bug`` names it)."""
    x = np.asarray(x, float)
    d, h, w = x.shape
    step = 1 if bug == "stride ignored" else stride
    h_out, w_out = _out(h, w, size, stride, bug)
    out = np.zeros((d, h_out, w_out))
    for i in range(h_out):
        for j in range(w_out):
            window = x[:, i * step : i * step + size, j * step : j * step + size]
            if bug == "channels together":
                out[:, i, j] = window.max()
            elif not mean:
                out[:, i, j] = window.max(axis=(1, 2))
            elif bug == "sum":
                out[:, i, j] = window.sum(axis=(1, 2))
            elif bug == "divided by size":
                out[:, i, j] = window.sum(axis=(1, 2)) / size
            else:
                out[:, i, j] = window.mean(axis=(1, 2))
    return out


def max_backward(delta, x, size, stride, *, bug=""):
    delta, x = np.asarray(delta, float), np.asarray(x, float)
    d_x = np.zeros(x.shape)
    for d in range(x.shape[0]):
        for i in range(delta.shape[1]):
            for j in range(delta.shape[2]):
                r, c = (i, j) if bug == "stride ignored" else (i * stride, j * stride)
                window = x[d, r : r + size, c : c + size]
                if bug == "whole window":
                    d_x[d, r : r + size, c : c + size] += delta[d, i, j]
                    continue
                k = int(np.argmax(window))
                u, v = (k % size, k // size) if bug == "unravel swapped" else (k // size, k % size)
                if bug == "assigned":
                    d_x[d, r + u, c + v] = delta[d, i, j]
                else:
                    d_x[d, r + u, c + v] += delta[d, i, j]
    return d_x


def max_backward_mask(delta, x, size, stride):
    """Right: a mask of the window's maximum (no ties in the cases), added up."""
    delta, x = np.asarray(delta, float), np.asarray(x, float)
    d_x = np.zeros(x.shape)
    for i in range(delta.shape[1]):
        for j in range(delta.shape[2]):
            window = x[:, i * stride : i * stride + size, j * stride : j * stride + size]
            mask = window == window.max(axis=(1, 2), keepdims=True)
            d_x[:, i * stride : i * stride + size, j * stride : j * stride + size] += (
                mask * delta[:, i, j, None, None]
            )
    return d_x


def mean_backward(delta, input_shape, size, stride, *, bug=""):
    delta = np.asarray(delta, float)
    d_x = np.zeros(tuple(input_shape))
    share = delta if bug == "not divided" else delta / (size if bug == "divided by size" else size * size)
    for i in range(delta.shape[1]):
        for j in range(delta.shape[2]):
            r, c = (i, j) if bug == "stride ignored" else (i * stride, j * stride)
            if bug == "assigned":
                d_x[:, r : r + size, c : c + size] = share[:, i, j, None, None]
            else:
                d_x[:, r : r + size, c : c + size] += share[:, i, j, None, None]
    return d_x


def _max_f(bug):
    return lambda x, size, stride: pool_forward(x, size, stride, bug=bug)


def _mean_f(bug):
    return lambda x, size, stride: pool_forward(x, size, stride, mean=True, bug=bug)


POOLING_MUTANTS = {
    "max_pool_forward": {
        bug: _max_f(bug) for bug in ("stride ignored", "no +1", "H and W swapped", "channels together")
    },
    "mean_pool_forward": {
        bug: _mean_f(bug) for bug in ("stride ignored", "no +1", "H and W swapped", "sum", "divided by size")
    },
    "max_pool_backward": {
        bug: partial(max_backward, bug=bug)
        for bug in ("stride ignored", "whole window", "unravel swapped", "assigned")
    },
    "mean_pool_backward": {
        bug: partial(mean_backward, bug=bug)
        for bug in ("stride ignored", "not divided", "divided by size", "assigned")
    },
}


def im2col_loop(x, fh, fw, stride=1, padding=0, *, bug=""):
    """A learner's loop im2col with one bug."""
    x = np.asarray(x, float)
    n_b, d, h, w = x.shape
    p = 0 if bug == "padding ignored" else padding
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    h_out, w_out = (h - fh + 2 * p) // stride + 1, (w - fw + 2 * p) // stride + 1
    cols = []
    order = [(b, i, j) for b in range(n_b) for i in range(h_out) for j in range(w_out)]
    if bug == "batch last":
        order = [(b, i, j) for i in range(h_out) for j in range(w_out) for b in range(n_b)]
    for b, i, j in order:
        field = xp[b, :, i * stride : i * stride + fh, j * stride : j * stride + fw]
        cols.append((field.transpose(1, 2, 0) if bug == "channel last" else field).ravel())
    out = np.stack(cols, axis=1)
    return out.T if bug == "rows" else out


def col2im_loop(cols, x_shape, fh, fw, stride=1, padding=0, *, bug=""):
    """A learner's loop col2im with one bug."""
    cols = np.asarray(cols, float)
    n_b, d, h, w = x_shape
    h_out, w_out = (h - fh + 2 * padding) // stride + 1, (w - fw + 2 * padding) // stride + 1
    out = np.zeros((n_b, d, h + 2 * padding, w + 2 * padding))
    for b in range(n_b):
        for i in range(h_out):
            for j in range(w_out):
                field = cols[:, (b * h_out + i) * w_out + j].reshape(d, fh, fw)
                where = (
                    b,
                    slice(None),
                    slice(i * stride, i * stride + fh),
                    slice(j * stride, j * stride + fw),
                )
                if bug == "assigned":
                    out[where] = field
                else:
                    out[where] += field
    if bug == "not cropped":
        return out
    return out[:, :, padding : padding + h, padding : padding + w]


POOLING_MUTANTS["im2col"] = {
    bug: partial(im2col_loop, bug=bug) for bug in ("padding ignored", "batch last", "channel last", "rows")
}
POOLING_MUTANTS["col2im"] = {bug: partial(col2im_loop, bug=bug) for bug in ("assigned", "not cropped")}
