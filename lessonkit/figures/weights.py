"""Lesson 04: the weight gradient, δ used as a kernel over the input, at stride 1 and at stride S.

Every figure returns its matplotlib Figure and never relies on colour alone: zeros are hatched and
numbers sit in the cells.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from ..maths.conv import compute_gradient, stride_one_map
from .grid import draw_grid, draw_row
from .style import new_figure

__all__ = [
    "weight_gradient_setup",
    "delta_kernel_figure",
    "stride_weight_gradient_figure",
    "gradient_slices_figure",
]


_MUTED = "#8A8A8A"


def _check_count(value, name: str, upper: int) -> int:
    """A small positive integer (node diagrams stay readable up to ``upper`` nodes)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= value <= upper:
        raise ValueError(f"{name} must be an integer from 1 to {upper}; got {value!r}")
    return int(value)


def _sub(i: int, j: int) -> str:
    """Mathtext subscript ``{i,j}`` with 1-based indices."""
    return f"{{{i},{j}}}"


def _int_fmt(*arrays) -> str:
    """'{:g}' when every value is a whole number, else two decimals."""
    whole = all(np.allclose(np.asarray(a, dtype=float), np.round(a)) for a in arrays)
    return "{:g}" if whole else "{:.2f}"


def weight_gradient_setup(H: int = 3, W: int = 3, F: int = 2) -> Figure:
    """The lecture's lost figure for the weight gradient: a^{l-1}, W and δ^l with symbolic cells.

    Parameters
    ----------
    H, W : int, optional
        Input height and width.
    F : int, optional
        Filter size (square), stride 1, no padding, so δ^l is (H-F+1, W-F+1).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = weight_gradient_setup()
    >>> "$a_{2,3}$" in [t.get_text() for t in fig.axes[0].texts]
    True
    """
    H, W, F = (_check_count(v, n, 8) for v, n in ((H, "H"), (W, "W"), (F, "F")))
    if F > min(H, W):
        raise ValueError(f"F must fit in the input (F <= min(H, W) = {min(H, W)}); got {F}")
    ho, wo = H - F + 1, W - F + 1
    grid = lambda sym, r, c: np.array(  # noqa: E731
        [[f"${sym}_{_sub(i + 1, j + 1)}$" for j in range(c)] for i in range(r)], dtype=object
    )
    panels = [
        {"cell_labels": grid("a", H, W), "title": "$a^{l-1}$ (output of layer l-1)"},
        {"cell_labels": grid("w", F, F), "title": "$W$ (filter)"},
        {"cell_labels": grid("net", ho, wo), "title": "$net^{l}$"},
        {"cell_labels": grid(r"\delta", ho, wo), "title": r"$\delta^l = dE/dnet^l$"},
    ]
    return draw_row(panels, ["⋆", "=", "→"], cell=0.8)


def delta_kernel_figure(x: ArrayLike, delta: ArrayLike) -> Figure:
    """δ^l used as a kernel sliding over the input: one panel per weight w_{i,j} (stride 1, P = 0).

    Panel (i, j) highlights the window of a^{l-1} that δ^l covers when it sits at offset (i, j);
    the sum of δ times that window is dE/dw_{i,j}, written under the panel and in the last grid.

    Parameters
    ----------
    x : array_like, shape (H, W)
        One input channel a^{l-1}.
    delta : array_like, shape (H_out, W_out)
        δ^l of one filter; the filter is (H - H_out + 1, W - W_out + 1).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> x = np.arange(1, 10).reshape(3, 3)
    >>> fig = delta_kernel_figure(x, [[1, 0], [0, 2]])
    >>> [t.get_text() for t in fig.axes[-1].texts][:4]
    ['11', '14', '20', '23']
    """
    x = _as_2d(x, "x")
    delta = _as_2d(delta, "delta")
    (h, w), (ho, wo) = x.shape, delta.shape
    if ho > h or wo > w:
        raise ValueError(f"delta must not be larger than x {x.shape}; got shape {delta.shape}")
    fh, fw = h - ho + 1, w - wo + 1
    dW = np.array([[np.sum(delta * x[i : i + ho, j : j + wo]) for j in range(fw)] for i in range(fh)])
    fmt = _int_fmt(x, delta)
    panels = [{"values": delta, "title": r"kernel $\delta^l$", "fmt": fmt}]
    for i in range(fh):
        for j in range(fw):
            panels.append(
                {
                    "values": x,
                    "fmt": fmt,
                    "title": f"$a^{{l-1}}$, window at ({i + 1},{j + 1})",
                    "highlight": (slice(i, i + ho), slice(j, j + wo)),
                    "highlight_label": f"$dE/dw_{_sub(i + 1, j + 1)}$ = " + fmt.format(dW[i, j]),
                }
            )
    panels.append({"values": dW, "title": "$dE/dW$", "fmt": fmt})
    ops = ["⋆"] + [""] * (fh * fw - 1) + ["="]
    return draw_row(panels, ops, cell=0.5, op_width=1.0)


def stride_weight_gradient_figure(
    x: ArrayLike, delta: ArrayLike, filter_size: tuple[int, int], stride: int, padding: int = 0
) -> Figure:
    """Weight gradient at stride S: δ^l dilated back to the stride-1 map, then used as the kernel.

    Parameters
    ----------
    x : array_like, shape (H, W)
        One input channel a^{l-1}.
    delta : array_like, shape (H_out, W_out)
        δ^l of one filter at stride S.
    filter_size : (int, int)
        (Fh, Fw).
    stride, padding : int
        S >= 1 and P >= 0 of the forward pass.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> x = np.arange(25).reshape(5, 5)
    >>> fig = stride_weight_gradient_figure(x, [[1, 2], [3, 4]], (3, 3), stride=2)
    >>> [t.get_text() for t in fig.axes[2].texts][:3]  # dilated δ (axes 1 holds the ⋆)
    ['1', '0', '2']
    """
    x = _as_2d(x, "x")
    delta = _as_2d(delta, "delta")
    fh, fw = (int(v) for v in filter_size)
    p = int(padding)
    dW, _ = compute_gradient(delta[None], x[None], (1, 1, fh, fw), stride=stride, padding=p)
    # The stride-1 map has H + 2P - Fh + 1 rows; a stride that does not divide leaves extra zeros.
    h1, w1 = x.shape[0] + 2 * p - fh + 1, x.shape[1] + 2 * p - fw + 1
    d1 = stride_one_map(delta, h1, w1, stride)
    inserted = stride_one_map(np.ones_like(delta), h1, w1, stride) == 0  # the zeros dilation added
    fmt = _int_fmt(x, delta)
    panels = [
        {
            "values": x,
            "pad": p,
            "fmt": fmt,
            "title": "$a^{l-1}$" + (f", P = {p}" if p else ""),
            "highlight": (slice(0, h1), slice(0, w1)),
            "highlight_label": "window for $w_{1,1}$",
        },
        {
            "values": d1,
            "zero_mask": inserted,
            "fmt": fmt,
            "title": f"$\\delta^l$ (S = {stride}), dilated",
            "highlight_label": "inserted zeros hatched",
        },
        {"values": dW[0, 0], "fmt": _int_fmt(dW), "title": "$dE/dW$"},
    ]
    return draw_row(panels, ["⋆", "="], cell=0.5, op_width=1.2)


def gradient_slices_figure(dW: ArrayLike, fmt: str | None = None) -> Figure:
    """The N x D two-dimensional slices dE/dW[n, d], laid out as a table and named by (n, d).

    Parameters
    ----------
    dW : array_like, shape (N, D, Fh, Fw)
        A weight gradient (e.g. from ``compute_gradient``).
    fmt : str, optional
        Cell format; whole numbers print without decimals by default.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = gradient_slices_figure(np.zeros((2, 3, 2, 2)))
    >>> len(fig.axes)
    6
    """
    dW = np.asarray(dW, dtype=float)
    if dW.ndim != 4:
        raise ValueError(f"dW must have 4 dimensions (N, D, Fh, Fw); got shape {dW.shape}")
    n_f, depth, fh, fw = dW.shape
    fmt = fmt or _int_fmt(dW)
    cell = 0.55
    width = depth * (fw + 1.6) * cell + 0.6
    unit = 0.96 * width / (depth * (fw + 2.4) * 1.1)  # inches per cell once each Axes keeps its aspect
    fig = new_figure(max(width, 5.6), n_f * (fh + 1.05) * unit * 1.1 + 0.6)  # wide enough for the title
    axes = fig.subplots(n_f, depth, squeeze=False)
    for n in range(n_f):
        for d in range(depth):
            ax = axes[n, d]
            draw_grid(
                ax,
                dW[n, d],
                fmt=fmt,
                fontsize=11,
                title=f"cross($a_{d + 1}$, $\\delta_{n + 1}$) = $dW_{_sub(n + 1, d + 1)}$",
            )
            ax.set_xlim(-1.2, fw + 1.2)  # room for the title, so rows need no extra gap
    fig.suptitle(
        f"dE/dW: N x D = {n_f} x {depth} slices of {fh} x {fw} -> shape ({n_f}, {depth}, {fh}, {fw})",
        fontsize=12,
    )
    fig.subplots_adjust(
        left=0.02, right=0.98, bottom=0.02, top=1 - 0.55 / fig.get_figheight(), wspace=0.1, hspace=0.1
    )
    return fig


def _as_2d(value, name: str) -> np.ndarray:
    """A float 2-D array, or a ValueError naming ``name``."""
    arr = np.asarray(value, dtype=float)
    if arr.ndim != 2:
        raise ValueError(f"{name} must have 2 dimensions (H, W); got shape {arr.shape}")
    return arr
