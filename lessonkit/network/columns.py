"""im2col and col2im in the column layout: one receptive field per column (exercise 06_im2col).

:func:`lessonkit.network.fast.im2col` returns one field per *row*, shape (B*H_out*W_out, D*Fh*Fw);
it is the transpose of the column buffer it builds internally. The column layout below is that
buffer itself, the layout of CS231n's assignments:

* row ``(d * Fh + u) * Fw + v`` holds entry (u, v) of the window of channel d, in the order of
  ``w[n].ravel()`` for a filter w[n] of shape (D, Fh, Fw);
* column ``(b * H_out + i) * W_out + j`` is the receptive field of sample b at output position
  (i, j), with H_out = (H - Fh + 2P)//S + 1 and W_out = (W - Fw + 2P)//S + 1.

So ``w.reshape(N, -1) @ im2col(x, Fh, Fw, S, P)`` is net with its axes ordered (N, B, H_out, W_out).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..maths.validate import float_array, non_negative_int, output_size, positive_int, shape_tuple
from . import fast

__all__ = ["im2col", "col2im"]


def im2col(x: ArrayLike, fh: int, fw: int, stride: int = 1, padding: int = 0) -> np.ndarray:
    """Every receptive field of a batch as one column, shape (D*Fh*Fw, B*H_out*W_out).

    Parameters
    ----------
    x : array_like, shape (B, D, H, W)
        A batch of inputs a^{l-1}.
    fh, fw : int
        The filter's height and width (Fh, Fw).
    stride, padding : int, optional
        S >= 1 and P >= 0; the input is zero-padded by P on every side first.

    Returns
    -------
    numpy.ndarray, shape (D*Fh*Fw, B*H_out*W_out), float64
        In the order of the module notes.

    Examples
    --------
    The lecture's 3x3 input and a 2x2 filter: four receptive fields, four columns.

    >>> im2col(np.arange(1.0, 10.0).reshape(1, 1, 3, 3), 2, 2)
    array([[1., 2., 4., 5.],
           [2., 3., 5., 6.],
           [4., 5., 7., 8.],
           [5., 6., 8., 9.]])
    """
    x = float_array(x, "x", 4)  # float64 always (fast keeps float32 as float32)
    return np.ascontiguousarray(fast.im2col(x, fh, fw, stride, padding).T)


def col2im(
    cols: ArrayLike, x_shape: tuple[int, int, int, int], fh: int, fw: int, stride: int = 1, padding: int = 0
) -> np.ndarray:
    """The adjoint of :func:`im2col`: add every column back onto the receptive field it came from.

    Where fields overlap their entries add up, and entries that fall on the padding are dropped, so
    ``np.sum(im2col(x) * c) == np.sum(x * col2im(c))`` for every x and c of matching shapes.

    Parameters
    ----------
    cols : array_like, shape (D*Fh*Fw, B*H_out*W_out)
        One column per receptive field, in :func:`im2col`'s order.
    x_shape : tuple of int
        (B, D, H, W) of the input the columns belong to.
    fh, fw, stride, padding : int
        The geometry used by :func:`im2col`.

    Returns
    -------
    numpy.ndarray, shape x_shape, float64

    Examples
    --------
    >>> col2im(np.ones((4, 4)), (1, 1, 3, 3), 2, 2)[0, 0]  # how many 2x2 windows cover each entry
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    """
    n_b, d, h, w = shape_tuple(x_shape, "x_shape", 4, "(B, D, H, W)")
    fh, fw = positive_int(fh, "fh"), positive_int(fw, "fw")
    s, p = positive_int(stride, "stride"), non_negative_int(padding, "padding")
    h_out, w_out = output_size(h, w, fh, fw, s, p, filter_name="(fh, fw)")
    cols = float_array(cols, "cols", 2)
    expected = (d * fh * fw, n_b * h_out * w_out)
    if cols.shape != expected:
        raise ValueError(
            f"cols must have shape (D*Fh*Fw, B*H_out*W_out) = {expected} for this geometry; "
            f"got shape {cols.shape}"
        )
    return fast.col2im(cols.T, x_shape, fh, fw, s, p)
