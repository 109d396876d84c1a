"""The capstone's modules: dense layer, softmax cross-entropy, optimisers, batched layers; gradient checks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import geometries, seeds

import lessonkit as lk
from lessonkit.network import losses, nn, optim

TOL = 1e-7


def raises(match):
    return pytest.raises(ValueError, match=match)


# --- softmax cross-entropy ---------------------------------------------------------------------


@given(st.integers(1, 5), st.integers(2, 6), st.integers(0, 2**32 - 1))
def test_softmax_cross_entropy_gradient_matches_numerical(n_b, n_c, seed):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n_b, n_c))  # unsaturated: tiny true gradients would test round-off instead
    y = rng.integers(0, n_c, size=n_b)
    loss, grad = losses.softmax_cross_entropy(z, y)
    num = lk.numerical_gradient(lambda v: losses.softmax_cross_entropy(v, y)[0], z, eps=1e-5)
    assert lk.rel_error(grad, num) < TOL
    # the loss is the mean of -log p of the true class, computed the plain way
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    assert loss == pytest.approx(-np.log(p[np.arange(n_b), y]).mean(), rel=1e-9, abs=1e-12)
    np.testing.assert_allclose(losses.softmax(z), p, rtol=1e-9, atol=1e-15)


def test_softmax_is_stable_and_keeps_float32():
    p = losses.softmax(np.array([[1000.0, 0.0, -1000.0]]))
    assert np.all(np.isfinite(p)) and p[0, 0] == pytest.approx(1.0)
    loss, grad = losses.softmax_cross_entropy(np.array([[1000.0, 0.0]]), [1])
    assert loss == pytest.approx(1000.0)
    assert losses.softmax_cross_entropy(np.zeros((2, 3), np.float32), [0, 1])[1].dtype == np.float32
    grad = losses.softmax_cross_entropy(np.zeros((2, 3)), [0, 2])[1]
    np.testing.assert_allclose(grad.sum(axis=1), 0, atol=1e-15)


def test_softmax_cross_entropy_arguments():
    with raises(r"logits must have 2 dimensions \(B, C\) with B, C >= 1; got shape \(3,\)"):
        losses.softmax_cross_entropy(np.zeros(3), [0])
    with raises(r"labels must have shape \(B,\) = \(2,\) to match logits; got shape \(3,\)"):
        losses.softmax_cross_entropy(np.zeros((2, 3)), [0, 1, 2])
    with raises(r"labels must lie in 0 .. C-1 = 0 .. 2; got values from 0 to 3"):
        losses.softmax_cross_entropy(np.zeros((2, 3)), [0, 3])
    with raises(r"labels must be integers; got dtype float64"):
        losses.softmax_cross_entropy(np.zeros((2, 3)), [0.5, 1.0])


# --- dense layer ---------------------------------------------------------------------------------


@given(st.integers(1, 4), st.integers(1, 6), st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_dense_gradients_match_numerical(n_b, n_in, n_out, seed):
    rng = np.random.default_rng(seed)
    layer = nn.Dense(n_in, n_out, rng=rng)
    layer.b[...] = rng.normal(size=n_out)
    x = rng.normal(size=(n_b, n_in))
    g = rng.normal(size=(n_b, n_out))  # a random linear loss E = sum(g * out)

    def loss(_=None):
        return float(np.sum(g * layer.forward(x)))

    layer.forward(x)
    dx = layer.backward(g)
    dW, db = (a.copy() for a in layer.grads)
    # E is linear in x, W and b: central differences are exact for any step, and a large one keeps
    # round-off far below the tolerance.
    num_dx = lk.numerical_gradient(lambda v: float(np.sum(g * layer.forward(v))), x, eps=1.0)
    assert lk.rel_error(dx, num_dx) < TOL
    assert lk.rel_error(dW, lk.numerical_gradient(loss, layer.W, eps=1.0)) < TOL
    assert lk.rel_error(db, lk.numerical_gradient(loss, layer.b, eps=1.0)) < TOL


def test_dense_arguments():
    layer = nn.Dense(3, 2)
    with raises(r"Dense.backward called before forward"):
        layer.backward(np.zeros((1, 2)))
    with raises(r"x must have shape \(B, in_features\) = \(B, 3\); got shape \(2, 4\)"):
        layer.forward(np.zeros((2, 4)))
    layer.forward(np.zeros((2, 3)))
    with raises(r"grad_output must have the output's shape \(2, 2\); got \(2, 3\)"):
        layer.backward(np.zeros((2, 3)))
    with raises(r"in_features must be a positive integer; got 0"):
        nn.Dense(0, 2)
    with raises(r"dtype must be float32 or float64; got int64"):
        nn.Dense(1, 2, dtype=np.int64)


# --- batched conv, activation, flatten and a whole network ----------------------------------------


def _small_net(rng, dtype=np.float64):
    return nn.Sequential(
        [
            nn.Conv(2, 3, (3, 2), stride=1, padding=1, rng=rng, dtype=dtype),
            nn.ActivationLayer(lk.Tanh()),
            nn.Conv(3, 4, 3, stride=2, padding=2, rng=rng, dtype=dtype),
            nn.ActivationLayer(lk.Sigmoid()),
            nn.Flatten(),
            nn.Dense(4 * 4 * 4, 5, rng=rng, dtype=dtype),
        ]
    )


def test_network_gradients_match_numerical_everywhere():
    rng = np.random.default_rng(0)
    net = _small_net(rng)
    x = rng.normal(size=(3, 2, 5, 4))
    y = np.array([0, 4, 2])
    errors = nn.check_gradients(net, x, y, n_entries=1000, rng=1)
    assert set(errors) == {"input"} | {
        f"layer {i} ({kind}) {p}" for i, kind in ((0, "Conv"), (2, "Conv"), (5, "Dense")) for p in "Wb"
    }
    # tanh/sigmoid: central differences lose ~1e-11 absolute to round-off, so tiny entries limit this
    assert max(errors.values()) < 1e-6, errors
    for i in (1, 3):  # the same network made linear must meet the course's 1e-7
        net.layers[i].fn = lk.Identity()
    errors = nn.check_gradients(net, x, y, n_entries=1000, rng=1)
    assert max(errors.values()) < 1e-7, errors


def test_check_gradients_catches_a_wrong_backward():
    rng = np.random.default_rng(0)
    net = _small_net(rng)
    x, y = rng.normal(size=(2, 2, 5, 4)), np.array([1, 3])
    conv = net.layers[2]
    original = conv.backward

    def wrong(grad):
        dx = original(grad)
        conv.grads[0][...] *= 1.01  # a 1% error in dW only
        return dx

    conv.backward = wrong
    errors = nn.check_gradients(net, x, y, n_entries=50)
    assert errors["layer 2 (Conv) W"] > 1e-3
    assert errors["input"] < 1e-6


def test_conv_layer_uses_the_fast_path_and_keeps_float32():
    rng = np.random.default_rng(3)
    conv = nn.Conv(2, 3, 3, stride=2, padding=1, rng=rng, dtype=np.float32)
    x = rng.normal(size=(4, 2, 7, 6)).astype(np.float32)
    y = conv.forward(x)
    dx = conv.backward(np.ones_like(y))
    assert y.dtype == dx.dtype == conv.grads[0].dtype == np.float32
    np.testing.assert_allclose(y, lk.fast.conv_forward(x, conv.W, conv.b, 2, 1))
    with raises(r"Conv.backward called before forward"):
        nn.Conv(1, 1, 1).backward(np.zeros((1, 1, 1, 1)))


def test_random_shift_moves_each_image_by_at_most_one_pixel():
    rng = np.random.default_rng(0)
    x = np.zeros((200, 1, 5, 5))
    x[:, 0, 2, 2] = 1.0
    y = nn.random_shift(x, 1, rng=rng)
    rows, cols = np.nonzero(y[:, 0].sum(axis=0))
    assert y.sum() == 200 and set(rows) == {1, 2, 3} and set(cols) == {1, 2, 3}
    assert np.all(x[:, 0, 2, 2] == 1)  # input untouched
    np.testing.assert_array_equal(nn.random_shift(x, 0), x)
    with raises(r"max_shift must be a non-negative integer; got -1"):
        nn.random_shift(x, -1)


# --- optimisers ----------------------------------------------------------------------------------


def test_sgd_with_momentum_follows_its_formula():
    rng = np.random.default_rng(0)
    p = rng.normal(size=(3, 2))
    start = p.copy()
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    g1, g2 = rng.normal(size=(2, 3, 2))
    opt.step([g1])
    opt.step([g2])
    v1 = -0.1 * g1
    v2 = 0.9 * v1 - 0.1 * g2
    np.testing.assert_allclose(p, start + v1 + v2, rtol=1e-12)


def test_adam_follows_its_formula_and_minimises_a_quadratic():
    rng = np.random.default_rng(1)
    p = rng.normal(size=4)
    start = p.copy()
    opt = optim.Adam([p], lr=0.05, beta1=0.8, beta2=0.9, eps=1e-8)
    g1, g2 = rng.normal(size=(2, 4))
    opt.step([g1])
    opt.step([g2])
    m = 0.8 * 0.2 * g1 + 0.2 * g2
    v = 0.9 * 0.1 * g1**2 + 0.1 * g2**2
    m1_hat, v1_hat = g1, g1**2
    expected = start - 0.05 * m1_hat / (np.sqrt(v1_hat) + 1e-8)
    expected -= 0.05 * (m / (1 - 0.8**2)) / (np.sqrt(v / (1 - 0.9**2)) + 1e-8)
    np.testing.assert_allclose(p, expected, rtol=1e-10)
    target = np.array([3.0, -1.0])
    q = np.zeros(2)
    opt = optim.Adam([q], lr=0.1)
    for _ in range(500):
        opt.step([2 * (q - target)])
    np.testing.assert_allclose(q, target, atol=1e-3)


def test_optimiser_arguments():
    p = np.zeros(3)
    with raises(r"lr must be a positive finite number; got 0"):
        optim.SGD([p], lr=0)
    with raises(r"momentum must be a number in \[0, 1\); got 1.0"):
        optim.SGD([p], lr=0.1, momentum=1.0)
    with raises(r"beta2 must be a number in \[0, 1\); got -0.1"):
        optim.Adam([p], beta2=-0.1)
    with raises(r"params\[0\] must be a float32 or float64 numpy array; got list"):
        optim.SGD([[1.0]], lr=0.1)
    opt = optim.Adam([p])
    with raises(r"grads must hold one array per parameter \(1\); got 2"):
        opt.step([p, p])
    with raises(r"grads\[0\] must have shape \(3,\); got \(2,\)"):
        opt.step([np.zeros(2)])
    with raises(r"epoch must be an integer in 0 .. epochs-1 = 0 .. 3; got 4"):
        optim.cosine_lr(0.1, 4, 4)


def test_a_few_steps_of_training_lower_the_loss():
    rng = np.random.default_rng(5)
    net = _small_net(rng)
    x, y = rng.normal(size=(8, 2, 5, 4)), rng.integers(0, 5, size=8)
    opt = optim.Adam(net.params, lr=0.01)
    first = None
    for _ in range(60):
        loss, grad = losses.softmax_cross_entropy(net.forward(x), y)
        first = loss if first is None else first
        net.backward(grad)
        opt.step(net.grads)
    assert loss < 0.5 * first
    assert (net.predict(x) == y).mean() >= 0.75


@pytest.mark.parametrize("size", [0, (2, 0), (1, 2, 3), 2.5, "3"])
def test_conv_layer_and_nn_conv_share_the_filter_size_check(size):
    with pytest.raises(ValueError) as loop:
        lk.ConvLayer(1, 2, size)
    with pytest.raises(ValueError) as batched:
        nn.Conv(1, 2, size)
    assert str(loop.value) == str(batched.value)
    assert str(loop.value).startswith("filter_size must be a positive integer")


@settings(max_examples=40)
@given(g=geometries(max_side=6), seed=seeds, batch=st.integers(1, 3))
def test_loop_conv_equals_conv_from_the_same_seed(g, seed, batch):
    """Same initial weights for the same rng; same net, dE/dx, dE/dW and dE/db as the fast path."""
    fast_conv = nn.Conv(g.D, g.N, (g.Fh, g.Fw), stride=g.S, padding=g.P, rng=seed)
    loop_conv = nn.LoopConv(g.D, g.N, (g.Fh, g.Fw), stride=g.S, padding=g.P, rng=seed)
    assert np.array_equal(fast_conv.W, loop_conv.W)
    rng = np.random.default_rng(seed)
    fast_conv.b[...] = loop_conv.b[...] = rng.normal(size=g.N)
    x = rng.normal(size=(batch, g.D, g.H, g.W))
    y = loop_conv.forward(x)
    np.testing.assert_allclose(y, fast_conv.forward(x), rtol=1e-10, atol=1e-12)
    delta = rng.normal(size=y.shape)
    np.testing.assert_allclose(loop_conv.backward(delta), fast_conv.backward(delta), rtol=1e-10, atol=1e-12)
    for mine, ref in zip(loop_conv.grads, fast_conv.grads, strict=True):
        np.testing.assert_allclose(mine, ref, rtol=1e-10, atol=1e-12)


def test_loop_conv_calls_the_functions_it_is_given():
    calls = []

    def spy(name):
        def fn(*args):
            calls.append(name)
            return getattr(lk, name)(*args)

        return fn

    layer = nn.LoopConv(1, 2, 2, rng=0, functions={n: spy(n) for n in ("bp_delta_map", "compute_gradient")})
    layer.backward(np.ones_like(layer.forward(np.ones((3, 1, 4, 4)))))
    assert calls == ["bp_delta_map", "compute_gradient"] * 3  # one sample at a time


def test_loop_conv_arguments():
    with pytest.raises(
        ValueError,
        match=r"functions may hold conv_forward, bp_delta_map and compute_gradient; got \['pad'\]",
    ):
        nn.LoopConv(1, 1, 2, functions={"pad": lk.pad})
    with pytest.raises(ValueError, match=r"x must have 4 dimensions"):
        nn.LoopConv(1, 1, 2).forward(np.ones((1, 4, 4)))
