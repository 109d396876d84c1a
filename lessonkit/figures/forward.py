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
from .grid import draw_row

__all__ = [
    "sub",
    "output_shape",
    "input_feeds",
    "unread_mask",
    "forward_figure",
    "lecture_example_figure",
    "padded_delta_figure",
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
    ``m*S + u - P == r`` and ``n*S + v - P == c``. Its length is the number of terms in dE/da[r, c].

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
    """Input (padded) ⋆ filter = feature map, with the receptive field of output ``out`` highlighted.

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
    panels: list[dict] = [
        {
            "values": x,
            "pad": padding,
            "title": f"a (H×W = {x.shape[0]}×{x.shape[1]}, P = {padding})",
            "highlight": _window(m, n, fh, fw, stride),
            "highlight_label": f"receptive field of net{sub(m + 1, n + 1)}",
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
    return draw_row(panels, ["⋆", "="], suptitle=f"+ w_b = {b:g}" if b else None)


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
            "title": "layer l-1: a (3×3)",
            "highlight": _window(m, n, 2, 2, 1),
            "highlight_label": f"window of net{sub(m + 1, n + 1)}",
        },
        {"values": None, "cell_labels": _labels("w", 2, 2), "title": "filter W (2×2)"},
        {
            "values": None,
            "cell_labels": _labels("net", 2, 2),
            "title": "layer l: net (2×2)",
            "highlight": (slice(m, m + 1), slice(n, n + 1)),
            "highlight_label": "+ w_b in every cell",
        },
    ]
    return draw_row(panels, ["⋆", "="], cell=0.75)


def padded_delta_figure(
    delta: ArrayLike | None = None, w: ArrayLike | None = None, target: tuple[int, int] = (0, 1)
) -> Figure:
    """δ^l padded with a ring of F-1 zeros, cross-correlated with rot180(W), gives dE/da^{l-1}.

    Parameters
    ----------
    delta : array_like, shape (H_out, W_out), optional
        δ^l at stride 1. Omit both ``delta`` and ``w`` for the lecture's symbols (δ₁₁, w₁₁, ...).
    w : array_like, shape (Fh, Fw), optional
        The filter W.
    target : (int, int)
        0-based input cell (i, j) whose window over the padded δ is highlighted.

    Examples
    --------
    >>> fig = padded_delta_figure()
    >>> len(fig.axes)
    5
    >>> fig = padded_delta_figure([[1, 2], [3, 4]], [[1, 0], [2, -1]], target=(2, 2))
    >>> fig.texts[-1].get_text()
    'dE/da₃₃ = 4·(−1) = −4'
    """
    symbolic = delta is None and w is None
    d = np.zeros((2, 2)) if delta is None else np.asarray(delta, dtype=float)
    k = np.zeros((2, 2)) if w is None else np.asarray(w, dtype=float)
    fh, fw = k.shape
    h, wd = d.shape[0] + fh - 1, d.shape[1] + fw - 1
    if fh != fw:
        raise ValueError(f"w must be a square filter for this figure; got shape {k.shape}")
    i, j = target
    terms = input_feeds(i, j, h, wd, fh, fw)
    if symbolic:
        text = " + ".join(f"δ{sub(m + 1, n + 1)}·w{sub(u + 1, v + 1)}" for m, n, u, v in terms)
    else:
        text = " + ".join(f"{_num(d[m, n])}·{_num(k[u, v])}" for m, n, u, v in terms)
        text += " = " + f"{sum(d[m, n] * k[u, v] for m, n, u, v in terms):g}".replace("-", "−")
    caption = f"dE/da{sub(i + 1, j + 1)} = {text}"
    rot_labels = _labels("w", fh, fw)[::-1, ::-1]
    p0: dict = {
        "values": d,
        "pad": fh - 1,
        "title": f"$\\delta^l$ padded by F−1 = {fh - 1}",
        "highlight": _window(i, j, fh, fw, 1),
    }
    p1 = {"values": rot180(k) if not symbolic else None, "title": "rot180(W)"}
    p2: dict = {
        "title": "dE/d$a^{l-1}$" + (" (∂a₁₂ = dE/da₁₂)" if symbolic else ""),
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
    return draw_row([p0, p1, p2], ["⋆", "="], cell=0.7, caption=caption)


def input_cell_figure(
    cell: tuple[int, int] = (0, 1), h: int = 3, w: int = 3, f: int = 2, stride: int = 1, padding: int = 0
) -> Figure:
    """Input cell ``cell`` and the outputs it feeds, each labelled with the weight it goes through.

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
        terms = "0 (no window reads it)"
    panels: list[dict] = [
        {
            "values": None,
            "cell_labels": in_labels,
            "pad": padding,
            "title": f"$a^{{l-1}}$ ({h}×{w}, P = {padding})",
            "highlight": mark,
            "hatch_mask": unread_mask(h, w, f, f, stride, padding),
        },
        {
            "values": None,
            "cell_labels": out_labels,
            "title": f"$net^l$ ({shape[0]}×{shape[1]}, S = {stride})",
            "highlight": fed if feeds else None,
        },
    ]
    caption = f"dE/da{sub(r + 1, c + 1)} = {terms}"
    if panels[0]["hatch_mask"].any():
        caption += "\nhatched cells: no window reads them"
    return draw_row(panels, ["→"], cell=0.65, op_width=1.2, caption=caption)
