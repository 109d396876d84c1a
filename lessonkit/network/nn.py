"""A tiny network toolkit for the capstone: batched layers with forward/backward, stacked in order.

Every layer maps a batch forward and sends dE/d(output) back as dE/d(input), keeping the gradients
of its own parameters. The conv layer is the course's layer made fast (:mod:`lessonkit.fast`);
activations reuse the course's :class:`lessonkit.ReLU` etc. (``forward(net)``, ``derivative(net)``).

Layer protocol: ``forward(x) -> y`` (remembers what backward needs), ``backward(grad_y) -> grad_x``
(fills ``grads``), ``params`` and ``grads`` (lists of arrays, same order, updated in place).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from numpy.typing import ArrayLike

from ..maths import conv as loop
from ..maths.activations import Activation, Identity
from ..maths.gradcheck import rel_error
from ..maths.validate import as_float_array, non_negative_int, output_size, positive_int
from ..maths.validate import filter_size as checked_filter_size
from . import columns, fast
from .augment import place_on_canvas, random_shift  # kept under nn's name, as the capstone uses them
from .losses import softmax_cross_entropy

__all__ = [
    "GlobalAveragePool",
    "ColumnConv",
    "Conv",
    "LoopConv",
    "ActivationLayer",
    "Flatten",
    "Dense",
    "Sequential",
    "check_gradients",
    "random_shift",
    "place_on_canvas",
]


class _Layer:
    """Base: no parameters; backward before forward is an error."""

    params: list[np.ndarray]
    grads: list[np.ndarray]

    def __init__(self) -> None:
        self.params, self.grads = [], []
        self._cache: object = None

    def forward(self, x: ArrayLike) -> np.ndarray:
        """The layer's output for the batch x."""
        raise NotImplementedError

    def backward(self, grad_output: ArrayLike) -> np.ndarray:
        """dE/d(input) from dE/d(output), after forward."""
        raise NotImplementedError

    def _cached(self):
        if self._cache is None:
            raise ValueError(f"{type(self).__name__}.backward called before forward")
        return self._cache


def _dtype(dtype) -> np.dtype:
    dt = np.dtype(dtype)
    if dt not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64; got {dt}")
    return dt


def _functions(functions: dict | None, allowed: tuple[str, ...]) -> dict:
    """The ``functions`` a layer was given (the learner's, by name), or ValueError naming the others.

    Examples
    --------
    >>> _functions({"im2row": len}, ("im2col", "col2im"))
    Traceback (most recent call last):
    ...
    ValueError: functions may hold im2col and col2im; got ['im2row']
    """
    given = dict(functions or {})
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        names = ", ".join(allowed[:-1]) + " and " + allowed[-1]
        raise ValueError(f"functions may hold {names}; got {unknown}")
    return given


class Conv(_Layer):
    """A batched conv layer: ``net = conv(x, W) + b`` for x (B, D, H, W), via :mod:`lessonkit.fast`.

    Parameters
    ----------
    in_depth, n_filters : int
        D and N.
    filter_size : int or (int, int)
        F, or (Fh, Fw).
    stride, padding : int, optional
        S >= 1 and P >= 0.
    rng : numpy.random.Generator or int, optional
        Seeds the He initialisation ``W ~ N(0, 2 / (D Fh Fw))``; b starts at 0.
    dtype : float32 or float64, optional

    Examples
    --------
    >>> conv = Conv(1, 4, 3, stride=2, padding=1, rng=0)
    >>> y = conv.forward(np.ones((5, 1, 8, 8)))
    >>> y.shape, conv.backward(np.ones_like(y)).shape, conv.grads[0].shape
    ((5, 4, 4, 4), (5, 1, 8, 8), (4, 1, 3, 3))
    """

    def __init__(
        self,
        in_depth: int,
        n_filters: int,
        filter_size: int | tuple[int, int],
        stride: int = 1,
        padding: int = 0,
        rng: np.random.Generator | int | None = None,
        dtype: npt.DTypeLike = np.float64,
    ):
        super().__init__()
        d = positive_int(in_depth, "in_depth")
        n = positive_int(n_filters, "n_filters")
        fh, fw = checked_filter_size(filter_size)
        self.stride = positive_int(stride, "stride")
        self.padding = non_negative_int(padding, "padding")
        dt = _dtype(dtype)
        rng = np.random.default_rng(rng)
        self.W = (rng.normal(size=(n, d, fh, fw)) * np.sqrt(2.0 / (d * fh * fw))).astype(dt)
        self.b = np.zeros(n, dtype=dt)
        self.params = [self.W, self.b]
        self.grads = [np.zeros_like(self.W), np.zeros_like(self.b)]

    def forward(self, x: ArrayLike) -> np.ndarray:
        """net^l for the batch x (B, D, H, W)."""
        self._cache = x
        return fast.conv_forward(x, self.W, self.b, self.stride, self.padding)

    def backward(self, grad_output: ArrayLike) -> np.ndarray:
        """dE/dx from δ = dE/dnet; stores dE/dW and dE/db (summed over the batch) in ``grads``."""
        dx, dw, db = fast.conv_backward(grad_output, self._cached(), self.W, self.stride, self.padding)
        self.grads[0][...] = dw
        self.grads[1][...] = db
        return dx


class LoopConv(Conv):
    """A Conv whose passes run one sample at a time through the lecture's functions, or yours.

    Same parameters, same initialisation (for the same ``rng``) and same gradients as :class:`Conv`,
    but ``forward`` calls ``conv_forward`` and ``backward`` calls ``bp_delta_map`` and
    ``compute_gradient`` on each sample of the batch, summing dW and db over it: the loop code of
    lessons 01-05, slow and plain. Pass the learner's functions (e.g. from
    :func:`lessonkit.learner_functions`) to train a network with them.

    Parameters
    ----------
    in_depth, n_filters, filter_size, stride, padding, rng
        As for :class:`Conv` (float64 only).
    functions : mapping, optional
        Any of ``"conv_forward"``, ``"bp_delta_map"``, ``"compute_gradient"`` -> a function with
        lessonkit's signature; lessonkit's own fill in the rest.

    Examples
    --------
    >>> fast_conv = Conv(2, 3, 3, stride=2, padding=1, rng=0)
    >>> loop_conv = LoopConv(2, 3, 3, stride=2, padding=1, rng=0)
    >>> x = np.random.default_rng(1).normal(size=(4, 2, 5, 5))
    >>> y = loop_conv.forward(x)
    >>> bool(np.allclose(y, fast_conv.forward(x)))
    True
    >>> dx = loop_conv.backward(np.ones_like(y))
    >>> bool(np.allclose(dx, fast_conv.backward(np.ones_like(y))))
    True
    >>> bool(np.allclose(loop_conv.grads[0], fast_conv.grads[0]))
    True
    """

    def __init__(
        self,
        in_depth: int,
        n_filters: int,
        filter_size: int | tuple[int, int],
        stride: int = 1,
        padding: int = 0,
        rng: np.random.Generator | int | None = None,
        functions: dict | None = None,
    ):
        super().__init__(in_depth, n_filters, filter_size, stride, padding, rng)
        given = _functions(functions, ("conv_forward", "bp_delta_map", "compute_gradient"))
        self.conv_forward = given.get("conv_forward", loop.conv_forward)
        self.bp_delta_map = given.get("bp_delta_map", loop.bp_delta_map)
        self.compute_gradient = given.get("compute_gradient", loop.compute_gradient)

    def forward(self, x: ArrayLike) -> np.ndarray:
        """net^l for the batch x (B, D, H, W), one sample at a time."""
        xa = as_float_array(x, "x", ndim=4)
        self._cache = xa
        return np.stack(
            [self.conv_forward(sample, self.W, self.b, self.stride, self.padding) for sample in xa]
        )

    def backward(self, grad_output: ArrayLike) -> np.ndarray:
        """dE/dx from δ = dE/dnet, one sample at a time; dE/dW and dE/db summed over the batch."""
        x = self._cached()
        delta = as_float_array(grad_output, "grad_output", ndim=4)
        dx = np.empty_like(x)
        dw, db = np.zeros_like(self.W), np.zeros_like(self.b)
        for i, (d, sample) in enumerate(zip(delta, x, strict=True)):
            dx[i] = self.bp_delta_map(d, self.W, sample.shape, self.stride, self.padding)
            gw, gb = self.compute_gradient(d, sample, self.W.shape, self.stride, self.padding)
            dw += gw
            db += gb
        self.grads[0][...] = dw
        self.grads[1][...] = db
        return dx


class ColumnConv(Conv):
    """A Conv whose passes are two matrix products around im2col and col2im: lessonkit's, or yours.

    The column layout of :mod:`lessonkit.network.columns` (exercise 06_im2col): forward
    ``net = W.reshape(N, -1) @ im2col(x) + b``; backward ``dW = δ_mat @ im2col(x).T``, ``db`` the
    sum of δ, and ``dx = col2im(W.reshape(N, -1).T @ δ_mat)``, where δ_mat is δ with one row per
    filter and one column per receptive field.

    Parameters
    ----------
    in_depth, n_filters, filter_size, stride, padding, rng
        As for :class:`Conv` (float64 only).
    functions : mapping, optional
        ``"im2col"`` and/or ``"col2im"`` -> a function with the signature of
        :func:`lessonkit.network.columns.im2col` / ``col2im``; lessonkit's fill in the rest.

    Examples
    --------
    >>> fast_conv = Conv(2, 3, 3, stride=2, padding=1, rng=0)
    >>> column_conv = ColumnConv(2, 3, 3, stride=2, padding=1, rng=0)
    >>> x = np.random.default_rng(1).normal(size=(4, 2, 5, 5))
    >>> y = column_conv.forward(x)
    >>> bool(np.allclose(y, fast_conv.forward(x)))
    True
    >>> bool(np.allclose(column_conv.backward(np.ones_like(y)), fast_conv.backward(np.ones_like(y))))
    True
    """

    def __init__(
        self,
        in_depth: int,
        n_filters: int,
        filter_size: int | tuple[int, int],
        stride: int = 1,
        padding: int = 0,
        rng: np.random.Generator | int | None = None,
        functions: dict | None = None,
    ):
        super().__init__(in_depth, n_filters, filter_size, stride, padding, rng)
        given = _functions(functions, ("im2col", "col2im"))
        self.im2col = given.get("im2col", columns.im2col)
        self.col2im = given.get("col2im", columns.col2im)

    def forward(self, x: ArrayLike) -> np.ndarray:
        """net^l for the batch x (B, D, H, W): one matrix product with the batch's columns."""
        xa = as_float_array(x, "x", ndim=4)
        n_f, _, fh, fw = self.W.shape
        cols = np.asarray(self.im2col(xa, fh, fw, self.stride, self.padding), dtype=float)
        self._cache = (xa, cols)
        h_out, w_out = output_size(xa.shape[2], xa.shape[3], fh, fw, self.stride, self.padding)
        net = self.W.reshape(n_f, -1) @ cols + self.b[:, None]
        return np.ascontiguousarray(net.reshape(n_f, xa.shape[0], h_out, w_out).transpose(1, 0, 2, 3))

    def backward(self, grad_output: ArrayLike) -> np.ndarray:
        """dE/dx from δ = dE/dnet; dE/dW and dE/db summed over the batch, in ``grads``."""
        xa, cols = self._cached()
        n_f, _, fh, fw = self.W.shape
        delta = as_float_array(grad_output, "grad_output", ndim=4)
        d_mat = delta.transpose(1, 0, 2, 3).reshape(n_f, -1)
        self.grads[0][...] = (d_mat @ cols.T).reshape(self.W.shape)
        self.grads[1][...] = d_mat.sum(axis=1)
        shares = self.W.reshape(n_f, -1).T @ d_mat
        return np.asarray(self.col2im(shares, xa.shape, fh, fw, self.stride, self.padding), dtype=float)


class ActivationLayer(_Layer):
    """Apply one of the course's activations element-wise: ``a = f(net)``, backward ``grad * f'(net)``.

    Examples
    --------
    >>> from lessonkit import ReLU
    >>> act = ActivationLayer(ReLU())
    >>> act.forward(np.array([[-1.0, 2.0]])), act.backward(np.array([[5.0, 5.0]]))
    (array([[0., 2.]]), array([[0., 5.]]))
    """

    def __init__(self, fn: Activation | None = None):
        super().__init__()
        self.fn = Identity() if fn is None else fn

    def forward(self, net: ArrayLike) -> np.ndarray:
        """f(net), in the dtype of net."""
        net = np.asarray(net)
        self._cache = net
        return self.fn.forward(net).astype(net.dtype, copy=False)

    def backward(self, grad_output: ArrayLike) -> np.ndarray:
        """δ = grad ∘ f'(net): the lecture's element-wise product."""
        net = self._cached()
        return (np.asarray(grad_output) * self.fn.derivative(net)).astype(net.dtype, copy=False)


class Flatten(_Layer):
    """(B, ...) -> (B, prod(...)) and back.

    Examples
    --------
    >>> f = Flatten()
    >>> f.forward(np.zeros((2, 3, 4, 4))).shape, f.backward(np.zeros((2, 48))).shape
    ((2, 48), (2, 3, 4, 4))
    """

    def forward(self, x: ArrayLike) -> np.ndarray:
        """A (B, features) view of x."""
        x = np.asarray(x)
        self._cache = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, grad_output: ArrayLike) -> np.ndarray:
        """The gradient in the input's shape."""
        return np.asarray(grad_output).reshape(self._cached())


class GlobalAveragePool(_Layer):
    """(B, N, H, W) -> (B, N): the mean of each feature map, a mean pooling whose one window is the map.

    Whatever the position of a pattern in the image, its feature map's mean is the same, so a head
    on these means sees *what* the filters found, not *where* (lesson 08's shifted digits).
    Backward, each map's δ is spread evenly, δ/(H·W), over its entries: mean pooling's rule
    (lesson 06) with size = H = W. Give the learner's ``mean_pool_forward`` and
    ``mean_pool_backward`` in ``functions`` to run theirs, one sample at a time (square maps only).

    Examples
    --------
    >>> gap = GlobalAveragePool()
    >>> gap.forward(np.arange(8.0).reshape(1, 2, 2, 2))
    array([[1.5, 5.5]])
    >>> gap.backward(np.array([[4.0, 8.0]]))[0, 1]
    array([[2., 2.],
           [2., 2.]])
    """

    def __init__(self, functions: dict | None = None):
        super().__init__()
        self.functions = _functions(functions, ("mean_pool_forward", "mean_pool_backward"))

    def _size(self, shape: tuple) -> int:
        if shape[2] != shape[3]:
            raise ValueError(f"the learner's mean pooling needs square maps (H = W); got shape {shape}")
        return shape[2]

    def forward(self, x: ArrayLike) -> np.ndarray:
        """The mean of every (H, W) map, shape (B, N)."""
        x = np.asarray(x)
        if x.ndim != 4:
            raise ValueError(f"x must have 4 dimensions (B, N, H, W); got {x.ndim} with shape {x.shape}")
        self._cache = x.shape
        mine = self.functions.get("mean_pool_forward")
        if mine is None:
            return x.mean(axis=(2, 3))
        size = self._size(x.shape)
        return np.stack([np.asarray(mine(sample, size, size), dtype=float).reshape(-1) for sample in x])

    def backward(self, grad_output: ArrayLike) -> np.ndarray:
        """δ/(H·W) on every entry of each map, shape (B, N, H, W)."""
        shape = self._cached()
        grad = np.asarray(grad_output)
        mine = self.functions.get("mean_pool_backward")
        if mine is None:
            return np.broadcast_to(grad[:, :, None, None] / (shape[2] * shape[3]), shape).copy()
        size = self._size(shape)
        return np.stack(
            [np.asarray(mine(g[:, None, None], shape[1:], size, size), dtype=float) for g in grad]
        )


class Dense(_Layer):
    """A fully connected layer: ``net = x W^T + b`` for x (B, in_features); W (out, in), b (out,).

    Backward (the lecture's FC recap): dE/dW = δ^T x, dE/db = sum of δ over the batch, dE/dx = δ W.

    Parameters
    ----------
    in_features, out_features : int
    rng : numpy.random.Generator or int, optional
        Seeds ``W ~ N(0, 1 / in_features)``; b starts at 0.
    dtype : float32 or float64, optional

    Examples
    --------
    >>> layer = Dense(3, 2, rng=0)
    >>> layer.W[...] = [[1.0, 0.0, -1.0], [0.5, 0.5, 0.5]]
    >>> layer.forward(np.array([[1.0, 2.0, 3.0]]))
    array([[-2.,  3.]])
    >>> layer.backward(np.array([[1.0, 0.0]])), layer.grads[0]
    (array([[ 1.,  0., -1.]]), array([[1., 2., 3.],
           [0., 0., 0.]]))
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        rng: np.random.Generator | int | None = None,
        dtype: npt.DTypeLike = np.float64,
    ):
        super().__init__()
        n_in = positive_int(in_features, "in_features")
        n_out = positive_int(out_features, "out_features")
        dt = _dtype(dtype)
        rng = np.random.default_rng(rng)
        self.W = (rng.normal(size=(n_out, n_in)) / np.sqrt(n_in)).astype(dt)
        self.b = np.zeros(n_out, dtype=dt)
        self.params = [self.W, self.b]
        self.grads = [np.zeros_like(self.W), np.zeros_like(self.b)]

    def forward(self, x: ArrayLike) -> np.ndarray:
        """net = x W^T + b, shape (B, out_features)."""
        if not (isinstance(x, np.ndarray) and x.dtype == np.float32):
            x = as_float_array(x, "x")
        if x.ndim != 2 or x.shape[1] != self.W.shape[1]:
            raise ValueError(
                f"x must have shape (B, in_features) = (B, {self.W.shape[1]}); got shape {x.shape}"
            )
        self._cache = x
        return x @ self.W.T + self.b

    def backward(self, grad_output: ArrayLike) -> np.ndarray:
        """dE/dx = δ W; stores dE/dW = δ^T x and dE/db = sum_b δ."""
        x = self._cached()
        delta = np.asarray(grad_output)
        if delta.shape != (x.shape[0], self.W.shape[0]):
            raise ValueError(
                f"grad_output must have the output's shape {(x.shape[0], self.W.shape[0])}; got {delta.shape}"
            )
        self.grads[0][...] = delta.T @ x
        self.grads[1][...] = delta.sum(axis=0)
        return delta @ self.W


class Sequential:
    """Layers applied in order; backward runs them in reverse.

    Examples
    --------
    >>> from lessonkit import ReLU
    >>> layers = [Conv(1, 2, 3, padding=1, rng=0), ActivationLayer(ReLU()), Flatten(), Dense(32, 3, rng=1)]
    >>> net = Sequential(layers)
    >>> net.forward(np.ones((4, 1, 4, 4))).shape, len(net.params), net.n_params
    ((4, 3), 4, 119)
    """

    def __init__(self, layers: Sequence[_Layer]):
        self.layers = list(layers)

    @property
    def params(self) -> list[np.ndarray]:
        """Every layer's parameter arrays, in order (what an optimiser updates)."""
        return [p for layer in self.layers for p in layer.params]

    @property
    def grads(self) -> list[np.ndarray]:
        """The matching gradient arrays, filled by ``backward``."""
        return [g for layer in self.layers for g in layer.grads]

    @property
    def n_params(self) -> int:
        """Number of trainable numbers."""
        return sum(p.size for p in self.params)

    def forward(self, x: ArrayLike) -> np.ndarray:
        """The output of the last layer for the batch x."""
        out = np.asarray(x)  # the first layer checks it (and keeps float32 as float32)
        for layer in self.layers:
            out = layer.forward(out)
        return out

    def backward(self, grad_output: ArrayLike) -> np.ndarray:
        """Send dE/d(output) back through every layer; returns dE/d(input)."""
        grad = np.asarray(grad_output)
        for layer in reversed(self.layers):
            grad = layer.backward(grad)
        return grad

    def predict(self, x: ArrayLike, batch_size: int = 256) -> np.ndarray:
        """Predicted class (argmax of the output) for every sample of x."""
        batch_size = positive_int(batch_size, "batch_size")
        x = np.asarray(x)
        return np.concatenate(
            [self.forward(x[i : i + batch_size]).argmax(axis=1) for i in range(0, len(x), batch_size)]
        )


def check_gradients(
    net: Sequential,
    x: ArrayLike,
    labels: ArrayLike,
    n_entries: int = 20,
    eps: float = 1e-5,
    rng: np.random.Generator | int | None = 0,
) -> dict:
    """Compare backprop's gradients of the softmax cross-entropy with central differences.

    For the input and every parameter array, ``n_entries`` entries picked at random (all of them if
    the array is smaller) are nudged by ±eps; the largest :func:`lessonkit.rel_error` per array is
    returned. Run it in float64. Central differences lose about 1e-16 * E / eps to round-off, so an
    entry whose true gradient is tiny (say 1e-5) shows a relative error near 1e-6 even when backprop
    is exact; a ReLU kink crossed by a nudge can spoil an entry too (rare). A linear network (Identity
    activations) should meet 1e-7.

    Returns
    -------
    dict
        ``{"input": err, "layer 0 (Conv) W": err, ...}``.

    Examples
    --------
    >>> net = Sequential([Flatten(), Dense(4, 3, rng=0)])
    >>> errs = check_gradients(net, np.random.default_rng(1).normal(size=(2, 1, 2, 2)), [0, 2])
    >>> sorted(errs), max(errs.values()) < 1e-7
    (['input', 'layer 1 (Dense) W', 'layer 1 (Dense) b'], True)
    """
    n_entries = positive_int(n_entries, "n_entries")
    rng = np.random.default_rng(rng)
    point = as_float_array(x, "x").copy()

    def loss() -> float:
        return softmax_cross_entropy(net.forward(point), labels)[0]

    _, dlogits = softmax_cross_entropy(net.forward(point), labels)
    analytic = {"input": net.backward(dlogits)}
    arrays = {"input": point}
    for i, layer in enumerate(net.layers):
        for name, p, g in zip(("W", "b"), layer.params, layer.grads, strict=False):
            key = f"layer {i} ({type(layer).__name__}) {name}"
            arrays[key], analytic[key] = p, g.copy()
    errors = {}
    for key, arr in arrays.items():
        flat = arr.reshape(-1)  # a view: nudges reach the network
        picks = rng.choice(flat.size, size=min(n_entries, flat.size), replace=False)
        num = np.empty(len(picks))
        for k, idx in enumerate(picks):
            old = flat[idx]
            flat[idx] = old + eps
            plus = loss()
            flat[idx] = old - eps
            minus = loss()
            flat[idx] = old
            num[k] = (plus - minus) / (2 * eps)
        errors[key] = rel_error(analytic[key].reshape(-1)[picks], num)
    return errors
