"""Bad input: a ValueError that names the argument and echoes what it got (section 4 of the core issue)."""

from __future__ import annotations

import re

import numpy as np
import pytest

import lessonkit as lk

x = np.zeros((2, 5, 5))
w = np.zeros((3, 2, 2, 2))
b = np.zeros(3)
delta = np.zeros((3, 4, 4))


def raises(match):
    return pytest.raises(ValueError, match=match)


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: lk.conv_forward(np.zeros((5, 5)), w, b),
            r"x must have 3 dimensions \(D, H, W\); got 2 with shape \(5, 5\)",
        ),
        (
            lambda: lk.conv_forward(x, np.zeros((2, 2, 2)), b),
            r"w must have 4 dimensions \(N, D, Fh, Fw\); got 3",
        ),
        (lambda: lk.conv_forward(x, w, np.zeros((3, 1))), r"b must have 1 dimension \(N,\); got 2"),
        (
            lambda: lk.bp_delta_map(np.zeros((4, 4)), w, (2, 5, 5)),
            r"delta must have 3 dimensions \(N, H_out, W_out\); got 2 with shape \(4, 4\)",
        ),
        (
            lambda: lk.correlate2d(np.zeros(3), np.zeros((1, 1))),
            r"x must have 2 dimensions \(H, W\); got 1",
        ),
        (
            lambda: lk.correlate2d(np.zeros((3, 3)), np.zeros(2)),
            r"k must have 2 dimensions \(Fh, Fw\); got 1",
        ),
        (
            lambda: lk.pad(np.zeros(4), 1),
            r"x must have at least 2 dimensions; got 1 with shape \(4,\)",
        ),
        (lambda: lk.rot180(np.zeros(4)), r"w must have at least 2 dimensions; got 1"),
        (lambda: lk.dilate(np.zeros(4), 2), r"delta must have at least 2 dimensions; got 1"),
    ],
)
def test_wrong_number_of_dimensions(call, message):
    with raises(message):
        call()


def test_depth_of_x_and_w_disagree():
    with raises(r"w has depth D=3 \(w.shape\[1\]\) but x has depth D=2 \(x.shape\[0\]\)"):
        lk.conv_forward(x, np.zeros((3, 3, 2, 2)), b)
    with raises(r"input_shape has depth D=4 \(input_shape\[0\]\) but w has depth D=2"):
        lk.bp_delta_map(delta, w, (4, 5, 5))
    with raises(r"filter_shape has depth D=1 \(filter_shape\[1\]\) but x has depth D=2"):
        lk.compute_gradient(delta, x, (3, 1, 2, 2))


def test_bias_length_must_be_n():
    with raises(r"b must have shape \(N,\) = \(3,\) to match the N=3 filters in w; got shape \(2,\)"):
        lk.conv_forward(x, w, np.zeros(2))


@pytest.mark.parametrize("bad", [(3, 5, 5), (3, 4, 5), (2, 4, 4), (4, 4, 4)])
def test_delta_shape_must_match_forward_geometry(bad):
    msg = re.escape("delta must have shape (N, H_out, W_out) = (3, 4, 4) for this geometry (S=1, P=0")
    with raises(msg + r".*got shape " + re.escape(str(bad))):
        lk.bp_delta_map(np.zeros(bad), w, (2, 5, 5))
    with raises(msg + r".*got shape " + re.escape(str(bad))):
        lk.compute_gradient(np.zeros(bad), x, (3, 2, 2, 2))


def test_delta_shape_with_stride_and_padding():
    # H_out = (5 - 2 + 2*1)//2 + 1 = 3
    with raises(re.escape("= (3, 3, 3) for this geometry (S=2, P=1") + r".*got shape \(3, 4, 4\)"):
        lk.bp_delta_map(delta, w, (2, 5, 5), stride=2, padding=1)


@pytest.mark.parametrize(
    "stride, shown",
    [(0, "0"), (-2, "-2"), (1.5, "1.5"), (2.0, "2.0"), ("2", "'2'"), (True, "True")],
)
def test_stride_must_be_a_positive_integer(stride, shown):
    msg = rf"stride must be a positive integer; got {re.escape(shown)}$"
    for call in (
        lambda: lk.conv_forward(x, w, b, stride=stride),
        lambda: lk.bp_delta_map(delta, w, (2, 5, 5), stride=stride),
        lambda: lk.compute_gradient(delta, x, w.shape, stride=stride),
        lambda: lk.correlate2d(x[0], w[0, 0], stride=stride),
        lambda: lk.dilate(delta, stride),
        lambda: lk.ConvLayer(2, 3, 2, stride=stride),
    ):
        with raises(msg):
            call()


@pytest.mark.parametrize("padding, shown", [(-1, "-1"), (0.5, "0.5"), (1.0, "1.0"), (None, "None")])
def test_padding_must_be_a_non_negative_integer(padding, shown):
    msg = rf"padding must be a non-negative integer; got {re.escape(shown)}$"
    for call in (
        lambda: lk.conv_forward(x, w, b, padding=padding),
        lambda: lk.bp_delta_map(delta, w, (2, 5, 5), padding=padding),
        lambda: lk.compute_gradient(delta, x, w.shape, padding=padding),
        lambda: lk.ConvLayer(2, 3, 2, padding=padding),
    ):
        with raises(msg):
            call()


def test_pad_with_negative_p():
    with raises(r"p must be a non-negative integer; got -1$"):
        lk.pad(x, -1)


def test_dilate_with_stride_below_one():
    with raises(r"stride must be a positive integer; got 0$"):
        lk.dilate(delta, 0)


def test_filter_larger_than_padded_input():
    msg = re.escape("w's filter (Fh, Fw) = (6, 2) is larger than the padded input (H + 2P, W + 2P) = (5, 5)")
    with raises(msg):
        lk.conv_forward(x, np.zeros((3, 2, 6, 2)), b)
    with raises(msg):
        lk.bp_delta_map(delta, np.zeros((3, 2, 6, 2)), (2, 5, 5))
    with raises(
        re.escape(
            "filter_shape's filter (Fh, Fw) = (2, 8) is larger than the padded input (H + 2P, W + 2P) = (7, 7)"
        )
    ):
        lk.compute_gradient(delta, x, (3, 2, 2, 8), padding=1)
    # with padding it fits: (5 - 6 + 2)//1 + 1 = 2
    assert lk.conv_forward(x, np.zeros((3, 2, 6, 2)), b, padding=1).shape == (3, 2, 6)
    with raises(r"k of shape \(4, 1\) is larger than x of shape \(3, 3\)"):
        lk.correlate2d(np.zeros((3, 3)), np.zeros((4, 1)))


def test_shapes_given_as_tuples():
    with raises(r"input_shape must be a tuple of 3 positive integers \(D, H, W\); got \(2, 5\)"):
        lk.bp_delta_map(delta, w, (2, 5))
    with raises(r"filter_shape must be a tuple of 4 positive integers \(N, D, Fh, Fw\); got \(3, 2, 0, 2\)"):
        lk.compute_gradient(delta, x, (3, 2, 0, 2))


def test_non_numeric_arrays():
    with raises(r"x must be an array of real numbers; got 'abc'"):
        lk.pad("abc", 1)


def test_numerical_gradient_and_rel_error_arguments():
    with raises(r"eps must be a positive finite number; got 0"):
        lk.numerical_gradient(np.sum, np.zeros(2), eps=0)
    with raises(r"f must be callable; got 3"):
        lk.numerical_gradient(3, np.zeros(2))
    with raises(r"f must return a scalar; got an array of shape \(2,\)"):
        lk.numerical_gradient(lambda v: v, np.zeros(2))
    with raises(r"a and b must have the same shape; got \(2,\) and \(3,\)"):
        lk.rel_error(np.zeros(2), np.zeros(3))


def test_conv_layer_arguments():
    with raises(r"filter_size must be a positive integer F or a pair \(Fh, Fw\); got 0"):
        lk.ConvLayer(1, 1, 0)
    with raises(r"in_depth must be a positive integer; got 0"):
        lk.ConvLayer(0, 1, 2)
    layer = lk.ConvLayer(1, 1, 2)
    with raises(r"backward called before forward"):
        layer.backward(np.zeros((1, 2, 2)))
    layer.forward(np.zeros((1, 3, 3)))
    with raises(r"grad_output must have the output's shape \(1, 2, 2\); got \(1, 3, 3\)"):
        layer.backward(np.zeros((1, 3, 3)))
