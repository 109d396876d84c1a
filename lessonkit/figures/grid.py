"""The grid primitive: draw a 2-D array as cells with their numbers, windows, padding and zeros.

Coordinates: cell ``(r, c)`` of the drawn grid covers x in [c, c+1] and y in [r, r+1] (y grows
downwards), shifted by ``origin``. With ``pad=p`` the drawn grid is the padded one, of shape
(H + 2p, W + 2p): ``highlight`` is given in that padded frame (windows slide over the padded
input), while ``zero_mask``, ``hatch_mask`` and ``cell_labels`` are shaped like ``values``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure, SubFigure
from matplotlib.patches import Rectangle
from numpy.typing import ArrayLike

from .style import CELL, FACE, HALO, INK, MUTED, ROLES, new_figure

__all__ = [
    "draw_grid",
    "figure_row",
    "draw_row",
    "row_size",
    "window_mask",
]


def window_mask(shape: tuple[int, int], rows: slice, cols: slice) -> np.ndarray:
    """Boolean mask of ``shape`` that is True inside ``[rows, cols]``.

    Examples
    --------
    >>> window_mask((3, 3), slice(0, 2), slice(1, 3)).astype(int)
    array([[0, 1, 1],
           [0, 1, 1],
           [0, 0, 0]])
    """
    m = np.zeros(shape, dtype=bool)
    m[rows, cols] = True
    return m


def _pad_pair(pad) -> tuple[int, int]:
    """``pad`` as (rows, columns): an int pads both by the same amount."""
    if isinstance(pad, tuple):
        return int(pad[0]), int(pad[1])
    return int(pad), int(pad)


def _to_mask(spec, shape: tuple[int, int], name: str) -> np.ndarray | None:
    """Turn None / (rows, cols) slices / a boolean array into a boolean mask of ``shape``."""
    if spec is None:
        return None
    if isinstance(spec, tuple) and len(spec) == 2 and all(isinstance(s, slice) for s in spec):
        return window_mask(shape, *spec)
    mask = np.asarray(spec, dtype=bool)
    if mask.shape != shape:
        raise ValueError(
            f"{name} must be a (rows, cols) pair of slices or a boolean mask of shape {shape}; "
            f"got shape {mask.shape}"
        )
    return mask


def draw_grid(
    ax: Axes,
    values: ArrayLike,
    *,
    title: str | None = None,
    fmt: str = "{:g}",
    highlight: ArrayLike | None = None,
    highlight_label: str | None = None,
    pad: int | tuple[int, int] = 0,
    zero_mask: ArrayLike | None = None,
    hatch_mask: ArrayLike | None = None,
    cell_labels: ArrayLike | None = None,
    origin: tuple[float, float] = (0, 0),
    fontsize: float = 12,
) -> Axes:
    """Draw ``values`` as a grid of numbered cells on ``ax``.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw; its limits are set to fit the grid (unless ``origin`` is not (0, 0)).
    values : array_like, shape (H, W)
        The numbers shown in the cells (formatted with ``fmt``).
    title : str, optional
        Drawn above the grid.
    fmt : str
        Format of each number, e.g. ``"{:.2f}"``.
    highlight : (slice, slice) or bool array of shape (H + 2*pad, W + 2*pad), optional
        A window in the drawn (padded) frame: thick vermillion outline plus ``//`` hatch.
    highlight_label : str, optional
        Caption written under the grid, naming the highlighted window.
    pad : int or (int, int)
        Width of a ring of padding zeros drawn around ``values`` (grey, dotted hatch, "0");
        a pair (rows, columns) pads top/bottom and left/right differently.
    zero_mask : bool array of shape (H, W), optional
        Cells that are inserted zeros (dilation): blue ``xx`` hatch, grey number.
    hatch_mask : bool array of shape (H, W), optional
        Any other marked cells (e.g. inputs never read): yellow ``\\\\`` hatch.
    cell_labels : array_like of str, shape (H, W), optional
        Text shown instead of the numbers, e.g. ``"a₁₁"``; ``values`` may then be None.
    origin : (float, float)
        Data coordinates of the grid's top-left corner (several grids on one Axes).
    fontsize : float
        Size of the cell text.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``, for chaining.

    Examples
    --------
    >>> from lessonkit.figures.style import new_figure
    >>> ax = new_figure(3, 3).add_subplot()
    >>> _ = draw_grid(ax, [[1, 2], [3, 4]], pad=1, highlight=(slice(0, 2), slice(0, 2)))
    >>> sorted(t.get_text() for t in ax.texts)
    ['0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '1', '2', '3', '4']
    """
    if values is None and cell_labels is None:
        raise ValueError("values must be an array of shape (H, W) when cell_labels is None; got None")
    labels = None if cell_labels is None else np.asarray(cell_labels, dtype=object)
    vals = np.asarray(values, dtype=float) if values is not None else None
    shape = vals.shape if vals is not None else labels.shape
    if len(shape) != 2:
        raise ValueError(f"values must have 2 dimensions (H, W); got shape {shape}")
    if labels is not None and labels.shape != shape:
        raise ValueError(f"cell_labels must have the shape of values {shape}; got shape {labels.shape}")
    ph, pw = _pad_pair(pad)
    h, w = shape
    hp, wp = h + 2 * ph, w + 2 * pw
    zeros = _to_mask(zero_mask, shape, "zero_mask")
    hatched = _to_mask(hatch_mask, shape, "hatch_mask")
    win = _to_mask(highlight, (hp, wp), "highlight")
    x0, y0 = origin

    cells: dict[str | None, list[tuple[int, int]]] = {}
    for r in range(hp):
        for c in range(wp):
            ri, ci = r - ph, c - pw
            inside = 0 <= ri < h and 0 <= ci < w
            if not inside:
                role, text, colour = "padding", "0", MUTED
            else:
                role, colour = None, INK
                if zeros is not None and zeros[ri, ci]:
                    role, colour = "zero", MUTED
                elif hatched is not None and hatched[ri, ci]:
                    role = "hatch"
                text = str(labels[ri, ci]) if labels is not None else fmt.format(vals[ri, ci])
            if win is not None and win[r, c] and role is None:
                role = "highlight"
            cells.setdefault(role, []).append((r, c))
            ax.text(
                x0 + c + 0.5,
                y0 + r + 0.5,
                text,
                ha="center",
                va="center",
                fontsize=fontsize,
                color=colour,
                zorder=5,
                path_effects=HALO if role is not None else None,  # a halo only over hatching
            )
    _draw_cells(ax, cells, x0, y0)
    if win is not None:
        _outline(ax, win, x0, y0)
    if title:
        ax.text(x0 + wp / 2, y0 - 0.25, title, ha="center", va="bottom", fontsize=fontsize, zorder=5)
    if highlight_label:
        ax.text(
            x0 + wp / 2,
            y0 + hp + 0.25,
            highlight_label,
            ha="center",
            va="top",
            fontsize=fontsize - 1,
            color=ROLES["highlight"][2],
            zorder=5,
        )
    if origin == (0, 0):
        ax.set_xlim(-0.15, wp + 0.15)
        ax.set_ylim(hp + (0.9 if highlight_label else 0.15), -(0.9 if title else 0.15))
    ax.set_aspect("equal")
    ax.set_axis_off()
    return ax


def _draw_cells(ax: Axes, cells: dict, x0: float, y0: float) -> None:
    """Draw the cells of each role as collections: faces, then hatching, then borders on top."""
    everything = []
    for role, where in cells.items():
        rects = [Rectangle((x0 + c, y0 + r), 1, 1) for r, c in where]
        everything += [Rectangle((x0 + c, y0 + r), 1, 1) for r, c in where]
        face = CELL if role is None else ROLES[role][0]
        ax.add_collection(PatchCollection(rects, facecolor=face, edgecolor="none", zorder=1))
        if role is not None:
            _, hatch, hcol = ROLES[role]
            hatched = PatchCollection(
                [Rectangle((x0 + c, y0 + r), 1, 1) for r, c in where],
                facecolor="none",
                edgecolor=hcol,
                linewidth=0,
                hatch=hatch,
                zorder=2,
            )
            hatched.set_gid(f"hatch:{role}")
            ax.add_collection(hatched)
    ax.add_collection(PatchCollection(everything, facecolor="none", edgecolor=INK, linewidth=0.8, zorder=3))


def _outline(ax: Axes, mask: np.ndarray, x0: float, y0: float) -> None:
    """Draw a thick outline around the True region of ``mask`` (edges between in and out)."""
    colour = ROLES["highlight"][2]
    m = np.pad(mask, 1)
    segs = []
    for r, c in zip(*np.nonzero(mask), strict=True):
        rr, cc = r + 1, c + 1
        if not m[rr - 1, cc]:
            segs.append(((c, r), (c + 1, r)))
        if not m[rr + 1, cc]:
            segs.append(((c, r + 1), (c + 1, r + 1)))
        if not m[rr, cc - 1]:
            segs.append(((c, r), (c, r + 1)))
        if not m[rr, cc + 1]:
            segs.append(((c + 1, r), (c + 1, r + 1)))
    for (xa, ya), (xb, yb) in segs:
        ax.plot(
            [x0 + xa, x0 + xb],
            [y0 + ya, y0 + yb],
            color=colour,
            lw=3.5,
            solid_capstyle="projecting",
            zorder=6,
        )


def _ratios(shapes, op_width):
    """Width ratios of the grid and operator columns."""
    ratios = []
    for i, (_, cols) in enumerate(shapes):
        ratios.append(cols + 0.3)
        if i < len(shapes) - 1:
            ratios.append(op_width)
    return ratios


def row_size(
    shapes: Sequence[tuple[int, int]],
    *,
    cell: float = 0.55,
    op_width: float = 0.9,
    extra_height: float = 1.4,
    suptitle: str | None = None,
) -> tuple[float, float]:
    """(width, height) in inches that :func:`figure_row` gives a row of grids of these shapes.

    Examples
    --------
    >>> [round(v, 2) for v in row_size([(2, 2)], cell=1.0)]
    [2.6, 3.5]
    """
    shapes = [(int(s[0]), int(s[1])) for s in shapes]
    rows = max(r for r, _ in shapes)
    width = sum(_ratios(shapes, op_width)) * cell + 0.3
    height = (rows + extra_height) * cell + (0.4 if suptitle else 0.1)
    return width, height


def figure_row(
    shapes: Sequence[tuple[int, int]],
    operators: Sequence[str] = (),
    *,
    cell: float = 0.55,
    op_width: float = 0.9,
    extra_height: float = 1.4,
    suptitle: str | None = None,
    fig: Figure | SubFigure | None = None,
) -> tuple[Figure | SubFigure, list[Axes]]:
    """A figure with one Axes per grid, side by side, and operator glyphs between them.

    Parameters
    ----------
    shapes : sequence of (rows, cols)
        Drawn size of each grid (include any padding ring), so all cells come out the same size.
    operators : sequence of str
        ``len(shapes) - 1`` glyphs placed between neighbouring grids, e.g. ``["⋆", "="]``;
        ``""`` leaves a gap, ``"→"`` draws an arrow.
    cell : float
        Size of one cell in inches.
    op_width : float
        Width, in cells, of the gap holding each operator.
    extra_height : float
        Room in cells for the titles and captions above and below the grids.
    suptitle : str, optional
        Title of the whole figure.
    fig : Figure or SubFigure, optional
        Draw into this (e.g. one row of ``fig.subfigures(2, 1)``) instead of a new figure.

    Returns
    -------
    (Figure, list of Axes)
        One Axes per grid, ready for :func:`draw_grid`.

    Examples
    --------
    >>> fig, axes = figure_row([(3, 3), (2, 2), (2, 2)], ["⋆", "="])
    >>> len(axes), len(fig.axes)
    (3, 5)
    """
    shapes = [(int(s[0]), int(s[1])) for s in shapes]
    ops = list(operators) + [""] * (len(shapes) - 1 - len(operators))
    if len(ops) != len(shapes) - 1:
        raise ValueError(
            f"operators must have len(shapes) - 1 = {len(shapes) - 1} entries; got {len(operators)}"
        )
    ratios = _ratios(shapes, op_width)
    width, height = row_size(
        shapes, cell=cell, op_width=op_width, extra_height=extra_height, suptitle=suptitle
    )
    if fig is None:
        fig = new_figure(width, height)
    else:
        height = fig.get_figheight() if isinstance(fig, Figure) else height
    gs = fig.add_gridspec(
        1,
        len(ratios),
        width_ratios=ratios,
        wspace=0,
        left=0.01,
        right=0.99,
        top=(1 - 0.4 / height) if suptitle else 0.99,
        bottom=0.01,
    )
    axes = []
    for k in range(len(ratios)):
        ax = fig.add_subplot(gs[0, k])
        if k % 2 == 0:
            axes.append(ax)
        else:
            ax.set_axis_off()
            ax.set_xlim(0, 1)
            ax.set_ylim(0, 1)
            op = ops[k // 2]
            if op:
                ax.text(0.5, 0.5, op, ha="center", va="center", fontsize=34 if op == "⋆" else 22, color=INK)
    if suptitle:
        fig.suptitle(suptitle, fontsize=13, y=1 - 0.08 / height)
    for ax in fig.axes:
        ax.set_facecolor(FACE)
    return fig, axes


def draw_row(
    panels: Sequence[dict], operators: Sequence[str] = (), *, caption: str | None = None, **row_kwargs
) -> Figure:
    """Draw several grids side by side: each panel is a dict of :func:`draw_grid` keyword arguments.

    ``caption`` is a line of text under the whole row (e.g. the formula the figure illustrates);
    other keyword arguments go to :func:`figure_row`.

    Examples
    --------
    >>> fig = draw_row([{"values": [[1, 2], [3, 4]], "title": "W"},
    ...                 {"values": [[4, 3], [2, 1]], "title": "rot180(W)"}], ["→"])
    >>> [t.get_text() for t in fig.axes[0].texts][-1]
    'W'
    """
    shapes = []
    for p in panels:
        v = p.get("values")
        shape = np.shape(v) if v is not None else np.shape(p["cell_labels"])
        ph, pw = _pad_pair(p.get("pad", 0))
        shapes.append((shape[0] + 2 * ph, shape[1] + 2 * pw))
    if caption:
        row_kwargs["extra_height"] = row_kwargs.get("extra_height", 1.4) + 0.4
    fig, axes = figure_row(shapes, operators, **row_kwargs)
    rows = max(r for r, _ in shapes)
    if caption:
        cell = row_kwargs.get("cell", 0.55)
        fig.text(
            0.5,
            0.3 * cell / fig.figure.get_figheight(),
            caption,
            ha="center",
            va="bottom",
            fontsize=12,
            color=ROLES["highlight"][2],
        )
        for ax in fig.axes:
            box = ax.get_position()
            shift = 0.4 * cell / fig.figure.get_figheight()
            ax.set_position((box.x0, box.y0 + shift, box.width, box.height - shift))
    for ax, p, (r, c) in zip(axes, panels, shapes, strict=True):
        p = dict(p)
        values = p.pop("values", None)
        draw_grid(ax, values, **p)
        # Same vertical scale in every panel: grids are centred in a box of the tallest height.
        extra = (rows - r) / 2
        ax.set_ylim(rows - extra + 0.9, -extra - 0.9)
        ax.set_xlim(-0.15, c + 0.15)
    return fig.figure  # the whole figure, also when drawn into a subfigure
