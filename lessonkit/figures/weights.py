"""Lesson 04: the weight gradient, δ used as a kernel over the input, at stride 1 and at stride S.

Every figure returns its matplotlib Figure and never relies on colour alone: zeros are hatched and
numbers sit in the cells.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from ..maths.conv import compute_gradient, stride_one_map
from ..maths.validate import output_size
from .forward import unread_mask
from .grid import _text_width, draw_grid, draw_row, row_size
from .stride import dilation_label, stride_zero_masks
from .style import STAR, cross, dims, new_figure, words

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
        {"cell_labels": grid("a", H, W), "title": words("$a^{l-1}$ (output of layer l-1)")},
        {"cell_labels": grid("w", F, F), "title": words("$W$ (filter)")},
        {"cell_labels": grid("net", ho, wo), "title": "$net^{l}$"},
        {"cell_labels": grid(r"\delta", ho, wo), "title": r"$\delta^l = ∂E/∂net^l$"},
    ]
    return draw_row(panels, [STAR, "=", "→"], cell=0.8)


def delta_kernel_figure(x: ArrayLike, delta: ArrayLike) -> Figure:
    """a^{l-1} ★ δ^l = ∂E/∂W: δ^l used as the kernel over the input, one panel per weight (S = 1, P = 0).

    Panel (i, j) highlights the window of a^{l-1} that δ^l covers when it sits at offset (i, j);
    the sum of δ times that window is ∂E/∂w_{i,j}, written under the panel and in the last grid.
    The order is the course's one order for ★: the input panels, ★, the kernel δ^l, =, ∂E/∂W.

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
    panels = []
    for i in range(fh):
        for j in range(fw):
            panels.append(
                {
                    "values": x,
                    "fmt": fmt,
                    "title": words("$a^{{l-1}}$, window at ({i},{j})").format(i=i + 1, j=j + 1),
                    "highlight": (slice(i, i + ho), slice(j, j + wo)),
                    "highlight_label": f"$∂E/∂w_{_sub(i + 1, j + 1)}$ = " + fmt.format(dW[i, j]),
                }
            )
    panels.append({"values": delta, "title": words(r"kernel $\delta^l$"), "fmt": fmt})
    panels.append({"values": dW, "title": "$∂E/∂W$", "fmt": fmt})
    ops = [""] * (fh * fw - 1) + [STAR, "="]
    return draw_row(panels, ops, cell=0.5, op_width=1.0)


def stride_weight_gradient_figure(
    x: ArrayLike,
    delta: ArrayLike,
    filter_size: tuple[int, int],
    stride: int,
    padding: int = 0,
    *,
    weight: tuple[int, int] | None = None,
) -> Figure:
    """Weight gradient at stride S: δ^l dilated back to the stride-1 map, then used as the kernel.

    pad(a, P) ★ δ' = ∂E/∂W, where δ' is δ^l dilated (S-1 stride zeros between entries) and, when S
    does not divide H - F + 2P, extended by fill zeros to the stride-1 size H + 2P - F + 1. The δ
    panel's title says so from the shapes (e.g. "dilated 3×3, extended to 4×4"); its stride zeros
    and fill zeros, the padding ring and the inputs never read are drawn as their kinds, with a key.

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
    weight : (int, int), optional
        0-based (u, v) of one weight: the window δ covers for w_{u+1,v+1} is outlined, the inputs
        each δ entry meets in it share that entry's tint and marker
        (:func:`~lessonkit.figures.style.pair_style`, while δ has at most 30 entries), and the
        weight's cell of ∂E/∂W is outlined and named with its value. None (the default): the
        window of w_{1,1}, with no pairs.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> x = np.arange(25).reshape(5, 5)
    >>> fig = stride_weight_gradient_figure(x, [[1, 2], [3, 4]], (3, 3), stride=2)
    >>> [t.get_text() for t in fig.axes[2].texts][:3]  # dilated δ (axes 1 holds the ★)
    ['1', '0', '2']
    >>> fig = stride_weight_gradient_figure(np.arange(36).reshape(6, 6), [[1, 2], [3, 4]], (3, 3), stride=2)
    >>> fig.axes[2].texts[-1].get_text().splitlines()[-1]  # the δ panel's title
    'dilated 3×3, extended to 4×4'
    >>> fig = stride_weight_gradient_figure(x, [[1, 2], [3, 4]], (3, 3), stride=2, weight=(0, 1))
    >>> fig.axes[-2].texts[-1].get_text()  # ∂E/∂W's label (the key is last)
    '$∂E/∂w_{1,2}$ = 92'
    """
    x = _as_2d(x, "x")
    delta = _as_2d(delta, "delta")
    fh, fw = (int(v) for v in filter_size)
    p = int(padding)
    dW, _ = compute_gradient(delta[None], x[None], (1, 1, fh, fw), stride=stride, padding=p)
    # The stride-1 map has H + 2P - Fh + 1 rows; a stride that does not divide leaves fill zeros.
    h, w = x.shape
    h1, w1 = output_size(h, w, fh, fw, 1, p)
    d1 = stride_one_map(delta, h1, w1, stride)
    dilation, fill = stride_zero_masks(delta.shape, h1, w1, stride)
    label = dilation_label(delta.shape, stride, (h1, w1))
    fmt = _int_fmt(x, delta)
    padded = f"pad($a^{{l-1}}$, P = {p})" if p else "$a^{l-1}$"
    u, v = (0, 0) if weight is None else (int(weight[0]), int(weight[1]))
    if not (0 <= u < fh and 0 <= v < fw):
        raise ValueError(
            f"weight must be a 0-based (u, v) with 0 <= u < {fh} and 0 <= v < {fw}; got {weight}"
        )
    panels = [
        {
            "values": x,
            "pad": p,
            "kinds": {"unread": unread_mask(h, w, fh, fw, stride, p)},
            "fmt": fmt,
            "title": f"{padded} ({dims((h + 2 * p, w + 2 * p))})",
            "highlight": (slice(u, u + h1), slice(v, v + w1)),
            "highlight_label": words("window for $w_{1,1}$")
            if weight is None
            else words("window for {w}").format(w=f"$w_{_sub(u + 1, v + 1)}$"),
        },
        {
            "values": d1,
            "kinds": {"dilation": dilation, "fill": fill},
            "fmt": fmt,
            # at S = 1 the stride-1 map is δ itself: nothing is dilated
            "title": f"$\\delta^l$ {dims(delta.shape)} (S = {stride})"
            + (f",\n{label}" if stride > 1 else ""),
        },
        {"values": dW[0, 0], "fmt": _int_fmt(dW), "title": f"$∂E/∂W$ ({dims((fh, fw))})"},
    ]
    if weight is not None:
        panels[2]["highlight"] = (slice(u, u + 1), slice(v, v + 1))
        panels[2]["highlight_label"] = f"$∂E/∂w_{_sub(u + 1, v + 1)}$ = " + _int_fmt(dW).format(
            dW[0, 0, u, v]
        )
        if delta.size <= 30:  # pair_style repeats after 30 pairs
            # δ entry k meets the input at (u + m·S, v + n·S) of the padded frame: one pair per product
            on_input = np.full((h + 2 * p, w + 2 * p), -1)
            on_delta = np.full((h1, w1), -1)
            for k, (m, n) in enumerate(np.ndindex(*delta.shape)):
                on_input[u + m * stride, v + n * stride] = k
                on_delta[m * stride, n * stride] = k
            panels[0]["pairs"], panels[1]["pairs"] = on_input, on_delta
    dilated = tuple((n - 1) * stride + 1 for n in delta.shape)
    if (h1, w1) != dilated:
        kernel = words("dilated and extended to {size}").format(size=dims((h1, w1)))
    elif stride > 1:
        kernel = words("dilated to {size}").format(size=dims(dilated))
    else:
        kernel = dims(delta.shape)
    caption = (
        words("δ, {kernel}, is the kernel slid over pad(a, P = {p}) ({size});").format(
            kernel=kernel, p=p, size=dims((h + 2 * p, w + 2 * p))
        )
        + "\n"
        + words("pad(a, P) {star} δ = the {size} ∂E/∂W").format(star=STAR, size=dims((fh, fw)))
    )
    # A narrow ∂E/∂W (F = 1 or 2) gets room on its right for its title and label.
    need = max(_text_width(panels[2]["title"], 12), _text_width(panels[2].get("highlight_label", ""), 11))
    trail = max(0.0, (need / 0.5 - fw) / 2 - 0.3)
    # ... and a small figure (H = 2) gets room on both sides for its caption.
    width = row_size([(h + 2 * p, w + 2 * p), (h1, w1), (fh, fw)], cell=0.5, op_width=1.2)[0] + trail * 0.5
    spare = max(0.0, (max(_text_width(line, 12) for line in caption.split("\n")) + 0.2 - width) / 2 / 0.5)
    return draw_row(
        panels,
        [STAR, "="],
        cell=0.5,
        op_width=1.2,
        caption=caption,
        key=True,
        lead=spare,
        trail=trail + spare,
    )


def gradient_slices_figure(dW: ArrayLike, fmt: str | None = None) -> Figure:
    """The N x D two-dimensional slices of ∂E/∂W, laid out as a table: row n, column d.

    Each slice is titled by what feeds it, ``a_d ★ δ_n`` (input channel a_d of layer l-1, error map
    δ_n of filter n; 1-based like the lecture), and by its place, ``slice n = 1, d = 2``, never by a
    subscript like ∂E/∂w_{i,j}, which names one scalar weight inside a slice.

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
    >>> fig.axes[1].texts[-1].get_text().splitlines()
    ['$a_2$ ★ $\\\\delta_1$', 'slice n = 1, d = 2']
    """
    dW = np.asarray(dW, dtype=float)
    if dW.ndim != 4:
        raise ValueError(f"dW must have 4 dimensions (N, D, Fh, Fw); got shape {dW.shape}")
    n_f, depth, fh, fw = dW.shape
    fmt = fmt or _int_fmt(dW)
    cell = 0.55  # inches
    box_w, box_h = (fw + 2.4) * cell, (fh + 1.45) * cell  # one slice with its two-line title
    top = 0.7  # inches for the two-line suptitle
    width = max(depth * box_w + 0.4, 6.4)  # wide enough for the suptitle
    height = n_f * box_h + top + 0.1
    fig = new_figure(width, height)
    x0 = (width - depth * box_w) / 2
    for n in range(n_f):
        for d in range(depth):
            ax = fig.add_axes(
                (
                    (x0 + d * box_w) / width,
                    1 - (top + (n + 1) * box_h) / height,
                    box_w / width,
                    box_h / height,
                )
            )
            draw_grid(
                ax,
                dW[n, d],
                fmt=fmt,
                fontsize=11,
                title=cross(f"$a_{d + 1}$", f"$\\delta_{n + 1}$")
                + "\n"
                + words("slice n = {n}, d = {d}").format(n=n + 1, d=d + 1),
            )
            ax.set_xlim(-1.2, fw + 1.2)
            ax.set_ylim(fh + 0.15, -1.3)
    fig.text(
        0.5,
        1 - 0.12 / height,
        words("∂E/∂W: N x D = {n} x {d} slices of {fh} x {fw} -> shape ({n}, {d}, {fh}, {fw})").format(
            n=n_f, d=depth, fh=fh, fw=fw
        )
        + "\n"
        + words(
            "slice (n, d) = input channel $a_d$ {star} error $\\delta_n$ of filter n (dW[n-1, d-1] in code)"
        ).format(star=STAR),
        ha="center",
        va="top",
        fontsize=11.5,
    )
    return fig


def _as_2d(value, name: str) -> np.ndarray:
    """A float 2-D array, or a ValueError naming ``name``."""
    arr = np.asarray(value, dtype=float)
    if arr.ndim != 2:
        raise ValueError(f"{name} must have 2 dimensions (H, W); got shape {arr.shape}")
    return arr
