"""Figures and widgets of the course (matplotlib and ipywidgets live only here).

``import lessonkit`` does not import this package; notebooks import it explicitly, e.g.
``from lessonkit.visual import figures, widgets``.
"""

from ._style import OKABE_ITO, apply_style, new_figure, png_bytes, show
from .grid import draw_grid, draw_row, figure_row, window_mask

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
