"""Lesson 02: stride S and padding P, forward (windows that skip) and backward (δ dilated back).

Every function returns a matplotlib Figure (no pyplot). Indices are 0-based like numpy.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from ..maths.conv import bp_delta_map, conv_forward, stride_one_map
from ..maths.ops import correlate2d, pad_hw, rot180
from .forward import sub, unread_mask
from .grid import draw_row, draw_rows
from .style import STAR, dims, words

__all__ = [
    "stride_compare_figure",
    "stride_backward_figure",
    "dilation_label",
    "stride_zero_masks",
]


def stride_compare_figure(
    x: ArrayLike,
    w: ArrayLike,
    stride: int = 2,
    fmt: str = "{:g}",
    *,
    link: tuple[int, int] | None = None,
) -> Figure:
    """Stride 1 against stride S: the stride-S map is the stride-1 map with the skipped outputs dropped.

    Top row: a ★ W at stride 1; the outputs stride S skips are faded (kind "skipped"). Bottom row:
    a ★ W at stride S. One output is linked across both rows: the same window is outlined in both
    inputs, and the output it gives is outlined and named in both maps, so stride-S output (i, j)
    is seen to be stride-1 output (S·i, S·j) (0-based).

    Parameters
    ----------
    x : array_like, shape (H, W)
        One input channel a.
    w : array_like, shape (Fh, Fw)
        The filter W.
    stride : int
        S >= 1 of the bottom row.
    fmt : str
        Number format.
    link : (int, int), optional
        0-based stride-S output (i, j) to link; default the last one, (H_out - 1, W_out - 1).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = stride_compare_figure(np.arange(25).reshape(5, 5), np.ones((3, 3)))
    >>> len(fig.axes)
    11
    >>> [t.get_text() for t in fig.axes[4].texts][-1]
    'net₃₃ = 162 (S = 1)'
    """
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be an integer >= 1; got {stride!r}")
    fh, fw = w.shape
    n1 = conv_forward(x[None], w[None, None], [0.0], 1)[0]
    ns = conv_forward(x[None], w[None, None], [0.0], stride)[0]
    i, j = (ns.shape[0] - 1, ns.shape[1] - 1) if link is None else link
    if not (0 <= i < ns.shape[0] and 0 <= j < ns.shape[1]):
        raise ValueError(
            f"link must be a stride-{stride} output (i, j) with 0 <= i < {ns.shape[0]} and "
            f"0 <= j < {ns.shape[1]}; got {link}"
        )
    kept = np.zeros(n1.shape, dtype=bool)
    kept[::stride, ::stride] = True
    r1, c1 = stride * i, stride * j  # the same window at stride 1
    window = (slice(r1, r1 + fh), slice(c1, c1 + fw))
    name1, name_s = f"net{sub(r1 + 1, c1 + 1)}", f"net{sub(i + 1, j + 1)}"
    rows = [
        [
            {
                "values": x,
                "title": "a",
                "highlight": window,
                "highlight_label": words("window of {name}").format(name=name1),
                "fmt": fmt,
            },
            {"values": w, "title": "W", "fmt": fmt},
            {
                "values": n1,
                "title": "net, S = 1",
                "kinds": {"skipped": ~kept},
                "highlight": (slice(r1, r1 + 1), slice(c1, c1 + 1)),
                "highlight_label": f"{name1} = {fmt.format(n1[r1, c1])} (S = 1)",
                "fmt": fmt,
            },
        ],
        [
            {
                "values": x,
                "title": "a",
                "highlight": window,
                "highlight_label": words("window of {name}: the same").format(name=name_s),
                "kinds": {"unread": unread_mask(x.shape[0], x.shape[1], fh, fw, stride, 0)},
                "fmt": fmt,
            },
            {"values": w, "title": "W", "fmt": fmt},
            {
                "values": ns,
                "title": f"net, S = {stride}",
                "highlight": (slice(i, i + 1), slice(j, j + 1)),
                "highlight_label": f"{name_s} = {fmt.format(ns[i, j])} (S = {stride})",
                "fmt": fmt,
            },
        ],
    ]
    caption = (
        words("stride-{s} output (i, j) is stride-1 output ({s}i, {s}j), 0-based:").format(s=stride)
        + "\n"
        + words("{name_s} at S = {s} is {name1} at S = 1 (same window)").format(
            name_s=name_s, s=stride, name1=name1
        )
    )
    return draw_rows(
        rows, [[STAR, "="], [STAR, "="]], caption=caption, key=True, align="left", cell=0.5, extra_height=1.6
    )


def stride_backward_figure(
    delta: ArrayLike, w: ArrayLike, h: int, wd: int, stride: int = 1, padding: int = 0
) -> Figure:
    """δ^l at stride S, dilated back to stride 1, padded by F-1, ★ rot180(W), cropped by P.

    Every special cell is drawn as its kind (:data:`lessonkit.figures.style.KINDS`), named in a key
    under the figure: the zeros the dilation inserts ("stride zeros"), the zero rows/columns that
    extend the dilated δ to the stride-1 size when S does not divide H - F + 2P ("fill zeros"),
    the F-1 ring ("padding"), the P ring cropped from ∂E/∂ pad(a) ("cropped") and the input cells
    no window reads, whose gradient is 0 ("never read").

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
    10
    >>> fig.axes[2].texts[-1].get_text()
    'dilated 3×3, extended to 4×4,\\npadded by F−1 = 2'
    """
    d = np.asarray(delta, dtype=float)
    k = np.asarray(w, dtype=float)
    fh, fw = k.shape
    h1, w1 = h + 2 * padding - fh + 1, wd + 2 * padding - fw + 1  # stride-1 map size
    dil = stride_one_map(d, h1, w1, stride)
    dilation, fill = stride_zero_masks(d.shape, h1, w1, stride)
    grad = bp_delta_map(d[None], k[None, None], (1, h, wd), stride, padding)[0]
    # The gradient with respect to the padded input, before the P-wide ring is cropped away.
    full = correlate2d(pad_hw(dil, fh - 1, fw - 1), rot180(k))
    ring = np.ones(full.shape, dtype=bool)
    ring[padding : padding + h, padding : padding + wd] = False
    unread = unread_mask(h, wd, fh, fw, stride, padding)
    ring_text = f"{fh - 1}" if fh == fw else f"({fh - 1}, {fw - 1})"
    panels = [
        {"values": d, "title": f"$\\delta^l$ (S = {stride})"},
        {
            "values": dil,
            "pad": (fh - 1, fw - 1),
            "kinds": {"dilation": dilation, "fill": fill},
            # at S = 1 nothing is dilated: the title says only the padding
            "title": (dilation_label(d.shape, stride, (h1, w1)) + ",\n" if stride > 1 else "")
            + words("padded by F−1 = {ring}").format(ring=ring_text),
        },
        {"values": rot180(k), "title": "rot180(W)"},
        {
            "values": full,
            "kinds": {"cropped": ring},
            "title": "∂E/∂ pad(a)",
            "highlight_label": words("crop the P = {p} ring").format(p=padding)
            if padding
            else words("P = 0: nothing to crop"),
        },
        {"values": grad, "kinds": {"unread": unread}, "title": f"∂E/∂a ({dims((h, wd))})"},
    ]
    if unread.any():
        panels[-1]["highlight_label"] = words("never read → 0")
    for panel in panels:  # numbers of four digits and more get a smaller font, to stay in their cells
        digits = max(len(f"{v:g}") for v in np.ravel(panel["values"]))
        if digits > 3:
            panel["fontsize"], panel["label_size"] = 12 * 3.2 / digits, 12
    return draw_row(panels, ["→", STAR, "=", "→"], cell=0.42, op_width=1.1, key=True)


def dilation_label(shape: tuple[int, int], stride: int, stride_one: tuple[int, int]) -> str:
    """How a δ of ``shape`` becomes the stride-1 map: "dilated 3×3, extended to 4×4", from the shapes.

    Parameters
    ----------
    shape : (int, int)
        Shape of δ^l at stride S.
    stride : int
        S.
    stride_one : (int, int)
        Shape of the stride-1 map, (H + 2P - Fh + 1, W + 2P - Fw + 1).

    Examples
    --------
    >>> dilation_label((2, 2), 2, (4, 4)), dilation_label((2, 2), 2, (3, 3))
    ('dilated 3×3, extended to 4×4', 'dilated 3×3')
    """
    dilated = tuple((n - 1) * stride + 1 for n in shape)
    if tuple(stride_one) != dilated:
        return words("dilated {dilated}, extended to {size}").format(
            dilated=dims(dilated), size=dims(stride_one)
        )
    return words("dilated {dilated}").format(dilated=dims(dilated))


def stride_zero_masks(shape: tuple[int, int], h1: int, w1: int, stride: int) -> tuple[np.ndarray, np.ndarray]:
    """(stride zeros, fill zeros): where :func:`~lessonkit.maths.conv.stride_one_map` puts zeros.

    The first mask holds the S-1 zeros inserted between δ entries (inside the dilated extent), the
    second the zero rows/columns that extend the dilated δ to the stride-1 size (h1, w1).

    Examples
    --------
    >>> dil, fill = stride_zero_masks((2, 2), 4, 4, 2)
    >>> int(dil.sum()), int(fill.sum())
    (5, 7)
    """
    zeros = stride_one_map(np.ones(shape), h1, w1, stride) == 0
    extent = np.zeros((h1, w1), dtype=bool)
    extent[: (shape[0] - 1) * stride + 1, : (shape[1] - 1) * stride + 1] = True
    return zeros & extent, zeros & ~extent
