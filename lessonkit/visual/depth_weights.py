"""Figures for lessons 03-05: depth D with N filters, and the weight gradient (δ as a kernel).

Every figure returns its matplotlib Figure and never relies on colour alone: highlighted edges are
also thick and solid (the others thin and dotted), zeros are hatched, and numbers sit in the cells.
"""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch

from ._style import FACE, INK, OKABE_ITO, new_figure
from .grid import draw_grid, draw_row

__all__ = [
    "depth_node_diagram",
    "depth_node_figure",
    "depth_sum_figure",
    "weight_gradient_setup",
    "delta_kernel_figure",
    "stride_weight_gradient_figure",
    "gradient_slices_figure",
    "equation",
]

_INK = INK
_MUTED = "#8A8A8A"
_CHANNEL = OKABE_ITO["blue"]  # the highlighted input channel
_FILTERS = tuple(OKABE_ITO[k] for k in ("vermillion", "bluish_green", "reddish_purple", "orange", "sky_blue"))


def _check_count(value, name: str, upper: int) -> int:
    """A small positive integer (node diagrams stay readable up to ``upper`` nodes)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= value <= upper:
        raise ValueError(f"{name} must be an integer from 1 to {upper}; got {value!r}")
    return int(value)


def _node_positions(count: int, x: float) -> list[tuple[float, float]]:
    """Centres of ``count`` nodes stacked top to bottom at abscissa ``x``."""
    ys = np.linspace(0.85, 0.15, count) if count > 1 else np.array([0.5])
    return [(x, float(y)) for y in ys]


def _node(ax, xy, text: str, *, face: str, edge: str, lw: float, hatch: str | None = None) -> None:
    """One labelled circle."""
    ax.add_patch(Circle(xy, 0.075, facecolor=face, edgecolor=edge, lw=lw, hatch=hatch, zorder=3))
    ax.text(*xy, text, ha="center", va="center", fontsize=11, color=_INK, zorder=4)


def depth_node_diagram(D: int = 3, N: int = 2, channel: int = 0, direction: str = "forward", ax=None):
    """Draw layer l-1 (D channels) and layer l (N feature maps) as nodes joined by the filters.

    Each input channel d is joined to every output node n by the 2-D filter slice W_{n,d}
    (a cross-correlation drawn as one edge). The edges of ``channel`` are thick, solid and
    labelled; the rest are thin and dotted, so the figure reads without colour.

    Parameters
    ----------
    D, N : int, optional
        Input depth and number of filters (1 to 6 each).
    channel : int, optional
        0-based index of the input channel whose edges are highlighted (drawn as d{channel+1}).
    direction : {"forward", "backward"}, optional
        "forward": arrows from channel ``channel`` to every net_n^l. "backward": arrows from every
        δ_n^l back to that channel, labelled with the term each filter contributes.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when omitted.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = depth_node_diagram(D=3, N=2, channel=0)
    >>> [t.get_text() for t in fig.axes[0].texts if t.get_text().startswith("$W")]
    ['$W_{1,1}$', '$W_{2,1}$']
    """
    D = _check_count(D, "D", 6)
    N = _check_count(N, "N", 6)
    if isinstance(channel, bool) or not isinstance(channel, (int, np.integer)) or not 0 <= channel < D:
        raise ValueError(f"channel must be an integer from 0 to D-1 = {D - 1}; got {channel!r}")
    if direction not in ("forward", "backward"):
        raise ValueError(f"direction must be 'forward' or 'backward'; got {direction!r}")
    if ax is None:
        ax = new_figure(5.6, 4.4).add_subplot()
    fig = ax.figure
    ax.set_xlim(-0.08, 1.08)
    ax.set_ylim(-0.2, 1.12)
    ax.set_aspect("equal")
    ax.axis("off")
    left = _node_positions(D, 0.16)
    right = _node_positions(N, 0.84)
    backward = direction == "backward"
    for d, (xl, yl) in enumerate(left):
        for n, (xr, yr) in enumerate(right):
            hot = d == channel
            colour = _FILTERS[n % len(_FILTERS)] if hot else _MUTED
            start, end = (
                ((xr - 0.08, yr), (xl + 0.08, yl)) if backward else ((xl + 0.08, yl), (xr - 0.08, yr))
            )
            ax.add_patch(
                FancyArrowPatch(
                    start,
                    end,
                    arrowstyle="-|>" if hot else "-",
                    mutation_scale=16,
                    lw=2.6 if hot else 1.0,
                    ls="-" if hot else ":",
                    color=colour,
                    zorder=2,
                )
            )
            if hot:
                # Put the label near the input node so labels of one channel fan out and never overlap.
                t = 0.5
                lx, ly = xl + t * (xr - xl), yl + t * (yr - yl)
                text = f"$W_{{{n + 1},{d + 1}}}$"
                ax.text(
                    lx,
                    ly,
                    text,
                    ha="center",
                    va="center",
                    fontsize=11,
                    color=_INK,
                    bbox=dict(boxstyle="round,pad=0.15", fc=FACE, ec=colour, lw=1.2),
                    zorder=5,
                )
    for d, xy in enumerate(left):
        hot = d == channel
        sym = r"\delta" if backward else "a"
        _node(
            ax,
            xy,
            f"$d_{d + 1}$",
            face=FACE,
            edge=_CHANNEL if hot else _INK,
            lw=3.0 if hot else 1.2,
            hatch=None,
        )
        ax.text(
            xy[0] - 0.1,
            xy[1],
            f"${sym}^{{l-1}}_{{{d + 1}}}$",
            ha="right",
            va="center",
            fontsize=11,
            color=_INK,
        )
    for n, xy in enumerate(right):
        _node(ax, xy, f"$d_{n + 1}$", face=FACE, edge=_FILTERS[n % len(_FILTERS)], lw=2.0)
        sym = r"\delta" if backward else "net"
        ax.text(
            xy[0] + 0.1, xy[1], f"${sym}^{{l}}_{{{n + 1}}}$", ha="left", va="center", fontsize=11, color=_INK
        )
    ax.text(0.16, 1.1, f"layer l-1\n(depth D = {D})", ha="center", va="top", fontsize=10, color=_INK)
    ax.text(0.84, 1.1, f"layer l\n(N = {N} filters)", ha="center", va="top", fontsize=10, color=_INK)
    c = channel + 1
    if backward:
        caption = (
            f"$\\delta^{{l-1}}_{{{c}}}$ gathers from every $\\delta^l_n$:\n"
            f"$\\Sigma_n$ cross(pad($\\delta^l_n$), rot180($W_{{n,{c}}}$))"
            f" $\\circ\\, f'(net^{{l-1}}_{{{c}}})$"
        )
    else:
        caption = f"channel $d_{c}$ feeds every node of layer l,\none filter slice $W_{{n,{c}}}$ per filter n"
    ax.text(0.5, 0.0, caption, ha="center", va="top", fontsize=10, color=_INK)
    return fig


def depth_node_figure(D: int = 3, N: int = 2, channel: int = 0):
    """The forward and the backward node diagram of one input channel, side by side.

    Parameters
    ----------
    D, N : int, optional
        Input depth and number of filters.
    channel : int, optional
        0-based input channel to highlight.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = depth_node_figure(3, 2, channel=0)
    >>> len(fig.axes)
    2
    """
    fig = new_figure(11.0, 4.6)
    left, right = fig.subplots(1, 2)
    depth_node_diagram(D, N, channel, "forward", ax=left)
    depth_node_diagram(D, N, channel, "backward", ax=right)
    left.set_title("forward: which nodes does it feed?", fontsize=11)
    right.set_title("backward: where does its error come from?", fontsize=11)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.92, bottom=0.02, wspace=0.05)
    return fig


# ---------------------------------------------------------------------------------------------
# Grid figures (built on the shared draw_grid / draw_row)


def _sub(i: int, j: int) -> str:
    """Mathtext subscript ``{i,j}`` with 1-based indices."""
    return f"{{{i},{j}}}"


def _int_fmt(*arrays) -> str:
    """'{:g}' when every value is a whole number, else two decimals."""
    whole = all(np.allclose(np.asarray(a, dtype=float), np.round(a)) for a in arrays)
    return "{:g}" if whole else "{:.2f}"


def weight_gradient_setup(H: int = 3, W: int = 3, F: int = 2):
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


def delta_kernel_figure(x, delta):
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


def stride_weight_gradient_figure(x, delta, filter_size, stride: int, padding: int = 0):
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
    from lessonkit import compute_gradient, dilate

    x = _as_2d(x, "x")
    delta = _as_2d(delta, "delta")
    fh, fw = (int(v) for v in filter_size)
    p = int(padding)
    dW, _ = compute_gradient(delta[None], x[None], (1, 1, fh, fw), stride=stride, padding=p)
    # The stride-1 map has H + 2P - Fh + 1 rows; a stride that does not divide leaves extra zeros.
    h1, w1 = x.shape[0] + 2 * p - fh + 1, x.shape[1] + 2 * p - fw + 1
    d1 = np.zeros((h1, w1))
    dil = dilate(delta, stride)
    d1[: dil.shape[0], : dil.shape[1]] = dil
    inserted = np.ones((h1, w1), dtype=bool)
    inserted[: dil.shape[0] : stride, : dil.shape[1] : stride] = False
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


def gradient_slices_figure(dW, fmt: str | None = None):
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


def depth_sum_figure(delta, w, channel: int = 0):
    """dE/da_d^{l-1} as the sum over filters of cross(pad(δ_n, F-1), rot180(W_{n,d})) (stride 1, P = 0).

    Parameters
    ----------
    delta : array_like, shape (N, H_out, W_out)
        δ^l, one map per filter.
    w : array_like, shape (N, D, F, F)
        The filters (square).
    channel : int, optional
        0-based input channel d.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> w = np.ones((2, 3, 2, 2))
    >>> fig = depth_sum_figure(np.ones((2, 2, 2)), w, channel=1)
    >>> [t.get_text() for t in fig.axes[-1].texts][:3]
    ['2', '4', '2']
    """
    from lessonkit import correlate2d, pad, rot180

    delta = np.asarray(delta, dtype=float)
    w = np.asarray(w, dtype=float)
    if delta.ndim != 3 or w.ndim != 4 or delta.shape[0] != w.shape[0] or w.shape[2] != w.shape[3]:
        raise ValueError(
            "delta must be (N, H_out, W_out) and w (N, D, F, F) with the same N and a square filter; "
            f"got delta.shape={delta.shape}, w.shape={w.shape}"
        )
    n_f, depth, f, _ = w.shape
    if isinstance(channel, bool) or not isinstance(channel, (int, np.integer)) or not 0 <= channel < depth:
        raise ValueError(f"channel must be an integer from 0 to D-1 = {depth - 1}; got {channel!r}")
    d = int(channel)
    terms = [correlate2d(pad(delta[n], f - 1), rot180(w[n, d])) for n in range(n_f)]
    fmt = _int_fmt(delta, w)
    panels, ops = [], []
    for n in range(n_f):
        panels.append(
            {"values": delta[n], "pad": f - 1, "fmt": fmt, "title": f"pad($\\delta^l_{n + 1}$, F-1)"}
        )
        panels.append({"values": rot180(w[n, d]), "fmt": fmt, "title": f"rot180($W_{_sub(n + 1, d + 1)}$)"})
        ops += ["⋆", "+"]
    ops[-1] = "="
    panels.append({"values": sum(terms), "fmt": _int_fmt(*terms), "title": f"$dE/da^{{l-1}}_{d + 1}$"})
    return draw_row(panels, ops, cell=0.5, op_width=1.0)


def _as_2d(value, name: str) -> np.ndarray:
    """A float 2-D array, or a ValueError naming ``name``."""
    arr = np.asarray(value, dtype=float)
    if arr.ndim != 2:
        raise ValueError(f"{name} must have 2 dimensions (H, W); got shape {arr.shape}")
    return arr


def equation(lhs: str, expr):
    r"""Show ``lhs = expr`` as typeset maths, with the δ symbols of lessonkit.symbolic written as δ.

    lessonkit.symbolic names its error terms ``delta_{i,j}``; plain sympy LaTeX would print the word
    "delta", so this maps each to ``\delta_{i,j}``.

    Parameters
    ----------
    lhs : str
        LaTeX of the left-hand side, e.g. ``r"\frac{dE}{dw_{1,2}}"``.
    expr : sympy expression

    Returns
    -------
    IPython.display.Math

    Examples
    --------
    >>> from lessonkit import symbolic as sym
    >>> equation("x", sym.delta(1, 2) * sym.a(1, 1)).data
    'x = a_{1,1} \\delta_{1,2}'
    """
    import sympy
    from IPython.display import Math

    names = {s: "\\" + s.name for s in expr.free_symbols if s.name.startswith("delta_")}
    return Math(f"{lhs} = {sympy.latex(expr, symbol_names=names)}")
