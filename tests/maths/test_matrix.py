"""The matrix view agrees with the loop functions for every geometry (one channel, one filter)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from strategies import geometries, seeds

import lessonkit as lk
from lessonkit.maths.matrix import conv_matrix


@given(geometries(), seeds)
def test_forward_is_M_a_and_backward_is_M_transpose_delta(g, seed):
    x, w, _, delta = g.arrays(seed)
    x, w, delta = x[0], w[0, 0], delta[0]
    M = conv_matrix(w, x.shape, g.S, g.P)
    assert M.shape == (delta.size, x.size)
    net = lk.conv_forward(x[None], w[None, None], [0.0], g.S, g.P)[0]
    assert np.allclose(M @ x.ravel(), net.ravel(), rtol=0, atol=1e-12)
    back = lk.bp_delta_map(delta[None], w[None, None], (1, *x.shape), g.S, g.P)[0]
    assert np.allclose(M.T @ delta.ravel(), back.ravel(), rtol=0, atol=1e-12)


def test_zeros_are_local_connectivity_and_repeats_are_weight_sharing():
    which = conv_matrix(np.array([[1.0, 2.0], [3.0, 4.0]]), (3, 3))
    assert ((which > 0).sum(axis=1) == 4).all()  # each output reads one 2x2 window
    assert sorted(np.unique(which[which > 0])) == [1, 2, 3, 4]
    assert all((which == k).sum() == 4 for k in (1, 2, 3, 4))  # each weight used by all 4 outputs


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: conv_matrix(np.ones((2, 2, 1)), (3, 3)), r"w must have 2 dimensions"),
        (lambda: conv_matrix(np.ones((2, 2)), (3,)), r"input_shape must be a tuple of 2 positive integers"),
        (lambda: conv_matrix(np.ones((4, 4)), (3, 3)), r"larger than the padded input"),
        (lambda: conv_matrix(np.ones((2, 2)), (3, 3), stride=0), r"stride must be a positive integer; got 0"),
    ],
)
def test_bad_arguments_name_themselves(call, message):
    with pytest.raises(ValueError, match=message):
        call()
