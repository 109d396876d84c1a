"""Shared look of every course figure: an Okabe-Ito palette, hatches, and an opaque light card.

Colour never carries meaning alone: each role below pairs a colour with a hatch, and cells show
their numbers. Figures are drawn on an opaque near-white figure patch, so they read the same on
JupyterLab's light and dark themes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import matplotlib as mpl
from matplotlib import patheffects
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

#: The Okabe-Ito colour-blind-safe palette.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: Figure background: an opaque light card (works on light and dark notebook themes).
FACE = "#FFFFFF"
INK = "#1A1A1A"  # text and cell borders
MUTED = "#6B6B6B"  # zeros that are not data (padding, dilation)
CELL = "#FFFFFF"

#: Role -> (face colour, hatch, edge/hatch colour). Hatches differ so the roles survive greyscale.
ROLES = {
    "highlight": ("#F9D9A6", "//", OKABE_ITO["vermillion"]),
    "padding": ("#E4E4E4", "..", "#8A8A8A"),
    "zero": ("#CFE8F7", "xx", OKABE_ITO["blue"]),
    "hatch": ("#F7F2B8", "\\\\", "#8C7A00"),
}

#: Colours for series in plots and for secondary highlights (e.g. a second window).
SERIES = [OKABE_ITO[k] for k in ("blue", "vermillion", "bluish_green", "reddish_purple", "orange")]

#: rcParams that make saved PNGs reproducible and legible.
RC: dict[RcKeyType, Any] = {
    "figure.facecolor": FACE,
    "savefig.facecolor": FACE,
    "axes.facecolor": FACE,
    "text.color": INK,
    "font.size": 11,
    "hatch.linewidth": 0.8,
    "svg.hashsalt": "lessonkit",
    "figure.dpi": 100,
    "savefig.dpi": 100,
}

HALO = [patheffects.withStroke(linewidth=3, foreground=FACE)]


def new_figure(width: float, height: float) -> Figure:
    """Return a pyplot-free Figure with the course's opaque light background.

    Examples
    --------
    >>> fig = new_figure(2, 1)
    >>> fig.get_facecolor()
    (1.0, 1.0, 1.0, 1.0)
    """
    with mpl.rc_context(RC):
        fig = Figure(figsize=(width, height), facecolor=FACE, dpi=100)
    fig.patch.set_alpha(1.0)
    return fig


def apply_style() -> None:
    """Set the course's rcParams globally (optional: the course's figures do not need it).

    Examples
    --------
    >>> import matplotlib as mpl
    >>> with mpl.rc_context():
    ...     apply_style()
    ...     mpl.rcParams["savefig.facecolor"]
    '#FFFFFF'
    """
    mpl.rcParams.update(RC)


def png_bytes(fig: Figure) -> bytes:
    """Render ``fig`` to PNG bytes with fixed metadata, so equal figures give equal bytes.

    Examples
    --------
    >>> png_bytes(new_figure(1, 1))[:4]
    b'\\x89PNG'
    """
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", facecolor=FACE, metadata={"Software": None}, dpi=100)
    return buf.getvalue()


def show(fig):
    """Display a Figure (or a course widget's current image) as PNG, the same bytes on every run.

    ``fig`` is a matplotlib Figure, rendered by :func:`png_bytes`, or a widget from
    :mod:`lessonkit.figures.widgets`, whose current PNG is shown as a static copy. Returns an
    ``IPython.display.Image``; put it last in a cell (or pass it to ``display``).

    Examples
    --------
    >>> show(new_figure(1, 1)).data[:4]
    b'\\x89PNG'
    """
    from IPython.display import Image

    data = bytes(fig.image.value) if hasattr(fig, "image") else png_bytes(fig)
    return Image(data=data, format="png")
