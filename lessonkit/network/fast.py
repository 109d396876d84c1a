"""The same conv-layer maths, batched and vectorized: im2col plus one matrix product per pass.

The loop functions in :mod:`lessonkit.maths.conv` follow the lecture line by line and handle one sample.
Here a batch of B samples goes through at once, and every sum over filter positions becomes a
single BLAS matrix product:

* forward: every receptive field of every sample is laid out as one row of a matrix ("im2col");
  net is that matrix times the filters flattened to columns;
* dE/dW: the lecture's "δ as a kernel over the input", i.e. δ (one row per receptive field)
  transposed times the forward's im2col matrix; db is the sum of δ;
* dE/da^{l-1}: δ times the filters gives each receptive field's share (one product), and col2im,
  the transpose of im2col, adds the shares back onto the pixels they came from. This equals the
  lecture's ``cross(pad(dilate(δ, S), F-1), rot180(W))``; that rule as one product is
  :func:`bp_delta_map_as_matmul`, kept for the lesson (it wastes work on dilation's zeros).

Shapes (lecture notation plus a batch axis): x (B, D, H, W), w (N, D, Fh, Fw), b (N,),
net and delta (B, N, H_out, W_out) with H_out = (H - Fh + 2P)//S + 1.
float32 inputs give float32 results, anything else is computed in float64. Inputs are never
modified.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike

from ..maths.validate import (
    delta_argument,
    float_array,
    forward_arguments,
    non_negative_int,
    output_size,
    positive_int,
    same_depth,
    shape_tuple,
)

__all__ = [
    "conv_forward",
    "conv_backward",
    "im2col",
    "col2im",
    "bp_delta_map_col2im",
    "bp_delta_map_as_matmul",
]


def im2col(x: ArrayLike, fh: int, fw: int, stride: int = 1, padding: int = 0) -> np.ndarray:
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
        output position (i, j), flattened in (d, row, column) order, like ``w[n].ravel()``. (It is a
        transposed view of a column-per-field buffer: see the module notes on memory layout.)

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
    x = float_array(x, "x", 4, keep_float32=True)
    fh = positive_int(fh, "fh")
    fw = positive_int(fw, "fw")
    s = positive_int(stride, "stride")
    p = non_negative_int(padding, "padding")
    h_out, w_out = output_size(x.shape[2], x.shape[3], fh, fw, s, p, filter_name="(fh, fw)")
    return _cols(x, fh, fw, s, p, h_out, w_out, batch_last=False).T


def col2im(
    rows: ArrayLike, x_shape: tuple[int, int, int, int], fh: int, fw: int, stride: int = 1, padding: int = 0
) -> np.ndarray:
    """The transpose of :func:`im2col`: add every row back onto the receptive field it came from.

    Where receptive fields overlap their contributions add up; padding positions are dropped.
    ``col2im(im2col(x) * 0 + 1, ...)`` therefore counts how many windows read each input pixel.

    Parameters
    ----------
    rows : array_like, shape (B * H_out * W_out, D * Fh * Fw)
        One row per receptive field, laid out as :func:`im2col` lays them out.
    x_shape : tuple of int
        (B, D, H, W) of the image the rows belong to.
    fh, fw, stride, padding : int
        The geometry used by :func:`im2col`.

    Returns
    -------
    numpy.ndarray, shape x_shape

    Examples
    --------
    >>> x = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    >>> col2im(np.ones((4, 4)), x.shape, 2, 2)[0, 0]  # how many 2x2 windows cover each pixel
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    """
    n_b, d_in, h, wd = shape_tuple(x_shape, "x_shape", 4, "(B, D, H, W)")
    fh = positive_int(fh, "fh")
    fw = positive_int(fw, "fw")
    s = positive_int(stride, "stride")
    p = non_negative_int(padding, "padding")
    h_out, w_out = output_size(h, wd, fh, fw, s, p, filter_name="(fh, fw)")
    expected = (n_b * h_out * w_out, d_in * fh * fw)
    rows = float_array(rows, "rows", 2, keep_float32=True)
    if rows.shape != expected:
        raise ValueError(f"rows must have shape {expected} for this geometry; got shape {rows.shape}")
    cols = rows.T.reshape(d_in, fh, fw, n_b, h_out, w_out)
    return _col2im(cols, h, wd, s, p, batch_last=False)


def conv_forward(x: ArrayLike, w: ArrayLike, b: ArrayLike, stride: int = 1, padding: int = 0) -> np.ndarray:
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
    x, w, b, s, p, _ = _check_forward(x, w, b, stride, padding)
    n_b, _, h, wd = x.shape
    n_f, _, fh, fw = w.shape
    h_out, w_out = output_size(h, wd, fh, fw, s, p)
    last = _batch_last(n_b, w_out)
    cols = _cols(x, fh, fw, s, p, h_out, w_out, last)  # (D*Fh*Fw, B*H_out*W_out): a field per column
    net = w.reshape(n_f, -1) @ cols  # the one matrix product: (N, B*H_out*W_out)
    net += b[:, None]
    if last:
        return np.ascontiguousarray(net.reshape(n_f, h_out, w_out, n_b).transpose(3, 0, 1, 2))
    return np.ascontiguousarray(net.reshape(n_f, n_b, h_out, w_out).transpose(1, 0, 2, 3))


def conv_backward(
    delta: ArrayLike, x: ArrayLike, w: ArrayLike, stride: int = 1, padding: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Batched backward pass: dE/da^{l-1}, dE/dW and dE/db from δ^l = dE/dnet^l.

    ``dx`` equals the lecture's ``cross(pad(dilate(δ, S), F-1), rot180(W))`` summed over the N
    filters, with the P-wide padding ring cropped (computed here as col2im of δ times W, its matrix
    transpose; see :func:`bp_delta_map_as_matmul` for the lecture's form); ``dw`` is δ used as a
    kernel over the padded input, summed over the batch; ``db`` is the sum of δ over the batch and
    all positions.

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
    delta, xa, w, s, p, h_out, w_out = _check_backward(delta, x, w, stride, padding)
    assert xa is not None  # for the type checker: given x, _check_backward returns it checked
    n_b, d_in, h, wd = xa.shape
    n_f, _, fh, fw = w.shape
    # δ with one row per filter and one column per (sample, output position): (N, B*H_out*W_out).
    last = _batch_last(n_b, w_out)
    d_mat = delta.transpose((1, 2, 3, 0) if last else (1, 0, 2, 3)).reshape(n_f, -1)
    db = d_mat.sum(axis=1)
    # dE/dW: "δ as a kernel over the input" is, in matrix form, δ times the forward's im2col.
    dw = (d_mat @ _cols(xa, fh, fw, s, p, h_out, w_out, last).T).reshape(w.shape)
    return _dx_col2im(d_mat, w, (n_b, d_in, h, wd), s, p, h_out, w_out, last), dw, db


def bp_delta_map_col2im(
    delta: ArrayLike, w: ArrayLike, input_shape: tuple[int, int, int, int], stride: int = 1, padding: int = 0
) -> np.ndarray:
    """dE/da^{l-1} alone, the way :func:`conv_backward` computes it: Wᵀδ per field, then col2im.

    The twin of :func:`bp_delta_map_as_matmul` (the gather form), so the two can be timed like for
    like: both compute only dE/da^{l-1}.

    Parameters
    ----------
    delta : array_like, shape (B, N, H_out, W_out)
    w : array_like, shape (N, D, Fh, Fw)
    input_shape : tuple of int
        (B, D, H, W).
    stride, padding : int, optional
        S >= 1 and P >= 0.

    Returns
    -------
    numpy.ndarray, shape (B, D, H, W)

    Examples
    --------
    >>> delta = np.array([[[[10.0, 20.0], [30.0, 40.0]]]])
    >>> w = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    >>> bool(np.allclose(bp_delta_map_col2im(delta, w, (1, 1, 3, 3)),
    ...                  bp_delta_map_as_matmul(delta, w, (1, 1, 3, 3))))
    True
    """
    delta, _, w, s, p, h_out, w_out = _check_backward(delta, None, w, stride, padding, input_shape)
    n_b, d_in, h, wd = (int(v) for v in input_shape)
    last = _batch_last(n_b, w_out)
    d_mat = delta.transpose((1, 2, 3, 0) if last else (1, 0, 2, 3)).reshape(w.shape[0], -1)
    return _dx_col2im(d_mat, w, (n_b, d_in, h, wd), s, p, h_out, w_out, last)


def _dx_col2im(d_mat, w, x_shape, s: int, p: int, h_out: int, w_out: int, last: bool) -> np.ndarray:
    """dE/da^{l-1} from δ as a matrix (N, B*H_out*W_out): Wᵀδ for every field, then col2im."""
    n_b, d_in, h, wd = x_shape
    n_f, _, fh, fw = w.shape
    # W^T δ gives, for every receptive field, what it sends back to each of its pixels (one matrix
    # product); col2im adds those windows up where they overlap.
    d_cols = w.reshape(n_f, -1).T @ d_mat
    shape = (d_in, fh, fw, h_out, w_out, n_b) if last else (d_in, fh, fw, n_b, h_out, w_out)
    return _col2im(d_cols.reshape(shape), h, wd, s, p, last)


def bp_delta_map_as_matmul(
    delta: ArrayLike, w: ArrayLike, input_shape: tuple[int, int, int, int], stride: int = 1, padding: int = 0
) -> np.ndarray:
    """dE/da^{l-1} by the lecture's rule in matrix form: im2col of pad(dilate(δ, S), F-1) times rot180(W).

    Gives the same result as ``conv_backward(...)[0]``, by a different road: every input pixel
    *gathers* from the Fh x Fw window of the dilated, padded δ that it sees, so one matrix product
    does it with no overlapping writes. It is not the one :func:`conv_backward` uses, because with
    stride S it multiplies (S^2 - 1) zeros for every useful product, and its window matrix has
    N*Fh*Fw columns per input pixel where col2im has D*Fh*Fw per output position (see
    ``python -m lessonkit.network.bench`` and notebook 06 for the measured difference).

    Parameters
    ----------
    delta : array_like, shape (B, N, H_out, W_out)
    w : array_like, shape (N, D, Fh, Fw)
    input_shape : tuple of int
        (B, D, H, W) of the forward input.
    stride, padding : int, optional

    Returns
    -------
    numpy.ndarray, shape input_shape

    Examples
    --------
    >>> w = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    >>> delta = np.array([[[[10.0, 20.0], [30.0, 40.0]]]])
    >>> bp_delta_map_as_matmul(delta, w, (1, 1, 3, 3))[0, 0]
    array([[ 10.,  40.,  40.],
           [ 60., 200., 160.],
           [ 90., 240., 160.]])
    """
    delta, _, w, s, p, h_out, w_out = _check_backward(delta, None, w, stride, padding, input_shape)
    n_b, d_in, h, wd = (int(v) for v in input_shape)
    n_f, _, fh, fw = w.shape
    hp, wp = h + 2 * p, wd + 2 * p
    # dilate(δ, S), extended with zeros to the stride-1 map, and padded with F-1 zeros: one array.
    full = np.zeros((n_f, n_b, hp + fh - 1, wp + fw - 1), dtype=delta.dtype)
    rows_hit = slice(fh - 1, fh - 1 + s * (h_out - 1) + 1, s)
    cols_hit = slice(fw - 1, fw - 1 + s * (w_out - 1) + 1, s)
    full[:, :, rows_hit, cols_hit] = delta.transpose(1, 0, 2, 3)
    windows = sliding_window_view(full, (fh, fw), axis=(2, 3))  # (N, B, Hp, Wp, Fh, Fw), a view
    windows = windows[:, :, p : p + h, p : p + wd]  # crop the padding ring before multiplying
    mat = windows.transpose(0, 4, 5, 1, 2, 3).reshape(n_f * fh * fw, n_b * h * wd)
    w_rot = w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3).reshape(d_in, n_f * fh * fw)  # rot180(W)
    return np.ascontiguousarray((w_rot @ mat).reshape(d_in, n_b, h, wd).transpose(1, 0, 2, 3))


# Memory layout. The matrices are built with one receptive field per *column*,
# (D*Fh*Fw, B*H_out*W_out). The copy out of the strided window view is fastest when its innermost
# axis is long, because numpy pays a fixed cost per innermost run. So the columns are ordered
# (B, H_out, W_out) when image rows are long (the innermost run is a row of W_out numbers, contiguous
# in x when S = 1), and (H_out, W_out, B) when the batch is longer than the rows, as in the small
# feature maps deep in a network (the innermost run is then the batch, made contiguous by one
# transposed copy of x). col2im follows the same order. The matrix is the same up to a permutation
# of its columns, which the products do not care about; both orders are tested.

#: Force the column order ("batch_last" True/False) instead of choosing by shape; for the tests.
_FORCE_BATCH_LAST: bool | None = None


def _batch_last(n_b: int, w_out: int) -> bool:
    """Order columns (H_out, W_out, B) when the batch is much longer than an output row."""
    if _FORCE_BATCH_LAST is not None:
        return _FORCE_BATCH_LAST
    return n_b > 4 * w_out


def _cols(x: np.ndarray, fh: int, fw: int, s: int, p: int, h_out: int, w_out: int, batch_last: bool):
    """Receptive fields as columns (D*Fh*Fw, B*H_out*W_out); x checked, geometry valid."""
    n_b, d_in, h, wd = x.shape
    if batch_last:
        xp = np.zeros((d_in, h + 2 * p, wd + 2 * p, n_b), dtype=x.dtype)  # (D, Hp, Wp, B)
        xp[:, p : p + h, p : p + wd, :] = x.transpose(1, 2, 3, 0)
        axes, order = (1, 2), (0, 4, 5, 1, 2, 3)  # windows (D, Ho, Wo, B, Fh, Fw) -> (D, Fh, Fw, Ho, Wo, B)
    else:
        xp = x
        if p:
            xp = np.zeros((n_b, d_in, h + 2 * p, wd + 2 * p), dtype=x.dtype)
            xp[:, :, p : p + h, p : p + wd] = x
        axes, order = (2, 3), (1, 4, 5, 0, 2, 3)  # windows (B, D, Ho, Wo, Fh, Fw) -> (D, Fh, Fw, B, Ho, Wo)
    # A view: the Fh x Fw patch at every top-left corner; then keep every S-th corner.
    windows = sliding_window_view(xp, (fh, fw), axis=axes)
    keep = [slice(None)] * windows.ndim
    keep[axes[0]] = slice(None, s * (h_out - 1) + 1, s)
    keep[axes[1]] = slice(None, s * (w_out - 1) + 1, s)
    # The copy that makes the matrix.
    return windows[tuple(keep)].transpose(order).reshape(d_in * fh * fw, n_b * h_out * w_out)


def _col2im(cols: np.ndarray, h: int, wd: int, s: int, p: int, batch_last: bool) -> np.ndarray:
    """Sum windows back onto the image: cols (D, Fh, Fw, B, Ho, Wo), or (D, Fh, Fw, Ho, Wo, B) when
    ``batch_last``; returns a new (B, D, H, W) array.

    Receptive fields overlap, so this is a scatter-add. Rather than np.add.at (slow, unbuffered)
    or a loop over pixels, we loop over the Fh*Fw kernel offsets (i, j): for a fixed offset, the
    pixels the windows touch form one strided slice of the padded image, with no overlaps, so each
    step is a single vectorized add over the whole batch. The loop-free alternative, gathering
    through the dilated δ (:func:`bp_delta_map_as_matmul`), does S^2 times more work with stride S:
    measured, it took longer for dx alone than the whole col2im backward (dx, dW, db) on the
    capstone's shapes and 10x longer on 32x32 images at stride 2; only on stride-1 28x28 maps was
    it competitive.
    """
    if batch_last:
        d_in, fh, fw, h_out, w_out, n_b = cols.shape
        out = np.zeros((d_in, h + 2 * p, wd + 2 * p, n_b), dtype=cols.dtype)
        first = 1
    else:
        d_in, fh, fw, n_b, h_out, w_out = cols.shape
        out = np.zeros((d_in, n_b, h + 2 * p, wd + 2 * p), dtype=cols.dtype)
        first = 2
    for i in range(fh):
        for j in range(fw):
            where = [slice(None)] * 4
            where[first] = slice(i, i + s * (h_out - 1) + 1, s)
            where[first + 1] = slice(j, j + s * (w_out - 1) + 1, s)
            out[tuple(where)] += cols[:, i, j]
    # Crop the padding ring with explicit ends: out[p:-p] would be empty for p = 0.
    crop = [slice(None)] * 4
    crop[first], crop[first + 1] = slice(p, p + h), slice(p, p + wd)
    out = out[tuple(crop)]
    return np.ascontiguousarray(out.transpose((3, 0, 1, 2) if batch_last else (1, 0, 2, 3)))


def _common(*arrays: np.ndarray) -> tuple:
    """float32 if every array is float32, else float64; arrays converted (no copy if already so)."""
    dtype = np.float32 if all(a.dtype == np.float32 for a in arrays) else np.float64
    return tuple(a.astype(dtype, copy=False) for a in arrays) + (dtype,)


def _check_forward(
    x: ArrayLike, w: ArrayLike, b: ArrayLike, stride: int, padding: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int, type]:
    """The loop's checks (lessonkit.maths.validate) with a batch axis, then one common dtype."""
    xa, wa, ba, s, p = forward_arguments(x, w, b, stride, padding, batched=True, keep_float32=True)
    xa, wa, ba, dtype = _common(xa, wa, ba)
    return xa, wa, ba, s, p, dtype


def _check_backward(
    delta: ArrayLike,
    x: ArrayLike | None,
    w: ArrayLike,
    stride: int,
    padding: int,
    x_shape: tuple[int, int, int, int] | None = None,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, int, int, int, int]:
    """Checked delta, x, w in a common dtype, S, P, H_out, W_out; with x_shape, x is ignored (None)."""
    xa = None
    if x_shape is None:
        xa = float_array(x, "x", 4, keep_float32=True)
        shape, arg = xa.shape, "x"
    else:
        shape, arg = shape_tuple(x_shape, "input_shape", 4, "(B, D, H, W)"), "input_shape"
    wa = float_array(w, "w", 4, keep_float32=True)
    s = positive_int(stride, "stride")
    p = non_negative_int(padding, "padding")
    same_depth("w", wa.shape, 1, arg, shape, 1)
    h_out, w_out = output_size(shape[2], shape[3], wa.shape[2], wa.shape[3], s, p)
    da = delta_argument(delta, (shape[0], wa.shape[0], h_out, w_out), s, p, keep_float32=True)
    if xa is None:
        da, wa, _ = _common(da, wa)
    else:
        da, xa, wa, _ = _common(da, xa, wa)
    return da, xa, wa, s, p, h_out, w_out
