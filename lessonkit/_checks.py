"""Argument checks shared by the maths modules: every message names the argument and echoes it."""

from __future__ import annotations

import numbers

import numpy as np


def as_float_array(value, name: str, ndim: int | None = None, min_ndim: int | None = None):
    """Return ``value`` as a float64 array (a copy is never promised), checking its rank."""
    if isinstance(value, np.ndarray) and value.dtype == np.float64:
        arr = value
    else:
        try:
            arr = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"{name} must be an array of real numbers; got {_short(value)} ({exc})"
            ) from None
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(
            f"{name} must have {ndim} dimension{'s' * (ndim != 1)} {_AXES.get((name, ndim), '')}".rstrip()
            + f"; got {arr.ndim} with shape {arr.shape}"
        )
    if min_ndim is not None and arr.ndim < min_ndim:
        raise ValueError(
            f"{name} must have at least {min_ndim} dimensions; got {arr.ndim} with shape {arr.shape}"
        )
    return arr


_AXES = {
    ("x", 3): "(D, H, W)",
    ("x", 2): "(H, W)",
    ("k", 2): "(Fh, Fw)",
    ("w", 4): "(N, D, Fh, Fw)",
    ("b", 1): "(N,)",
    ("delta", 3): "(N, H_out, W_out)",
}


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def positive_int(value, name: str) -> int:
    """Check that ``value`` is an integer >= 1 and return it as int."""
    if not _is_int(value) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {_short(value)}")
    return int(value)


def non_negative_int(value, name: str) -> int:
    """Check that ``value`` is an integer >= 0 and return it as int."""
    if not _is_int(value) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer; got {_short(value)}")
    return int(value)


def shape_tuple(value, name: str, length: int, axes: str) -> tuple[int, ...]:
    """Check that ``value`` is a tuple of ``length`` positive integers (e.g. an input shape)."""
    try:
        items = tuple(value)
    except TypeError:
        items = None
    if items is None or len(items) != length or not all(_is_int(v) and v >= 1 for v in items):
        raise ValueError(f"{name} must be a tuple of {length} positive integers {axes}; got {_short(value)}")
    return tuple(int(v) for v in items)


def output_size(
    h: int, w: int, fh: int, fw: int, stride: int, padding: int, filter_name: str = "w"
) -> tuple[int, int]:
    """H_out = (H - Fh + 2P)//S + 1 and W_out likewise; ValueError if the filter does not fit."""
    hp, wp = h + 2 * padding, w + 2 * padding
    if fh > hp or fw > wp:
        raise ValueError(
            f"{filter_name}'s filter (Fh, Fw) = ({fh}, {fw}) is larger than the padded input "
            f"(H + 2P, W + 2P) = ({hp}, {wp}) with (H, W) = ({h}, {w}) and P = {padding}"
        )
    return (hp - fh) // stride + 1, (wp - fw) // stride + 1
