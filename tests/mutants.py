"""Plausible wrong answers to every exercise, as a learner would write them (one bug each).

Used by tests/course/test_seed_independence.py: each must get the same points on every seed, and its
public check must fail exactly when the grader withholds points.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from lessonkit import correlate2d, dilate, pad, rot180
from lessonkit.course.exercises import ACTIVATIONS


def _full(d1, fh, fw):
    return np.pad(d1, ((fh - 1, fh - 1), (fw - 1, fw - 1)))


def bp(delta, w, input_shape, stride=1, padding=0, *, bug=""):
    """A loop bp_delta_map with one bug (``bug`` names it)."""
    delta, w = np.asarray(delta, float), np.asarray(w, float)
    D, H, W = input_shape
    N, _, fh, fw = w.shape
    if bug == "square filter":
        fw = fh
    p = 0 if bug == "padding ignored" else padding
    s = 1 if bug == "stride ignored" else stride
    h1, w1 = H + 2 * p - fh + 1, W + 2 * p - fw + 1
    d = dilate(delta, s)
    if bug == "not extended":
        d1 = d
    elif bug == "extended by one":
        d1 = np.zeros((N, d.shape[1] + (h1 > d.shape[1]), d.shape[2] + (w1 > d.shape[2])))
        d1[:, : d.shape[1], : d.shape[2]] = d
    else:
        d1 = np.zeros((N, h1, w1))
        d1[:, : min(h1, d.shape[1]), : min(w1, d.shape[2])] = d[:, :h1, :w1]
    grad = np.zeros((D, d1.shape[1] + fh - 1, d1.shape[2] + fw - 1))
    for n in range(N):
        if bug == "pads by slicing":
            full = np.zeros((d1.shape[1] + 2 * (fh - 1), d1.shape[2] + 2 * (fw - 1)))
            full[fh - 1 : -(fh - 1), fw - 1 : -(fw - 1)] = d1[n]
        else:
            full = _full(d1[n], fh, fw)
        for ch in range(D if bug != "first channel only" else 1):
            k = w[n, ch] if bug == "no rot180" else rot180(w[n, ch])
            c = correlate2d(full, k)
            grad[ch] = c if bug == "not summed over filters" else grad[ch] + c
    if bug == "not cropped":
        return grad
    if bug == "crop p:-p":
        return grad[:, p:-p, p:-p]
    out = grad[:, p : p + H, p : p + W]
    if bug == "rounds to integers":
        out = np.round(out)
    if bug == "mutates delta":
        delta[...] = 0  # the caller's array: no copy was made above for a float64 input
    if bug == "crashes at stride 3" and stride == 3:
        raise ValueError("stride 3 not supported")
    return out


BP = {
    name: partial(bp, bug=name)
    for name in (
        "no rot180",
        "stride ignored",
        "padding ignored",
        "not extended",
        "extended by one",
        "pads by slicing",
        "not summed over filters",
        "first channel only",
        "not cropped",
        "crop p:-p",
        "square filter",
        "rounds to integers",
        "mutates delta",
        "crashes at stride 3",
    )
}
BP["returns a list"] = lambda delta, w, input_shape, stride=1, padding=0: bp(
    delta, w, input_shape, stride, padding
).tolist()


def cg(delta, x, filter_shape, stride=1, padding=0, *, bug=""):
    """A loop compute_gradient with one bug."""
    delta, x = np.asarray(delta, float), np.asarray(x, float)
    N, D, fh, fw = filter_shape
    _, H, W = x.shape
    s = 1 if bug == "stride ignored" else stride
    p = 0 if bug == "padding ignored" else padding
    d = dilate(delta, s)
    h1, w1 = H + 2 * p - fh + 1, W + 2 * p - fw + 1
    if bug == "not extended":
        d1 = d
    else:
        d1 = np.zeros((N, h1, w1))
        d1[:, : min(h1, d.shape[1]), : min(w1, d.shape[2])] = d[:, :h1, :w1]
    xp = pad(x, p)
    dW = np.zeros((N, D, fh, fw))
    for n in range(N):
        k = rot180(d1[n]) if bug == "delta rotated" else d1[n]
        for ch in range(D):
            dW[n, ch] = correlate2d(xp[ch], k)[:fh, :fw]
    if bug == "bias averaged":
        db = delta.mean(axis=(1, 2))
    elif bug == "bias over all filters":
        db = np.full(N, delta.sum())
    elif bug == "bias keeps axes":
        db = delta.sum(axis=(1, 2), keepdims=True)
    else:
        db = delta.sum(axis=(1, 2))
    if bug == "mutates x":
        x += 0.5
    return dW, db


CG = {
    name: partial(cg, bug=name)
    for name in (
        "stride ignored",
        "padding ignored",
        "delta rotated",
        "bias averaged",
        "bias over all filters",
        "bias keeps axes",
        "mutates x",
    )
}


def fwd(x, w, b, stride=1, padding=0, *, bug=""):
    """A loop conv_forward with one bug."""
    x, w, b = np.asarray(x, float), np.asarray(w, float), np.asarray(b, float)
    xp = x if bug == "padding ignored" else pad(x, padding)
    s = 1 if bug == "stride ignored" else stride
    out = []
    for n in range(w.shape[0]):
        k = rot180(w[n]) if bug == "filter rotated" else w[n]
        acc = sum(correlate2d(xp[d], k[d], s) for d in range(x.shape[0]))
        if bug == "bias per channel":
            acc = acc + x.shape[0] * b[n]
        elif bug != "bias missing":
            acc = acc + b[n]
        out.append(acc)
    out = np.array(out)
    return out[:1] if bug == "first filter only" else out


FWD = {
    name: partial(fwd, bug=name)
    for name in (
        "stride ignored",
        "padding ignored",
        "filter rotated",
        "bias per channel",
        "bias missing",
        "first filter only",
    )
}


def layer(grad_output, x, w, b, activation, stride=1, padding=0, *, bug=""):
    """A layer_backward built from lessonkit's pieces, with one bug."""
    import lessonkit

    f = ACTIVATIONS[activation]
    net = lessonkit.conv_forward(x, w, b, stride, padding)
    g = np.asarray(grad_output, float)
    if bug == "f' not applied":
        delta = g
    elif bug == "f' at the output":
        delta = g * f.derivative(f.forward(net))
    elif bug == "tanh' as 1 - a" and activation == "tanh":
        delta = g * (1 - f.forward(net))
    else:
        delta = g * f.derivative(net)
    dW, db = lessonkit.compute_gradient(delta, x, np.shape(w), stride, padding)
    if bug == "bias averaged":
        db = delta.mean(axis=(1, 2))
    if bug == "no rot180":
        d_input = bp(delta, w, np.shape(x), stride, padding, bug="no rot180")
    else:
        d_input = lessonkit.bp_delta_map(delta, w, np.shape(x), stride, padding)
    return d_input, dW, db


LAYER = {
    name: partial(layer, bug=name)
    for name in ("f' not applied", "f' at the output", "tanh' as 1 - a", "bias averaged", "no rot180")
}


def _pad_one_side(x, p):
    x = np.asarray(x, float)
    return np.pad(x, [(0, 0)] * (x.ndim - 2) + [(0, p), (0, p)])


def _pad_first_axes(x, p):
    x = np.asarray(x, float)
    return np.pad(x, [(p, p), (p, p)] + [(0, 0)] * (x.ndim - 2))


PAD = {
    "one side only": _pad_one_side,
    "every axis padded": lambda x, p: np.pad(np.asarray(x, float), p),
    "first two axes padded": _pad_first_axes,
}

ROT = {
    "np.rot90 default axes": lambda w: np.rot90(np.asarray(w, float), 2),
    "rows only": lambda w: np.asarray(w, float)[..., ::-1, :].copy(),
    "columns only": lambda w: np.asarray(w, float)[..., ::-1].copy(),
    "transposed": lambda w: np.swapaxes(np.asarray(w, float), -1, -2).copy(),
}


def _dilate_2d_only(delta, stride):
    delta = np.asarray(delta, float)
    h, w = delta.shape[0], delta.shape[1]
    out = np.zeros(((h - 1) * stride + 1, (w - 1) * stride + 1))
    out[::stride, ::stride] = delta if delta.ndim == 2 else delta[:, :, 0]
    return out


# These two repeat lessonkit.course.exercises' own variants on purpose: while a check runs, lessonkit.course.exercises is
# switched off (it holds the reference solutions), so a mutant cannot call into it.
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


DIL = {"2-D only": _dilate_2d_only, "S zeros between": _dilate_too_many, "trailing zeros": _dilate_trailing}


def _corr(x, k, stride=1, *, bug=""):
    x, k = np.asarray(x, float), np.asarray(k, float)
    if bug == "kernel flipped":
        k = k[::-1, ::-1]
    s = 1 if bug == "stride ignored" else stride
    fh, fw = k.shape
    if bug == "square kernel":
        fw = fh
    rows = -(-(x.shape[0] - fh) // s) + 1 if bug == "ceil output size" else (x.shape[0] - fh) // s + 1
    cols = (x.shape[1] - fw) // s + 1
    out = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            window = x[i * s : i * s + fh, j * s : j * s + fw]
            out[i, j] = np.sum(window * k[: window.shape[0], : window.shape[1]])
    return out


CORR = {
    name: partial(_corr, bug=name)
    for name in ("kernel flipped", "stride ignored", "square kernel", "ceil output size")
}

MUTANTS = {
    "pad": PAD,
    "rot180": ROT,
    "dilate": DIL,
    "correlate2d": CORR,
    "bp_delta_map": BP,
    "compute_gradient": CG,
    "conv_forward": FWD,
    "layer_backward": LAYER,
}


# ---------------------------------------------------------------- shape-only bugs
#
# Written as the solutions are, with one slip in the shape arithmetic: "H and W swapped" (W used
# where H is meant), "extra +1" (an output size one too large) and "slice one too wide/short". They
# mostly raise (a broadcast or an index error), and where they do not, the shape is wrong.


def corr_loop(x, k, stride=1, *, bug=""):
    """The solution's correlate2d with one slip in its shape arithmetic."""
    x, k = np.asarray(x, float), np.asarray(k, float)
    fh, fw = k.shape
    h_out, w_out = (x.shape[0] - fh) // stride + 1, (x.shape[1] - fw) // stride + 1
    if bug == "H and W swapped":
        h_out, w_out = (x.shape[1] - fw) // stride + 1, (x.shape[0] - fh) // stride + 1
    if bug == "extra +1":
        h_out, w_out = h_out + 1, w_out + 1
    short = bug == "window one short"
    out = np.zeros((h_out, w_out))
    for i in range(h_out):
        for j in range(w_out):
            window = x[i * stride : i * stride + fh - short, j * stride : j * stride + fw - short]
            out[i, j] = np.sum(window * k)
    return out


def bp_shapes(delta, w, input_shape, stride=1, padding=0, *, bug=""):
    """The solution's bp_delta_map with one slip in its shape arithmetic."""
    delta, w = np.asarray(delta, float), np.asarray(w, float)
    D, H, W = input_shape
    N, _, fh, fw = w.shape
    rows, cols = H + 2 * padding - fh + 1, W + 2 * padding - fw + 1
    if bug == "H and W swapped":
        rows, cols = W + 2 * padding - fw + 1, H + 2 * padding - fh + 1
    if bug == "extra +1":
        rows, cols = rows + 1, cols + 1
    d = dilate(delta, stride)
    d1 = np.zeros((N, rows, cols))
    wide = bug == "slice one too wide"
    d1[:, : d.shape[1] + wide, : d.shape[2] + wide] = d
    grad = np.zeros((D, H + 2 * padding, W + 2 * padding))
    for n in range(N):
        full = np.pad(d1[n], ((fh - 1, fh - 1), (fw - 1, fw - 1)))
        for ch in range(D):
            grad[ch] += correlate2d(full, rot180(w[n, ch]))
    return grad[:, padding : padding + H, padding : padding + W]


def cg_shapes(delta, x, filter_shape, stride=1, padding=0, *, bug=""):
    """The solution's compute_gradient with one slip in its shape arithmetic."""
    delta, x = np.asarray(delta, float), np.asarray(x, float)
    N, D, fh, fw = filter_shape
    _, H, W = x.shape
    rows, cols = H + 2 * padding - fh + 1, W + 2 * padding - fw + 1
    if bug == "H and W swapped":
        rows, cols = W + 2 * padding - fw + 1, H + 2 * padding - fh + 1
    if bug == "extra +1":
        rows, cols = rows + 1, cols + 1
    d = dilate(delta, stride)
    d1 = np.zeros((N, rows, cols))
    wide = bug == "slice one too wide"
    d1[:, : d.shape[1] + wide, : d.shape[2] + wide] = d
    xp = pad(x, padding)
    dW = np.zeros((N, D, fw, fh) if bug == "filter shape swapped" else (N, D, fh, fw))
    for n in range(N):
        for ch in range(D):
            dW[n, ch] = correlate2d(xp[ch], d1[n])
    return dW, delta.sum(axis=(1, 2))


def fwd_loop(x, w, b, stride=1, padding=0, *, bug=""):
    """conv_forward as explicit loops over the output, with one slip in its shape arithmetic."""
    x, w, b = np.asarray(x, float), np.asarray(w, float), np.asarray(b, float)
    xp = pad(x, padding)
    N, _, fh, fw = w.shape
    _, hp, wp = xp.shape
    h_out, w_out = (hp - fh) // stride + 1, (wp - fw) // stride + 1
    if bug == "H and W swapped":
        h_out, w_out = (wp - fw) // stride + 1, (hp - fh) // stride + 1
    if bug == "extra +1":
        h_out, w_out = h_out + 1, w_out + 1
    short = bug == "window one short"
    out = np.zeros((N, h_out, w_out))
    for n in range(N):
        for i in range(h_out):
            for j in range(w_out):
                r, c = i * stride, j * stride
                out[n, i, j] = np.sum(xp[:, r : r + fh - short, c : c + fw - short] * w[n]) + b[n]
    return out


def _dilate_swapped(delta, stride):
    delta = np.asarray(delta, float)
    h, w = delta.shape[-2:]
    out = np.zeros(delta.shape[:-2] + ((w - 1) * stride + 1, (h - 1) * stride + 1))
    out[..., ::stride, ::stride] = delta
    return out


def _pad_swapped(x, p):
    x = np.asarray(x, float)
    h, w = x.shape[-2:]
    out = np.zeros(x.shape[:-2] + (w + 2 * p, h + 2 * p))
    out[..., p : p + h, p : p + w] = x
    return out


SHAPES = {
    "correlate2d": (corr_loop, ("H and W swapped", "extra +1", "window one short")),
    "bp_delta_map": (bp_shapes, ("H and W swapped", "extra +1", "slice one too wide")),
    "compute_gradient": (
        cg_shapes,
        ("H and W swapped", "extra +1", "slice one too wide", "filter shape swapped"),
    ),
    "conv_forward": (fwd_loop, ("H and W swapped", "extra +1", "window one short")),
}
for _name, (_fn, _bugs) in SHAPES.items():
    MUTANTS[_name].update({f"shape: {bug}": partial(_fn, bug=bug) for bug in _bugs})
MUTANTS["dilate"]["shape: H and W swapped"] = _dilate_swapped
MUTANTS["pad"]["shape: H and W swapped"] = _pad_swapped

# Exercises 05 (pooling) and 06 (im2col): their own module, merged here.
from mutants_pool_cols import POOLING_MUTANTS  # noqa: E402 (after MUTANTS, which it extends)

MUTANTS.update(POOLING_MUTANTS)
