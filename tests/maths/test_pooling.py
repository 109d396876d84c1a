"""Pooling against a window-by-window loop, central differences and the hand example."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lessonkit as lk

TOL = 1e-7


@st.composite
def pool_geometries(draw):
    """(D, H, W, size, stride): windows that fit, strides below, at and above the size."""
    size = draw(st.integers(1, 4))
    stride = draw(st.integers(1, 5))
    h = draw(st.integers(size, size + 7))
    w = draw(st.integers(size, size + 7))
    return draw(st.integers(1, 3)), h, w, size, stride


def loop_forward(x, size, stride, reduce):
    D, H, W = x.shape
    Ho, Wo = (H - size) // stride + 1, (W - size) // stride + 1
    out = np.zeros((D, Ho, Wo))
    for d in range(D):
        for i in range(Ho):
            for j in range(Wo):
                out[d, i, j] = reduce(x[d, i * stride : i * stride + size, j * stride : j * stride + size])
    return out


def numerical(f, x, eps=1e-3):  # pooling is piecewise linear: a wide step is exact, and rounds less
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + eps
        up = f(x)
        x[index] = old - eps
        down = f(x)
        x[index] = old
        grad[index] = (up - down) / (2 * eps)
    return grad


@settings(max_examples=60, deadline=None)
@given(g=pool_geometries(), seed=st.integers(0, 2**16))
def test_forward_matches_a_loop_over_windows(g, seed):
    D, H, W, size, stride = g
    x = np.random.default_rng(seed).normal(size=(D, H, W))
    np.testing.assert_allclose(lk.max_pool_forward(x, size, stride), loop_forward(x, size, stride, np.max))
    np.testing.assert_allclose(
        lk.mean_pool_forward(x, size, stride), loop_forward(x, size, stride, np.mean), rtol=1e-12
    )


@settings(max_examples=40, deadline=None)
@given(g=pool_geometries(), seed=st.integers(0, 2**16))
def test_backward_matches_central_differences(g, seed):
    D, H, W, size, stride = g
    rng = np.random.default_rng(seed)
    # distinct values spaced far more than eps apart: the maximum of each window is unique and stays put
    x = rng.permutation(D * H * W).reshape(D, H, W) * 0.1 + rng.uniform(0, 0.01)
    Ho, Wo = (H - size) // stride + 1, (W - size) // stride + 1
    delta = rng.normal(size=(D, Ho, Wo))
    for forward, backward in (
        (lk.max_pool_forward, lambda: lk.max_pool_backward(delta, x, size, stride)),
        (lk.mean_pool_forward, lambda: lk.mean_pool_backward(delta, x.shape, size, stride)),
    ):
        want = numerical(lambda v, forward=forward: float(np.sum(forward(v, size, stride) * delta)), x.copy())
        got = backward()
        assert got.shape == x.shape
        assert lk.rel_error(got, want) < TOL, (forward.__name__, g)


def test_the_hand_example_routes_each_delta_to_its_maximum():
    x = np.array([[[1, 5, 2, 0], [3, 4, 8, 1], [0, 2, 6, 7], [9, 1, 3, 2]]], float)
    d_x = lk.max_pool_backward(np.array([[[10, 20], [30, 40]]], float), x, 2, 2)
    assert d_x[0, 0, 1] == 10 and d_x[0, 1, 2] == 20 and d_x[0, 3, 0] == 30 and d_x[0, 2, 3] == 40
    assert np.count_nonzero(d_x) == 4


def test_overlapping_windows_add_their_deltas():
    x = np.array([[[0, 0, 0], [0, 9, 0], [0, 0, 0]]], float)  # the centre is every window's maximum
    d_x = lk.max_pool_backward(np.ones((1, 2, 2)), x, 2, 1)
    assert d_x[0, 1, 1] == 4 and np.count_nonzero(d_x) == 1
    d_mean = lk.mean_pool_backward(np.ones((1, 2, 2)), (1, 3, 3), 2, 1)
    np.testing.assert_allclose(d_mean[0], np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 4)


def test_a_tie_goes_to_the_first_maximum_in_reading_order():
    x = np.array([[[1, 3], [3, 2]]], float)
    np.testing.assert_array_equal(lk.max_pool_backward(np.array([[[5.0]]]), x, 2, 2), [[[0, 5], [0, 0]]])


def test_rows_no_window_reads_get_zero():
    d_x = lk.mean_pool_backward(np.ones((1, 1, 1)), (1, 3, 3), 2, 2)  # row 2 and column 2 are never read
    assert np.all(d_x[0, 2] == 0) and np.all(d_x[0, :, 2] == 0) and d_x[0, :2, :2].sum() == 1


def test_inputs_are_not_changed():
    x = np.arange(16.0).reshape(1, 4, 4)
    delta = np.ones((1, 2, 2))
    before = x.copy(), delta.copy()
    lk.max_pool_backward(delta, x, 2, 2)
    lk.mean_pool_backward(delta, x.shape, 2, 2)
    np.testing.assert_array_equal(x, before[0])
    np.testing.assert_array_equal(delta, before[1])


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: lk.max_pool_forward(np.zeros((4, 4)), 2, 2), r"x must have 3 dimensions \(D, H, W\); got 2"),
        (lambda: lk.mean_pool_forward(np.zeros((1, 4, 4)), 0, 2), r"size must be a positive integer; got 0"),
        (
            lambda: lk.max_pool_forward(np.zeros((1, 4, 4)), 2, 1.5),
            r"stride must be a positive integer; got 1.5",
        ),
        (
            lambda: lk.max_pool_forward(np.zeros((1, 3, 5)), 4, 1),
            r"size must be at most the input's \(H, W\) = \(3, 5\); got 4",
        ),
        (
            lambda: lk.max_pool_backward(np.zeros((1, 3, 3)), np.zeros((1, 4, 4)), 2, 2),
            r"delta must have shape \(D, H_out, W_out\) = \(1, 2, 2\) for size=2, stride=2 .*; got shape \(1, 3, 3\)",
        ),
        (
            lambda: lk.mean_pool_backward(np.zeros((1, 2, 2)), (4, 4), 2, 2),
            r"input_shape must be a tuple of 3 positive integers \(D, H, W\); got \(4, 4\)",
        ),
    ],
)
def test_bad_arguments_name_the_argument_and_echo_it(call, message):
    with pytest.raises(ValueError, match=message):
        call()
