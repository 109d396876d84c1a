"""Numerical gradients by central differences, and the relative error used to compare gradients."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from .validate import as_float_array

__all__ = ["numerical_gradient", "rel_error"]


def numerical_gradient(f: Callable[[np.ndarray], float], x: ArrayLike, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of a scalar function: ``(f(x + eps e_i) - f(x - eps e_i)) / 2eps``.

    Each entry of ``x`` is nudged in place and put back exactly, so ``f`` may read ``x`` directly
    (e.g. a closure over a layer's weights) or through its argument.

    Parameters
    ----------
    f : callable
        ``f(x)`` returns a scalar (a Python or numpy number, or a size-1 array).
    x : numpy.ndarray (float64) or array_like
        The point. A float64 array is perturbed in place and restored bit for bit; anything else is
        first copied to float64.
    eps : float, optional
        The step, > 0. 1e-6 suits float64.

    Returns
    -------
    numpy.ndarray, shape of x, float64

    Examples
    --------
    >>> x = np.array([1.0, -2.0, 3.0])
    >>> numerical_gradient(lambda v: float(np.sum(v ** 2)), x).round(6)
    array([ 2., -4.,  6.])
    >>> x
    array([ 1., -2.,  3.])
    """
    if not callable(f):
        raise ValueError(f"f must be callable; got {f!r}")
    if not (isinstance(eps, (int, float, np.floating)) and np.isfinite(eps) and eps > 0):
        raise ValueError(f"eps must be a positive finite number; got {eps!r}")
    point = as_float_array(x, "x")
    if not point.flags.writeable:  # a read-only view cannot be nudged in place: work on a copy
        point = point.copy()
    grad = np.zeros(point.shape)
    for idx in np.ndindex(point.shape):
        old = point[idx]
        try:
            point[idx] = old + eps
            plus = _scalar(f(point))
            point[idx] = old - eps
            minus = _scalar(f(point))
        finally:
            point[idx] = old
        grad[idx] = (plus - minus) / (2 * eps)
    return grad


def _scalar(value) -> float:
    arr = np.asarray(value, dtype=np.float64)
    if arr.size != 1:
        raise ValueError(f"f must return a scalar; got an array of shape {arr.shape}")
    return float(arr.reshape(()))


def rel_error(a: ArrayLike, b: ArrayLike) -> float:
    """Largest relative error between two arrays: ``max |a - b| / max(1e-8, |a| + |b|)``.

    Parameters
    ----------
    a, b : array_like
        Same shape.

    Returns
    -------
    float
        0.0 for equal arrays (and for empty ones).

    Examples
    --------
    >>> rel_error([1.0, 2.0], [1.0, 2.0])
    0.0
    >>> rel_error([1.0], [1.1]) < 0.05
    True
    """
    a = as_float_array(a, "a")
    b = as_float_array(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape; got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
