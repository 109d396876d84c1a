"""Lessons 00-01: the forward pass drawn from its numbers, and which outputs each input cell feeds.

Every function returns a matplotlib Figure (no pyplot), so notebooks display it and tests count
its axes and texts. Indices in arguments are 0-based like numpy; captions use the lecture's
1-based names (a₁₂ is ``x[0, 1]``).
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from ..maths.conv import bp_delta_map, conv_forward
from ..maths.ops import rot180
from ..maths.validate import output_size
from .grid import KEY_HEIGHT, draw_grid, draw_key, draw_row
from .style import KINDS, STAR, cross, dims, new_figure, words

__all__ = [
    "sub",
    "output_shape",
    "input_feeds",
    "unread_mask",
    "forward_figure",
    "lecture_example_figure",
    "padded_delta_figure",
    "padded_delta_strip_figure",
    "input_cell_figure",
]


_SUB = str.maketrans("0123456789,", "₀₁₂₃₄₅₆₇₈₉﹐")


def sub(*indices: int) -> str:
    """1-based indices as Unicode subscripts, e.g. ``sub(1, 2) == "₁₂"`` (commas once any is > 9).

    Examples
    --------
    >>> "a" + sub(1, 2), "a" + sub(10, 2)
    ('a₁₂', 'a₁₀﹐₂')
    """
    sep = "," if any(i > 9 for i in indices) else ""
    return sep.join(str(i) for i in indices).translate(_SUB)


def _labels(prefix: str, rows: int, cols: int) -> np.ndarray:
    """``rows x cols`` array of 1-based labels such as ``a₁₁``."""
    return np.array([[prefix + sub(r + 1, c + 1) for c in range(cols)] for r in range(rows)], dtype=object)


def _num(v: float) -> str:
    """A number for a formula: negatives in brackets, e.g. ``(−1)``."""
    return f"(−{-v:g})" if v < 0 else f"{v:g}"


def output_shape(h: int, w: int, fh: int, fw: int, stride: int, padding: int) -> tuple[int, int] | None:
    """(H_out, W_out) = ((H - Fh + 2P)//S + 1, ...), or None when the filter does not fit.

    Examples
    --------
    >>> output_shape(5, 5, 3, 3, 2, 1), output_shape(3, 3, 4, 4, 1, 0)
    ((3, 3), None)
    """
    if fh > h + 2 * padding or fw > w + 2 * padding:
        return None
    return output_size(h, w, fh, fw, stride, padding)


def input_feeds(
    r: int, c: int, h: int, w: int, fh: int, fw: int, stride: int = 1, padding: int = 0
) -> list[tuple[int, int, int, int]]:
    """Which outputs input cell (r, c) feeds, and through which weight (all 0-based).

    Returns a list of ``(m, n, u, v)``: a[r, c] enters net[m, n] multiplied by w[u, v], i.e.
    ``m*S + u - P == r`` and ``n*S + v - P == c``. Its length is the number of terms in ∂E/∂a[r, c].

    Examples
    --------
    The lecture's a₁₂ (0-based (0, 1)) feeds net₁₁ through w₁₂ and net₁₂ through w₁₁:

    >>> input_feeds(0, 1, 3, 3, 2, 2)
    [(0, 0, 0, 1), (0, 1, 0, 0)]
    """
    shape = output_shape(h, w, fh, fw, stride, padding)
    if shape is None:
        return []
    out = []
    for m in range(shape[0]):
        for n in range(shape[1]):
            u, v = r + padding - m * stride, c + padding - n * stride
            if 0 <= u < fh and 0 <= v < fw:
                out.append((m, n, u, v))
    return out


def unread_mask(h: int, w: int, fh: int, fw: int, stride: int, padding: int) -> np.ndarray:
    """Boolean (H, W) mask of the input cells no window of the forward pass reads.

    Examples
    --------
    >>> unread_mask(6, 6, 3, 3, 2, 0)[:, 0].astype(int)
    array([0, 0, 0, 0, 0, 1])
    """
    return np.array(
        [[not input_feeds(r, c, h, w, fh, fw, stride, padding) for c in range(w)] for r in range(h)]
    )


def _window(m: int, n: int, fh: int, fw: int, stride: int) -> tuple[slice, slice]:
    """Rows and columns (in the padded frame) read by output (m, n)."""
    return slice(m * stride, m * stride + fh), slice(n * stride, n * stride + fw)


def forward_figure(
    x: ArrayLike,
    w: ArrayLike,
    b: float = 0.0,
    stride: int = 1,
    padding: int = 0,
    out: tuple[int, int] = (0, 0),
    fmt: str = "{:g}",
) -> Figure:
    """Input (padded) ★ filter = feature map, with the receptive field of output ``out`` highlighted.

    The padding ring and any input cells no window reads (a stride that does not divide
    H - F + 2P) are drawn as their kinds of :data:`lessonkit.figures.style.KINDS`, with a key.

    Parameters
    ----------
    x : array_like, shape (H, W)
        One input channel a^{l-1}.
    w : array_like, shape (Fh, Fw)
        The filter W.
    b : float
        The bias w_b.
    stride, padding : int
        S and P.
    out : (int, int)
        0-based output cell whose window is highlighted.
    fmt : str
        Number format.

    Examples
    --------
    >>> fig = forward_figure(np.arange(9).reshape(3, 3), [[1, 0], [0, 1]], out=(1, 0))
    >>> len(fig.axes)
    5
    """
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    net = conv_forward(x[None], w[None, None], [b], stride, padding)[0]
    m, n = out
    fh, fw = w.shape
    unread = unread_mask(x.shape[0], x.shape[1], fh, fw, stride, padding)
    panels: list[dict] = [
        {
            "values": x,
            "pad": padding,
            "kinds": {"unread": unread},
            "title": f"a ({x.shape[0]}×{x.shape[1]}, P = {padding})",
            "highlight": _window(m, n, fh, fw, stride),
            "highlight_label": words("receptive field of {name}").format(name="net" + sub(m + 1, n + 1)),
            "fmt": fmt,
        },
        {"values": w, "title": f"W ({fh}×{fw})", "fmt": fmt},
        {
            "values": net,
            "title": f"net (S = {stride})",
            "highlight": (slice(m, m + 1), slice(n, n + 1)),
            "highlight_label": f"net{sub(m + 1, n + 1)} = {fmt.format(net[m, n])}",
            "fmt": fmt,
        },
    ]
    return draw_row(panels, [STAR, "="], suptitle=f"+ w_b = {b:g}" if b else None, key=True)


def lecture_example_figure(out: tuple[int, int] = (0, 0)) -> Figure:
    """The lecture's first figure: 3×3 input, 2×2 filter, stride 1, giving a 2×2 feature map.

    Cells carry the lecture's names (a₁₁ ... net₂₂); ``out`` picks the highlighted output.

    Examples
    --------
    >>> fig = lecture_example_figure()
    >>> "net₁₁" in [t.get_text() for t in fig.axes[-1].texts]
    True
    """
    m, n = out
    panels: list[dict] = [
        {
            "values": None,
            "cell_labels": _labels("a", 3, 3),
            "title": words("layer l-1: a (3×3)"),
            "highlight": _window(m, n, 2, 2, 1),
            "highlight_label": words("window of {name}").format(name="net" + sub(m + 1, n + 1)),
        },
        {"values": None, "cell_labels": _labels("w", 2, 2), "title": words("filter W (2×2)")},
        {
            "values": None,
            "cell_labels": _labels("net", 2, 2),
            "title": words("layer l: net (2×2)"),
            "highlight": (slice(m, m + 1), slice(n, n + 1)),
            "highlight_label": words("+ w_b in every cell"),
        },
    ]
    return draw_row(panels, [STAR, "="], cell=0.75)


def _delta_and_filter(delta: ArrayLike | None, w: ArrayLike | None) -> tuple[bool, np.ndarray, np.ndarray]:
    """(symbolic, δ, W) of the padded-δ figures: the lecture's 2x2 symbols when both are omitted."""
    symbolic = delta is None and w is None
    d = np.zeros((2, 2)) if delta is None else np.asarray(delta, dtype=float)
    k = np.zeros((2, 2)) if w is None else np.asarray(w, dtype=float)
    if d.ndim != 2:
        raise ValueError(f"delta must have 2 dimensions (H_out, W_out); got shape {d.shape}")
    if k.ndim != 2:
        raise ValueError(f"w must have 2 dimensions (Fh, Fw); got shape {k.shape}")
    return symbolic, d, k


def _window_pairs(i: int, j: int, dshape: tuple[int, int], fh: int, fw: int) -> np.ndarray:
    """Pair numbers over pad(δ, F-1) for the window of input (i, j): weight w[u, v] is pair u*Fw + v.

    The window's cell (u', v') meets rot180(W)[u', v'] = W[Fh-1-u', Fw-1-v'], so it gets that
    weight's pair; every other cell gets -1.
    """
    pairs = np.full((dshape[0] + 2 * (fh - 1), dshape[1] + 2 * (fw - 1)), -1, dtype=int)
    for u in range(fh):
        for v in range(fw):
            pairs[i + u, j + v] = (fh - 1 - u) * fw + (fw - 1 - v)
    return pairs


def _terms_text(terms, d: np.ndarray, k: np.ndarray, symbolic: bool, sep: str = " + ") -> list[str]:
    """The products of ∂E/∂a[i, j], one string per term (δ·w), from input_feeds' (m, n, u, v)."""
    if symbolic:
        return [f"δ{sub(m + 1, n + 1)}·w{sub(u + 1, v + 1)}" for m, n, u, v in terms]
    return [f"{_num(d[m, n])}·{_num(k[u, v])}" for m, n, u, v in terms]


def _total(terms, d: np.ndarray, k: np.ndarray) -> str:
    """The value of ∂E/∂a[i, j] with a typographic minus."""
    return f"{sum(d[m, n] * k[u, v] for m, n, u, v in terms):g}".replace("-", "−")


def padded_delta_figure(
    delta: ArrayLike | None = None,
    w: ArrayLike | None = None,
    target: tuple[int, int] = (0, 1),
    *,
    all_windows: bool = False,
) -> Figure:
    """pad(δ^l, F-1) ★ rot180(W) = ∂E/∂a^{l-1}, with the window of one input cell highlighted.

    In the highlighted window each δ_{m,n} shares a tint and a corner marker with the weight of
    rot180(W) it meets (the two factors of one product); the F-1 ring is drawn as padding.

    Parameters
    ----------
    delta : array_like, shape (H_out, W_out), optional
        δ^l at stride 1. Omit both ``delta`` and ``w`` for the lecture's symbols (δ₁₁, w₁₁, ...).
    w : array_like, shape (Fh, Fw), optional
        The filter W (square).
    target : (int, int)
        0-based input cell (i, j) whose window over the padded δ is highlighted.
    all_windows : bool
        True draws :func:`padded_delta_strip_figure` instead: every window, one panel per input
        cell (``target`` is then not used).

    Examples
    --------
    >>> fig = padded_delta_figure()
    >>> len(fig.axes)
    6
    >>> fig = padded_delta_figure([[1, 2], [3, 4]], [[1, 0], [2, -1]], target=(2, 2))
    >>> fig.texts[-1].get_text()
    '∂E/∂a₃₃ = 4·(−1) = −4'
    """
    symbolic, d, k = _delta_and_filter(delta, w)
    fh, fw = k.shape
    if fh != fw:
        raise ValueError(f"w must be a square filter for this figure; got shape {k.shape}")
    if all_windows:
        return padded_delta_strip_figure(delta, w)
    h, wd = d.shape[0] + fh - 1, d.shape[1] + fw - 1
    i, j = target
    if not (0 <= i < h and 0 <= j < wd):
        raise ValueError(
            f"target must be an input cell (i, j) with 0 <= i < {h} and 0 <= j < {wd}; got {target}"
        )
    terms = input_feeds(i, j, h, wd, fh, fw)
    text = " + ".join(_terms_text(terms, d, k, symbolic))
    if not symbolic:
        text += " = " + _total(terms, d, k)
    caption = f"∂E/∂a{sub(i + 1, j + 1)} = {text}"
    rot_labels = _labels("w", fh, fw)[::-1, ::-1]
    rot_pairs = np.array([[(fh - 1 - u) * fw + (fw - 1 - v) for v in range(fw)] for u in range(fh)])
    p0: dict = {
        "values": d,
        "pad": fh - 1,
        "title": words("$\\delta^l$ padded by F−1 = {n}").format(n=fh - 1),
        "highlight": _window(i, j, fh, fw, 1),
        "pairs": _window_pairs(i, j, d.shape, fh, fw),
    }
    p1 = {"values": rot180(k) if not symbolic else None, "title": "rot180(W)", "pairs": rot_pairs}
    p2: dict = {
        "title": "∂E/∂$a^{l-1}$" + (" (∂a₁₂ = ∂E/∂a₁₂)" if symbolic else ""),
        "highlight": (slice(i, i + 1), slice(j, j + 1)),
    }
    if symbolic:
        p0["cell_labels"] = _labels("δ", *d.shape)
        p1["cell_labels"] = rot_labels
        p2["values"] = None
        p2["cell_labels"] = np.array(
            [["∂a" + sub(r + 1, c + 1) for c in range(wd)] for r in range(h)], dtype=object
        )
    else:
        p2["values"] = bp_delta_map(d[None], k[None, None], (1, h, wd))[0]
    return draw_row([p0, p1, p2], [STAR, "="], cell=0.7, caption=caption, key=True)


def padded_delta_strip_figure(delta: ArrayLike | None = None, w: ArrayLike | None = None) -> Figure:
    """Every window of pad(δ^l, F-1) ★ rot180(W): one small panel per input cell a_{i,j}.

    Top: W → rot180(W). Below, panel (i, j) (laid out like the input, H x W panels) shows
    pad(δ^l, F-1) with the window that gives ∂E/∂a_{i,j}; inside it each δ_{m,n} shares a tint
    and a corner marker with the weight of W and rot180(W) it meets, and the sum of those products
    is written under the panel. Padding zeros inside a window meet a weight too, but add 0.

    Parameters
    ----------
    delta : array_like, shape (H_out, W_out), optional
        δ^l at stride 1. Omit both ``delta`` and ``w`` for the lecture's symbols.
    w : array_like, shape (Fh, Fw), optional
        The filter W; the input is (H_out + Fh - 1) x (W_out + Fw - 1).

    Returns
    -------
    matplotlib.figure.Figure
        One Axes per window (gid ``"window i,j"``, 0-based), then W, rot180(W) and the key.

    Examples
    --------
    >>> fig = padded_delta_strip_figure()
    >>> [ax.get_gid() for ax in fig.axes][:3]
    ['window 0,0', 'window 0,1', 'window 0,2']
    >>> sum(ax.get_gid().startswith("window") for ax in fig.axes)
    9
    >>> fig = padded_delta_strip_figure([[1, 2], [3, 4]], [[1, 0], [2, -1]])
    >>> fig.axes[8].texts[-1].get_text()
    '4·(−1) = −4'
    """
    symbolic, d, k = _delta_and_filter(delta, w)
    fh, fw = k.shape
    ho, wo = d.shape
    h, wd = ho + fh - 1, wo + fw - 1
    hp, wp = ho + 2 * (fh - 1), wo + 2 * (fw - 1)
    cell, font = 0.36, 9.0
    per_line = 2  # products per line under a panel
    lines = max(
        1, -(-max(len(input_feeds(i, j, h, wd, fh, fw)) for i in range(h) for j in range(wd)) // per_line)
    )
    gap_x = 1.2  # cells between panels
    box_w, box_h = wp + gap_x, 0.9 + hp + 0.3 + 0.42 * lines + 0.1  # in cells
    top_h = 0.5 + (fh + 1.3) * cell  # inches: the suptitle and W → rot180(W)
    bottom_h = 0.75  # inches: a note and the key
    width = max(wd * box_w * cell + 0.4, 6.4)
    height = top_h + h * box_h * cell + bottom_h
    fig = new_figure(width, height)
    x_left = (width - wd * box_w * cell) / 2

    def axes_at(x: float, y_top: float, w_in: float, h_in: float, gid: str):
        """An Axes whose top-left corner is (x, y_top) inches from the figure's top-left."""
        ax = fig.add_axes((x / width, 1 - (y_top + h_in) / height, w_in / width, h_in / height))
        ax.set_gid(gid)
        return ax

    labels_d = _labels("δ", ho, wo) if symbolic else None
    for i in range(h):
        for j in range(wd):
            ax = axes_at(
                x_left + j * box_w * cell,
                top_h + i * box_h * cell,
                box_w * cell,
                box_h * cell,
                f"window {i},{j}",
            )
            draw_grid(
                ax,
                None if symbolic else d,
                cell_labels=labels_d,
                pad=(fh - 1, fw - 1),
                highlight=_window(i, j, fh, fw, 1),
                pairs=_window_pairs(i, j, d.shape, fh, fw),
                title=f"∂E/∂a{sub(i + 1, j + 1)}",
                fontsize=font,
                origin=(gap_x / 2, 0.9),
            )
            terms = input_feeds(i, j, h, wd, fh, fw)
            parts = _terms_text(terms, d, k, symbolic)
            rows = [" + ".join(parts[n : n + per_line]) for n in range(0, len(parts), per_line)]
            text = (" +\n").join(rows)
            if not symbolic:
                text += " = " + _total(terms, d, k)
            ax.text(
                gap_x / 2 + wp / 2,
                0.9 + hp + 0.3,
                text,
                ha="center",
                va="top",
                fontsize=font,
                color=KINDS["padding"].text if not terms else "#1A1A1A",
            )
            ax.set_xlim(0, box_w)
            ax.set_ylim(box_h, 0)
            ax.set_aspect("equal")
    # W → rot180(W), with the markers the windows use.
    w_pairs = np.arange(fh * fw).reshape(fh, fw)
    y_top = 0.5
    x0 = (width - (2 * fw + 3.2) * cell) / 2
    for n, (vals, lab, pairs, title) in enumerate(
        (
            (k, _labels("w", fh, fw), w_pairs, "W"),
            (rot180(k), _labels("w", fh, fw)[::-1, ::-1], w_pairs[::-1, ::-1], "rot180(W)"),
        )
    ):
        ax = axes_at(
            x0 + n * (fw + 3.2) * cell - 0.1 * cell, y_top, (fw + 0.2) * cell, (fh + 1.1) * cell, title
        )
        draw_grid(
            ax,
            None if symbolic else vals,
            cell_labels=lab if symbolic else None,
            pairs=pairs,
            title=title,
            fontsize=font + 1,
            origin=(0.1, 0.9),
        )
        ax.set_xlim(0, fw + 0.2)
        ax.set_ylim(fh + 1.1, 0)
        ax.set_aspect("equal")
    fig.text(
        x0 / width + (fw + 1.6) * cell / width,
        1 - (y_top + (0.9 + fh / 2) * cell) / height,
        "→",
        ha="center",
        va="center",
        fontsize=22,
    )
    fig.text(
        0.5,
        1 - 0.12 / height,
        words("{product} = ∂E/∂a: all {count} windows ({size} each)").format(
            product=cross("pad(δ, F−1)", "rot180(W)"), count=h * wd, size=dims((fh, fw))
        ),
        ha="center",
        va="top",
        fontsize=12,
    )
    note = words("in each window, a δ and the weight it meets share tint and marker")
    fig.text(0.5, (KEY_HEIGHT + 0.05) / height, note, ha="center", va="bottom", fontsize=10)
    draw_key(fig, ["padding"])
    return fig


def input_cell_figure(
    cell: tuple[int, int] = (0, 1), h: int = 3, w: int = 3, f: int = 2, stride: int = 1, padding: int = 0
) -> Figure:
    """Input cell ``cell`` and the outputs it feeds, each labelled with the weight it goes through.

    Input cells no window reads are drawn as the kind "never read", the P ring as "padding"; a key
    under the figure names them.

    Examples
    --------
    >>> fig = input_cell_figure((0, 1))
    >>> sorted(t.get_text() for t in fig.axes[-1].texts if t.get_text().startswith("w"))
    ['w₁₁', 'w₁₂']
    """
    r, c = cell
    shape = output_shape(h, w, f, f, stride, padding)
    if shape is None:
        raise ValueError(
            f"f (the filter size F) = {f} is larger than the padded input "
            f"(H + 2P, W + 2P) = ({h + 2 * padding}, {w + 2 * padding})"
        )
    feeds = input_feeds(r, c, h, w, f, f, stride, padding)
    fed = np.zeros(shape, dtype=bool)
    out_labels = np.full(shape, "", dtype=object)
    for m, n, u, v in feeds:
        fed[m, n] = True
        out_labels[m, n] = "w" + sub(u + 1, v + 1)
    for m in range(shape[0]):
        for n in range(shape[1]):
            if not fed[m, n]:
                out_labels[m, n] = ""
    in_labels = _labels("a", h, w)
    mark = np.zeros((h + 2 * padding, w + 2 * padding), dtype=bool)
    mark[r + padding, c + padding] = True
    if feeds:
        terms = " + ".join(f"δ{sub(m + 1, n + 1)}w{sub(u + 1, v + 1)}" for m, n, u, v in feeds)
    else:
        terms = words("0 (no window reads it)")
    panels: list[dict] = [
        {
            "values": None,
            "cell_labels": in_labels,
            "pad": padding,
            "title": f"$a^{{l-1}}$ ({h}×{w}, P = {padding})",
            "highlight": mark,
            "kinds": {"unread": unread_mask(h, w, f, f, stride, padding)},
        },
        {
            "values": None,
            "cell_labels": out_labels,
            "title": f"$net^l$ ({shape[0]}×{shape[1]}, S = {stride})",
            "highlight": fed if feeds else None,
        },
    ]
    caption = f"∂E/∂a{sub(r + 1, c + 1)} = {terms}"
    return draw_row(panels, ["→"], cell=0.65, op_width=1.2, caption=caption, key=True)
