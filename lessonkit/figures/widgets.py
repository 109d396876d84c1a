"""Widgets of lessons 00-02: the figure of the current state rendered to PNG, plus a text line.

Each factory returns an ``ipywidgets.VBox`` whose controls are attributes (``box.stride``,
``box.padding``, ...) next to ``box.image`` (an ``ipywidgets.Image`` holding PNG bytes),
``box.label`` (an ``ipywidgets.HTML`` describing the state) and ``box.state`` (a dict of the
numbers shown). Setting a control's ``value`` redraws at once, so tests drive them without a
browser or a kernel; ``box.set_values(stride=2, padding=1)`` sets several and redraws once.
Geometries whose filter does not fit show a message instead of a figure.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as widgets
import numpy as np

from ..maths.ops import dilate
from .forward import (
    forward_figure,
    input_cell_figure,
    input_feeds,
    output_shape,
    sub,
    unread_mask,
)
from .stride import stride_backward_figure
from .style import new_figure, png_bytes

__all__ = [
    "LessonWidget",
    "receptive_field_widget",
    "input_cell_widget",
    "stride_padding_widget",
]


def _slider(description: str, value: int, lo: int, hi: int) -> widgets.IntSlider:
    """An integer slider that only reports when released (one redraw per move)."""
    return widgets.IntSlider(
        value=value,
        min=lo,
        max=hi,
        description=description,
        continuous_update=False,
        style={"description_width": "initial"},
        layout=widgets.Layout(width="230px"),
    )


def _message_png(text: str) -> bytes:
    """A small PNG that says ``text`` (shown when the geometry is invalid)."""
    fig = new_figure(6, 1.2)
    fig.text(0.5, 0.5, text, ha="center", va="center", fontsize=12, wrap=True)
    return png_bytes(fig)


class LessonWidget(widgets.VBox):
    """A lesson's widget: sliders, a line of text and a picture, redrawn on every change.

    Its plain-text form (what a notebook shows where no kernel or widget manager runs: GitHub, a
    static HTML export) says what it is instead of ``VBox(children=...)``.
    """

    title = "widget"

    def __repr__(self) -> str:
        return f"[Interactive widget: {self.title}. It needs a running kernel; a static picture follows.]"


def _assemble(
    controls: dict[str, widgets.IntSlider], render: Callable[[widgets.VBox], None], title: str
) -> widgets.VBox:
    """Lay out the controls, an Image and an HTML line; redraw on every change."""
    image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))

    def natural_width(change) -> None:
        # Show the PNG at its own pixel width: JupyterLab otherwise stretches it to the output's
        # width and the figure turns soft. max_width still shrinks it on narrow screens.
        image.width = str(int.from_bytes(bytes(change["new"])[16:20], "big"))

    image.observe(natural_width, names="value")
    label = widgets.HTML()
    rows = list(controls.values())
    box = LessonWidget([widgets.HBox(rows[:3]), widgets.HBox(rows[3:]), label, image])
    box.title = title
    box.image, box.label, box.state, box.controls = image, label, {}, controls
    for name, control in controls.items():
        setattr(box, name, control)
    paused: list[bool] = []

    def update(_change=None) -> None:
        if not paused:
            render(box)

    def set_values(**values: int) -> widgets.VBox:
        """Set several controls, e.g. ``box.set_values(stride=2, padding=1)``, and redraw once."""
        unknown = sorted(set(values) - set(controls))
        if unknown:
            raise ValueError(f"set_values got unknown control(s) {unknown}; controls are {sorted(controls)}")
        paused.append(True)
        try:
            for name, value in values.items():
                controls[name].value = value
        finally:
            paused.pop()
        render(box)
        return box

    box.set_values = set_values
    for control in controls.values():
        control.observe(update, names="value")
    update()
    return box


def _invalid(box: widgets.VBox, f: int, h: int, p: int) -> None:
    """Show why no output exists: the filter is larger than the padded input."""
    text = (
        f"The filter (F = {f}) is larger than the padded input (H + 2P = {h} + 2·{p} = {h + 2 * p}): "
        "there is no output. Increase P or H, or use a smaller F."
    )
    box.state = {"valid": False, "message": text}
    box.label.value = f"<b>No output.</b> {html.escape(text)}"
    box.image.value = _message_png(text)


def _sample_input(h: int) -> np.ndarray:
    """A small deterministic input with single-digit entries."""
    return np.random.default_rng(h).integers(0, 10, size=(h, h)).astype(float)


def _sample_filter(f: int) -> np.ndarray:
    """A small deterministic filter with entries in {-1, 0, 1, 2}."""
    return (np.arange(f * f).reshape(f, f) % 4 - 1).astype(float)


def receptive_field_widget(h: int = 5, f: int = 3, stride: int = 1, padding: int = 0) -> widgets.VBox:
    """Step the filter over the input (lesson 00): the window of each output cell, and H_out.

    Controls: ``height`` (a square H×H input), ``filter_size`` (F), ``stride`` (S), ``padding`` (P)
    and ``step`` (which output cell, counted 1, 2, ... in reading order, like the lecture's indices).
    ``box.state`` holds H_out and the current (i, j), 1-based.

    Examples
    --------
    >>> box = receptive_field_widget()
    >>> box.state["h_out"], box.state["cell"]
    (3, (1, 1))
    >>> box.stride.value = 2
    >>> box.state["h_out"]
    2
    """
    controls = {
        "height": _slider("input H×H", h, 2, 7),
        "filter_size": _slider("F", f, 1, 5),
        "stride": _slider("stride S", stride, 1, 3),
        "padding": _slider("padding P", padding, 0, 2),
        "step": _slider("output cell #", 1, 1, 9),
    }

    def render(box):
        hh, ff = box.height.value, box.filter_size.value
        s, p = box.stride.value, box.padding.value
        shape = output_shape(hh, hh, ff, ff, s, p)
        if shape is None:
            _invalid(box, ff, hh, p)
            return
        n_cells = shape[0] * shape[1]
        before = box.step.value
        box.step.max = n_cells
        if box.step.value != before:  # the slider clamped its value, and that change redrew
            return
        k = box.step.value - 1  # the slider counts from 1, like the lecture
        m, n = divmod(k, shape[1])
        x, w = _sample_input(hh), _sample_filter(ff)
        fig = forward_figure(x, w, stride=s, padding=p, out=(m, n))
        box.image.value = png_bytes(fig)
        box.state = {"valid": True, "h_out": shape[0], "w_out": shape[1], "cell": (m + 1, n + 1)}
        box.label.value = (
            f"H_out = (H − F + 2P)//S + 1 = ({hh} − {ff} + 2·{p})//{s} + 1 = <b>{shape[0]}</b>, "
            f"so the feature map is {shape[0]}×{shape[1]}. Output net{sub(m + 1, n + 1)} reads the "
            f"{ff}×{ff} window at rows {m * s + 1}..{m * s + ff}, columns {n * s + 1}..{n * s + ff} "
            "of the padded input; "
            "every output uses the same W (weight sharing) and only its window (local connectivity)."
        )

    return _assemble(controls, render, "the receptive field of each output")


def input_cell_widget(h: int = 3, f: int = 2, stride: int = 1, padding: int = 0) -> widgets.VBox:
    """Pick an input cell a_{i,j} (lesson 01): which outputs it feeds, through which weights.

    Controls: ``row`` and ``col`` (1-based, like the lecture), ``filter_size``, ``stride``,
    ``padding``. ``box.state["terms"]`` lists (m, n, u, v), 1-based: a_{i,j} enters net_{m,n}
    through w_{u,v}, so ∂E/∂a_{i,j} = sum of δ_{m,n} w_{u,v}.

    Examples
    --------
    >>> box = input_cell_widget()
    >>> box.col.value = 2
    >>> box.state["terms"]
    [(1, 1, 1, 2), (1, 2, 1, 1)]
    """
    controls = {
        "row": _slider("row i", 1, 1, h),
        "col": _slider("column j", 1, 1, h),
        "filter_size": _slider("F", f, 1, 4),
        "stride": _slider("stride S", stride, 1, 3),
        "padding": _slider("padding P", padding, 0, 2),
    }

    def render(box):
        i, j, ff = box.row.value, box.col.value, box.filter_size.value
        s, p = box.stride.value, box.padding.value
        if output_shape(h, h, ff, ff, s, p) is None:
            _invalid(box, ff, h, p)
            return
        feeds = input_feeds(i - 1, j - 1, h, h, ff, ff, s, p)
        terms = [(m + 1, n + 1, u + 1, v + 1) for m, n, u, v in feeds]
        box.state = {"valid": True, "cell": (i, j), "terms": terms}
        box.image.value = png_bytes(input_cell_figure((i - 1, j - 1), h, h, ff, s, p))
        name = f"a{sub(i, j)}"
        if terms:
            via = ", ".join(f"net{sub(m, n)} through w{sub(u, v)}" for m, n, u, v in terms)
            formula = " + ".join(f"δ{sub(m, n)}w{sub(u, v)}" for m, n, u, v in terms)
            box.label.value = f"{name} feeds {via}; so ∂E/∂{name} = {formula}."
        else:
            box.label.value = f"No window reads {name} (the stride skips it), so ∂E/∂{name} = 0."

    return _assemble(controls, render, "which outputs an input cell feeds")


def stride_padding_widget(h: int = 5, f: int = 3, stride: int = 2, padding: int = 0) -> widgets.VBox:
    """δ^l at stride S dilated back to stride 1 and padded, then ★ rot180(W) (lesson 02).

    Controls: ``height`` (a square H×H input), ``stride``, ``padding``. ``box.state`` holds the sizes of δ, of
    the dilated map and of ∂E/∂a, and how many input rows no window reads.

    Examples
    --------
    >>> box = stride_padding_widget()
    >>> box.state["delta_shape"], box.state["dilated_shape"]
    ((2, 2), (3, 3))
    >>> box.stride.value = 1
    >>> box.state["delta_shape"]
    (3, 3)
    """
    controls = {
        "height": _slider("input H×H", h, 2, 7),
        "stride": _slider("stride S", stride, 1, 3),
        "padding": _slider("padding P", padding, 0, 3),
    }
    w = _sample_filter(f) + 1.0  # entries 0..3 keep the products readable

    def render(box):
        hh, s, p = box.height.value, box.stride.value, box.padding.value
        shape = output_shape(hh, hh, f, f, s, p)
        if shape is None:
            _invalid(box, f, hh, p)
            return
        delta = np.arange(1.0, shape[0] * shape[1] + 1).reshape(shape)
        h1 = hh + 2 * p - f + 1
        unread = unread_mask(hh, hh, f, f, s, p)
        unread_rows = int(unread.all(axis=1).sum())
        box.image.value = png_bytes(stride_backward_figure(delta, w, hh, hh, s, p))
        box.state = {
            "valid": True,
            "delta_shape": shape,
            "dilated_shape": dilate(delta, s).shape,
            "stride_one_shape": (h1, h1),
            "unread_rows": unread_rows,
        }
        extra = (
            f" {unread_rows} input row(s) and column(s) at the bottom/right are never read, "
            "so their gradient is 0."
            if unread_rows
            else ""
        )
        box.label.value = (
            f"δ is {shape[0]}×{shape[1]} at S = {s}; inserting S − 1 = {s - 1} zero(s) between entries "
            f"and filling up to the stride-1 size gives {h1}×{h1}; padding it by F − 1 = {f - 1} and "
            f"cross-correlating with rot180(W) gives ∂E/∂ pad(a) ({hh + 2 * p}×{hh + 2 * p}); "
            f"cropping P = {p} leaves "
            f"∂E/∂a ({hh}×{hh}).{extra}"
        )

    return _assemble(controls, render, "stride and padding, backwards")
