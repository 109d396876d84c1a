"""Figures and widgets of the course (matplotlib and ipywidgets live only here).

``import lessonkit`` does not import this package; notebooks import it explicitly, e.g.
``from lessonkit.figures import forward, widgets``. One module per topic: :mod:`.forward`,
:mod:`.stride`, :mod:`.depth`, :mod:`.weights`, :mod:`.vectorizing`, :mod:`.training`, the
:mod:`.widgets` of lessons 00-02 and :mod:`.equations`; :mod:`.style` and :mod:`.grid` are what they
all draw with.
"""

from .grid import draw_grid, draw_row, figure_row, window_mask
from .style import OKABE_ITO, apply_style, new_figure, png_bytes, show

__all__ = [
    "OKABE_ITO",
    "apply_style",
    "new_figure",
    "png_bytes",
    "show",
    "draw_grid",
    "draw_row",
    "figure_row",
    "window_mask",
]
