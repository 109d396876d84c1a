"""Lesson 07: im2col and col2im drawn cell by cell, and the measured speed of the loop and the fast path.

Every function returns a pyplot-free :class:`matplotlib.figure.Figure` drawn on the course's light
card (:func:`lessonkit.figures.style.new_figure`); show it with :func:`lessonkit.figures.show`.
Colour never carries meaning alone: series also differ by hatch or marker, and cells show numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from numpy.typing import ArrayLike

from ..network import fast
from .style import FACE, HALO, INK, MUTED, SERIES, new_figure, words

__all__ = [
    "im2col_figure",
    "col2im_figure",
    "benchmark_figure",
]


_HATCHES = ["//", "\\\\", "xx", "..", "++"]


_LIGHT = ["#CFE3F1", "#F6D5C0", "#C6E9DF", "#F0D6E5", "#F9E6BF"]  # pale versions of SERIES


def _cells(ax: Axes, values, x0: float, y0: float, fmt="{:g}", fill=None, title=None, fontsize=10) -> None:
    """Draw ``values`` (H, W) as numbered cells with top-left corner (x0, y0); ``fill`` maps (r, c) -> k."""
    values = np.atleast_2d(np.asarray(values))
    fill = fill or {}
    for (r, c), v in np.ndenumerate(values):
        k = fill.get((r, c))
        face = FACE if k is None else _LIGHT[k % len(_LIGHT)]
        hatch = None if k is None else _HATCHES[k % len(_HATCHES)]
        edge = INK if k is None else SERIES[k % len(SERIES)]
        ax.add_patch(Rectangle((x0 + c, y0 + r), 1, 1, facecolor=face, edgecolor=INK, lw=0.8))
        if hatch:
            ax.add_patch(Rectangle((x0 + c, y0 + r), 1, 1, fill=False, hatch=hatch, edgecolor=edge, lw=0))
        ax.text(
            x0 + c + 0.5,
            y0 + r + 0.5,
            fmt.format(v),
            ha="center",
            va="center",
            fontsize=fontsize,
            color=INK,
            path_effects=HALO,
        )
    if title:
        ax.text(x0 + values.shape[1] / 2, y0 - 0.35, title, ha="center", va="bottom", fontsize=fontsize + 1)


def _outline(ax: Axes, x0: float, y0: float, h: int, w: int, k: int) -> None:
    ax.add_patch(Rectangle((x0, y0), w, h, fill=False, edgecolor=SERIES[k % len(SERIES)], lw=3))


def _blank(ax: Axes) -> None:
    ax.set_aspect("equal")
    ax.invert_yaxis()
    ax.axis("off")


def im2col_figure(
    x: ArrayLike | None = None,
    fh: int = 2,
    fw: int = 2,
    windows: Sequence[tuple[int, int]] = ((0, 0), (1, 2), (2, 1)),
) -> Figure:
    """The forward pass as one matrix product: every receptive field becomes one row of a matrix.

    Draws, left to right: the input (D = 1) with a few windows outlined in matching colours and
    hatches; the im2col matrix with those windows' rows marked; the filter flattened to a column;
    their product, one net value per row; and that column folded back into the feature map.

    Parameters
    ----------
    x : array_like, shape (H, W), optional
        The input; default a fixed 4x4 grid of small whole numbers.
    fh, fw : int
        Filter size (stride 1, no padding, so the picture stays small).
    windows : sequence of (i, j)
        Output positions whose receptive fields are marked.
    """
    x = np.array([[3, 1, 0, 2], [1, 4, 2, 0], [0, 2, 5, 1], [2, 0, 1, 3]]) if x is None else np.asarray(x)
    h, w = x.shape
    ho, wo = h - fh + 1, w - fw + 1
    filt = np.resize([1, 2, 0, -1], (fh, fw))  # small whole weights
    rows = np.array([x[i : i + fh, j : j + fw].ravel() for i in range(ho) for j in range(wo)])
    net = rows @ filt.ravel()
    m = rows.shape[0]
    fig = new_figure(12.5, 0.55 * m + 1.6)
    ax = fig.add_axes((0.01, 0.02, 0.98, 0.9))
    fill_x: dict = {}
    fill_rows: dict = {}
    fill_net: dict = {}
    fill_map: dict = {}
    for k, (i, j) in enumerate(windows):
        for r in range(fh):
            for c in range(fw):
                fill_x.setdefault((i + r, j + c), k)
        row = i * wo + j
        for c in range(fh * fw):
            fill_rows[(row, c)] = k
        fill_net[(row, 0)] = k
        fill_map[(i, j)] = k
    x_in, x_rows, x_w, x_net, x_map = 0, w + 2.2, w + 2.2 + fh * fw + 1.6, w + 2.2 + fh * fw + 4.0, 0
    x_map = x_net + 3.2
    _cells(ax, x, x_in, 0, fill=fill_x, title=words("input a (H x W)"))
    for k, (i, j) in enumerate(windows):
        _outline(ax, x_in + j, i, fh, fw, k)
    _cells(ax, rows, x_rows, 0, fill=fill_rows, title=words("im2col: one row per field"))
    for k, (i, j) in enumerate(windows):
        _outline(ax, x_rows, i * wo + j, 1, fh * fw, k)
    ax.text(x_rows + fh * fw + 0.8, m / 2, "×", ha="center", va="center", fontsize=20)
    _cells(
        ax,
        filt.reshape(-1, 1),
        x_w,
        (m - fh * fw) / 2,
        title=words("W ({fh}x{fw}) as a column").format(fh=fh, fw=fw),
    )
    ax.text(x_w + 1.7, m / 2, "=", ha="center", va="center", fontsize=20)
    _cells(ax, net.reshape(-1, 1), x_net, 0, fill=fill_net, title="net")
    ax.annotate(
        "",
        xy=(x_map - 0.2, 1.5),
        xytext=(x_net + 1.2, 1.5),
        arrowprops={"arrowstyle": "->", "color": INK, "lw": 1.5},
    )
    _cells(ax, net.reshape(ho, wo), x_map, 0, fill=fill_map, title=words("reshaped: net map"))
    ax.text(
        x_in,
        m + 0.4,
        words("{m} fields of {fh}x{fw} = {m} rows of {k}; filter {fh}x{fw}, stride 1.").format(
            m=m, fh=fh, fw=fw, k=fh * fw
        ),
        ha="left",
        va="top",
        fontsize=10,
        color=MUTED,
    )
    ax.set_xlim(-0.3, x_map + wo + 0.3)
    ax.set_ylim(-1.2, m + 1.0)
    _blank(ax)
    return fig


def col2im_figure(
    cases: Sequence[tuple[int, int, int, int, int, int]] = ((4, 4, 2, 2, 1, 0), (5, 5, 2, 2, 2, 0)),
) -> Figure:
    """col2im of all-ones rows: how many receptive fields read each input pixel, for a few geometries.

    Each case is (H, W, Fh, Fw, S, P). Overlaps add up (that is why col2im is a sum); pixels a
    stride that does not divide H - Fh + 2P never reaches get 0 and are hatched.
    """
    fig = new_figure(4.2 * len(cases), 4.2)
    for k, (h, w, fh, fw, s, p) in enumerate(cases):
        ax = fig.add_subplot(1, len(cases), k + 1)
        cols = fast.im2col(np.zeros((1, 1, h, w)), fh, fw, s, p)
        counts = fast.col2im(np.ones_like(cols), (1, 1, h, w), fh, fw, s, p)[0, 0]
        unread = {(r, c): 4 for (r, c), v in np.ndenumerate(counts) if v == 0}
        _cells(ax, counts, 0, 0, fill=unread, fontsize=12)
        ax.set_title(
            words("{h}x{w} input, {fh}x{fw} filter, S={s}, P={p}").format(h=h, w=w, fh=fh, fw=fw, s=s, p=p),
            fontsize=11,
        )
        if unread:
            ax.text(0, h + 0.3, words("hatched: never read, gradient 0"), va="top", fontsize=9, color=MUTED)
        ax.set_xlim(-0.2, w + 0.2)
        ax.set_ylim(-0.2, h + 1.0)
        _blank(ax)
    fig.suptitle(words("col2im(ones): how many windows read each pixel"), fontsize=12)
    return fig


def benchmark_figure(rows: Sequence[dict], dtype: str = "float64") -> Figure:
    """Dots (log scale) of forward+backward time per case: loop reference, lessonkit.fast, PyTorch.

    ``rows`` come from :func:`lessonkit.network.bench.run`; only rows of ``dtype`` are drawn. Times
    span several orders of magnitude, so they sit on a log axis as dots (a bar's length means
    nothing there), each with its time written next to it and a marker of its own, so the series
    read without colour. The legend says how many runs each time is the best of.

    Examples
    --------
    >>> from lessonkit.network import bench
    >>> rows = bench.run([bench.Workload("tiny", 1, 1, 4, 4, 1, 2, 2)], dtypes=("float64",), repeats=2,
    ...                  loop_repeats=2, torch=False)
    >>> [t.get_text() for t in benchmark_figure(rows).axes[0].get_legend().get_texts()]
    ['loop reference (best of 2 runs)', 'lessonkit.fast (best of 2 runs)']
    """
    rows = [r for r in rows if r["dtype"] == dtype]
    series = [
        (words("loop reference"), "loop_min", "loop_runs", "o"),
        (words("lessonkit.fast"), "fast_min", "runs", "s"),
        (words("PyTorch CPU"), "torch_min", "runs", "^"),
    ]
    series = [s for s in series if any(r[s[1]] is not None for r in rows)]
    fig = new_figure(9.5, 1.2 + 0.55 * len(rows) * len(series) / 2 + 0.8)
    ax = fig.add_subplot()
    step = 0.8 / len(series)
    for k, (label, key, runs_key, marker) in enumerate(series):
        ys = [i + (k - (len(series) - 1) / 2) * step for i in range(len(rows))]
        ms = [r[key] * 1e3 if r[key] is not None else np.nan for r in rows]
        runs = max((r.get(runs_key) or 0) for r in rows)
        ax.plot(
            ms,
            ys,
            linestyle="none",
            marker=marker,
            markersize=8,
            color=SERIES[k],
            markeredgecolor=INK,
            markeredgewidth=0.6,
            label=words("{label} (best of {runs} runs)").format(label=label, runs=runs),
        )
        for y, v in zip(ys, ms, strict=True):
            if np.isfinite(v):
                text = f"{v:,.0f} ms" if v >= 100 else f"{v:.2g} ms"
                ax.text(v * 1.25, y, text, va="center", fontsize=8.5, color=INK)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([r["case"].name for r in rows])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xscale("log")
    ax.set_xlabel(
        words("forward + backward time per batch (ms, log scale, {dtype}; lower is faster)").format(
            dtype=dtype
        )
    )
    lo = min(r[s[1]] for r in rows for s in series if r[s[1]] is not None) * 1e3
    hi = max(r[s[1]] for r in rows for s in series if r[s[1]] is not None) * 1e3
    ax.set_xlim(lo / 2, hi * 8)
    ax.legend(loc="lower right", fontsize=9)
    ax.grid(axis="x", which="major", color="#DDDDDD")
    ax.set_axisbelow(True)
    fig.tight_layout()
    return fig
