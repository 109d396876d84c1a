"""Lesson 02: stride S and padding P, forward (windows that skip) and backward (δ dilated back).

Every function returns a matplotlib Figure (no pyplot). Indices are 0-based like numpy.
"""

from __future__ import annotations

from typing import cast

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from ..maths.conv import bp_delta_map, conv_forward, stride_one_map
from ..maths.ops import correlate2d, pad_hw, rot180
from .forward import unread_mask
from .grid import draw_grid, draw_row, figure_row, row_size
from .style import new_figure

__all__ = [
    "stride_compare_figure",
    "stride_backward_figure",
]


def stride_compare_figure(x: ArrayLike, w: ArrayLike, stride: int = 2, fmt: str = "{:g}") -> Figure:
    """Top: the stride-1 feature map with the cells stride S keeps; bottom: the stride-S map itself.

    Examples
    --------
    >>> fig = stride_compare_figure(np.arange(25).reshape(5, 5), np.ones((3, 3)))
    >>> len(fig.axes)
    10
    """
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    n1 = conv_forward(x[None], w[None, None], [0.0], 1)[0]
    ns = conv_forward(x[None], w[None, None], [0.0], stride)[0]
    kept = np.zeros(n1.shape, dtype=bool)
    kept[::stride, ::stride] = True
    cell = 0.5
    rows = [
        [
            {
                "values": x,
                "title": "a",
                "highlight": (slice(0, w.shape[0]), slice(0, w.shape[1])),
                "fmt": fmt,
            },
            {"values": w, "title": "W", "fmt": fmt},
            {
                "values": n1,
                "title": "net, S = 1",
                "highlight": kept,
                "hatch_mask": ~kept,
                "highlight_label": f"outlined: kept by S = {stride}",
                "fmt": fmt,
            },
        ],
        [
            {
                "values": x,
                "title": "a",
                "highlight": (slice(0, w.shape[0]), slice(stride, stride + w.shape[1])),
                "highlight_label": f"window moves {stride} cells",
                "fmt": fmt,
            },
            {"values": w, "title": "W", "fmt": fmt},
            {"values": ns, "title": f"net, S = {stride}", "fmt": fmt},
        ],
    ]
    shapes = [x.shape, w.shape, n1.shape]
    width, height = row_size(shapes, cell=cell, extra_height=1.6)
    fig = new_figure(width, 2 * height)
    subs = fig.subfigures(2, 1)
    for sf, panels in zip(cast(np.ndarray, subs), rows, strict=True):
        _, axes = figure_row(shapes, ["⋆", "="], cell=cell, extra_height=1.6, fig=sf)
        tallest = max(s[0] for s in shapes)
        for ax, p in zip(axes, panels, strict=True):
            p = dict(p)
            values = p.pop("values")
            draw_grid(ax, values, **p)
            r, c = np.shape(values)
            extra = (tallest - r) / 2
            ax.set_ylim(tallest - extra + 0.9, -extra - 0.9)
            ax.set_xlim(-0.15, c + 0.15)
    return fig


def stride_backward_figure(
    delta: ArrayLike, w: ArrayLike, h: int, wd: int, stride: int = 1, padding: int = 0
) -> Figure:
    """δ^l at stride S, dilated back to stride 1, padded by F-1, ⋆ rot180(W), cropped by P.

    Inserted zeros are cross-hatched, the F-1 ring dotted, the P ring that is cropped away
    hatched, and input cells no window reads are hatched in the result.

    Parameters
    ----------
    delta : array_like, shape (H_out, W_out)
        δ^l for this geometry.
    w : array_like, shape (Fh, Fw)
        The filter.
    h, wd : int
        Input height H and width W.
    stride, padding : int
        S and P of the forward pass.

    Examples
    --------
    >>> fig = stride_backward_figure(np.ones((2, 2)), np.ones((3, 3)), 6, 6, stride=2)
    >>> len(fig.axes)
    9
    """
    d = np.asarray(delta, dtype=float)
    k = np.asarray(w, dtype=float)
    fh, fw = k.shape
    h1, w1 = h + 2 * padding - fh + 1, wd + 2 * padding - fw + 1  # stride-1 map size
    dil = stride_one_map(d, h1, w1, stride)
    inserted = stride_one_map(np.ones_like(d), h1, w1, stride) == 0  # the zeros dilation added
    grad = bp_delta_map(d[None], k[None, None], (1, h, wd), stride, padding)[0]
    # The gradient with respect to the padded input, before the P-wide ring is cropped away.
    full = correlate2d(pad_hw(dil, fh - 1, fw - 1), rot180(k))
    ring = np.ones(full.shape, dtype=bool)
    ring[padding : padding + h, padding : padding + wd] = False
    unread = unread_mask(h, wd, fh, fw, stride, padding)
    panels = [
        {"values": d, "title": f"$\\delta^l$ (S = {stride})"},
        {
            "values": dil,
            "pad": (fh - 1, fw - 1),
            "zero_mask": inserted,
            "title": f"dilated to {h1}×{w1}, padded by F−1"
            + (f" = ({fh - 1}, {fw - 1})" if fh != fw else ""),
        },
        {"values": rot180(k), "title": "rot180(W)"},
        {
            "values": full,
            "hatch_mask": ring,
            "title": "dE/d pad(a)",
            "highlight_label": f"crop the P = {padding} ring" if padding else "P = 0: nothing to crop",
        },
        {"values": grad, "hatch_mask": unread, "title": f"dE/da ({h}×{wd})"},
    ]
    if unread.any():
        panels[-1]["highlight_label"] = "hatched: never read → 0"
    parts = ["cross-hatched: zeros inserted by the stride", "dotted: the F−1 ring"]
    if padding:
        parts.append("striped (4th grid): the padding, cropped")
    if unread.any():
        parts.append("striped (last grid): never read")
    caption = " · ".join(parts)
    return draw_row(panels, ["→", "⋆", "=", "→"], cell=0.42, op_width=1.1, caption=caption)
