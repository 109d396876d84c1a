"""Activation functions f with their derivative f'(net), written as functions of net as in the lecture."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .validate import as_float_array

__all__ = ["Identity", "ReLU", "Sigmoid", "Tanh"]


class Activation:
    """Base class: ``forward(net)`` is a = f(net); ``derivative(net)`` is f'(net)."""

    def forward(self, net) -> np.ndarray:
        raise NotImplementedError

    def derivative(self, net) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Identity(Activation):
    """f(net) = net, f'(net) = 1.

    Examples
    --------
    >>> Identity().derivative([-1.0, 2.0])
    array([1., 1.])
    """

    def forward(self, net: ArrayLike) -> np.ndarray:
        return as_float_array(net, "net").copy()

    def derivative(self, net: ArrayLike) -> np.ndarray:
        return np.ones_like(as_float_array(net, "net"))


class ReLU(Activation):
    """f(net) = max(0, net), f'(net) = 1 where net > 0 else 0 (0 at net = 0).

    Examples
    --------
    >>> ReLU().forward([-1.0, 0.0, 2.0])
    array([0., 0., 2.])
    >>> ReLU().derivative([-1.0, 0.0, 2.0])
    array([0., 0., 1.])
    """

    def forward(self, net: ArrayLike) -> np.ndarray:
        return np.maximum(as_float_array(net, "net"), 0.0)

    def derivative(self, net: ArrayLike) -> np.ndarray:
        return (as_float_array(net, "net") > 0).astype(np.float64)


class Sigmoid(Activation):
    """f(net) = 1 / (1 + e^{-net}), f'(net) = f(net) (1 - f(net)).

    Examples
    --------
    >>> Sigmoid().forward([0.0])
    array([0.5])
    >>> Sigmoid().derivative([0.0])
    array([0.25])
    """

    def forward(self, net: ArrayLike) -> np.ndarray:
        net = as_float_array(net, "net")
        # exp(-logaddexp(0, -net)) is 1/(1+e^{-net}) without overflow for large |net|.
        return np.exp(-np.logaddexp(0.0, -net))

    def derivative(self, net: ArrayLike) -> np.ndarray:
        a = self.forward(net)
        return a * (1.0 - a)


class Tanh(Activation):
    """f(net) = tanh(net), f'(net) = 1 - tanh(net)^2.

    Examples
    --------
    >>> Tanh().derivative([0.0])
    array([1.])
    """

    def forward(self, net: ArrayLike) -> np.ndarray:
        return np.tanh(as_float_array(net, "net"))

    def derivative(self, net: ArrayLike) -> np.ndarray:
        return 1.0 - np.tanh(as_float_array(net, "net")) ** 2
