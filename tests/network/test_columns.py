"""im2col/col2im in the column layout (exercise 06's references) and the ColumnConv layer built on them."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lessonkit import fast
from lessonkit.network import columns
from lessonkit.network.nn import ColumnConv, Conv


@st.composite
def batch_geometries(draw):
    fh, fw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    s, p = draw(st.integers(1, 3)), draw(st.integers(0, 2))
    h = draw(st.integers(max(1, fh - 2 * p), 7))
    w = draw(st.integers(max(1, fw - 2 * p), 7))
    return draw(st.integers(1, 3)), draw(st.integers(1, 3)), h, w, fh, fw, s, p


def loop_im2col(x, fh, fw, s, p):
    """Column (b*H_out + i)*W_out + j is the field of sample b at (i, j), flattened (d, u, v)."""
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    h_out = (x.shape[2] - fh + 2 * p) // s + 1
    w_out = (x.shape[3] - fw + 2 * p) // s + 1
    return np.stack(
        [
            xp[b, :, i * s : i * s + fh, j * s : j * s + fw].ravel()
            for b in range(x.shape[0])
            for i in range(h_out)
            for j in range(w_out)
        ],
        axis=1,
    )


@settings(max_examples=60, deadline=None)
@given(g=batch_geometries(), seed=st.integers(0, 2**16))
def test_im2col_is_the_documented_layout_and_col2im_its_adjoint(g, seed):
    B, D, H, W, fh, fw, s, p = g
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(B, D, H, W))
    cols = columns.im2col(x, fh, fw, s, p)
    np.testing.assert_array_equal(cols, loop_im2col(x, fh, fw, s, p))
    np.testing.assert_array_equal(cols, fast.im2col(x, fh, fw, s, p).T)
    c = rng.normal(size=cols.shape)
    back = columns.col2im(c, x.shape, fh, fw, s, p)
    assert back.shape == x.shape
    assert abs(np.sum(cols * c) - np.sum(x * back)) < 1e-9 * max(1.0, np.abs(cols * c).sum())


def test_column_conv_trains_with_the_same_gradients_as_conv():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(3, 2, 6, 5))
    fast_conv, column_conv = Conv(2, 4, (3, 2), 2, 1, rng=7), ColumnConv(2, 4, (3, 2), 2, 1, rng=7)
    y = column_conv.forward(x)
    np.testing.assert_allclose(y, fast_conv.forward(x), rtol=1e-12, atol=1e-12)
    g = rng.normal(size=y.shape)
    np.testing.assert_allclose(column_conv.backward(g), fast_conv.backward(g), rtol=1e-10, atol=1e-12)
    for mine, theirs in zip(column_conv.grads, fast_conv.grads, strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-10, atol=1e-12)


def test_column_conv_uses_the_functions_it_is_given():
    calls = []

    def my_im2col(x, fh, fw, stride=1, padding=0):
        calls.append("im2col")
        return loop_im2col(np.asarray(x), fh, fw, stride, padding)

    layer = ColumnConv(1, 2, 2, functions={"im2col": my_im2col}, rng=0)
    layer.backward(np.ones_like(layer.forward(np.ones((2, 1, 3, 3)))))
    assert calls == ["im2col"]
    with pytest.raises(ValueError, match=r"^functions may hold im2col and col2im; got \['im2row'\]$"):
        ColumnConv(1, 2, 2, functions={"im2row": my_im2col})


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: columns.im2col(np.zeros((3, 3)), 2, 2), r"^x must have 4 dimensions \(B, D, H, W\); got 2"),
        (
            lambda: columns.col2im(np.zeros((4, 3)), (1, 1, 3, 3), 2, 2),
            r"^cols must have shape \(D\*Fh\*Fw, B\*H_out\*W_out\) = \(4, 4\) for this geometry; got shape \(4, 3\)$",
        ),
        (
            lambda: columns.col2im(np.zeros((4, 4)), (1, 3, 3), 2, 2),
            r"^x_shape must be a tuple of 4 positive",
        ),
    ],
)
def test_bad_arguments_name_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()
