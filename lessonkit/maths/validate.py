"""Argument checks shared by the maths and the batched network: each message names the argument and echoes it.

The loop functions (:mod:`lessonkit.maths.conv`) and the fast path (:mod:`lessonkit.network.fast`)
check a conv layer's arguments with the same functions, so a mistake reads the same in both.
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.typing import ArrayLike


def as_float_array(value, name: str, ndim: int | None = None, min_ndim: int | None = None) -> np.ndarray:
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
    if ndim is not None:
        _check_rank(arr, name, ndim)
    if min_ndim is not None and arr.ndim < min_ndim:
        raise ValueError(
            f"{name} must have at least {min_ndim} dimensions; got {arr.ndim} with shape {arr.shape}"
        )
    return arr


def _check_rank(arr: np.ndarray, name: str, ndim: int) -> None:
    if arr.ndim != ndim:
        raise ValueError(
            f"{name} must have {ndim} dimension{'s' * (ndim != 1)} {_AXES.get((name, ndim), '')}".rstrip()
            + f"; got {arr.ndim} with shape {arr.shape}"
        )


def float_array(value, name: str, ndim: int, *, keep_float32: bool = False) -> np.ndarray:
    """A float64 array of rank ``ndim`` with no empty axis; with ``keep_float32``, float32 stays float32."""
    if not (keep_float32 and isinstance(value, np.ndarray) and value.dtype == np.float32):
        value = as_float_array(value, name)
    _check_rank(value, name, ndim)
    if value.size == 0:
        axes = _AXES.get((name, ndim), "")
        raise ValueError(f"{name} must not have an empty axis {axes}".rstrip() + f"; got shape {value.shape}")
    return value


_AXES = {
    ("x", 4): "(B, D, H, W)",
    ("x", 3): "(D, H, W)",
    ("x", 2): "(H, W)",
    ("k", 2): "(Fh, Fw)",
    ("w", 4): "(N, D, Fh, Fw)",
    ("b", 1): "(N,)",
    ("delta", 3): "(N, H_out, W_out)",
    ("delta", 4): "(B, N, H_out, W_out)",
    ("rows", 2): "(B * H_out * W_out, D * Fh * Fw)",
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


def filter_size(value: object) -> tuple[int, int]:
    """(Fh, Fw) from a filter size given as F or as a pair (Fh, Fw) of positive integers.

    Examples
    --------
    >>> filter_size(3), filter_size((2, 1))
    ((3, 3), (2, 1))
    """
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return positive_int(value[0], "filter_size"), positive_int(value[1], "filter_size")
    try:
        size = positive_int(value, "filter_size")
    except ValueError:
        raise ValueError(
            f"filter_size must be a positive integer F or a pair (Fh, Fw); got {_short(value)}"
        ) from None
    return size, size


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


def same_depth(a: str, a_shape: tuple, a_axis: int, b: str, b_shape: tuple, b_axis: int) -> None:
    """ValueError unless ``a`` and ``b`` have the same depth D (``a_shape[a_axis] == b_shape[b_axis]``).

    A name ending in ``_shape`` is a shape the caller passed (``input_shape[0]``); any other name is
    an array (``x.shape[0]``).
    """
    if a_shape[a_axis] == b_shape[b_axis]:
        return

    def where(name: str, axis: int) -> str:
        return f"{name}[{axis}]" if name.endswith("_shape") else f"{name}.shape[{axis}]"

    def label(name: str) -> str:
        return name if name.endswith("_shape") else f"{name}.shape"

    raise ValueError(
        f"{a} has depth D={a_shape[a_axis]} ({where(a, a_axis)}) but {b} has depth D={b_shape[b_axis]} "
        f"({where(b, b_axis)}); they must agree; {label(a)}={tuple(a_shape)}, {label(b)}={tuple(b_shape)}"
    )


def forward_arguments(
    x: ArrayLike,
    w: ArrayLike,
    b: ArrayLike,
    stride: int,
    padding: int,
    *,
    batched: bool = False,
    keep_float32: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    """Checked ``(x, w, b, S, P)`` of a conv layer's forward pass.

    x is (D, H, W), or (B, D, H, W) when ``batched``; w is (N, D, Fh, Fw) and b is (N,).

    Examples
    --------
    >>> x, w = np.zeros((2, 4, 4)), np.zeros((3, 1, 2, 2))
    >>> forward_arguments(x, w, np.zeros(3), 1, 0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: w has depth D=1 (w.shape[1]) but x has depth D=2 (x.shape[0]); they must agree; ...
    """
    x = float_array(x, "x", 4 if batched else 3, keep_float32=keep_float32)
    w = float_array(w, "w", 4, keep_float32=keep_float32)
    b = float_array(b, "b", 1, keep_float32=keep_float32)
    s = positive_int(stride, "stride")
    p = non_negative_int(padding, "padding")
    same_depth("w", w.shape, 1, "x", x.shape, 1 if batched else 0)
    if b.shape != (w.shape[0],):
        raise ValueError(
            f"b must have shape (N,) = ({w.shape[0]},) to match the N={w.shape[0]} filters in w; "
            f"got shape {b.shape}"
        )
    return x, w, b, s, p


def delta_argument(delta, expected: tuple, s: int, p: int, *, keep_float32: bool = False) -> np.ndarray:
    """Checked δ^l of shape ``expected``: (N, H_out, W_out), or (B, N, H_out, W_out) for a batch."""
    delta = float_array(delta, "delta", len(expected), keep_float32=keep_float32)
    if delta.shape != tuple(expected):
        axes = _AXES[("delta", len(expected))]
        raise ValueError(
            f"delta must have shape {axes} = {tuple(expected)} for this geometry "
            f"(S={s}, P={p}, H_out = (H - Fh + 2P)//S + 1); got shape {delta.shape}"
        )
    return delta
