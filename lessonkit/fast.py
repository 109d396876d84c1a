"""The same conv-layer maths, batched and vectorized: im2col plus one matrix product per pass.

The loop functions in :mod:`lessonkit.conv` follow the lecture line by line and handle one sample.
Here a batch of B samples goes through at once, and every sum over filter positions becomes a
single BLAS matrix product:

* forward: every receptive field of every sample is laid out as one row of a matrix ("im2col");
  net is that matrix times the filters flattened to columns;
* dE/da^{l-1}: the lecture's ``cross(pad(dilate(δ, S), F-1), rot180(W))``, done the same way: the
  receptive fields of the dilated, padded δ become rows, times rot180(W) flattened;
* dE/dW: the lecture's "δ as a kernel over the input", i.e. δ flattened times the im2col matrix of
  the forward pass; db is the sum of δ.

Shapes (lecture notation plus a batch axis): x (B, D, H, W), w (N, D, Fh, Fw), b (N,),
net and delta (B, N, H_out, W_out) with H_out = (H - Fh + 2P)//S + 1.
float32 inputs give float32 results, anything else is computed in float64. Inputs are never
modified.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._checks import as_float_array, non_negative_int, output_size, positive_int

__all__ = ["conv_forward", "conv_backward", "im2col"]


def im2col(x, fh: int, fw: int, stride: int = 1, padding: int = 0) -> np.ndarray:
    """Every receptive field as one row: the matrix a conv layer multiplies its filters with.

    Parameters
    ----------
    x : array_like, shape (B, D, H, W)
        A batch of inputs a^{l-1}.
    fh, fw : int
        Filter height and width.
    stride, padding : int, optional
        S >= 1 and P >= 0.

    Returns
    -------
    numpy.ndarray, shape (B * H_out * W_out, D * Fh * Fw)
        Row ``(b * H_out + i) * W_out + j`` holds the window of sample b that the filter sees at
        output position (i, j), flattened in (d, row, column) order, like ``w[n].ravel()``.

    Examples
    --------
    The lecture's 3x3 input and a 2x2 filter: four receptive fields, four rows.

    >>> x = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    >>> im2col(x, 2, 2)
    array([[1., 2., 4., 5.],
           [2., 3., 5., 6.],
           [4., 5., 7., 8.],
           [5., 6., 8., 9.]])
    """
    x = _array(x, "x", 4, "(B, D, H, W)")
    fh = positive_int(fh, "fh")
    fw = positive_int(fw, "fw")
    s = positive_int(stride, "stride")
    p = non_negative_int(padding, "padding")
    h_out, w_out = output_size(x.shape[2], x.shape[3], fh, fw, s, p, filter_name="(fh, fw)")
    return _im2col(x, fh, fw, s, p, h_out, w_out)


def conv_forward(x, w, b, stride: int = 1, padding: int = 0) -> np.ndarray:
    """Batched forward pass: ``net[b, n] = sum_d cross(pad(x[b, d], P), w[n, d], S) + b[n]``.

    Parameters
    ----------
    x : array_like, shape (B, D, H, W)
        A batch of B inputs a^{l-1}.
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
    numpy.ndarray, shape (B, N, H_out, W_out)
        net^l for every sample; float32 when x, w and b are all float32, else float64.

    Examples
    --------
    Two copies of the lecture's 3x3 input through one 2x2 filter; each gives the 2x2 feature map of
    :func:`lessonkit.conv_forward`.

    >>> x = np.stack([np.arange(1.0, 10.0).reshape(1, 3, 3)] * 2)
    >>> w = np.array([[[[1.0, 0.0], [0.0, -1.0]]]])
    >>> net = conv_forward(x, w, b=[0.5])
    >>> net.shape
    (2, 1, 2, 2)
    >>> net[1, 0]
    array([[-3.5, -3.5],
           [-3.5, -3.5]])
    >>> conv_forward(x.astype(np.float32), w.astype(np.float32), np.zeros(1, np.float32)).dtype
    dtype('float32')
    """
    x, w, b, s, p, dtype = _check_forward(x, w, b, stride, padding)
    n_b, _, h, wd = x.shape
    n_f, _, fh, fw = w.shape
    h_out, w_out = output_size(h, wd, fh, fw, s, p)
    cols = _im2col(x, fh, fw, s, p, h_out, w_out)  # (B*H_out*W_out, D*Fh*Fw)
    net = cols @ w.reshape(n_f, -1).T  # the one matrix product: (B*H_out*W_out, N)
    net += b
    return np.ascontiguousarray(net.reshape(n_b, h_out, w_out, n_f).transpose(0, 3, 1, 2))


def conv_backward(delta, x, w, stride: int = 1, padding: int = 0):
    """Batched backward pass: dE/da^{l-1}, dE/dW and dE/db from δ^l = dE/dnet^l.

    ``dx`` is the lecture's ``cross(pad(dilate(δ, S), F-1), rot180(W))`` summed over the N
    filters, with the P-wide padding ring cropped; ``dw`` is δ used as a kernel over the padded
    input, summed over the batch; ``db`` is the sum of δ over the batch and all positions.

    Parameters
    ----------
    delta : array_like, shape (B, N, H_out, W_out)
        δ^l for every sample, as produced by this geometry.
    x : array_like, shape (B, D, H, W)
        The forward input a^{l-1}.
    w : array_like, shape (N, D, Fh, Fw)
        The filters used in the forward pass.
    stride, padding : int, optional
        S >= 1 and P >= 0 of the forward pass.

    Returns
    -------
    dx : numpy.ndarray, shape (B, D, H, W)
        dE/da^{l-1}; input positions the forward never read get exactly 0.
    dw : numpy.ndarray, shape (N, D, Fh, Fw)
        dE/dW summed over the batch.
    db : numpy.ndarray, shape (N,)
        dE/dw_b summed over the batch.

    All three are float32 when delta, x and w are all float32, else float64.

    Examples
    --------
    The lecture's case in a batch of one: dE/da_{1,2} = δ11 w12 + δ12 w11 and
    dE/dw_{1,2} = δ11 a12 + δ12 a13 + δ21 a22 + δ22 a23 (1-based; entries [0, 1] in 0-based code).

    >>> x = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    >>> w = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    >>> delta = np.array([[[[10.0, 20.0], [30.0, 40.0]]]])
    >>> dx, dw, db = conv_backward(delta, x, w)
    >>> float(dx[0, 0, 0, 1]), 10 * 2 + 20 * 1
    (40.0, 40)
    >>> float(dw[0, 0, 0, 1]), 10 * 2 + 20 * 3 + 30 * 5 + 40 * 6
    (470.0, 470)
    >>> db
    array([100.])
    """
    delta, x, w, s, p, h_out, w_out = _check_backward(delta, x, w, stride, padding)
    n_b, d_in, h, wd = x.shape
    n_f, _, fh, fw = w.shape
    # δ as one row per output position: (B*H_out*W_out, N); a copy only because of the transpose.
    d_rows = delta.transpose(0, 2, 3, 1).reshape(-1, n_f)
    db = d_rows.sum(axis=0)
    # dE/dW: "δ as a kernel over the input" is, in matrix form, δ^T times the forward's im2col.
    dw = (d_rows.T @ _im2col(x, fh, fw, s, p, h_out, w_out)).reshape(w.shape)
    # dE/da^{l-1}: the lecture's rule in matrix form. The textbook col2im would scatter-add each
    # row of δ W back onto its receptive field, which needs np.add.at or a loop over the Fh*Fw
    # offsets because receptive fields overlap. Instead we gather: dilate δ (stride zeros), pad it
    # with F-1 zeros, take every Fh x Fw window as a row (the same im2col as the forward) and
    # multiply by rot180(W). Each output position then only reads, so one matrix product does it.
    hp, wp = h + 2 * p, wd + 2 * p
    full = np.zeros((n_b, n_f, hp + fh - 1, wp + fw - 1), dtype=delta.dtype)
    # Rows the stride skipped stay 0; so do the bottom/right rows a non-dividing stride never reached.
    full[:, :, fh - 1 : fh - 1 + s * (h_out - 1) + 1 : s, fw - 1 : fw - 1 + s * (w_out - 1) + 1 : s] = delta
    windows = sliding_window_view(full, (fh, fw), axis=(2, 3))  # (B, N, Hp, Wp, Fh, Fw), a view
    windows = windows[:, :, p : p + h, p : p + wd]  # only the unpadded positions: crop before, not after
    rows = windows.transpose(0, 2, 3, 1, 4, 5).reshape(n_b * h * wd, n_f * fh * fw)
    w_rot = w[:, :, ::-1, ::-1].transpose(0, 2, 3, 1).reshape(n_f * fh * fw, d_in)  # rot180(W)
    dx = (rows @ w_rot).reshape(n_b, h, wd, d_in).transpose(0, 3, 1, 2)
    return np.ascontiguousarray(dx), dw, db


def _im2col(x: np.ndarray, fh: int, fw: int, s: int, p: int, h_out: int, w_out: int) -> np.ndarray:
    """Rows of receptive fields (B*H_out*W_out, D*Fh*Fw); x is checked, geometry already valid."""
    n_b, d_in, h, wd = x.shape
    if p:
        xp = np.zeros((n_b, d_in, h + 2 * p, wd + 2 * p), dtype=x.dtype)
        xp[:, :, p : p + h, p : p + wd] = x
    else:
        xp = x
    # A view: windows[b, d, i, j] is the Fh x Fw patch whose top-left corner is (i, j).
    windows = sliding_window_view(xp, (fh, fw), axis=(2, 3))
    windows = windows[:, :, : s * (h_out - 1) + 1 : s, : s * (w_out - 1) + 1 : s]
    # The only copy of the input: (B, H_out, W_out, D, Fh, Fw) laid out row by row.
    return windows.transpose(0, 2, 3, 1, 4, 5).reshape(n_b * h_out * w_out, d_in * fh * fw)


def _array(value, name: str, ndim: int, axes: str) -> np.ndarray:
    """A float32/float64 array of rank ``ndim`` (other dtypes become float64), or a ValueError."""
    if isinstance(value, np.ndarray) and value.dtype in (np.float32, np.float64):
        arr = value
    else:
        arr = as_float_array(value, name)
    if arr.ndim != ndim:
        raise ValueError(
            f"{name} must have {ndim} dimension{'s' * (ndim != 1)} {axes}; "
            f"got {arr.ndim} with shape {arr.shape}"
        )
    if arr.size == 0:
        raise ValueError(f"{name} must not have an empty axis {axes}; got shape {arr.shape}")
    return arr


def _common(*arrays: np.ndarray):
    """float32 if every array is float32, else float64; arrays converted (no copy if already so)."""
    dtype = np.float32 if all(a.dtype == np.float32 for a in arrays) else np.float64
    return tuple(a.astype(dtype, copy=False) for a in arrays) + (dtype,)


def _check_forward(x, w, b, stride, padding):
    x = _array(x, "x", 4, "(B, D, H, W)")
    w = _array(w, "w", 4, "(N, D, Fh, Fw)")
    b = _array(b, "b", 1, "(N,)")
    s = positive_int(stride, "stride")
    p = non_negative_int(padding, "padding")
    if w.shape[1] != x.shape[1]:
        raise ValueError(
            f"w has depth D={w.shape[1]} (w.shape[1]) but x has depth D={x.shape[1]} "
            f"(x.shape[1]); they must agree; x.shape={x.shape}, w.shape={w.shape}"
        )
    if b.shape != (w.shape[0],):
        raise ValueError(
            f"b must have shape (N,) = ({w.shape[0]},) to match the N={w.shape[0]} filters in w; "
            f"got shape {b.shape}"
        )
    x, w, b, dtype = _common(x, w, b)
    return x, w, b, s, p, dtype


def _check_backward(delta, x, w, stride, padding):
    delta = _array(delta, "delta", 4, "(B, N, H_out, W_out)")
    x = _array(x, "x", 4, "(B, D, H, W)")
    w = _array(w, "w", 4, "(N, D, Fh, Fw)")
    s = positive_int(stride, "stride")
    p = non_negative_int(padding, "padding")
    if w.shape[1] != x.shape[1]:
        raise ValueError(
            f"w has depth D={w.shape[1]} (w.shape[1]) but x has depth D={x.shape[1]} "
            f"(x.shape[1]); they must agree; x.shape={x.shape}, w.shape={w.shape}"
        )
    h_out, w_out = output_size(x.shape[2], x.shape[3], w.shape[2], w.shape[3], s, p)
    expected = (x.shape[0], w.shape[0], h_out, w_out)
    if delta.shape != expected:
        raise ValueError(
            f"delta must have shape (B, N, H_out, W_out) = {expected} for this geometry "
            f"(S={s}, P={p}, H_out = (H - Fh + 2P)//S + 1); got shape {delta.shape}"
        )
    delta, x, w, _ = _common(delta, x, w)
    return delta, x, w, s, p, h_out, w_out
