"""The convolution as a matrix: net = M a + w_b, so the backward pass is dE/da = M^T δ (the FC rule).

One channel and one filter, as in lesson 01: ``a`` (H, W) is flattened row by row into a vector of
length H*W and ``net`` (H_out, W_out) into one of length H_out*W_out. Row ``m*W_out + n`` of M holds
the filter's weights at the columns of the input cells that output (m, n) reads, and zeros
elsewhere: its zeros are local connectivity, its repeated entries are weight sharing.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .validate import float_array, non_negative_int, output_size, positive_int, shape_tuple

__all__ = ["conv_matrix"]


def conv_matrix(w: ArrayLike, input_shape: tuple[int, int], stride: int = 1, padding: int = 0) -> np.ndarray:
    """The matrix M with ``conv_forward(a, w, 0, S, P).ravel() == M @ a.ravel()`` for one channel.

    Parameters
    ----------
    w : array_like, shape (Fh, Fw)
        One filter slice.
    input_shape : tuple of int
        (H, W) of the input a (not padded: padding only removes columns, the zeros it adds read
        nothing).
    stride, padding : int, optional
        S >= 1 and P >= 0.

    Returns
    -------
    numpy.ndarray, shape (H_out * W_out, H * W), float64
        With H_out = (H - Fh + 2P)//S + 1 and W_out likewise.

    Examples
    --------
    The lecture's 3x3 input and 2x2 filter: a 4x9 matrix. Filling the filter with 1, 2, 3, 4 shows
    which weight sits where (0: that output does not read that input).

    >>> conv_matrix(np.array([[1, 2], [3, 4]]), (3, 3)).astype(int)
    array([[1, 2, 0, 3, 4, 0, 0, 0, 0],
           [0, 1, 2, 0, 3, 4, 0, 0, 0],
           [0, 0, 0, 1, 2, 0, 3, 4, 0],
           [0, 0, 0, 0, 1, 2, 0, 3, 4]])
    """
    w = float_array(w, "w", 2)
    h, wd = shape_tuple(input_shape, "input_shape", 2, "(H, W)")
    s = positive_int(stride, "stride")
    p = non_negative_int(padding, "padding")
    fh, fw = w.shape
    h_out, w_out = output_size(h, wd, fh, fw, s, p)
    m = np.zeros((h_out * w_out, h * wd))
    for i in range(h_out):
        for j in range(w_out):
            for u in range(fh):
                for v in range(fw):
                    r, c = i * s + u - p, j * s + v - p  # the input cell under w[u, v]
                    if 0 <= r < h and 0 <= c < wd:
                        m[i * w_out + j, r * wd + c] = w[u, v]
    return m
