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
from .style import FACE, HALO, INK, MUTED, OKABE_ITO, new_figure

__all__ = ["conv_matrix_figure"]

_COLOURS = [OKABE_ITO[k] for k in ("orange", "sky_blue", "bluish_green", "reddish_purple", "vermillion")]
_HATCHES = ["//", "\\\\", "xx", "..", "++"]


def _draw(
    ax: Axes, which: np.ndarray, rows: list[str], cols: list[str], names: list[str], title: str
) -> None:
    """Draw an integer-coded matrix: entry k > 0 is weight k (its colour, hatch and name), 0 is blank."""
    n_r, n_c = which.shape
    for (r, c), k in np.ndenumerate(which):
        k = int(k)
        if k:
            colour, hatch = _COLOURS[(k - 1) % len(_COLOURS)], _HATCHES[(k - 1) % len(_HATCHES)]
            ax.add_patch(Rectangle((c, r), 1, 1, facecolor=colour, alpha=0.35, edgecolor=INK, lw=0.6))
            ax.add_patch(Rectangle((c, r), 1, 1, fill=False, hatch=hatch, edgecolor=colour, lw=0))
            ax.text(
                c + 0.5,
                r + 0.5,
                names[k - 1],
                ha="center",
                va="center",
                fontsize=9,
                color=INK,
                path_effects=HALO,
            )
        else:
            ax.add_patch(Rectangle((c, r), 1, 1, facecolor=FACE, edgecolor="#BBBBBB", lw=0.5))
            ax.text(c + 0.5, r + 0.5, "0", ha="center", va="center", fontsize=8, color=MUTED)
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
    _draw(fig.add_subplot(gs[0, 0]), which, outputs, inputs, names, "M: net = M a + w_b (rows: outputs)")
    right = fig.add_subplot(gs[0, 1])
    _draw(right, which.T, inputs, outputs, names, "Mᵀ: ∂E/∂a = Mᵀ δ (rows: inputs)")
    # The row of an input cell that every output reads: its weights come in reverse order.
    full = [r for r in range(n_in) if (which.T[r] > 0).all()]
    if full:
        r = full[0]
        right.add_patch(Rectangle((0, r), n_out, 1, fill=False, edgecolor=INK, lw=2.5))
        order = " ".join(names[int(k) - 1] for k in which.T[r])
        right.text(
            n_out / 2,
            n_in + 0.35,
            f"row {inputs[r]}: {order}\n= W read backwards: rot180(W)",
            ha="center",
            va="top",
            fontsize=9,
            color=INK,
        )
    return fig
