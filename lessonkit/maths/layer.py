"""A conv layer assembled from the core functions, with the lecture's Filter, and its gradient check."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from .activations import Activation, Identity
from .conv import bp_delta_map, compute_gradient, conv_forward
from .gradcheck import numerical_gradient, rel_error
from .validate import as_float_array, non_negative_int, positive_int
from .validate import filter_size as checked_filter_size

__all__ = ["Filter", "ConvLayer", "GradCheck", "gradient_check"]


class Filter:
    """One filter of depth D: weights (D, Fh, Fw), a bias, and their gradients (the lecture's Filter).

    The arrays are views into the owning layer's W, b, dW and db, so updating one updates the other.

    Examples
    --------
    >>> layer = ConvLayer(in_depth=2, n_filters=3, filter_size=(2, 1), rng=0)
    >>> f = layer.filters[1]
    >>> f.weights.shape, bool(f.get_bias() == layer.b[1])
    ((2, 2, 1), True)
    """

    def __init__(
        self, weights: np.ndarray, bias: np.ndarray, weights_grad: np.ndarray, bias_grad: np.ndarray
    ) -> None:
        self.weights = weights
        self._bias = bias  # a length-1 view into the layer's b
        self.weights_grad = weights_grad
        self._bias_grad = bias_grad

    @property
    def bias(self) -> float:
        """The bias w_b of this filter."""
        return float(self._bias[0])

    @bias.setter
    def bias(self, value: float) -> None:
        self._bias[0] = value

    @property
    def bias_grad(self) -> float:
        """dE/dw_b of this filter, set by the layer's backward pass."""
        return float(self._bias_grad[0])

    def get_weights(self) -> np.ndarray:
        """The weights, shape (D, Fh, Fw)."""
        return self.weights

    def get_bias(self) -> float:
        """The bias w_b."""
        return self.bias

    def update(self, learning_rate: float) -> None:
        """One gradient-descent step on the weights and the bias."""
        self.weights -= learning_rate * self.weights_grad
        self._bias -= learning_rate * self._bias_grad

    def __repr__(self) -> str:
        return f"Filter(depth={self.weights.shape[0]}, size={self.weights.shape[1:]})"


class ConvLayer:
    """A convolutional layer: net = conv_forward(a^{l-1}, W, b), output a^l = f(net).

    Parameters
    ----------
    in_depth : int
        D, the depth of the input.
    n_filters : int
        N, the number of filters (the output depth).
    filter_size : int or (int, int)
        F for square filters or (Fh, Fw).
    stride, padding : int, optional
        S >= 1 and P >= 0.
    activation : Activation, optional
        f, with ``forward(net)`` and ``derivative(net)``; Identity by default.
    rng : numpy.random.Generator or int or None, optional
        Source of the initial weights (He-style scaled normals); biases start at 0.

    Examples
    --------
    >>> layer = ConvLayer(in_depth=1, n_filters=2, filter_size=2, rng=0)
    >>> x = np.arange(9.0).reshape(1, 3, 3)
    >>> layer.forward(x).shape
    (2, 2, 2)
    >>> layer.backward(np.ones((2, 2, 2))).shape
    (1, 3, 3)
    >>> layer.dW.shape, layer.db
    ((2, 1, 2, 2), array([4., 4.]))
    """

    def __init__(
        self,
        in_depth: int,
        n_filters: int,
        filter_size: int | tuple[int, int],
        stride: int = 1,
        padding: int = 0,
        activation: Activation | None = None,
        rng: np.random.Generator | int | None = None,
    ) -> None:
        self.in_depth = positive_int(in_depth, "in_depth")
        self.n_filters = positive_int(n_filters, "n_filters")
        self.filter_size = fh, fw = checked_filter_size(filter_size)
        self.stride = positive_int(stride, "stride")
        self.padding = non_negative_int(padding, "padding")
        self.activation = Identity() if activation is None else activation
        if not (hasattr(self.activation, "forward") and hasattr(self.activation, "derivative")):
            raise ValueError(f"activation must have forward(net) and derivative(net); got {activation!r}")
        gen = np.random.default_rng(rng)
        scale = np.sqrt(2.0 / (self.in_depth * fh * fw))
        self.W = gen.normal(0.0, scale, size=(self.n_filters, self.in_depth, fh, fw))
        self.b = np.zeros(self.n_filters)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
        self.filters = [
            Filter(self.W[n], self.b[n : n + 1], self.dW[n], self.db[n : n + 1])
            for n in range(self.n_filters)
        ]
        self.input: np.ndarray | None = None
        self.net: np.ndarray | None = None
        self.output: np.ndarray | None = None

    def forward(self, x: ArrayLike) -> np.ndarray:
        """Compute a^l = f(conv_forward(x, W, b)) for x of shape (D, H, W); remembers x and net."""
        xa = as_float_array(x, "x", ndim=3)
        self.input = xa.copy()
        self.net = net = conv_forward(xa, self.W, self.b, self.stride, self.padding)
        self.output = out = self.activation.forward(net)
        return out

    def backward(self, grad_output: ArrayLike) -> np.ndarray:
        """Given dE/da^l (shape of the output), set dW and db and return dE/da^{l-1}.

        δ^l = dE/da^l ∘ f'(net^l); then dW, db = compute_gradient(δ^l, ...) and the return value is
        bp_delta_map(δ^l, W, ...).
        """
        if self.input is None or self.net is None:
            raise ValueError("backward called before forward; got no stored input")
        grad = as_float_array(grad_output, "grad_output")
        if grad.shape != self.net.shape:
            raise ValueError(f"grad_output must have the output's shape {self.net.shape}; got {grad.shape}")
        self.delta = grad * self.activation.derivative(self.net)
        dW, db = compute_gradient(self.delta, self.input, self.W.shape, self.stride, self.padding)
        self.dW[...] = dW  # in place: the Filter views see the new values
        self.db[...] = db
        return bp_delta_map(self.delta, self.W, self.input.shape, self.stride, self.padding)

    def update(self, learning_rate: float) -> None:
        """One gradient-descent step on every filter."""
        for f in self.filters:
            f.update(learning_rate)

    def __repr__(self) -> str:
        return (
            f"ConvLayer(in_depth={self.in_depth}, n_filters={self.n_filters}, "
            f"filter_size={self.filter_size}, stride={self.stride}, padding={self.padding}, "
            f"activation={self.activation!r})"
        )


class GradCheck(NamedTuple):
    """Largest rel_error of each gradient of a layer against central differences."""

    d_input: float
    dW: float
    db: float

    @property
    def worst(self) -> float:
        """The largest of the three errors."""
        return max(self)

    def passed(self, tol: float = 1e-7) -> bool:
        """True when every error is below ``tol``."""
        return self.worst < tol

    def __str__(self) -> str:
        return f"rel_error  d(input): {self.d_input:.1e}   dW: {self.dW:.1e}   db: {self.db:.1e}"


def gradient_check(
    layer: ConvLayer, x: ArrayLike, rng: np.random.Generator | int | None = 0, eps: float = 1e-3
) -> GradCheck:
    """Check a layer's d(input), dW and db against ``numerical_gradient``.

    The loss is E = sum(R ∘ layer.forward(x)) for a fixed random R, so dE/da^l = R. Each numerical
    gradient combines two central differences, ``(4 g(eps) - g(2 eps)) / 3`` (Richardson
    extrapolation): its error falls as eps^4 instead of eps^2, so a large step can be used and
    rounding error stays near 1e-13 even for tiny gradient entries, well under the 1e-7 bar.

    Parameters
    ----------
    layer : ConvLayer
        Any object with ``forward(x)``, ``backward(grad_output)`` and either arrays ``W``, ``b``,
        ``dW``, ``db``, or, in the lecture's style, a list ``filters`` of Filters, each with a
        ``weights`` array, a number ``bias`` and their gradients ``weights_grad`` and ``bias_grad``
        (its weights are nudged and restored; ``forward`` must read them on every call).
    x : array_like, shape (D, H, W)
    rng : numpy.random.Generator or int, optional
        Seed for R.
    eps : float, optional
        Step of the central differences.

    Returns
    -------
    GradCheck
        (d_input, dW, db): the largest rel_error of each.

    Examples
    --------
    >>> from lessonkit import Tanh
    >>> layer = ConvLayer(2, 3, (3, 2), stride=2, padding=3, activation=Tanh(), rng=1)
    >>> x = np.random.default_rng(2).normal(size=(2, 5, 4))
    >>> result = gradient_check(layer, x)
    >>> result.passed(1e-7)
    True
    """
    point = as_float_array(x, "x", ndim=3).copy()
    R = np.random.default_rng(rng).normal(size=layer.forward(point).shape)

    def loss(_: object = None) -> float:
        return float(np.sum(R * layer.forward(point)))

    def numerical(arr: np.ndarray) -> np.ndarray:
        return (4 * numerical_gradient(loss, arr, eps) - numerical_gradient(loss, arr, 2 * eps)) / 3

    def numerical_bias(f: object) -> float:  # the lecture's bias is a number, not an array to nudge
        start = f.bias  # type: ignore[attr-defined]

        def slope(h: float) -> float:
            f.bias = start + h  # type: ignore[attr-defined]
            up = loss()
            f.bias = start - h  # type: ignore[attr-defined]
            down = loss()
            return (up - down) / (2 * h)

        try:
            return (4 * slope(eps) - slope(2 * eps)) / 3
        finally:
            f.bias = start  # type: ignore[attr-defined]

    layer.forward(point)
    dx = layer.backward(R)
    if hasattr(layer, "W"):
        dW, db = layer.dW.copy(), layer.db.copy()
        return GradCheck(
            rel_error(dx, numerical(point)),
            rel_error(dW, numerical(layer.W)),
            rel_error(db, numerical(layer.b)),
        )
    filters = list(layer.filters)
    dW = np.stack([np.array(f.weights_grad, dtype=float) for f in filters])
    db = np.array([float(f.bias_grad) for f in filters])
    return GradCheck(
        rel_error(dx, numerical(point)),
        rel_error(dW, np.stack([numerical(f.weights) for f in filters])),
        rel_error(db, np.array([numerical_bias(f) for f in filters])),
    )
