"""Figures and widgets of the course (matplotlib and ipywidgets live only here).

``import lessonkit`` does not import this package; notebooks import it explicitly, e.g.
``from lessonkit.figures import forward, widgets``. One module per topic: :mod:`.forward`,
:mod:`.stride`, :mod:`.depth`, :mod:`.weights`, :mod:`.vectorizing`, :mod:`.training`, the
:mod:`.widgets` of lessons 00-04 and :mod:`.equations`; :mod:`.style` and :mod:`.grid` are what they
all draw with. Every figure speaks one visual language: the six kinds of special cell of
:data:`.style.KINDS` and the operator :data:`.style.STAR` (★, input ★ kernel), drawn once by
:func:`legend_figure`.
"""

from .grid import draw_grid, draw_key, draw_row, draw_rows, figure_row, legend_figure, window_mask
from .style import KINDS, OKABE_ITO, STAR, apply_style, new_figure, png_bytes, show

__all__ = [
    "KINDS",
    "OKABE_ITO",
    "STAR",
    "apply_style",
    "new_figure",
    "png_bytes",
    "show",
    "draw_grid",
    "draw_key",
    "draw_row",
    "draw_rows",
    "figure_row",
    "legend_figure",
    "window_mask",
]
