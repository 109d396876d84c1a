"""The core maths against central differences, a direct sum, SciPy and the lecture's hand results."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.signal import correlate2d as scipy_correlate2d
from strategies import Geometry, geometries, seeds

import lessonkit as lk

TOL = 1e-7


def direct_forward(x, w, b, S, P):
    """net[n, i, j] = b[n] + sum_{d,u,v} xp[d, i*S+u, j*S+v] w[n, d, u, v], one term at a time."""
    xp = np.pad(x, ((0, 0), (P, P), (P, P)))
    N, D, Fh, Fw = w.shape
    Ho = (x.shape[1] - Fh + 2 * P) // S + 1
    Wo = (x.shape[2] - Fw + 2 * P) // S + 1
    net = np.zeros((N, Ho, Wo))
    for n in range(N):
        for i in range(Ho):
            for j in range(Wo):
                total = b[n]
                for d in range(D):
                    for u in range(Fh):
                        for v in range(Fw):
                            total += xp[d, i * S + u, j * S + v] * w[n, d, u, v]
                net[n, i, j] = total
    return net


# Lecture geometry, padding > F-1, padding 0, F = 1, strides that do not divide, rectangular.
EDGE_CASES = [
    Geometry(1, 1, 3, 3, 2, 2, 1, 0),
    Geometry(1, 1, 3, 3, 2, 2, 1, 3),
    Geometry(2, 3, 5, 4, 3, 2, 2, 0),
    Geometry(1, 2, 4, 6, 1, 1, 3, 0),
    Geometry(3, 2, 7, 5, 3, 3, 3, 1),
    Geometry(2, 1, 1, 1, 3, 2, 2, 2),
    Geometry(1, 1, 6, 6, 4, 1, 4, 5),
]


def _examples(fn):
    for g in EDGE_CASES:
        fn = example(g=g, seed=0)(fn)
    return fn


@given(g=geometries(), seed=seeds)
@_examples
def test_conv_forward_matches_direct_sum(g: Geometry, seed: int):
    x, w, b, _ = g.arrays(seed)
    net = lk.conv_forward(x, w, b, stride=g.S, padding=g.P)
    assert net.shape == (g.N, *g.out)
    np.testing.assert_allclose(net, direct_forward(x, w, b, g.S, g.P), rtol=1e-12, atol=1e-12)


@given(g=geometries(), seed=seeds)
@_examples
def test_bp_delta_map_matches_numerical_gradient(g: Geometry, seed: int):
    x, w, b, delta = g.arrays(seed)

    def E(xx):  # linear loss with dE/dnet = delta
        return float(np.sum(delta * lk.conv_forward(xx, w, b, g.S, g.P)))

    got = lk.bp_delta_map(delta, w, x.shape, stride=g.S, padding=g.P)
    # E is linear in x, so central differences are exact for any step; a large step keeps
    # rounding error far below the tolerance even for small entries.
    num = lk.numerical_gradient(E, x, eps=1.0)
    assert got.shape == x.shape and got.dtype == np.float64
    assert lk.rel_error(got, num) < TOL


@given(g=geometries(), seed=seeds)
@_examples
def test_compute_gradient_matches_numerical_gradient(g: Geometry, seed: int):
    x, w, b, delta = g.arrays(seed)
    dW, db = lk.compute_gradient(delta, x, w.shape, stride=g.S, padding=g.P)
    num_dW = lk.numerical_gradient(
        lambda ww: float(np.sum(delta * lk.conv_forward(x, ww, b, g.S, g.P))), w, eps=1.0
    )
    num_db = lk.numerical_gradient(
        lambda bb: float(np.sum(delta * lk.conv_forward(x, w, bb, g.S, g.P))), b, eps=1.0
    )
    assert dW.shape == w.shape and db.shape == (g.N,)
    assert lk.rel_error(dW, num_dW) < TOL
    assert lk.rel_error(db, num_db) < TOL


@given(g=geometries(), seed=seeds)
def test_inputs_are_never_mutated(g: Geometry, seed: int):
    x, w, b, delta = g.arrays(seed)
    copies = [a.copy() for a in (x, w, b, delta)]
    lk.conv_forward(x, w, b, g.S, g.P)
    lk.bp_delta_map(delta, w, x.shape, g.S, g.P)
    lk.compute_gradient(delta, x, w.shape, g.S, g.P)
    lk.pad(x, g.P), lk.rot180(w), lk.dilate(delta, g.S)
    for a, c in zip((x, w, b, delta), copies, strict=True):
        np.testing.assert_array_equal(a, c)


def test_rows_the_forward_never_reads_get_exactly_zero_gradient():
    # H - F + 2P = 5 - 2 + 0 = 3 is not a multiple of S = 2: row 4 and column 4 are never read.
    g = Geometry(2, 3, 5, 5, 2, 2, 2, 0)
    x, w, b, delta = g.arrays(7)
    got = lk.bp_delta_map(delta, w, x.shape, stride=2)
    assert np.all(got[:, 4, :] == 0.0) and np.all(got[:, :, 4] == 0.0)
    assert np.all(got[:, :4, :4] != 0.0)
    num = lk.numerical_gradient(lambda xx: float(np.sum(delta * lk.conv_forward(xx, w, b, 2))), x)
    assert np.all(num[:, 4, :] == 0.0)


def test_padding_zero_is_not_an_empty_crop():
    g = Geometry(1, 1, 4, 4, 3, 3, 1, 0)
    x, w, _, delta = g.arrays(1)
    got = lk.bp_delta_map(delta, w, x.shape)
    assert got.shape == (1, 4, 4) and np.abs(got).sum() > 0


def test_lecture_hand_results_3x3_input_2x2_filter():
    rng = np.random.default_rng(3)
    a = rng.normal(size=(1, 3, 3))
    w = rng.normal(size=(1, 1, 2, 2))
    d = rng.normal(size=(1, 2, 2))

    # 1-based names from the lecture, read from 0-based arrays.
    def A(i, j):
        return a[0, i - 1, j - 1]

    def Wt(i, j):
        return w[0, 0, i - 1, j - 1]

    def dl(i, j):
        return d[0, i - 1, j - 1]

    g = lk.bp_delta_map(d, w, (1, 3, 3))
    assert g[0, 0, 0] == pytest.approx(dl(1, 1) * Wt(1, 1), abs=1e-15)
    assert g[0, 0, 1] == pytest.approx(dl(1, 1) * Wt(1, 2) + dl(1, 2) * Wt(1, 1), abs=1e-15)
    expected_rule = lk.correlate2d(lk.pad(d[0], 1), lk.rot180(w[0, 0]))
    np.testing.assert_allclose(g[0], expected_rule, atol=1e-15)

    dW, db = lk.compute_gradient(d, a, (1, 1, 2, 2))
    dw11 = dl(1, 1) * A(1, 1) + dl(1, 2) * A(1, 2) + dl(2, 1) * A(2, 1) + dl(2, 2) * A(2, 2)
    dw12 = dl(1, 1) * A(1, 2) + dl(1, 2) * A(1, 3) + dl(2, 1) * A(2, 2) + dl(2, 2) * A(2, 3)
    lecture_typo = dl(1, 1) * A(1, 2) + dl(1, 2) * A(1, 3) + dl(2, 1) * A(2, 3) + dl(2, 2) * A(2, 3)
    assert dW[0, 0, 0, 0] == pytest.approx(dw11, abs=1e-14)
    assert dW[0, 0, 0, 1] == pytest.approx(dw12, abs=1e-14)
    assert dW[0, 0, 0, 1] != pytest.approx(lecture_typo, abs=1e-6)  # the erratum
    assert db[0] == pytest.approx(d.sum(), abs=1e-14)


@given(
    st.integers(1, 6),
    st.integers(1, 6),
    st.integers(1, 6),
    st.integers(1, 6),
    st.integers(1, 3),
    seeds,
)
def test_correlate2d_matches_scipy(h, w, fh, fw, s, seed):
    rng = np.random.default_rng(seed)
    x, k = rng.normal(size=(h + fh - 1, w + fw - 1)), rng.normal(size=(fh, fw))
    got = lk.correlate2d(x, k, stride=s)
    np.testing.assert_allclose(got, scipy_correlate2d(x, k, mode="valid")[::s, ::s], atol=1e-12)


def test_pad_rot180_dilate_basics():
    x = np.arange(24.0).reshape(2, 3, 4)
    assert lk.pad(x, 2).shape == (2, 7, 8)
    np.testing.assert_array_equal(lk.pad(x, 2)[:, 2:5, 2:6], x)
    p0 = lk.pad(x, 0)
    np.testing.assert_array_equal(p0, x)
    assert p0 is not x
    np.testing.assert_array_equal(lk.rot180(lk.rot180(x)), x)
    assert lk.rot180(x)[1, 0, 0] == x[1, 2, 3]
    d1 = lk.dilate(x, 1)
    np.testing.assert_array_equal(d1, x)
    assert d1 is not x
    d3 = lk.dilate(x, 3)
    assert d3.shape == (2, 7, 10)
    np.testing.assert_array_equal(d3[:, ::3, ::3], x)
    assert d3.sum() == x.sum()
    for f in (lk.pad(x, 1), lk.rot180(x), lk.dilate(x, 2), lk.correlate2d([[1, 2]], [[1]])):
        assert f.dtype == np.float64


def test_numerical_gradient_restores_x_and_handles_closures():
    x = np.array([[0.1, 0.2], [0.3, 1e-17]])
    before = x.copy()
    g = lk.numerical_gradient(lambda v: float(np.sum(np.sin(v))), x)
    np.testing.assert_allclose(g, np.cos(before), rtol=1e-9)
    assert np.array_equal(x, before) and x.tobytes() == before.tobytes()
    # f may close over x instead of reading its argument (a layer's weights).
    g2 = lk.numerical_gradient(lambda _: float(np.sum(x**2)), x)
    np.testing.assert_allclose(g2, 2 * before, atol=1e-8)

    def boom(v):
        raise RuntimeError("learner bug")

    with pytest.raises(RuntimeError):
        lk.numerical_gradient(boom, x)
    assert x.tobytes() == before.tobytes()
    assert lk.numerical_gradient(lambda v: v[0] * 3, [1, 2]).tolist() == pytest.approx([3, 0])
    frozen = np.array([1.0, 2.0])
    frozen.flags.writeable = False
    assert lk.numerical_gradient(np.sum, frozen).tolist() == pytest.approx([1, 1])


def test_rel_error():
    assert lk.rel_error(np.zeros(3), np.zeros(3)) == 0.0
    assert lk.rel_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert lk.rel_error([1.0, 3.0], [1.0, 1.0]) == pytest.approx(0.5)
    assert lk.rel_error([0.0], [1e-9]) == pytest.approx(0.1)
    assert isinstance(lk.rel_error([1.0], [2.0]), float)


@pytest.mark.parametrize("act", [lk.Identity(), lk.ReLU(), lk.Sigmoid(), lk.Tanh()])
def test_activation_derivatives(act):
    net = np.array([-3.0, -0.7, 0.4, 2.5, 40.0, -40.0])
    num = np.array([lk.numerical_gradient(lambda v: act.forward(v)[0], [n])[0] for n in net])
    np.testing.assert_allclose(act.derivative(net), num, atol=1e-8)
    assert np.all(np.isfinite(act.forward(np.array([1e4, -1e4]))))


@settings(max_examples=60)  # a whole layer by central differences: each example is slow; its parts have 150
@given(g=geometries(max_side=5), seed=seeds, act=st.sampled_from(["Identity", "Tanh", "Sigmoid"]))
@example(g=Geometry(2, 3, 5, 4, 3, 2, 2, 3), seed=0, act="Identity")
def test_conv_layer_gradient_check(g: Geometry, seed: int, act: str):
    layer = lk.ConvLayer(
        g.D, g.N, (g.Fh, g.Fw), stride=g.S, padding=g.P, activation=getattr(lk, act)(), rng=seed
    )
    x = np.random.default_rng(seed + 1).normal(size=(g.D, g.H, g.W))
    res = lk.gradient_check(layer, x, rng=seed)
    # A curved f leaves a little truncation error in the numerical side, visible in rel_error
    # only where a gradient entry is tiny (a saturated tanh); a linear layer must meet 1e-7.
    tol = TOL if act == "Identity" else 1e-6
    assert res.d_input < tol and res.dW < tol and res.db < tol, res


def test_gradient_check_catches_a_wrong_d_input():
    class Broken(lk.ConvLayer):
        def backward(self, grad_output):
            return 2 * super().backward(grad_output)

    layer = Broken(1, 1, 2, rng=0)
    res = lk.gradient_check(layer, np.random.default_rng(0).normal(size=(1, 4, 4)))
    assert res.d_input > 0.1 and res.dW < TOL and res.db < TOL
    assert not res.passed()


class LectureStyleLayer:
    """A layer holding the lecture's Filters (weights arrays, numbers for the biases), no W or b."""

    def __init__(self, g: Geometry, seed: int, bias_factor: float = 1.0):
        rng = np.random.default_rng(seed)
        self.filters = [lk.ConvLayer(g.D, 1, (g.Fh, g.Fw), rng=seed + n).filters[0] for n in range(g.N)]
        self.g, self.bias_factor = g, bias_factor
        for f in self.filters:
            f.bias = float(rng.normal())

    def forward(self, x):
        self.x = x
        w = np.stack([f.get_weights() for f in self.filters])
        b = np.array([f.get_bias() for f in self.filters])
        return lk.conv_forward(x, w, b, self.g.S, self.g.P)

    def backward(self, delta):
        w = np.stack([f.get_weights() for f in self.filters])
        dW, db = lk.compute_gradient(delta, self.x, w.shape, self.g.S, self.g.P)
        for f, dw_n, db_n in zip(self.filters, dW, db, strict=True):
            f.weights_grad[...] = dw_n
            f._bias_grad[0] = self.bias_factor * db_n
        return lk.bp_delta_map(delta, w, self.x.shape, self.g.S, self.g.P)


@settings(max_examples=25)
@given(g=geometries(max_side=5), seed=seeds)
def test_gradient_check_of_a_layer_of_lecture_filters(g: Geometry, seed: int):
    """gradient_check nudges each Filter's weights and its number bias when the layer has no W."""
    layer = LectureStyleLayer(g, seed)
    x = np.random.default_rng(seed + 1).normal(size=(g.D, g.H, g.W))
    res = lk.gradient_check(layer, x, rng=seed)
    assert res.passed(TOL), res
    biases = [f.get_bias() for f in layer.filters]
    lk.gradient_check(layer, x, rng=seed)
    assert [f.get_bias() for f in layer.filters] == biases  # every nudge undone


def test_gradient_check_of_lecture_filters_catches_a_wrong_bias_gradient():
    layer = LectureStyleLayer(Geometry(1, 2, 4, 4, 2, 2, 1, 0), seed=0, bias_factor=0.5)
    res = lk.gradient_check(layer, np.random.default_rng(0).normal(size=(1, 4, 4)))
    assert res.db > 0.1 and res.dW < TOL and res.d_input < TOL


def test_conv_layer_filters_are_views_and_update_descends():
    layer = lk.ConvLayer(1, 2, 2, activation=lk.ReLU(), rng=0)
    x = np.random.default_rng(1).normal(size=(1, 5, 5))
    target = np.zeros((2, 4, 4))

    def loss():
        return 0.5 * float(np.sum((layer.forward(x) - target) ** 2))

    first = loss()
    for _ in range(20):
        layer.forward(x)
        layer.backward(layer.output - target)
        layer.update(0.05)
    assert loss() < first
    layer.filters[0].bias = 1.5
    assert layer.b[0] == 1.5
    np.testing.assert_array_equal(layer.filters[1].weights_grad, layer.dW[1])
