"""Pooling's backward pass drawn: where one output's δ goes in the input, for max and mean pooling."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from ..maths.pooling import max_pool_backward, max_pool_forward, mean_pool_backward, mean_pool_forward
from .forward import sub
from .grid import draw_row, window_mask
from .style import words

__all__ = ["pool_backward_figure"]


def pool_backward_figure(
    x: ArrayLike,
    delta: ArrayLike,
    size: int,
    stride: int,
    kind: str = "max",
    out: tuple[int, int] = (0, 0),
    fmt: str = "{:.3g}",
) -> Figure:
    """One channel through a pooling layer and back: a^{l-1}, the pooled map, δ^l and dE/da^{l-1}.

    The window of output ``out`` = (i, j) (0-based) is outlined in the input; in dE/da^{l-1} the cells
    that output's δ reaches are outlined: the window's largest entry for max pooling, the whole
    window (δ/size² each) for mean pooling. ``fmt`` formats the pooled map and dE/da^{l-1}.

    Examples
    --------
    >>> x = np.array([[1, 5, 2, 0], [3, 4, 8, 1], [0, 2, 6, 7], [9, 1, 3, 2]])
    >>> fig = pool_backward_figure(x, [[10, 20], [30, 40]], 2, 2, "max", out=(1, 0))
    >>> [t.get_text() for t in fig.axes[0].texts][-1]
    'window of out₂₁'
    """
    if kind not in ("max", "mean"):
        raise ValueError(f"kind must be 'max' or 'mean'; got {kind!r}")
    x = np.asarray(x, dtype=float)[None]
    delta = np.asarray(delta, dtype=float)[None]
    forward = max_pool_forward if kind == "max" else mean_pool_forward
    pooled = forward(x, size, stride)[0]
    if delta.shape[1:] != pooled.shape:
        raise ValueError(f"delta must have the pooled shape {pooled.shape}; got {delta.shape[1:]}")
    i, j = out
    if not (0 <= i < pooled.shape[0] and 0 <= j < pooled.shape[1]):
        raise ValueError(f"out must be an output (i, j) inside {pooled.shape}; got {out!r}")
    rows, cols = slice(i * stride, i * stride + size), slice(j * stride, j * stride + size)
    window = window_mask(x.shape[1:], rows, cols)
    alone = np.zeros_like(delta)
    alone[0, i, j] = delta[0, i, j]  # this output's δ only: the cells it reaches
    if kind == "max":
        reached = max_pool_backward(alone, x, size, stride)[0] != 0
        d_x = max_pool_backward(delta, x, size, stride)[0]
    else:
        reached = window
        d_x = mean_pool_backward(delta, x.shape, size, stride)[0]
    name = sub(i + 1, j + 1)
    panels = [
        {
            "values": x[0],
            "title": "$a^{l-1}$",
            "highlight": window,
            "highlight_label": words("window of out{name}").format(name=name),
        },
        {
            "values": pooled,
            "title": words("max pooled") if kind == "max" else words("mean pooled"),
            "fmt": fmt,
            "highlight": (slice(i, i + 1), slice(j, j + 1)),
        },
        {"values": delta[0], "title": r"$\delta^l$", "highlight": (slice(i, i + 1), slice(j, j + 1))},
        {
            "values": d_x,
            "title": r"$\partial E/\partial a^{l-1}$",
            "fmt": fmt,
            "highlight": reached,
            "highlight_label": words("reached by δ{name}").format(name=name),
        },
    ]
    if kind == "max":
        caption = words("max pooling: each δ goes to its window's largest entry; overlapping windows add")
    else:
        caption = words(
            "mean pooling: each δ is shared out, δ/size² to every entry of its window; overlaps add"
        )
    return draw_row(panels, ["→", "", "→"], caption=caption)
