"""Shared look of every course figure: an Okabe-Ito palette, hatches, and an opaque light card.

Colour never carries meaning alone: each kind of cell below pairs a face colour with a hatch and a
border style, and cells show their numbers. Figures are drawn on an opaque near-white figure patch,
so they read the same on JupyterLab's light and dark themes.

One visual language for every figure:

* :data:`KINDS` -- the six kinds of special cell (padding ring, stride zeros, fill zeros, cropped
  ring, inputs never read, skipped outputs), each with its own face, hatch, border and short name;
  :func:`lessonkit.figures.grid.legend_figure` draws them once as a legend.
* :data:`STAR` -- the one operator symbol, ★ = cross-correlation, always written
  ``input ★ kernel`` (:func:`cross`).
* :func:`pair_style` -- the colour and marker shared by the two factors of one product (a δ and the
  weight it meets).
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
from matplotlib import colors as mcolors
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


@dataclass(frozen=True)
class Kind:
    """How one kind of special cell looks, and what it means.

    Attributes
    ----------
    name : str
        Short name, shown in legends and keys.
    meaning : str
        One line saying what the cells are.
    face : str
        Face colour of the cell.
    hatch : str
        Matplotlib hatch drawn over the face ("" for none).
    colour : str
        Colour of the hatch and of the cell border.
    linestyle : str or tuple
        Border style of the cell (solid, dashed, ...), a cue that survives greyscale.
    text : str
        Colour of the number in the cell.
    """

    name: str
    meaning: str
    face: str
    hatch: str
    colour: str
    linestyle: str | tuple[float, tuple[float, ...]]
    text: str


#: The six kinds of special cell, in the order legends list them. Every (face, hatch) pair differs,
#: and so does every border style except the two solid ones (padding, stride zeros), which differ
#: in hatch and border colour. Keys are what ``draw_grid(kinds={...})`` takes.
KINDS: dict[str, Kind] = {
    "padding": Kind(
        "padding",
        "zeros added around the border: pad(a, P), or pad(δ, F−1)",
        "#E4E4E4",
        "..",
        "#8A8A8A",
        "solid",
        MUTED,
    ),
    "dilation": Kind(
        "stride zeros",
        "S−1 zeros inserted between δ entries (dilation)",
        "#CFE8F7",
        "xx",
        OKABE_ITO["blue"],
        "solid",
        MUTED,
    ),
    "fill": Kind(
        "fill zeros",
        "zero rows/columns extending dilated δ to the stride-1 size",
        "#D2EFE4",
        "--",
        "#00785A",
        (0, (4, 2)),
        MUTED,
    ),
    "cropped": Kind(
        "cropped",
        "P-wide ring cut off ∂E/∂ pad(a): padding is not input",
        "#F3DCEA",
        "\\\\",
        "#A8507F",
        (0, (6, 2, 1, 2)),
        MUTED,
    ),
    "unread": Kind(
        "never read",
        "inputs no window reads (the stride skips them): gradient 0",
        "#F7F2B8",
        "||",
        "#8C7A00",
        (0, (2, 1.5)),
        INK,
    ),
    "skipped": Kind(
        "skipped",
        "stride-1 outputs that stride S skips (faded)",
        "#F2F2F2",
        "",
        "#A0A0A0",
        (0, (1, 2)),
        "#9A9A9A",
    ),
}

#: Role -> (face colour, hatch, edge/hatch colour). "highlight" is the window (thick vermillion
#: outline plus ``//``); the other entries are older names of three :data:`KINDS`.
ROLES = {
    "highlight": ("#F9D9A6", "//", OKABE_ITO["vermillion"]),
    "padding": (KINDS["padding"].face, KINDS["padding"].hatch, KINDS["padding"].colour),
    "zero": (KINDS["dilation"].face, KINDS["dilation"].hatch, KINDS["dilation"].colour),
    "hatch": (KINDS["unread"].face, KINDS["unread"].hatch, KINDS["unread"].colour),
}

#: The one operator symbol of the course: ★ is cross-correlation, written ``input ★ kernel``.
STAR = "★"
#: What :data:`STAR` means, as legends print it.
STAR_MEANING = f"cross-correlation: input {STAR} kernel"

#: Markers of :func:`pair_style`: shapes that tell pairs apart without colour.
PAIR_MARKERS = ("●", "■", "▲", "◆", "▼", "⬟")
_PAIR_COLOURS = tuple(
    OKABE_ITO[k] for k in ("orange", "blue", "bluish_green", "reddish_purple", "vermillion")
)


def cross(inp: str, kernel: str) -> str:
    """``"inp ★ kernel"``: the course's one way of writing a cross-correlation (input first).

    Examples
    --------
    >>> cross("pad(δ, F−1)", "rot180(W)")
    'pad(δ, F−1) ★ rot180(W)'
    """
    return f"{inp} {STAR} {kernel}"


def dims(shape: tuple[int, ...]) -> str:
    """A shape as figures print it, e.g. ``"3×4"``.

    Examples
    --------
    >>> dims((3, 4))
    '3×4'
    """
    return "×".join(str(int(v)) for v in shape)


def pair_style(k: int) -> tuple[str, str, str]:
    """(face, marker, colour) of pair ``k``: the two factors of one product share all three.

    Faces are light tints of Okabe-Ito colours and the marker shape differs too, so a pair is
    found without colour. Five colours and six markers: styles repeat only after 30 pairs.

    Examples
    --------
    >>> pair_style(0)[1:], pair_style(1)[1:]
    (('●', '#E69F00'), ('■', '#0072B2'))
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 0:
        raise ValueError(f"k must be a non-negative integer; got {k!r}")
    colour = _PAIR_COLOURS[k % len(_PAIR_COLOURS)]
    marker = PAIR_MARKERS[k % len(PAIR_MARKERS)]
    r, g, b = mcolors.to_rgb(colour)
    face = mcolors.to_hex((0.72 + 0.28 * r, 0.72 + 0.28 * g, 0.72 + 0.28 * b))  # a light tint
    return face, marker, colour


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
    >>> fig  # what a notebook shows under a figure it returns
    <Figure size 200x100 with 0 Axes>
    """
    chinese_fonts()
    with mpl.rc_context(RC):
        fig = _LessonFigure(figsize=(width, height), facecolor=FACE, dpi=100)
    fig.patch.set_alpha(1.0)
    return fig


class _LessonFigure(Figure):
    """A Figure that, each time it is drawn (by :func:`png_bytes`, a widget or the notebook's own
    display), first lets its Chinese words beside $maths$ have a font that draws them."""

    def draw(self, renderer: Any) -> None:
        _chinese_beside_maths(self)
        super().draw(renderer)

    def __repr__(self) -> str:  # what a notebook prints under a figure: "<Figure size ...>", as before
        return super().__repr__().replace(type(self).__name__, "Figure", 1)


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


# ---------------------------------------------------------------- words in figures, in the learner's language

#: Fonts that draw Chinese, in the order they are looked for: Debian's fonts-noto-cjk, Adobe's Source
#: Han Sans, WenQuanYi (Linux), Microsoft YaHei / JhengHei (Windows), then fonts that draw either script.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK TC",
    "Noto Serif CJK SC",
    "Noto Serif CJK TC",
    "Source Han Sans SC",
    "Source Han Sans TC",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "Microsoft JhengHei",
    "SimHei",
    "Arial Unicode MS",
)


_CJK_FILE = re.compile(r"cjk|wqy|msyh|msjh|pingfang|sourcehan|simhei|simsun|heiti", re.IGNORECASE)


@functools.cache
def _add_fonts_installed_since_the_cache() -> None:
    """Add the Chinese font files matplotlib's font list does not know, once per process.

    matplotlib writes its font list to disk the first time it runs and reads it back after: a
    Chinese font installed later (``apt-get install fonts-noto-cjk``) stays unknown until the cache
    is deleted, and the figures would silently keep English words.
    """
    from matplotlib import font_manager

    known = {f.fname for f in font_manager.fontManager.ttflist}
    for path in font_manager.findSystemFonts():
        if path not in known and _CJK_FILE.search(os.path.basename(path)):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):  # a file FreeType cannot read
                continue


def cjk_font() -> str | None:
    """The first Chinese font matplotlib can use here, or None; Traditional forms first for zh-Hant."""
    from matplotlib import font_manager

    from ..course.i18n import language

    order = list(CJK_FONTS)
    if language() == "zh-Hant":  # the same list, each Traditional face before its Simplified twin
        order.sort(key=lambda name: not name.endswith(("TC", "JhengHei")))

    def first() -> str | None:
        names = {f.name for f in font_manager.fontManager.ttflist}
        return next((name for name in order if name in names), None)

    found = first()
    if found is None:  # perhaps installed after matplotlib cached its font list
        _add_fonts_installed_since_the_cache()
        found = first()
    return found


def words(text: str) -> str:
    """``text`` (English words in a figure) in the learner's language, where that can be drawn.

    Chinese only when the language is Chinese and a Chinese font is available: the font is then
    put behind DejaVu Sans, matplotlib's default, as its fallback (Latin letters, digits and symbols
    do not change). Without one the words stay English, so a figure never shows empty boxes for glyphs
    its font lacks.

    Examples
    --------
    >>> words("training step")  # English unless lessonkit.set_language chose Chinese
    'training step'
    """
    from ..course.i18n import _

    return _(text) if chinese_fonts() else text


def chinese_fonts() -> bool:
    """When the language is Chinese and a Chinese font exists: make it DejaVu Sans's fallback, say True.

    :func:`new_figure` calls this before any axes exist, since an axis keeps the font it was made with.
    """
    from ..course.i18n import language

    if language() == "en":
        return False
    font = cjk_font()
    if font is None:
        return False
    # matplotlib falls back glyph by glyph only along an explicit list of font names (a generic
    # family such as "sans-serif" resolves to its first font alone)
    wanted = ["DejaVu Sans", font]
    if list(mpl.rcParams["font.family"]) != wanted:
        mpl.rcParams["font.family"] = wanted
    return True


def _chinese_beside_maths(fig: Figure) -> None:
    """Give a Chinese font first place in every text that mixes Chinese words with $maths$.

    matplotlib draws the words around $...$ in one font only (the first of the family, with no
    fallback), so DejaVu Sans first would draw them as empty boxes. Only those texts change: others
    keep DejaVu Sans first, which has the subscript digits (a₁₂) that the Chinese fonts lack.
    """
    from matplotlib.text import Text

    font = cjk_font()
    if font is None:
        return
    for text in fig.findobj(Text):
        s = text.get_text()
        if "$" in s and any("\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in s):
            text.set_fontfamily([font, "DejaVu Sans"])
