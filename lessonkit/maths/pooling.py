"""Max and mean pooling, forward and backward: the layer the lecture's article turns to after conv.

A pooling layer has no weights. Over each window of ``size`` x ``size`` entries of one channel, taken
every ``stride`` entries, it keeps the largest entry (max) or the average (mean); each channel d of
the depth D is pooled on its own. The output has H_out = (H - size)//stride + 1 rows and
W_out = (W - size)//stride + 1 columns (no padding). Backward, δ^{l-1} = ∂E/∂a^{l-1} gets each
δ^l_{d,i,j} at the window's largest entry (max), or spread evenly, δ/size², over the window (mean);
where windows overlap (stride < size) the shares add up.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike

from .validate import float_array, positive_int, shape_tuple

__all__ = ["max_pool_forward", "max_pool_backward", "mean_pool_forward", "mean_pool_backward", "pool_size"]


def pool_size(h: int, w: int, size: int, stride: int) -> tuple[int, int]:
    """(H_out, W_out) = ((H - size)//stride + 1, (W - size)//stride + 1); ValueError if a window does not fit.

    Examples
    --------
    >>> pool_size(4, 5, 2, 2)
    (2, 2)
    """
    if size > h or size > w:
        raise ValueError(f"size must be at most the input's (H, W) = ({h}, {w}); got {size}")
    return (h - size) // stride + 1, (w - size) // stride + 1


def _arguments(x: ArrayLike, size: int, stride: int) -> tuple[np.ndarray, int, int, tuple[int, int]]:
    xa = float_array(x, "x", 3)
    k = positive_int(size, "size")
    s = positive_int(stride, "stride")
    return xa, k, s, pool_size(xa.shape[1], xa.shape[2], k, s)


def _windows(x: np.ndarray, size: int, stride: int) -> np.ndarray:
    """The windows of every channel, shape (D, H_out, W_out, size, size) (a read-only view)."""
    return sliding_window_view(x, (size, size), axis=(1, 2))[:, ::stride, ::stride]


def _delta(delta: ArrayLike, expected: tuple, size: int, stride: int) -> np.ndarray:
    da = float_array(delta, "delta", 3)
    if da.shape != expected:
        raise ValueError(
            f"delta must have shape (D, H_out, W_out) = {expected} for size={size}, stride={stride} "
            f"(H_out = (H - size)//stride + 1); got shape {da.shape}"
        )
    return da


def max_pool_forward(x: ArrayLike, size: int, stride: int) -> np.ndarray:
    """The largest entry of every ``size`` x ``size`` window, taken every ``stride`` entries, per channel.

    Parameters
    ----------
    x : array_like, shape (D, H, W)
        The input a^{l-1}, depth D.
    size : int
        The window's height and width, ``1 <= size <= min(H, W)``.
    stride : int
        The step between windows, ``>= 1``; it need not equal ``size``.

    Returns
    -------
    numpy.ndarray, shape (D, H_out, W_out), float64
        With H_out = (H - size)//stride + 1 and W_out = (W - size)//stride + 1.

    Examples
    --------
    >>> x = np.array([[[1, 5, 2, 0], [3, 4, 8, 1], [0, 2, 6, 7], [9, 1, 3, 2]]])
    >>> max_pool_forward(x, 2, 2)
    array([[[5., 8.],
            [9., 7.]]])
    """
    xa, k, s, _ = _arguments(x, size, stride)
    return _windows(xa, k, s).max(axis=(-2, -1))


def max_pool_backward(delta: ArrayLike, x: ArrayLike, size: int, stride: int) -> np.ndarray:
    """∂E/∂x of max pooling: each δ goes to the largest entry of its window, the other entries get 0.

    Where windows overlap (``stride < size``) an entry that is the largest in several windows gets
    the sum of their δ. When a window holds its largest value more than once, the first of them in
    reading order (row by row) gets the δ, as ``np.argmax`` picks it.

    Parameters
    ----------
    delta : array_like, shape (D, H_out, W_out)
        δ^l = ∂E/∂out, one entry per window.
    x : array_like, shape (D, H, W)
        The forward pass's input: it says where each window's largest entry was.
    size, stride : int
        As in :func:`max_pool_forward`.

    Returns
    -------
    numpy.ndarray, shape (D, H, W), float64
        A new array; ``delta`` and ``x`` are not changed.

    Examples
    --------
    >>> x = np.array([[[1, 5, 2, 0], [3, 4, 8, 1], [0, 2, 6, 7], [9, 1, 3, 2]]])
    >>> max_pool_backward(np.array([[[10, 20], [30, 40]]]), x, 2, 2)
    array([[[ 0., 10.,  0.,  0.],
            [ 0.,  0., 20.,  0.],
            [ 0.,  0.,  0., 40.],
            [30.,  0.,  0.,  0.]]])
    """
    xa, k, s, (h_out, w_out) = _arguments(x, size, stride)
    da = _delta(delta, (xa.shape[0], h_out, w_out), k, s)
    flat = _windows(xa, k, s).reshape(xa.shape[0], h_out, w_out, k * k)
    best = flat.argmax(axis=-1)  # the first largest entry of each window, in reading order
    d, i, j = np.indices(best.shape)
    rows = i * s + best // k
    cols = j * s + best % k
    d_x = np.zeros(xa.shape)
    np.add.at(d_x, (d, rows, cols), da)  # add.at: overlapping windows can pick the same entry
    return d_x


def mean_pool_forward(x: ArrayLike, size: int, stride: int) -> np.ndarray:
    """The average of every ``size`` x ``size`` window, taken every ``stride`` entries, per channel.

    Parameters and shapes are those of :func:`max_pool_forward`.

    Examples
    --------
    >>> x = np.array([[[1, 5, 2, 0], [3, 4, 8, 1], [0, 2, 6, 7], [9, 1, 3, 2]]])
    >>> mean_pool_forward(x, 2, 2)
    array([[[3.25, 2.75],
            [3.  , 4.5 ]]])
    """
    xa, k, s, _ = _arguments(x, size, stride)
    return _windows(xa, k, s).mean(axis=(-2, -1))


def mean_pool_backward(delta: ArrayLike, input_shape: tuple, size: int, stride: int) -> np.ndarray:
    """∂E/∂x of mean pooling: each δ is spread evenly, δ/size², over the entries of its window.

    Mean pooling is linear, so the input's values do not matter, only its shape. Where windows
    overlap (``stride < size``) the shares add up; entries no window reads get 0.

    Parameters
    ----------
    delta : array_like, shape (D, H_out, W_out)
        δ^l = ∂E/∂out, one entry per window.
    input_shape : tuple of int
        The forward pass's input shape (D, H, W).
    size, stride : int
        As in :func:`mean_pool_forward`.

    Returns
    -------
    numpy.ndarray, shape input_shape, float64

    Examples
    --------
    >>> mean_pool_backward(np.array([[[4.0, 8.0]]]), (1, 2, 3), 2, 1)
    array([[[1., 3., 2.],
            [1., 3., 2.]]])
    """
    d, h, w = shape_tuple(input_shape, "input_shape", 3, "(D, H, W)")
    k = positive_int(size, "size")
    s = positive_int(stride, "stride")
    h_out, w_out = pool_size(h, w, k, s)
    share = _delta(delta, (d, h_out, w_out), k, s) / (k * k)
    d_x = np.zeros((d, h, w))
    for u in range(k):  # one shifted, strided slice per window offset (u, v): size² additions
        for v in range(k):
            d_x[:, u : u + (h_out - 1) * s + 1 : s, v : v + (w_out - 1) * s + 1 : s] += share
    return d_x
