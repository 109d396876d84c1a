"""Lesson 03: depth D and N filters, as node diagrams and as the sum over filters.

Every figure returns its matplotlib Figure and never relies on colour alone: highlighted edges are
also thick and solid (the others thin and dotted), zeros are hatched, and numbers sit in the cells.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure
from matplotlib.patches import Circle, FancyArrowPatch
from numpy.typing import ArrayLike

from ..maths.ops import correlate2d, pad, rot180
from .grid import draw_rows
from .style import FACE, INK, OKABE_ITO, STAR, new_figure, words
from .weights import _MUTED, _check_count, _int_fmt, _sub

__all__ = [
    "depth_node_diagram",
    "depth_node_figure",
    "depth_sum_figure",
]


_CHANNEL = OKABE_ITO["blue"]  # the highlighted input channel


_FILTERS = tuple(OKABE_ITO[k] for k in ("vermillion", "bluish_green", "reddish_purple", "orange", "sky_blue"))


def _span(items: list[str]) -> str:
    """``"1, 2, 3"`` for up to three items, else ``"1 … 6"`` (first and last)."""
    return ", ".join(items) if len(items) <= 3 else f"{items[0]} … {items[-1]}"


def _node_positions(count: int, x: float) -> list[tuple[float, float]]:
    """Centres of ``count`` nodes stacked top to bottom at abscissa ``x``."""
    ys = np.linspace(0.85, 0.15, count) if count > 1 else np.array([0.5])
    return [(x, float(y)) for y in ys]


def _node(ax, xy, text: str, *, face: str, edge: str, lw: float, hatch: str | None = None) -> None:
    """One labelled circle."""
    ax.add_patch(Circle(xy, 0.075, facecolor=face, edgecolor=edge, lw=lw, hatch=hatch, zorder=3))
    ax.text(*xy, text, ha="center", va="center", fontsize=11, color=INK, zorder=4)


def depth_node_diagram(
    D: int = 3, N: int = 2, channel: int = 0, direction: str = "forward", ax: Axes | None = None
) -> Figure | SubFigure:
    """Draw layer l-1 (D channels) and layer l (N feature maps) as nodes joined by the filters.

    The input channels are the nodes d_1 … d_D (the lecture's d1, d2, …); layer l's nodes are the
    filters, labelled n = 1 … N. Each input channel d is joined to every node n by the 2-D filter
    slice W_{n,d} (a cross-correlation, a_d ★ W_{n,d}, drawn as one edge). The edges of ``channel``
    are thick, solid and labelled; the rest are thin and dotted, so the figure reads without colour.

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
    >>> [t.get_text() for t in fig.axes[0].texts if t.get_text().startswith("n=")]
    ['n=1', 'n=2']
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
                    color=INK,
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
            edge=_CHANNEL if hot else INK,
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
            color=INK,
        )
    for n, xy in enumerate(right):
        _node(ax, xy, f"n={n + 1}", face=FACE, edge=_FILTERS[n % len(_FILTERS)], lw=2.0)
        sym = r"\delta" if backward else "net"
        ax.text(
            xy[0] + 0.1, xy[1], f"${sym}^{{l}}_{{{n + 1}}}$", ha="left", va="center", fontsize=11, color=INK
        )
    ax.text(
        0.16,
        1.1,
        words("layer l-1: channels") + f"\n{_span([f'$d_{k}$' for k in range(1, D + 1)])} (D = {D})",
        ha="center",
        va="top",
        fontsize=10,
        color=INK,
    )
    ax.text(
        0.84,
        1.1,
        words("layer l: filters") + f"\nn = {_span([str(k) for k in range(1, N + 1)])} (N = {N})",
        ha="center",
        va="top",
        fontsize=10,
        color=INK,
    )
    c = channel + 1
    if backward:
        caption = (
            words("{delta} (channel {d}) gathers from every {delta_n}:").format(
                delta=f"$\\delta^{{l-1}}_{{{c}}}$", d=f"$d_{c}$", delta_n="$\\delta^l_n$"
            )
            + "\n"
            + f"$\\Sigma_n$ pad($\\delta^l_n$, F−1) {STAR} rot180($W_{{n,{c}}}$)"
            + f" $\\circ\\, f'(net^{{l-1}}_{{{c}}})$"
        )
    else:
        filters = _span([str(k) for k in range(1, N + 1)])
        caption = (
            words("channel {d} feeds every filter n = {filters} of layer l,").format(
                d=f"$d_{c}$", filters=filters
            )
            + "\n"
            + words("through one slice {w} per filter: {a} {star} {w}").format(
                w=f"$W_{{n,{c}}}$", a=f"$a_{c}$", star=STAR
            )
        )
    ax.text(0.5, 0.0, caption, ha="center", va="top", fontsize=10, color=INK)
    return fig


def depth_node_figure(D: int = 3, N: int = 2, channel: int = 0) -> Figure:
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
    fig = new_figure(11.0, 5.0)
    left, right = fig.subplots(1, 2)
    depth_node_diagram(D, N, channel, "forward", ax=left)
    depth_node_diagram(D, N, channel, "backward", ax=right)
    left.set_title(words("forward: which nodes does it feed?"), fontsize=11)
    right.set_title(words("backward: where does its error come from?"), fontsize=11)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.93, bottom=0.09, wspace=0.05)
    channels = _span([f"$d_{d + 1}$" for d in range(D)])
    fig.text(
        0.5,
        0.02,
        words(
            "left nodes: the input channels {channels} of layer l-1 (the lecture's d1, d2, …); "
            "right nodes: the filters n = {filters} of layer l"
        ).format(channels=channels, filters=_span([str(k) for k in range(1, N + 1)])),
        ha="center",
        va="bottom",
        fontsize=10.5,
        color=INK,
    )
    return fig


def depth_sum_figure(delta: ArrayLike, w: ArrayLike, channel: int = 0, *, nodes: bool = False) -> Figure:
    """∂E/∂a_d^{l-1} as the sum over filters of pad(δ_n, F-1) ★ rot180(W_{n,d}) (stride 1, P = 0).

    One row per filter n shows its contribution, pad(δ^l_n, F-1) ★ rot180(W_{n,d}) = term n (the
    F-1 ring drawn as padding); the last row adds the N terms, which gives ∂E/∂a_d^{l-1}.

    Parameters
    ----------
    delta : array_like, shape (N, H_out, W_out)
        δ^l, one map per filter.
    w : array_like, shape (N, D, F, F)
        The filters (square).
    channel : int, optional
        0-based input channel d.
    nodes : bool, optional
        Draw the backward node diagram of the channel (:func:`depth_node_diagram`) above the rows:
        the N edges whose terms the rows add up.

    Returns
    -------
    matplotlib.figure.Figure
        Its grids row by row (3 per filter, then the N terms and the sum), then the key (with
        ``nodes``, the diagram's Axes comes first).

    Examples
    --------
    >>> w = np.ones((2, 3, 2, 2))
    >>> fig = depth_sum_figure(np.ones((2, 2, 2)), w, channel=1)
    >>> [t.get_text() for t in fig.axes[-2].texts][:3]  # the sum (the key is last)
    ['2', '4', '2']
    >>> [t.get_text() for t in fig.axes[-2].texts][-1]
    'sum = $∂E/∂a^{l-1}_2$'
    """
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
    tfmt = _int_fmt(*terms)
    rows: list[list[dict]] = []
    for n in range(n_f):
        rows.append(
            [
                {"values": delta[n], "pad": f - 1, "fmt": fmt, "title": f"pad($\\delta^l_{n + 1}$, F−1)"},
                {"values": rot180(w[n, d]), "fmt": fmt, "title": f"rot180($W_{_sub(n + 1, d + 1)}$)"},
                {"values": terms[n], "fmt": tfmt, "title": words("filter n = {n}").format(n=n + 1)},
            ]
        )
    rows.append(
        [{"values": t, "fmt": tfmt, "title": f"n = {n + 1}"} for n, t in enumerate(terms)]
        + [
            {
                "values": sum(terms),
                "fmt": _int_fmt(*terms),
                "title": words("sum") + f" = $∂E/∂a^{{l-1}}_{d + 1}$",
            }
        ]
    )
    ops = [[STAR, "="]] * n_f + [["+"] * (n_f - 1) + ["="]]
    captions = [None] * n_f + [
        words("the sum over the N = {n} filters is the error that reaches channel {channel}").format(
            n=n_f, channel=f"$d_{d + 1}$"
        )
    ]
    header = None
    if nodes:

        def diagram(sf: SubFigure) -> None:
            ax = sf.add_axes((0.0, 0.0, 1.0, 1.0))
            depth_node_diagram(depth, n_f, d, "backward", ax=ax)

        header = (3.9, diagram)  # inches: about the diagram's own size, so its nodes and words stay legible
    return draw_rows(rows, ops, captions=captions, key=True, cell=0.5, op_width=1.0, header=header)
