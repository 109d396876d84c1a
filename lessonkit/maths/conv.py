"""A conv layer's forward pass and its two backward steps, written the way the lecture derives them.

Notation (the lecture's): x = a^{l-1} of shape (D, H, W); w = W of shape (N, D, Fh, Fw); b = w_b of
shape (N,); net = net^l and delta = δ^l = dE/dnet^l of shape (N, H_out, W_out) with
H_out = (H - Fh + 2P)//S + 1 and W_out = (W - Fw + 2P)//S + 1.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .ops import correlate2d, dilate, pad, pad_hw, rot180
from .validate import (
    delta_argument,
    float_array,
    forward_arguments,
    non_negative_int,
    output_size,
    positive_int,
    same_depth,
    shape_tuple,
)

__all__ = ["conv_forward", "bp_delta_map", "compute_gradient", "stride_one_map"]


def conv_forward(x: ArrayLike, w: ArrayLike, b: ArrayLike, stride: int = 1, padding: int = 0) -> np.ndarray:
    """Forward pass of a conv layer: ``net[n] = sum_d cross(pad(x[d], P), w[n, d], S) + b[n]``.

    Parameters
    ----------
    x : array_like, shape (D, H, W)
        The input a^{l-1}.
    w : array_like, shape (N, D, Fh, Fw)
        N filters of depth D; rectangular filters are allowed.
    b : array_like, shape (N,)
        One bias w_b per filter.
    stride : int, optional
        S >= 1.
    padding : int, optional
        P >= 0 zeros added on every side of each input channel.

    Returns
    -------
    numpy.ndarray, shape (N, H_out, W_out), float64
        net^l, with H_out = (H - Fh + 2P)//S + 1 and W_out = (W - Fw + 2P)//S + 1.

    Examples
    --------
    The lecture's case: a 3x3 input, one 2x2 filter, stride 1, so the feature map is 2x2.

    >>> x = np.arange(1.0, 10.0).reshape(1, 3, 3)
    >>> w = np.array([[[[1.0, 0.0], [0.0, -1.0]]]])
    >>> conv_forward(x, w, b=[0.5])
    array([[[-3.5, -3.5],
            [-3.5, -3.5]]])
    >>> conv_forward(x, w, b=[0.0], stride=2, padding=1).shape
    (1, 2, 2)
    """
    x, w, b, s, p = forward_arguments(x, w, b, stride, padding)
    h_out, w_out = output_size(x.shape[1], x.shape[2], w.shape[2], w.shape[3], s, p)
    xp = pad(x, p)
    net = np.empty((w.shape[0], h_out, w_out))
    for n in range(w.shape[0]):
        net[n] = b[n]
        for d in range(x.shape[0]):
            net[n] += correlate2d(xp[d], w[n, d], s)
    return net


def bp_delta_map(
    delta: ArrayLike, w: ArrayLike, input_shape: tuple[int, int, int], stride: int = 1, padding: int = 0
) -> np.ndarray:
    """Send the error terms back through the filters: dE/da^{l-1} from δ^l = dE/dnet^l.

    For each input channel d, ``sum_n cross(pad(ext(dilate(δ_n, S)), F-1), rot180(W_{n,d}))`` gives
    the gradient with respect to the padded input, where ``ext`` appends zero rows/columns at the
    bottom/right up to the stride-1 size (H + 2P - Fh + 1, W + 2P - Fw + 1) (see
    :func:`compute_gradient`); cropping the P-wide ring of padding leaves dE/da^{l-1}. Multiply by
    f'(net^{l-1}) to get δ^{l-1} (the layer below owns f).

    Parameters
    ----------
    delta : array_like, shape (N, H_out, W_out)
        δ^l, one error map per filter, as produced by this geometry.
    w : array_like, shape (N, D, Fh, Fw)
        The filters used in the forward pass.
    input_shape : tuple of int
        (D, H, W) of the forward input a^{l-1}.
    stride, padding : int, optional
        S >= 1 and P >= 0 of the forward pass.

    Returns
    -------
    numpy.ndarray, shape (D, H, W), float64
        dE/da^{l-1}. Input positions the forward never read (when S does not divide
        H - Fh + 2P) get exactly 0.

    Examples
    --------
    The lecture's 3x3 input and 2x2 filter: dE/da_{1,2} = δ11 w12 + δ12 w11 (1-based), which is
    entry [0, 0, 1] in 0-based code.

    >>> w = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    >>> delta = np.array([[[10.0, 20.0], [30.0, 40.0]]])
    >>> g = bp_delta_map(delta, w, input_shape=(1, 3, 3))
    >>> g[0]
    array([[ 10.,  40.,  40.],
           [ 60., 200., 160.],
           [ 90., 240., 160.]])
    >>> bool(g[0, 0, 1] == 10 * 2 + 20 * 1)
    True
    """
    w = float_array(w, "w", 4)
    d_in, h, wd = shape_tuple(input_shape, "input_shape", 3, "(D, H, W)")
    s = positive_int(stride, "stride")
    p = non_negative_int(padding, "padding")
    n_f, depth, fh, fw = w.shape
    same_depth("input_shape", (d_in, h, wd), 0, "w", w.shape, 1)
    h_out, w_out = output_size(h, wd, fh, fw, s, p)
    delta = delta_argument(delta, (n_f, h_out, w_out), s, p)
    d1 = stride_one_map(delta, h + 2 * p - fh + 1, wd + 2 * p - fw + 1, s)
    full = pad_hw(d1, fh - 1, fw - 1)  # "pad δ with a ring of F-1 zeros"
    wr = rot180(w)
    grad_padded = np.zeros((d_in, h + 2 * p, wd + 2 * p))
    for d in range(d_in):
        for n in range(n_f):
            grad_padded[d] += correlate2d(full[n], wr[n, d])
    # Crop the padding ring with explicit ends: x[p:-p] would be empty for p = 0.
    return grad_padded[:, p : p + h, p : p + wd].copy()


def compute_gradient(
    delta: ArrayLike, x: ArrayLike, filter_shape: tuple[int, int, int, int], stride: int = 1, padding: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Weight and bias gradients of a conv layer: δ used as the kernel over the (padded) input.

    For each of the N filters and D input channels, in three steps:

    1. dilate: insert S - 1 zeros between neighbouring entries of δ_n, which gives a map of
       ((H_out - 1)*S + 1) x ((W_out - 1)*S + 1);
    2. extend: append zero rows at the bottom and zero columns at the right up to the stride-1
       size (H + 2P - Fh + 1) x (W + 2P - Fw + 1). This adds (H - Fh + 2P) mod S rows (and
       (W - Fw + 2P) mod S columns), none when S divides H - Fh + 2P: for H = 6, F = 3, S = 2,
       P = 0 the 2x2 δ dilates to 3x3, but the stride-1 map is 4x4. Call the result δ̂_n;
    3. correlate: ``dW[n, d] = cross(pad(x[d], P), δ̂_n)``, an Fh x Fw array (0-based at S = 1,
       P = 0: dE/dw_{i,j} = sum_m sum_n δ_{m,n} a_{i+m, j+n}).

    The bias needs no dilation: ``db[n] = sum of δ_n``.

    Parameters
    ----------
    delta : array_like, shape (N, H_out, W_out)
        δ^l = dE/dnet^l.
    x : array_like, shape (D, H, W)
        The forward input a^{l-1}.
    filter_shape : tuple of int
        (N, D, Fh, Fw), the shape of W.
    stride, padding : int, optional
        S >= 1 and P >= 0 of the forward pass.

    Returns
    -------
    dW : numpy.ndarray, shape (N, D, Fh, Fw), float64
    db : numpy.ndarray, shape (N,), float64

    Examples
    --------
    The lecture's case, with dE/dw_{1,2} = δ11 a12 + δ12 a13 + δ21 a22 + δ22 a23 (1-based).

    >>> x = np.arange(1.0, 10.0).reshape(1, 3, 3)
    >>> delta = np.array([[[1.0, 0.0], [0.0, 2.0]]])
    >>> dW, db = compute_gradient(delta, x, filter_shape=(1, 1, 2, 2))
    >>> dW[0, 0]
    array([[11., 14.],
           [20., 23.]])
    >>> db
    array([3.])

    A stride that does not divide H - F + 2P: H = 6, F = 3, S = 2, so δ is 2x2, dilated 3x3 and
    extended to the 4x4 stride-1 map (:func:`stride_one_map`) before it slides over the input.

    >>> x6 = np.arange(36.0).reshape(1, 6, 6)
    >>> d2 = np.array([[[1.0, 2.0], [3.0, 4.0]]])
    >>> dW, db = compute_gradient(d2, x6, filter_shape=(1, 1, 3, 3), stride=2)
    >>> dW[0, 0]
    array([[ 96., 106., 116.],
           [156., 166., 176.],
           [216., 226., 236.]])
    >>> bool(dW[0, 0, 0, 0] == 1 * x6[0, 0, 0] + 2 * x6[0, 0, 2] + 3 * x6[0, 2, 0] + 4 * x6[0, 2, 2])
    True
    """
    x = float_array(x, "x", 3)
    n_f, depth, fh, fw = shape_tuple(filter_shape, "filter_shape", 4, "(N, D, Fh, Fw)")
    s = positive_int(stride, "stride")
    p = non_negative_int(padding, "padding")
    d_in, h, wd = x.shape
    same_depth("filter_shape", (n_f, depth, fh, fw), 1, "x", x.shape, 0)
    h_out, w_out = output_size(h, wd, fh, fw, s, p, filter_name="filter_shape")
    delta = delta_argument(delta, (n_f, h_out, w_out), s, p)
    d1 = stride_one_map(delta, h + 2 * p - fh + 1, wd + 2 * p - fw + 1, s)
    xp = pad(x, p)
    dW = np.empty((n_f, depth, fh, fw))
    for n in range(n_f):
        for d in range(depth):
            dW[n, d] = correlate2d(xp[d], d1[n])
    db = delta.sum(axis=(1, 2))
    return dW, db


def stride_one_map(delta: np.ndarray, h1: int, w1: int, s: int) -> np.ndarray:
    """Dilate δ by S and extend it with zeros to the stride-1 map's size (h1, w1) = (H + 2P - Fh + 1, ...).

    The extra zero rows/columns at the bottom/right stand for the positions a stride that does not
    divide H - Fh + 2P never reaches. Both backward steps start here, and so do the figures of them.

    Examples
    --------
    A 5x5 input, a 2x2 filter, S = 2: δ is 2x2 and the stride-1 map is 4x4, one more than the
    dilated 3x3, because the window at row 3 was never taken.

    >>> stride_one_map(np.array([[1.0, 2.0], [3.0, 4.0]]), 4, 4, 2)
    array([[1., 0., 2., 0.],
           [0., 0., 0., 0.],
           [3., 0., 4., 0.],
           [0., 0., 0., 0.]])
    """
    d = dilate(delta, s)
    out = np.zeros(d.shape[:-2] + (h1, w1))
    out[..., : d.shape[-2], : d.shape[-1]] = d
    return out
