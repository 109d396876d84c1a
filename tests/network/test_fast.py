"""lessonkit.fast: the batched, vectorized conv agrees with the lecture's loop functions everywhere."""

from __future__ import annotations

import re
from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import geometries, seeds

import lessonkit as lk
from lessonkit import fast


def _batch(g, n_b, seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n_b, g.D, g.H, g.W)).astype(dtype)
    w = rng.normal(size=(g.N, g.D, g.Fh, g.Fw)).astype(dtype)
    b = rng.normal(size=g.N).astype(dtype)
    delta = rng.normal(size=(n_b, g.N, *g.out)).astype(dtype)
    return x, w, b, delta


def _loop_reference(x, w, b, delta, s, p):
    """The core functions applied sample by sample, dW and db summed over the batch."""
    net = np.stack([lk.conv_forward(xi, w, b, s, p) for xi in x])
    dx = np.stack([lk.bp_delta_map(di, w, xi.shape, s, p) for di, xi in zip(delta, x, strict=True)])
    grads = [lk.compute_gradient(di, xi, w.shape, s, p) for di, xi in zip(delta, x, strict=True)]
    return net, dx, sum(g[0] for g in grads), sum(g[1] for g in grads)


@contextmanager
def column_order(batch_last):
    """Force lessonkit.fast's internal column order (chosen by shape otherwise)."""
    old, fast._FORCE_BATCH_LAST = fast._FORCE_BATCH_LAST, batch_last
    try:
        yield
    finally:
        fast._FORCE_BATCH_LAST = old


@given(geometries(), st.integers(1, 4), seeds)
def test_agrees_with_the_loop_functions(g, n_b, seed):
    x, w, b, delta = _batch(g, n_b, seed)
    net_ref, dx_ref, dw_ref, db_ref = _loop_reference(x, w, b, delta, g.S, g.P)
    for batch_last in (None, False, True):  # chosen by shape, then each internal layout
        with column_order(batch_last):
            net = fast.conv_forward(x, w, b, stride=g.S, padding=g.P)
            dx, dw, db = fast.conv_backward(delta, x, w, stride=g.S, padding=g.P)
        assert net.shape == (n_b, g.N, *g.out) and dx.shape == x.shape
        assert dw.shape == w.shape and db.shape == b.shape
        for got, ref in ((net, net_ref), (dx, dx_ref), (dw, dw_ref), (db, db_ref)):
            assert got.dtype == np.float64 and got.flags.c_contiguous
            np.testing.assert_allclose(got, ref, rtol=0, atol=1e-10)


def test_both_column_orders_are_used_by_shape():
    assert fast._batch_last(32, 2) and not fast._batch_last(32, 28) and not fast._batch_last(1, 1)


@given(geometries(max_side=6), st.integers(1, 3), seeds)
def test_backward_matches_numerical_gradient(g, n_b, seed):
    x, w, b, delta = _batch(g, n_b, seed)
    dx, dw, db = fast.conv_backward(delta, x, w, g.S, g.P)

    def loss(x_, w_, b_):  # a random linear loss: dE/dnet = delta
        return float(np.sum(delta * fast.conv_forward(x_, w_, b_, g.S, g.P)))

    # E is linear in x, w and b, so central differences are exact for any step; a large step keeps
    # round-off far below the tolerance (as in the core's tests).
    num = lk.numerical_gradient
    assert lk.rel_error(dx, num(lambda v: loss(v, w, b), x, eps=1.0)) < 1e-7
    assert lk.rel_error(dw, num(lambda v: loss(x, v, b), w, eps=1.0)) < 1e-7
    assert lk.rel_error(db, num(lambda v: loss(x, w, v), b, eps=1.0)) < 1e-7


@given(geometries(), st.integers(1, 3), seeds)
def test_float32_in_float32_out(g, n_b, seed):
    x, w, b, delta = _batch(g, n_b, seed, np.float32)
    with column_order(seed % 2 == 0):
        net = fast.conv_forward(x, w, b, g.S, g.P)
        dx, dw, db = fast.conv_backward(delta, x, w, g.S, g.P)
    assert {a.dtype for a in (net, dx, dw, db)} == {np.dtype(np.float32)}
    x64, w64, b64, d64 = (a.astype(np.float64) for a in (x, w, b, delta))
    ref = [fast.conv_forward(x64, w64, b64, g.S, g.P), *fast.conv_backward(d64, x64, w64, g.S, g.P)]
    for got, want in zip((net, dx, dw, db), ref, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * max(1.0, np.abs(want).max()))


def test_mixed_or_integer_inputs_are_computed_in_float64():
    x = np.ones((1, 1, 3, 3), np.float32)
    w = np.ones((1, 1, 2, 2))
    assert fast.conv_forward(x, w, [0.0]).dtype == np.float64
    assert fast.conv_forward(np.ones((1, 1, 3, 3), int), w.astype(int), [1]).dtype == np.float64
    dx, dw, db = fast.conv_backward(np.ones((1, 1, 2, 2), np.float32), x, w)
    assert dx.dtype == dw.dtype == db.dtype == np.float64


def test_inputs_are_not_mutated_and_outputs_do_not_alias_them():
    rng = np.random.default_rng(1)
    x, w, b = rng.normal(size=(2, 3, 5, 4)), rng.normal(size=(2, 3, 3, 2)), rng.normal(size=2)
    delta = rng.normal(size=(2, 2, 3, 3))
    copies = [a.copy() for a in (x, w, b, delta)]
    net = fast.conv_forward(x, w, b, stride=2, padding=1)
    dx, dw, db = fast.conv_backward(delta, x, w, stride=2, padding=1)
    for a, c in zip((x, w, b, delta), copies, strict=True):
        np.testing.assert_array_equal(a, c)
    for out in (net, dx, dw, db):
        assert out.flags.c_contiguous and out.flags.writeable
        assert not any(np.shares_memory(out, a) for a in (x, w, b, delta))


def test_unread_rows_get_exactly_zero_gradient():
    # H - Fh + 2P = 6 - 2 + 0 = 4 and S = 3: the last row and column are never read.
    x = np.ones((2, 1, 6, 6))
    dx, _, _ = fast.conv_backward(np.ones((2, 1, 2, 2)), x, np.ones((1, 1, 2, 2)), stride=3)
    assert np.all(dx[:, :, 5, :] == 0) and np.all(dx[:, :, :, 5] == 0)
    assert np.all(dx[:, :, :2, :2] == 1)


@given(geometries(), st.integers(1, 3), seeds)
def test_lecture_rule_in_matrix_form_equals_col2im(g, n_b, seed):
    x, w, _, delta = _batch(g, n_b, seed)
    dx = fast.conv_backward(delta, x, w, g.S, g.P)[0]
    np.testing.assert_allclose(fast.bp_delta_map_as_matmul(delta, w, x.shape, g.S, g.P), dx, atol=1e-10)
    np.testing.assert_allclose(fast.bp_delta_map_col2im(delta, w, x.shape, g.S, g.P), dx, atol=1e-10)


@given(geometries(), st.integers(1, 3), seeds)
def test_col2im_is_the_transpose_of_im2col(g, n_b, seed):
    # <im2col(x), R> == <x, col2im(R)> for all x, R: col2im is the adjoint (matrix transpose).
    x, _, _, _ = _batch(g, n_b, seed)
    cols = fast.im2col(x, g.Fh, g.Fw, g.S, g.P)
    r = np.random.default_rng(seed + 1).normal(size=cols.shape)
    back = fast.col2im(r, x.shape, g.Fh, g.Fw, g.S, g.P)
    assert back.shape == x.shape
    assert abs(np.sum(cols * r) - np.sum(x * back)) < 1e-9 * (1 + np.abs(cols * r).sum())


def test_im2col_lays_out_every_receptive_field_as_a_row():
    rng = np.random.default_rng(2)
    x, w = rng.normal(size=(2, 3, 6, 5)), rng.normal(size=(4, 3, 3, 2))
    cols = fast.im2col(x, 3, 2, stride=2, padding=1)
    assert cols.shape == (2 * 3 * 3, 3 * 3 * 2)
    xp = lk.pad(x[1], 1)
    np.testing.assert_array_equal(cols[(1 * 3 + 2) * 3 + 1], xp[:, 4:7, 2:4].ravel())
    net = (cols @ w.reshape(4, -1).T).reshape(2, 3, 3, 4).transpose(0, 3, 1, 2)
    np.testing.assert_allclose(net, fast.conv_forward(x, w, np.zeros(4), 2, 1), atol=1e-12)


# --- Bad input: the core's messages, with the batch axis -------------------------------------------

x = np.zeros((4, 2, 5, 5))
w = np.zeros((3, 2, 2, 2))
b = np.zeros(3)
delta = np.zeros((4, 3, 4, 4))


def raises(match):
    return pytest.raises(ValueError, match=match)


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: fast.conv_forward(np.zeros((2, 5, 5)), w, b),
            r"x must have 4 dimensions \(B, D, H, W\); got 3 with shape \(2, 5, 5\)",
        ),
        (
            lambda: fast.conv_forward(x, np.zeros((2, 2, 2)), b),
            r"w must have 4 dimensions \(N, D, Fh, Fw\); got 3 with shape \(2, 2, 2\)",
        ),
        (lambda: fast.conv_forward(x, w, np.zeros((3, 1))), r"b must have 1 dimension \(N,\); got 2"),
        (
            lambda: fast.conv_backward(np.zeros((3, 4, 4)), x, w),
            r"delta must have 4 dimensions \(B, N, H_out, W_out\); got 3 with shape \(3, 4, 4\)",
        ),
        (
            lambda: fast.conv_backward(delta, np.zeros((2, 5, 5)), w),
            r"x must have 4 dimensions \(B, D, H, W\); got 3",
        ),
        (
            lambda: fast.conv_backward(delta, x, np.zeros(3)),
            r"w must have 4 dimensions \(N, D, Fh, Fw\); got 1",
        ),
    ],
)
def test_wrong_number_of_dimensions(call, message):
    with raises(message):
        call()


def test_depth_of_x_and_w_disagree():
    msg = r"w has depth D=3 \(w.shape\[1\]\) but x has depth D=2 \(x.shape\[1\]\); they must agree"
    with raises(msg):
        fast.conv_forward(x, np.zeros((3, 3, 2, 2)), b)
    with raises(msg):
        fast.conv_backward(delta, x, np.zeros((3, 3, 2, 2)))


def test_bias_length_must_be_n():
    with raises(r"b must have shape \(N,\) = \(3,\) to match the N=3 filters in w; got shape \(2,\)"):
        fast.conv_forward(x, w, np.zeros(2))


@pytest.mark.parametrize("bad", [(4, 3, 5, 5), (4, 3, 4, 5), (4, 2, 4, 4), (3, 3, 4, 4), (5, 3, 4, 4)])
def test_delta_shape_must_match_forward_geometry(bad):
    msg = re.escape("delta must have shape (B, N, H_out, W_out) = (4, 3, 4, 4) for this geometry (S=1, P=0")
    with raises(msg + r".*got shape " + re.escape(str(bad))):
        fast.conv_backward(np.zeros(bad), x, w)


def test_delta_shape_with_stride_and_padding():
    # H_out = (5 - 2 + 2*1)//2 + 1 = 3
    with raises(re.escape("= (4, 3, 3, 3) for this geometry (S=2, P=1") + r".*got shape \(4, 3, 4, 4\)"):
        fast.conv_backward(delta, x, w, stride=2, padding=1)


@pytest.mark.parametrize(
    "stride, shown",
    [(0, "0"), (-2, "-2"), (1.5, "1.5"), (2.0, "2.0"), ("2", "'2'"), (True, "True")],
)
def test_stride_must_be_a_positive_integer(stride, shown):
    msg = rf"stride must be a positive integer; got {re.escape(shown)}$"
    with raises(msg):
        fast.conv_forward(x, w, b, stride=stride)
    with raises(msg):
        fast.conv_backward(delta, x, w, stride=stride)
    with raises(msg):
        fast.im2col(x, 2, 2, stride=stride)


@pytest.mark.parametrize("padding, shown", [(-1, "-1"), (0.5, "0.5"), (1.0, "1.0"), (None, "None")])
def test_padding_must_be_a_non_negative_integer(padding, shown):
    msg = rf"padding must be a non-negative integer; got {re.escape(shown)}$"
    with raises(msg):
        fast.conv_forward(x, w, b, padding=padding)
    with raises(msg):
        fast.conv_backward(delta, x, w, padding=padding)


def test_filter_larger_than_padded_input():
    msg = re.escape("w's filter (Fh, Fw) = (6, 2) is larger than the padded input (H + 2P, W + 2P) = (5, 5)")
    with raises(msg):
        fast.conv_forward(x, np.zeros((3, 2, 6, 2)), b)
    with raises(msg):
        fast.conv_backward(delta, x, np.zeros((3, 2, 6, 2)))
    # with padding it fits: (5 - 6 + 2)//1 + 1 = 2
    assert fast.conv_forward(x, np.zeros((3, 2, 6, 2)), b, padding=1).shape == (4, 3, 2, 6)


def test_input_shape_and_rows_arguments():
    with raises(r"input_shape must be a tuple of 4 positive integers \(B, D, H, W\); got \(2, 5, 5\)"):
        fast.bp_delta_map_as_matmul(delta, w, (2, 5, 5))
    with raises(r"w has depth D=2 \(w.shape\[1\]\) but input_shape has depth D=3 \(input_shape\[1\]\)"):
        fast.bp_delta_map_as_matmul(delta, w, (4, 3, 5, 5))
    with raises(r"input_shape must be a tuple of 4 positive integers \(B, D, H, W\); got \(2, 5, 5\)"):
        fast.bp_delta_map_col2im(delta, w, (2, 5, 5))
    with raises(r"rows must have shape \(64, 8\) for this geometry; got shape \(64, 9\)"):
        fast.col2im(np.zeros((64, 9)), (4, 2, 5, 5), 2, 2)


def test_empty_axes_and_non_numbers():
    with raises(r"x must not have an empty axis \(B, D, H, W\); got shape \(0, 2, 5, 5\)"):
        fast.conv_forward(np.zeros((0, 2, 5, 5)), w, b)
    with raises(r"x must be an array of real numbers; got 'abc'"):
        fast.conv_forward("abc", w, b)
    with raises(r"fh must be a positive integer; got 0"):
        fast.im2col(x, 0, 2)


@pytest.mark.parametrize(
    "change",
    [
        {"w": np.zeros((2, 2, 2))},
        {"w": np.zeros((2, 1, 0, 2))},
        {"b": np.zeros(3)},
        {"b": "bias"},
        {"stride": 0},
        {"padding": -1},
        {"w": np.zeros((2, 1, 9, 2))},
    ],
    ids=["w rank", "w empty axis", "b shape", "b not numbers", "stride", "padding", "filter too big"],
)
def test_loop_and_fast_share_their_argument_checks(change):
    """The same mistake gives the same message in lessonkit.conv_forward and lessonkit.fast.conv_forward."""
    args = {
        "x": np.zeros((1, 5, 5)),
        "w": np.zeros((2, 1, 2, 2)),
        "b": np.zeros(2),
        "stride": 1,
        "padding": 0,
    }
    args.update(change)
    with pytest.raises(ValueError) as loop:
        lk.conv_forward(**args)
    args["x"] = args["x"][None]
    with pytest.raises(ValueError) as batched:
        fast.conv_forward(**args)
    assert str(loop.value) == str(batched.value)
