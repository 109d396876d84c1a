"""Softmax and the cross-entropy loss of a classifier, with the gradient the backward pass starts from.

For logits z (B, C) and true classes y (B,), the loss is the batch mean of
``-log softmax(z)[b, y_b]``, and its gradient is the lecture's first error term, δ = dE/dnet, of the
output layer: ``(softmax(z) - onehot(y)) / B``.
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.typing import ArrayLike

from ..maths.validate import as_float_array

__all__ = ["softmax", "softmax_cross_entropy"]


def softmax(z: ArrayLike) -> np.ndarray:
    """Row-wise softmax ``exp(z) / sum(exp(z))``, computed stably (the row maximum is subtracted first).

    Parameters
    ----------
    z : array_like, shape (B, C)
        One row of logits per sample.

    Returns
    -------
    numpy.ndarray, shape (B, C)
        Probabilities; each row sums to 1. float32 stays float32, anything else becomes float64.

    Examples
    --------
    >>> softmax([[0.0, 0.0], [1000.0, 0.0]]).round(6)
    array([[0.5, 0.5],
           [1. , 0. ]])
    """
    z = _logits(z)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def softmax_cross_entropy(logits: ArrayLike, labels: ArrayLike) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of softmax(logits) against integer labels, and its gradient.

    Parameters
    ----------
    logits : array_like, shape (B, C)
        The network's outputs net (before softmax).
    labels : array_like of int, shape (B,)
        The true class of each sample, in ``0 .. C-1``.

    Returns
    -------
    loss : float
        ``mean_b(-log softmax(logits)[b, labels[b]])``.
    dlogits : numpy.ndarray, shape (B, C)
        dE/dlogits = ``(softmax(logits) - onehot(labels)) / B``, in the dtype of ``logits``
        (float32 stays float32).

    Examples
    --------
    Two classes, equal logits: the loss is log 2 and the gradient pushes the true class up.

    >>> loss, grad = softmax_cross_entropy([[0.0, 0.0]], [1])
    >>> round(loss, 6), grad
    (0.693147, array([[ 0.5, -0.5]]))
    """
    z = _logits(logits)
    y = _labels(labels, z.shape)
    shifted = z - z.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    log_p = shifted - log_norm
    rows = np.arange(z.shape[0])
    loss = float(-log_p[rows, y].mean())
    grad = np.exp(log_p)
    grad[rows, y] -= 1.0
    grad /= z.shape[0]
    return loss, grad


def _logits(z) -> np.ndarray:
    """A (B, C) float32/float64 array with B, C >= 1, or a ValueError naming ``logits``."""
    if not (isinstance(z, np.ndarray) and z.dtype == np.float32):
        z = as_float_array(z, "logits")
    if z.ndim != 2 or 0 in z.shape:
        raise ValueError(f"logits must have 2 dimensions (B, C) with B, C >= 1; got shape {z.shape}")
    return z


def _labels(labels, shape: tuple[int, int]) -> np.ndarray:
    """Integer labels of shape (B,) in 0..C-1, or a ValueError naming ``labels``."""
    y = np.asarray(labels)
    if y.shape != (shape[0],):
        raise ValueError(f"labels must have shape (B,) = ({shape[0]},) to match logits; got shape {y.shape}")
    if not (np.issubdtype(y.dtype, np.integer) or all(isinstance(v, numbers.Integral) for v in y.tolist())):
        raise ValueError(f"labels must be integers; got dtype {y.dtype}")
    y = y.astype(np.intp)
    if y.min() < 0 or y.max() >= shape[1]:
        raise ValueError(
            f"labels must lie in 0 .. C-1 = 0 .. {shape[1] - 1}; got values from {y.min()} to {y.max()}"
        )
    return y
