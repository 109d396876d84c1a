"""The grid primitive: draw a 2-D array as cells with their numbers, windows, padding and zeros.

Coordinates: cell ``(r, c)`` of the drawn grid covers x in [c, c+1] and y in [r, r+1] (y grows
downwards), shifted by ``origin``. With ``pad=p`` the drawn grid is the padded one, of shape
(H + 2p, W + 2p): ``highlight`` and ``pairs`` are given in that padded frame (windows slide over
the padded input), while the ``kinds`` masks and ``cell_labels`` are shaped like ``values``.

Special cells are drawn in the course's one visual language, :data:`lessonkit.figures.style.KINDS`
(padding ring, stride zeros, fill zeros, cropped ring, inputs never read, skipped outputs):
``draw_grid(..., kinds={"fill": mask, ...})`` says which kind each mask is, ``draw_row(...,
key=True)`` adds a key of the kinds a figure uses, and :func:`legend_figure` draws them all once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure, SubFigure
from matplotlib.patches import Rectangle
from numpy.typing import ArrayLike

from .style import CELL, FACE, HALO, INK, KINDS, ROLES, STAR, STAR_MEANING, new_figure, pair_style, words

#: A set of cells: a (rows, cols) pair of slices or a boolean array.
Mask = ArrayLike | tuple[slice, slice]

__all__ = [
    "draw_grid",
    "figure_row",
    "draw_row",
    "draw_rows",
    "row_size",
    "window_mask",
    "draw_key",
    "legend_figure",
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


def _kind_masks(
    kinds: Mapping[str, Mask] | None,
    zero_mask: Mask | None,
    hatch_mask: Mask | None,
    shape: tuple[int, int],
) -> np.ndarray:
    """(H, W) array holding each cell's kind name (None for ordinary cells), first of KINDS winning."""
    if kinds is not None and not isinstance(kinds, Mapping):
        raise ValueError(f"kinds must be a dict of kind name -> mask; got {kinds!r}")
    masks: dict[str, np.ndarray] = {}
    for name, spec in (kinds or {}).items():
        if name not in KINDS:
            raise ValueError(f"kinds keys must be among {list(KINDS)}; got {name!r}")
        mask = _to_mask(spec, shape, f"kinds[{name!r}]")
        if mask is not None:
            masks[name] = mask
    # The older keywords: zero_mask is the stride zeros, hatch_mask the inputs never read.
    older: list[tuple[str, Mask | None, str]] = [
        ("dilation", zero_mask, "zero_mask"),
        ("unread", hatch_mask, "hatch_mask"),
    ]
    for name, old_spec, label in older:
        mask = _to_mask(old_spec, shape, label)
        if mask is not None:
            masks[name] = masks[name] | mask if name in masks else mask
    out = np.full(shape, None, dtype=object)
    for name in reversed(KINDS):  # the first kind in KINDS wins where masks overlap
        if name in masks:
            out[masks[name]] = name
    return out


def draw_grid(
    ax: Axes,
    values: ArrayLike | None,
    *,
    title: str | None = None,
    fmt: str = "{:g}",
    highlight: Mask | None = None,
    highlight_label: str | None = None,
    pad: int | tuple[int, int] = 0,
    zero_mask: Mask | None = None,
    hatch_mask: Mask | None = None,
    cell_labels: ArrayLike | None = None,
    origin: tuple[float, float] = (0, 0),
    fontsize: float = 12,
    kinds: Mapping[str, Mask] | None = None,
    pairs: ArrayLike | None = None,
    label_size: float | None = None,
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
        A window in the drawn (padded) frame: thick vermillion outline plus ``//`` hatch (cells of
        a kind or a pair keep their look inside the outline).
    highlight_label : str, optional
        Caption written under the grid, naming the highlighted window.
    pad : int or (int, int)
        Width of a ring of padding zeros drawn around ``values`` (kind ``"padding"``, "0");
        a pair (rows, columns) pads top/bottom and left/right differently.
    zero_mask : bool array of shape (H, W), optional
        Same as ``kinds={"dilation": zero_mask}`` (stride zeros), kept for older callers.
    hatch_mask : bool array of shape (H, W), optional
        Same as ``kinds={"unread": hatch_mask}`` (inputs never read), kept for older callers.
    cell_labels : array_like of str, shape (H, W), optional
        Text shown instead of the numbers, e.g. ``"a₁₁"``; ``values`` may then be None.
    origin : (float, float)
        Data coordinates of the grid's top-left corner (several grids on one Axes).
    fontsize : float
        Size of the cell text.
    kinds : dict of str -> (slice, slice) or bool array of shape (H, W), optional
        Which cells are which kind of special cell, keyed by the names of
        :data:`lessonkit.figures.style.KINDS`: ``"padding"`` (zeros already in ``values``, e.g. a
        padded input), ``"dilation"`` (stride zeros), ``"fill"`` (zeros extending a dilated δ),
        ``"cropped"``, ``"unread"``, ``"skipped"``. Each kind has its own face, hatch and border.
        Where masks overlap, the kind listed first in ``KINDS`` wins.
    pairs : int array of shape (H + 2*pad, W + 2*pad), optional
        Pair number of each cell in the drawn frame (-1 for none): ordinary cells with pair k get
        the tint and corner marker of :func:`lessonkit.figures.style.pair_style` (k), so the two
        factors of one product, drawn in two grids, match.
    label_size : float, optional
        Size of the title (the highlight label is one point smaller); default ``fontsize``, so a
        grid whose long numbers need a small ``fontsize`` can keep titles of the usual size.

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
    >>> ax = new_figure(3, 3).add_subplot()
    >>> _ = draw_grid(ax, [[1, 0, 0]], kinds={"dilation": [[0, 1, 0]], "fill": [[0, 0, 1]]})
    >>> sorted(c.get_gid() for c in ax.collections if c.get_hatch())
    ['hatch:dilation', 'hatch:fill']
    """
    if values is None and cell_labels is None:
        raise ValueError("values must be an array of shape (H, W) when cell_labels is None; got None")
    labels = None if cell_labels is None else np.asarray(cell_labels, dtype=object)
    vals = np.asarray(values, dtype=float) if values is not None else None
    shape = vals.shape if vals is not None else np.asarray(cell_labels, dtype=object).shape
    if len(shape) != 2:
        raise ValueError(f"values must have 2 dimensions (H, W); got shape {shape}")
    if labels is not None and labels.shape != shape:
        raise ValueError(f"cell_labels must have the shape of values {shape}; got shape {labels.shape}")
    ph, pw = _pad_pair(pad)
    h, w = shape
    hp, wp = h + 2 * ph, w + 2 * pw
    kind_of = _kind_masks(kinds, zero_mask, hatch_mask, (h, w))
    win = _to_mask(highlight, (hp, wp), "highlight")
    pair_of = None
    if pairs is not None:
        pair_of = np.asarray(pairs)
        if pair_of.shape != (hp, wp) or not np.issubdtype(pair_of.dtype, np.integer):
            raise ValueError(
                f"pairs must be an integer array of the drawn shape {(hp, wp)}; "
                f"got shape {pair_of.shape}, dtype {pair_of.dtype}"
            )
    x0, y0 = origin

    cells: dict[str | None, list[tuple[int, int]]] = {}
    markers: list[tuple[int, int, int]] = []
    for r in range(hp):
        for c in range(wp):
            ri, ci = r - ph, c - pw
            inside = 0 <= ri < h and 0 <= ci < w
            if not inside:
                role, text, colour = "padding", "0", KINDS["padding"].text
            else:
                role = kind_of[ri, ci]
                colour = INK if role is None else KINDS[role].text
                text = str(labels[ri, ci]) if labels is not None else fmt.format(np.asarray(vals)[ri, ci])
            if role is None and pair_of is not None and pair_of[r, c] >= 0:
                role = f"pair:{int(pair_of[r, c])}"
                markers.append((r, c, int(pair_of[r, c])))
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
    for r, c, k in markers:  # after the cell texts, so those come first in ax.texts
        _, marker, colour = pair_style(k)
        ax.text(
            x0 + c + 0.04,
            y0 + r + 0.02,
            marker,
            ha="left",
            va="top",
            fontsize=0.7 * fontsize,
            color=colour,
            zorder=6,
            gid=f"marker:{k}",
        )
    _draw_cells(ax, cells, x0, y0)
    if win is not None:
        _outline(ax, win, x0, y0)
    words_size = fontsize if label_size is None else label_size
    if title:
        ax.text(x0 + wp / 2, y0 - 0.25, title, ha="center", va="bottom", fontsize=words_size, zorder=5)
    if highlight_label:
        ax.text(
            x0 + wp / 2,
            y0 + hp + 0.25,
            highlight_label,
            ha="center",
            va="top",
            fontsize=words_size - 1,
            color=ROLES["highlight"][2],
            zorder=5,
        )
    if origin == (0, 0):
        ax.set_xlim(-0.15, wp + 0.15)
        ax.set_ylim(hp + (0.9 if highlight_label else 0.15), -(0.9 if title else 0.15))
    ax.set_aspect("equal")
    ax.set_axis_off()
    return ax


def _look(role: str | None) -> tuple[str, str, str, str, object]:
    """(face, hatch, hatch colour, border colour, border style) of a cell role."""
    if role is None:
        return CELL, "", INK, INK, "solid"
    if role == "highlight":
        face, hatch, colour = ROLES["highlight"]
        return face, hatch, colour, INK, "solid"
    if role.startswith("pair:"):
        face, _, colour = pair_style(int(role[5:]))
        return face, "", colour, INK, "solid"
    kind = KINDS[role]
    return kind.face, kind.hatch, kind.colour, kind.colour, kind.linestyle


def _rects(where: Sequence[tuple[int, int]], x0: float, y0: float) -> list[Rectangle]:
    """Unit squares at the cells ``where`` of a grid whose top-left corner is (x0, y0)."""
    return [Rectangle((x0 + c, y0 + r), 1, 1) for r, c in where]


def _draw_cells(ax: Axes, cells: dict, x0: float, y0: float) -> None:
    """Draw the cells of each role as collections: faces, then hatching, then borders on top.

    Each collection has a gid naming its role: ``face:<role>``, ``hatch:<role>``, ``edge:<role>``.
    Borders of kinds (their own colour and line style) go under the plain black borders, so a
    region of one kind keeps a crisp outline.
    """
    plain = []
    for role, where in cells.items():
        face, hatch, hcol, ecol, style = _look(role)
        faces = PatchCollection(_rects(where, x0, y0), facecolor=face, edgecolor="none", zorder=1)
        faces.set_gid(f"face:{role}")
        ax.add_collection(faces)
        if hatch:
            hatched = PatchCollection(
                _rects(where, x0, y0), facecolor="none", edgecolor=hcol, linewidth=0, hatch=hatch, zorder=2
            )
            hatched.set_gid(f"hatch:{role}")
            ax.add_collection(hatched)
        if role in KINDS:
            edges = PatchCollection(
                _rects(where, x0, y0),
                facecolor="none",
                edgecolor=ecol,
                linewidth=1.1,
                linestyle=style,
                zorder=2.9,
            )
            edges.set_gid(f"edge:{role}")
            ax.add_collection(edges)
        else:
            plain += _rects(where, x0, y0)
    borders = PatchCollection(plain, facecolor="none", edgecolor=INK, linewidth=0.8, zorder=3)
    borders.set_gid("edge:plain")
    ax.add_collection(borders)


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


def _inches(fig: Figure | SubFigure) -> tuple[float, float]:
    """(width, height) of a figure or subfigure in inches."""
    if isinstance(fig, Figure):
        return fig.get_figwidth(), fig.get_figheight()
    dpi = fig.figure.dpi
    return fig.bbox.width / dpi, fig.bbox.height / dpi


def figure_row(
    shapes: Sequence[tuple[int, int]],
    operators: Sequence[str] = (),
    *,
    cell: float = 0.55,
    op_width: float = 0.9,
    extra_height: float = 1.4,
    suptitle: str | None = None,
    fig: Figure | SubFigure | None = None,
    bottom: float = 0.0,
    lead: float = 0.0,
    trail: float = 0.0,
) -> tuple[Figure | SubFigure, list[Axes]]:
    """A figure with one Axes per grid, side by side, and operator glyphs between them.

    Parameters
    ----------
    shapes : sequence of (rows, cols)
        Drawn size of each grid (include any padding ring), so all cells come out the same size.
    operators : sequence of str
        ``len(shapes) - 1`` glyphs placed between neighbouring grids, e.g. ``[STAR, "="]`` (★ is
        the course's cross-correlation, input ★ kernel); ``""`` leaves a gap, ``"→"`` an arrow.
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
    bottom : float
        Inches kept free under the grids (for a caption or a key); part of ``extra_height``.
    lead, trail : float
        Empty width, in cells, before the first and after the last grid (to align rows).

    Returns
    -------
    (Figure, list of Axes)
        One Axes per grid, ready for :func:`draw_grid`.

    Examples
    --------
    >>> fig, axes = figure_row([(3, 3), (2, 2), (2, 2)], [STAR, "="])
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
    width += (lead + trail) * cell
    if fig is None:
        fig = new_figure(width, height)
    else:
        height = _inches(fig)[1]
    spare = [max(lead, 0.0)] + ratios + [max(trail, 0.0)]
    gs = fig.add_gridspec(
        1,
        len(spare),
        width_ratios=[max(r, 1e-9) for r in spare],
        wspace=0,
        left=0.01,
        right=0.99,
        top=(1 - 0.4 / height) if suptitle else 0.99,
        bottom=0.01 + bottom / height,
    )
    axes = []
    for k in range(len(ratios)):
        ax = fig.add_subplot(gs[0, k + 1])
        if k % 2 == 0:
            axes.append(ax)
        else:
            ax.set_axis_off()
            ax.set_xlim(0, 1)
            ax.set_ylim(0, 1)
            op = ops[k // 2]
            if op:
                big = op in (STAR, "⋆")
                ax.text(0.5, 0.5, op, ha="center", va="center", fontsize=26 if big else 22, color=INK)
    if suptitle:
        fig.suptitle(suptitle, fontsize=13, y=1 - 0.08 / height)
    for ax in fig.axes:
        ax.set_facecolor(FACE)
    return fig, axes


def _panel_shape(panel: dict) -> tuple[int, int]:
    """Drawn (rows, cols) of a :func:`draw_grid` panel, padding ring included."""
    v = panel.get("values")
    shape = np.shape(v) if v is not None else np.shape(panel["cell_labels"])
    ph, pw = _pad_pair(panel.get("pad", 0))
    return shape[0] + 2 * ph, shape[1] + 2 * pw


def _panel_kinds(panel: dict) -> set[str]:
    """Names of the kinds a :func:`draw_grid` panel draws."""
    found = set()
    if any(_pad_pair(panel.get("pad", 0))):
        found.add("padding")
    for name, spec in (panel.get("kinds") or {}).items():
        if spec is not None and (isinstance(spec, tuple) or np.any(spec)):
            found.add(name)
    for name, key in (("dilation", "zero_mask"), ("unread", "hatch_mask")):
        spec = panel.get(key)
        if spec is not None and np.any(spec):
            found.add(name)
    return found


def _key_names(panels: Sequence[dict], key: bool | Sequence[str]) -> list[str]:
    """The kinds a key lists: those drawn by ``panels`` (key=True) or the given names, in KINDS order."""
    if key is True:
        wanted = set().union(*(_panel_kinds(p) for p in panels)) if panels else set()
    elif key is False or key is None:
        return []
    else:
        wanted = set(key)
        unknown = sorted(wanted - set(KINDS))
        if unknown:
            raise ValueError(f"key must be True, False or names among {list(KINDS)}; got {list(key)!r}")
    return [name for name in KINDS if name in wanted]


KEY_HEIGHT = 0.42  # inches taken by a key under a row
_LINE = 0.22  # inches per caption line


def draw_key(fig: Figure | SubFigure, names: Sequence[str], fontsize: float = 10) -> Axes:
    """A one-line key along the bottom of ``fig``: a sample cell and the short name of each kind.

    The key takes the bottom 0.42 inches of ``fig``; keep them free (e.g. ``figure_row(bottom=)``).

    Parameters
    ----------
    fig : Figure or SubFigure
        Where to draw.
    names : sequence of str
        Keys of :data:`lessonkit.figures.style.KINDS`, in the order to list them.
    fontsize : float
        Size of the names.

    Returns
    -------
    matplotlib.axes.Axes
        The key's Axes (gid ``"key"``).

    Examples
    --------
    >>> ax = draw_key(new_figure(4, 1), ["dilation", "fill"])
    >>> [t.get_text() for t in ax.texts]
    ['stride zeros', 'fill zeros']
    """
    unknown = [n for n in names if n not in KINDS]
    if unknown:
        raise ValueError(f"names must be among {list(KINDS)}; got {list(names)!r}")
    width, height = _inches(fig)
    ax = fig.add_axes((0.0, 0.0, 1.0, KEY_HEIGHT / height))
    ax.set_axis_off()
    ax.set_gid("key")
    size = 0.24  # inches per sample cell
    char = 0.6 * fontsize / 72  # rough width of one character, in inches
    entries = [(name, words(KINDS[name].name)) for name in names]  # in Chinese where a font draws it

    def room(label: str) -> float:  # a Chinese character is about two Latin ones wide
        return char * sum(2 if ord(ch) >= 0x2E80 else 1 for ch in label)

    total = sum(size + 0.08 + room(label) + 0.3 for _, label in entries) - 0.3
    ax.set_xlim(0, width / size)
    ax.set_ylim(KEY_HEIGHT / size, 0)
    x = max(0.1, (width - total) / 2) / size
    y = (KEY_HEIGHT / size - 1) / 2
    for name, label in entries:
        _draw_cells(ax, {name: [(0, 0)]}, x, y)
        ax.text(x + 1 + 0.08 / size, y + 0.5, label, ha="left", va="center", fontsize=fontsize, color=INK)
        x += (size + 0.08 + room(label) + 0.3) / size
    return ax


def _label_room(panels: Sequence[dict], cell: float) -> tuple[float, float]:
    """Extra room, in cells, for titles and highlight labels of more than one line (above, below)."""
    line = _LINE / cell  # one more line of text, in cells

    def most(key: str) -> int:
        return max((str(p.get(key) or "").count("\n") for p in panels), default=0)

    return most("title") * line, most("highlight_label") * line


def draw_row(
    panels: Sequence[dict],
    operators: Sequence[str] = (),
    *,
    caption: str | None = None,
    key: bool | Sequence[str] = False,
    **row_kwargs,
) -> Figure:
    """Draw several grids side by side: each panel is a dict of :func:`draw_grid` keyword arguments.

    ``caption`` is text under the whole row (e.g. the formula the figure illustrates; lines split
    at ``"\\n"``). ``key=True`` adds, under it, a key of the kinds of cell the panels draw (a sample
    cell and the short name of each, see :data:`lessonkit.figures.style.KINDS`); a list of kind
    names lists those instead. Other keyword arguments go to :func:`figure_row`.

    Examples
    --------
    >>> fig = draw_row([{"values": [[1, 2], [3, 4]], "title": "W"},
    ...                 {"values": [[4, 3], [2, 1]], "title": "rot180(W)"}], ["→"])
    >>> [t.get_text() for t in fig.axes[0].texts][-1]
    'W'
    >>> fig = draw_row([{"values": [[1]], "pad": 1}], key=True)
    >>> [t.get_text() for t in fig.axes[-1].texts]
    ['padding']
    """
    shapes = [_panel_shape(p) for p in panels]
    names = _key_names(panels, key)
    cell = row_kwargs.get("cell", 0.55)
    lines = caption.count("\n") + 1 if caption else 0
    bottom = lines * _LINE + (0.1 if caption else 0.0) + (KEY_HEIGHT if names else 0.0)
    above, below = _label_room(panels, cell)
    row_kwargs["extra_height"] = row_kwargs.get("extra_height", 1.4) + bottom / cell + above + below
    fig, axes = figure_row(shapes, operators, bottom=bottom, **row_kwargs)
    rows = max(r for r, _ in shapes)
    if caption:
        _caption(fig, caption, ((KEY_HEIGHT if names else 0.0) + 0.05) / _inches(fig)[1])
    for ax, p, (r, c) in zip(axes, panels, shapes, strict=True):
        p = dict(p)
        values = p.pop("values", None)
        draw_grid(ax, values, **p)
        # Same vertical scale in every panel: grids are centred in a box of the tallest height.
        extra = (rows - r) / 2
        ax.set_ylim(rows - extra + 0.9 + below, -extra - 0.9 - above)
        ax.set_xlim(-0.15, c + 0.15)
    if names:
        draw_key(fig, names)
    return fig.figure  # the whole figure, also when drawn into a subfigure


def draw_rows(
    rows: Sequence[Sequence[dict]],
    operators: Sequence[Sequence[str]] = (),
    *,
    captions: Sequence[str | None] = (),
    caption: str | None = None,
    key: bool | Sequence[str] = False,
    align: str = "center",
    suptitle: str | None = None,
    header: tuple[float, Callable[[SubFigure], object]] | None = None,
    **row_kwargs,
) -> Figure:
    """Several rows of :func:`draw_row` panels stacked in one figure, with equal cell sizes.

    Parameters
    ----------
    rows : sequence of sequences of dict
        Each row's panels (:func:`draw_grid` keyword arguments).
    operators : sequence of sequences of str
        Each row's operators (see :func:`figure_row`); missing rows get none.
    captions : sequence of str or None
        A caption under each row.
    caption : str, optional
        A caption under the whole figure.
    key : bool or sequence of str
        A key of the kinds of cell (``True``: those drawn in any row), once, at the bottom.
    align : {"center", "left"}
        Where rows narrower than the widest sit; "left" keeps panels of equal shape aligned.
    suptitle : str, optional
        Title of the whole figure.
    header : (float, callable), optional
        ``(inches, draw)``: a band that high above the rows (under the suptitle), which
        ``draw(subfigure)`` fills, e.g. with a diagram.
    **row_kwargs
        ``cell``, ``op_width`` and ``extra_height``, as in :func:`figure_row`.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = draw_rows([[{"values": [[1, 2]]}, {"values": [[3]]}], [{"values": [[4]]}]], [["+"]])
    >>> len(fig.axes)
    4
    """
    if align not in ("center", "left"):
        raise ValueError(f"align must be 'center' or 'left'; got {align!r}")
    if not rows:
        raise ValueError(f"rows must hold at least one row of panels; got {rows!r}")
    cell = row_kwargs.get("cell", 0.55)
    op_width = row_kwargs.get("op_width", 0.9)
    extra = row_kwargs.get("extra_height", 1.4)
    ops = [list(o) for o in operators] + [[]] * (len(rows) - len(operators))
    caps = list(captions) + [None] * (len(rows) - len(captions))
    sizes = []
    for panels, cap in zip(rows, caps, strict=True):
        w, h = row_size([_panel_shape(p) for p in panels], cell=cell, op_width=op_width, extra_height=extra)
        lines = cap.count("\n") + 1 if cap else 0
        above, below = _label_room(panels, cell)
        sizes.append((w, h + lines * _LINE + (0.1 if cap else 0.0) + (above + below) * cell))
    names = _key_names([p for panels in rows for p in panels], key)
    lines = caption.count("\n") + 1 if caption else 0
    bottom = lines * _LINE + (0.1 if caption else 0.0) + (KEY_HEIGHT if names else 0.0)
    top = 0.45 if suptitle else 0.0
    width = max(w for w, _ in sizes)
    # wide enough for every caption too (a row of small grids can be narrower than its caption)
    texts = [line for text in [*caps, caption] if text for line in text.split("\n")]
    width = max([width] + [_text_width(line, 12) + 0.3 for line in texts])
    band = [float(header[0])] if header else []
    heights = [top] * bool(top) + band + [h for _, h in sizes] + [bottom] * bool(bottom)
    fig = new_figure(width, sum(heights))
    made = fig.subfigures(len(heights), 1, height_ratios=heights, facecolor=FACE)
    subs: list[SubFigure] = [made] if isinstance(made, SubFigure) else list(made.ravel())
    if suptitle:
        subs.pop(0).text(0.5, 0.5, suptitle, ha="center", va="center", fontsize=13, color=INK)
    if header:
        header[1](subs.pop(0))
    for panels, row_ops, cap, (w, _), sf in zip(rows, ops, caps, sizes, subs, strict=False):
        spare = (width - w) / cell
        lead, trail = (0.0, spare) if align == "left" else (spare / 2, spare / 2)
        draw_row(panels, row_ops, caption=cap, fig=sf, lead=lead, trail=trail, **row_kwargs)
    if bottom:
        last = subs[-1]
        if caption:
            _caption(last, caption, ((KEY_HEIGHT if names else 0.0) + 0.05) / bottom)
        if names:
            draw_key(last, names)
    return fig


def _text_width(text: str, fontsize: float) -> float:
    """Rough width in inches of one line of text (mathtext markup dropped; a Chinese character is two)."""
    plain = text.translate(str.maketrans("", "", "${}_^\\"))
    return 0.55 * fontsize / 72 * sum(2 if ord(ch) >= 0x2E80 else 1 for ch in plain)


def _caption(fig: Figure | SubFigure, text: str, y: float) -> None:
    """The line of text under a row of grids (e.g. the formula it illustrates), at height ``y``."""
    fig.text(0.5, y, text, ha="center", va="bottom", fontsize=12, color=ROLES["highlight"][2])


_SAMPLE_TEXT = {"padding": "0", "dilation": "0", "fill": "0", "cropped": "∂", "unread": "a", "skipped": "net"}


def legend_figure() -> Figure:
    """The course's visual language, once: the six kinds of cell and the operator ★.

    Each row shows a sample cell drawn exactly as the figures draw that kind (face colour, hatch,
    border style), its short name and a one-line meaning; the last row is ★, cross-correlation,
    always written input ★ kernel.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = legend_figure()
    >>> sorted(c.get_gid()[5:] for c in fig.axes[0].collections if c.get_gid().startswith("face:"))
    ['cropped', 'dilation', 'fill', 'padding', 'skipped', 'unread']
    >>> fig.axes[0].texts[-1].get_text()
    'cross-correlation: input ★ kernel'
    """
    size = 0.42  # inches per sample cell
    rows = len(KINDS) + 1
    fig = new_figure(7.6, rows * 1.35 * size + 0.5)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_axis_off()
    ax.set_xlim(0, 7.6 / size)
    ax.set_ylim(fig.get_figheight() / size, 0)
    ax.text(
        0.4, 0.35, words("One visual language for every figure"), ha="left", va="top", fontsize=13, color=INK
    )
    name_x, meaning_x = 1.75, 4.75
    for k, (key, kind) in enumerate(KINDS.items()):
        y = 1.25 + 1.35 * k
        _draw_cells(ax, {key: [(0, 0)]}, 0.4, y)
        ax.text(
            0.9,
            y + 0.5,
            _SAMPLE_TEXT[key],
            ha="center",
            va="center",
            fontsize=11,
            color=kind.text,
            path_effects=HALO,
            zorder=5,
        )
        ax.text(
            name_x, y + 0.5, words(kind.name), ha="left", va="center", fontsize=11, color=INK, weight="bold"
        )
        ax.text(meaning_x, y + 0.5, words(kind.meaning), ha="left", va="center", fontsize=10, color=INK)
    y = 1.25 + 1.35 * len(KINDS)
    ax.text(0.9, y + 0.5, STAR, ha="center", va="center", fontsize=22, color=INK)
    ax.text(name_x, y + 0.5, words("operator"), ha="left", va="center", fontsize=11, color=INK, weight="bold")
    ax.text(meaning_x, y + 0.5, words(STAR_MEANING), ha="left", va="center", fontsize=10, color=INK)
    return fig
