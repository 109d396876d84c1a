"""Optimisers: turn the gradients of the backward pass into weight updates, in place.

Each optimiser is built from the list of parameter arrays it owns and, on ``step(grads)``, changes
them in place by the matching gradients (same order, same shapes), so layers that hold the arrays
see the new values. State (momentum, Adam's moment estimates) lives in the optimiser.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

__all__ = ["SGD", "Adam", "cosine_lr"]


class _Optimizer:
    """Common checks: parameters are float arrays; gradients match them one to one."""

    def __init__(self, params, lr):
        self.params = list(params)
        for i, p in enumerate(self.params):
            if not (isinstance(p, np.ndarray) and p.dtype in (np.float32, np.float64)):
                raise ValueError(
                    f"params[{i}] must be a float32 or float64 numpy array; got {type(p).__name__}"
                )
        self.lr = _positive(lr, "lr")
        self.t = 0

    def _check(self, grads) -> list[np.ndarray]:
        grads = list(grads)
        if len(grads) != len(self.params):
            raise ValueError(
                f"grads must hold one array per parameter ({len(self.params)}); got {len(grads)}"
            )
        for i, (p, g) in enumerate(zip(self.params, grads, strict=True)):
            if np.shape(g) != p.shape:
                raise ValueError(f"grads[{i}] must have shape {p.shape}; got {np.shape(g)}")
        self.t += 1
        return [np.asarray(g, dtype=p.dtype) for p, g in zip(self.params, grads, strict=True)]


class SGD(_Optimizer):
    """Gradient descent with (heavy-ball) momentum: ``v = momentum * v - lr * g``, ``p += v``.

    Parameters
    ----------
    params : list of numpy.ndarray
        The arrays to train (updated in place).
    lr : float
        Learning rate > 0.
    momentum : float, optional
        In [0, 1); 0 gives plain gradient descent ``p -= lr * g``.

    Examples
    --------
    >>> w = np.array([1.0, -2.0])
    >>> opt = SGD([w], lr=0.1, momentum=0.5)
    >>> opt.step([np.array([1.0, 1.0])]); w
    array([ 0.9, -2.1])
    >>> opt.step([np.array([1.0, 1.0])]); w  # v = 0.5 * (-0.1) - 0.1 = -0.15
    array([ 0.75, -2.25])
    """

    def __init__(self, params: Sequence[np.ndarray], lr: float, momentum: float = 0.0):
        super().__init__(params, lr)
        self.momentum = _fraction(momentum, "momentum")
        self.velocity = [np.zeros_like(p) for p in self.params]

    def step(self, grads: Sequence[np.ndarray]) -> None:
        """Update every parameter in place from its gradient."""
        for p, g, v in zip(self.params, self._check(grads), self.velocity, strict=True):
            v *= self.momentum
            v -= self.lr * g
            p += v


class Adam(_Optimizer):
    """Adam (Kingma and Ba, 2015): steps scaled by running estimates of the gradient's mean and size.

    ``m = b1 m + (1 - b1) g``, ``v = b2 v + (1 - b2) g**2``, bias-corrected ``m_hat = m / (1 - b1**t)``,
    ``v_hat = v / (1 - b2**t)``, then ``p -= lr * m_hat / (sqrt(v_hat) + eps)``.

    Parameters
    ----------
    params : list of numpy.ndarray
        The arrays to train (updated in place).
    lr : float, optional
        Step size > 0.
    beta1, beta2 : float, optional
        Decay rates in [0, 1) of the first and second moment estimates.
    eps : float, optional
        > 0, keeps the division finite.

    Examples
    --------
    The first step moves each entry by about lr against the sign of its gradient:

    >>> w = np.array([1.0, 1.0])
    >>> Adam([w], lr=0.01).step([np.array([3.0, -0.5])]); w.round(6)
    array([0.99, 1.01])
    """

    def __init__(
        self,
        params: Sequence[np.ndarray],
        lr: float = 1e-3,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
    ):
        super().__init__(params, lr)
        self.beta1 = _fraction(beta1, "beta1")
        self.beta2 = _fraction(beta2, "beta2")
        self.eps = _positive(eps, "eps")
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]

    def step(self, grads: Sequence[np.ndarray]) -> None:
        """Update every parameter in place from its gradient."""
        grads = self._check(grads)
        c1 = 1.0 - self.beta1**self.t
        c2 = 1.0 - self.beta2**self.t
        for p, g, m, v in zip(self.params, grads, self.m, self.v, strict=True):
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            v += (1.0 - self.beta2) * g * g
            p -= (self.lr / c1) * m / (np.sqrt(v / c2) + self.eps)


def cosine_lr(base_lr: float, epoch: int, epochs: int) -> float:
    """Cosine learning-rate schedule: ``base_lr`` at epoch 0, falling smoothly towards 0 at ``epochs``.

    Large steps early explore; small steps late let the weights settle instead of rattling around
    the minimum.

    Examples
    --------
    >>> [round(cosine_lr(1.0, e, 4), 3) for e in range(4)]
    [1.0, 0.854, 0.5, 0.146]
    """
    base_lr = _positive(base_lr, "base_lr")
    if not (isinstance(epochs, numbers.Integral) and epochs >= 1):
        raise ValueError(f"epochs must be a positive integer; got {epochs!r}")
    if not (isinstance(epoch, numbers.Integral) and 0 <= epoch < epochs):
        raise ValueError(f"epoch must be an integer in 0 .. epochs-1 = 0 .. {epochs - 1}; got {epoch!r}")
    return base_lr * 0.5 * (1.0 + float(np.cos(np.pi * epoch / epochs)))


def _real(value: object) -> bool:
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, (bool, np.bool_))
        and bool(np.isfinite(float(value)))
    )


def _positive(value, name: str) -> float:
    if not (_real(value) and value > 0):
        raise ValueError(f"{name} must be a positive finite number; got {value!r}")
    return float(value)


def _fraction(value, name: str) -> float:
    if not (_real(value) and 0 <= value < 1):
        raise ValueError(f"{name} must be a number in [0, 1); got {value!r}")
    return float(value)
