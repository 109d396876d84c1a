"""Lesson 01's side panel: the convolution as a matrix M (net = M a + w_b) and its transpose.

Each weight has its own colour *and* hatch, so the repeated entries (weight sharing) and the zeros
(local connectivity) show at a glance, in colour or in grey.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from numpy.typing import ArrayLike

from ..maths.matrix import conv_matrix
from .forward import sub
from .style import FACE, HALO, INK, MUTED, OKABE_ITO, new_figure, words

__all__ = ["conv_matrix_figure", "im2col_transpose_figure"]

_COLOURS = [OKABE_ITO[k] for k in ("orange", "sky_blue", "bluish_green", "reddish_purple", "vermillion")]
_HATCHES = ["//", "\\\\", "xx", "..", "++"]


def _draw(
    ax: Axes, which: np.ndarray, rows: list[str], cols: list[str], names: list[str], title: str
) -> None:
    """Draw an integer-coded matrix: entry k > 0 is weight k (its colour, hatch and name), 0 is blank."""
    texts = np.array([[names[int(k) - 1] if k else "0" for k in row] for row in which], dtype=object)
    _table(ax, texts, which, rows, cols, title)


def _table(
    ax: Axes, texts: np.ndarray, kinds: np.ndarray, rows: list[str], cols: list[str], title: str
) -> None:
    """Draw a matrix of texts; an entry of kind k > 0 takes weight k's colour and hatch, kind 0 is blank."""
    n_r, n_c = kinds.shape
    for (r, c), k in np.ndenumerate(kinds):
        k = int(k)
        if k:
            colour, hatch = _COLOURS[(k - 1) % len(_COLOURS)], _HATCHES[(k - 1) % len(_HATCHES)]
            ax.add_patch(Rectangle((c, r), 1, 1, facecolor=colour, alpha=0.35, edgecolor=INK, lw=0.6))
            ax.add_patch(Rectangle((c, r), 1, 1, fill=False, hatch=hatch, edgecolor=colour, lw=0))
            ax.text(
                c + 0.5,
                r + 0.5,
                texts[r, c],
                ha="center",
                va="center",
                fontsize=9,
                color=INK,
                path_effects=HALO,
            )
        else:
            ax.add_patch(Rectangle((c, r), 1, 1, facecolor=FACE, edgecolor="#BBBBBB", lw=0.5))
            ax.text(c + 0.5, r + 0.5, texts[r, c], ha="center", va="center", fontsize=8, color=MUTED)
    for c, text in enumerate(cols):
        ax.text(c + 0.5, -0.25, text, ha="center", va="bottom", fontsize=8, color=INK)
    for r, text in enumerate(rows):
        ax.text(-0.2, r + 0.5, text, ha="right", va="center", fontsize=8, color=INK)
    ax.set_title(title, fontsize=11, pad=18)
    ax.set_xlim(-1.6, n_c + 0.1)
    ax.set_ylim(n_r + 0.1, -1.0)
    ax.set_aspect("equal")
    ax.axis("off")


def conv_matrix_figure(w_names: ArrayLike | None = None, input_shape: tuple[int, int] = (3, 3)) -> Figure:
    """M (left) and M^T (right) of one filter over an input, each weight in its own colour and hatch.

    Parameters
    ----------
    w_names : array_like of str, shape (Fh, Fw), optional
        The weights' names; by default the lecture's 2x2 filter, w₁₁ … w₂₂.
    input_shape : tuple of int, optional
        (H, W) of the input; stride 1, no padding.

    Examples
    --------
    >>> fig = conv_matrix_figure()
    >>> len(fig.axes), sum(t.get_text() == "w₁₁" for t in fig.axes[0].texts)
    (2, 4)
    """
    if w_names is None:
        w_names = [["w" + sub(1, 1), "w" + sub(1, 2)], ["w" + sub(2, 1), "w" + sub(2, 2)]]
    names_arr = np.asarray(w_names, dtype=object)
    if names_arr.ndim != 2:
        raise ValueError(f"w_names must be a 2-D array of names (Fh, Fw); got shape {names_arr.shape}")
    fh, fw = names_arr.shape
    which = conv_matrix(np.arange(1.0, fh * fw + 1).reshape(fh, fw), input_shape).astype(int)
    h, wd = input_shape
    h_out, w_out = h - fh + 1, wd - fw + 1
    inputs = ["a" + sub(i + 1, j + 1) for i in range(h) for j in range(wd)]
    outputs = ["net" + sub(i + 1, j + 1) for i in range(h_out) for j in range(w_out)]
    names = [str(v) for v in names_arr.ravel()]
    n_out, n_in = which.shape
    fig = new_figure(0.5 * (n_in + n_out) + 3.2, 0.5 * max(n_in, n_out) + 1.4)
    gs = fig.add_gridspec(1, 2, width_ratios=[n_in + 1.6, n_out + 1.6], wspace=0.15, left=0.02, right=0.98)
    _draw(
        fig.add_subplot(gs[0, 0]), which, outputs, inputs, names, words("M: net = M a + w_b (rows: outputs)")
    )
    right = fig.add_subplot(gs[0, 1])
    _draw(right, which.T, inputs, outputs, names, words("Mᵀ: ∂E/∂a = Mᵀ δ (rows: inputs)"))
    # The row of an input cell that every output reads: its weights come in reverse order.
    full = [r for r in range(n_in) if (which.T[r] > 0).all()]
    if full:
        r = full[0]
        right.add_patch(Rectangle((0, r), n_out, 1, fill=False, edgecolor=INK, lw=2.5))
        order = " ".join(names[int(k) - 1] for k in which.T[r])
        right.text(
            n_out / 2,
            n_in + 0.35,
            words("row {name}: {order}").format(name=inputs[r], order=order)
            + "\n"
            + words("= W read backwards: rot180(W)"),
            ha="center",
            va="top",
            fontsize=9,
            color=INK,
        )
    return fig


def im2col_transpose_figure(
    input_shape: tuple[int, int] = (3, 3), filter_shape: tuple[int, int] = (2, 2)
) -> Figure:
    """im2col beside lesson 01's M, and col2im as Mᵀ δ, on the lecture's example (stride 1, no padding).

    Left: im2col(a), one row per window, each entry the input it reads, coloured like the weight it
    meets (the colours of :func:`conv_matrix_figure`), so ``im2col(a) vec(W)`` is ``M a`` row by row.
    Middle: vec(W). Right: col2im of the rows δ_{m,n}·W, cell by cell: every input collects
    δ_{m,n} w_{i,j} from each window that read it, which is its row of Mᵀ δ.

    Examples
    --------
    >>> fig = im2col_transpose_figure()
    >>> sum(t.get_text().count("δ") for t in fig.axes[2].texts)  # 4 windows x 4 weights, scattered back
    16
    """
    fh, fw = filter_shape
    h, wd = input_shape
    which = conv_matrix(np.arange(1.0, fh * fw + 1).reshape(fh, fw), input_shape).astype(int)  # M, coded
    n_out, n_in = which.shape
    inputs = ["a" + sub(i + 1, j + 1) for i in range(h) for j in range(wd)]
    outputs = [sub(i + 1, j + 1) for i in range(h - fh + 1) for j in range(wd - fw + 1)]
    weights = ["w" + sub(i + 1, j + 1) for i in range(fh) for j in range(fw)]
    # im2col: row o holds, for weight k, the input M pairs with it in row o
    reads = np.array(
        [[int(np.flatnonzero(which[o] == k + 1)[0]) for k in range(fh * fw)] for o in range(n_out)]
    )
    texts = np.array([[inputs[i] for i in row] for row in reads], dtype=object)
    kinds = np.tile(np.arange(1, fh * fw + 1), (n_out, 1))
    fig = new_figure(0.62 * (2 * fh * fw + 1 + 2 * wd) + 3.6, 0.62 * max(n_out, 2 * h) + 1.8)
    gs = fig.add_gridspec(
        1, 3, width_ratios=[fh * fw + 1.6, 2.6, 2 * wd + 1.6], wspace=0.1, left=0.02, right=0.98
    )
    _table(
        fig.add_subplot(gs[0, 0]),
        texts,
        kinds,
        ["net" + o for o in outputs],
        weights,
        words("im2col(a): one row per window"),
    )
    ax_w = fig.add_subplot(gs[0, 1])
    _table(
        ax_w,
        np.array([[w] for w in weights], dtype=object),
        np.arange(1, fh * fw + 1)[:, None],
        weights,
        [""],
        "vec(W)",
    )
    ax_w.text(
        0.5,
        fh * fw + 0.4,
        words("im2col(a) vec(W)\n= M a: the same\nsums as lesson 01"),
        ha="center",
        va="top",
        fontsize=9,
        color=INK,
    )
    ax = fig.add_subplot(gs[0, 2])
    for r in range(h):
        for c in range(wd):
            i = r * wd + c
            terms = ["δ" + outputs[o] + weights[int(which[o, i]) - 1] for o in range(n_out) if which[o, i]]
            ax.add_patch(Rectangle((2 * c, 2 * r), 2, 2, facecolor=FACE, edgecolor=INK, lw=0.8))
            ax.text(
                2 * c + 1, 2 * r + 1, "\n+ ".join(terms), ha="center", va="center", fontsize=8.5, color=INK
            )
            ax.text(2 * c + 0.08, 2 * r + 0.08, inputs[i], ha="left", va="top", fontsize=7, color=MUTED)
    ax.set_title("col2im(rows δ·W) = Mᵀ δ = ∂E/∂a", fontsize=11, pad=18)
    ax.set_xlim(-0.1, 2 * wd + 0.1)
    ax.set_ylim(2 * h + 0.1, -0.3)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig
