"""The four primitives of the lecture: zero padding, rot180, dilation (stride zeros) and cross-correlation."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike

from .validate import as_float_array, non_negative_int, positive_int

__all__ = ["pad", "rot180", "dilate", "correlate2d", "pad_hw"]


def pad(x: ArrayLike, p: int) -> np.ndarray:
    """Zero-pad the last two axes of ``x`` by ``p`` on every side.

    Parameters
    ----------
    x : array_like, shape (..., H, W)
        Any array with at least two axes; leading axes (depth D, filters N) are left alone.
    p : int
        Number of zero rows/columns added above, below, left and right (the lecture's P), ``p >= 0``.

    Returns
    -------
    numpy.ndarray, shape (..., H + 2p, W + 2p), float64
        A new array; ``x`` is not modified.

    Examples
    --------
    >>> pad([[1, 2], [3, 4]], 1)
    array([[0., 0., 0., 0.],
           [0., 1., 2., 0.],
           [0., 3., 4., 0.],
           [0., 0., 0., 0.]])
    """
    x = as_float_array(x, "x", min_ndim=2)
    p = non_negative_int(p, "p")
    return pad_hw(x, p, p)


def pad_hw(x: np.ndarray, ph: int, pw: int) -> np.ndarray:
    """Pad the last two axes by ``ph`` rows and ``pw`` columns on each side (rectangular filters).

    Examples
    --------
    >>> pad_hw(np.ones((1, 2)), 0, 1)
    array([[0., 1., 1., 0.]])
    """
    out = np.zeros(x.shape[:-2] + (x.shape[-2] + 2 * ph, x.shape[-1] + 2 * pw))
    out[..., ph : ph + x.shape[-2], pw : pw + x.shape[-1]] = x
    return out


def rot180(w: ArrayLike) -> np.ndarray:
    """Rotate the last two axes of ``w`` by 180 degrees (flip rows, then columns).

    Parameters
    ----------
    w : array_like, shape (..., Fh, Fw)
        A filter or a stack of filters, e.g. W of shape (N, D, Fh, Fw).

    Returns
    -------
    numpy.ndarray, shape (..., Fh, Fw), float64
        ``out[..., i, j] == w[..., Fh-1-i, Fw-1-j]`` (0-based); a new array.

    Examples
    --------
    >>> rot180([[1, 2], [3, 4]])
    array([[4., 3.],
           [2., 1.]])
    """
    w = as_float_array(w, "w", min_ndim=2)
    return w[..., ::-1, ::-1].copy()


def dilate(delta: ArrayLike, stride: int) -> np.ndarray:
    """Insert ``stride - 1`` zeros between neighbouring entries of the last two axes.

    This "restores the stride-1 map": an error term computed at stride S sits where the
    stride-1 output would have had it, and the positions the stride skipped hold zeros.

    Parameters
    ----------
    delta : array_like, shape (..., H_out, W_out)
        Error terms (the lecture's delta map) of a layer with stride S.
    stride : int
        The stride S >= 1. Stride 1 returns an equal copy.

    Returns
    -------
    numpy.ndarray, shape (..., (H_out - 1)*S + 1, (W_out - 1)*S + 1), float64
        ``out[..., i*S, j*S] == delta[..., i, j]`` and zeros elsewhere.

    Examples
    --------
    >>> dilate([[1, 2], [3, 4]], 2)
    array([[1., 0., 2.],
           [0., 0., 0.],
           [3., 0., 4.]])
    """
    delta = as_float_array(delta, "delta", min_ndim=2)
    s = positive_int(stride, "stride")
    h, w = delta.shape[-2:]
    out = np.zeros(delta.shape[:-2] + (max(0, (h - 1) * s + 1), max(0, (w - 1) * s + 1)))
    out[..., ::s, ::s] = delta
    return out


def correlate2d(x: ArrayLike, k: ArrayLike, stride: int = 1) -> np.ndarray:
    """Valid 2-D cross-correlation of ``x`` with kernel ``k`` at stride ``stride`` (no flip).

    ``out[i, j] = sum_{u, v} x[i*S + u, j*S + v] * k[u, v]`` with 0-based indices; this is the
    lecture's cross(., .), what deep-learning libraries call "convolution".

    Parameters
    ----------
    x : array_like, shape (H, W)
    k : array_like, shape (Fh, Fw)
        Must fit inside ``x``: ``Fh <= H`` and ``Fw <= W``.
    stride : int, optional
        S >= 1, default 1.

    Returns
    -------
    numpy.ndarray, shape ((H - Fh)//S + 1, (W - Fw)//S + 1), float64

    Examples
    --------
    >>> correlate2d([[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[1, 0], [0, 1]])
    array([[ 6.,  8.],
           [12., 14.]])
    >>> correlate2d([[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[1]], stride=2)
    array([[1., 3.],
           [7., 9.]])
    """
    x = as_float_array(x, "x", ndim=2)
    k = as_float_array(k, "k", ndim=2)
    s = positive_int(stride, "stride")
    if k.size == 0:
        raise ValueError(f"k must have at least one row and one column; got shape {k.shape}")
    if k.shape[0] > x.shape[0] or k.shape[1] > x.shape[1]:
        raise ValueError(
            f"k of shape {k.shape} is larger than x of shape {x.shape}; a valid "
            "cross-correlation needs Fh <= H and Fw <= W"
        )
    windows = sliding_window_view(x, k.shape)[::s, ::s]
    return np.einsum("ijuv,uv->ij", windows, k)
