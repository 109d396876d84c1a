"""Widgets of lessons 00-04: the figure of the current state rendered to PNG, plus a text line.

Each factory returns an ``ipywidgets.VBox`` whose controls are attributes (``box.stride``,
``box.padding``, ...) next to ``box.image`` (an ``ipywidgets.Image`` holding PNG bytes),
``box.label`` (an ``ipywidgets.HTML`` describing the state) and ``box.state`` (a dict of the
numbers shown). Setting a control's ``value`` redraws at once, so tests drive them without a
browser or a kernel; ``box.set_values(stride=2, padding=1)`` sets several and redraws once.
Geometries whose filter does not fit show a message instead of a figure.

Every word a widget shows (its controls, its line of text, its message, its title) is a catalog
message (:func:`lessonkit.course.i18n.tr`), so it speaks the learner's language; the words inside
its picture are the figure's (:func:`lessonkit.figures.style.words`).
"""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Callable

import ipywidgets as widgets
import numpy as np

from ..course.i18n import _, english, tr
from ..maths.ops import correlate2d, dilate, pad, rot180
from .depth import depth_sum_figure
from .forward import (
    _num,
    forward_figure,
    input_cell_figure,
    input_feeds,
    output_shape,
    sub,
    unread_mask,
)
from .stride import stride_backward_figure
from .style import chinese_fonts, new_figure, png_bytes
from .weights import stride_weight_gradient_figure

__all__ = [
    "LessonWidget",
    "receptive_field_widget",
    "input_cell_widget",
    "stride_padding_widget",
    "weight_gradient_widget",
    "depth_filters_widget",
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


_WIDE = re.compile(r"[\u2e80-\u9fff\uff00-\uffef]")
_NO_LINE_START = set("，。：；、）！？」』")  # Chinese punctuation stays at the end of the line before


def _wrap(text: str, width: int = 64) -> list[str]:
    """Lines of at most ``width`` columns; a Chinese character takes two and may end a line anywhere."""
    if not _WIDE.search(text):
        return textwrap.wrap(text, width)
    lines, line = [], ""
    for token in re.findall(r"[\u2e80-\u9fff\uff00-\uffef]|[^\s\u2e80-\u9fff\uff00-\uffef]+|\s+", text):
        if line and _columns(line + token.rstrip()) > width and token not in _NO_LINE_START:
            lines.append(line.rstrip())
            line = "" if token.isspace() else token
        else:
            line += token
    return [*lines, line.rstrip()] if line.strip() else lines


def _columns(text: str) -> int:
    return sum(2 if _WIDE.match(ch) else 1 for ch in text)


def _message_png(text: str) -> bytes:
    """A small PNG that says ``text`` (shown when the geometry is invalid), in lines of even length."""
    count = -(-_columns(text) // 64)
    lines = _wrap(text, -(-_columns(text) // count) + 6)
    fig = new_figure(6, 0.6 + 0.25 * len(lines))
    fig.text(0.5, 0.5, "\n".join(lines), ha="center", va="center", fontsize=12, linespacing=1.3)
    return png_bytes(fig)


class LessonWidget(widgets.VBox):
    """A lesson's widget: sliders, a line of text and a picture, redrawn on every change.

    Its plain-text form (what a notebook shows where no kernel or widget manager runs: GitHub, a
    static HTML export) says what it is instead of ``VBox(children=...)``, in the learner's language.
    """

    title = "widget"

    def __repr__(self) -> str:
        return tr(
            "[Interactive widget: {title}. It needs a running kernel; a static picture follows.]",
            title=self.title,
        )


def _assemble(
    controls: dict[str, widgets.IntSlider],
    render: Callable[[widgets.VBox], None],
    title: str,
    ceilings: dict[str, int] | None = None,
) -> widgets.VBox:
    """Lay out the controls, an Image and an HTML line; redraw on every change.

    ``title`` is already in the learner's language (``_("...")`` at the call). ``ceilings`` names
    the controls whose range ``render`` sets from the others (e.g. a weight's row, at most F), with
    the largest value each can reach: ``set_values`` may then set one together with what widens it,
    in any order (``set_values(row=4, filter_size=4)``), and ``render`` narrows it again.
    """
    ceilings = ceilings or {}
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
                if name in ceilings and controls[name].max < value:
                    controls[name].max = min(value, ceilings[name])
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


def _clamped(control: widgets.IntSlider, top: int) -> bool:
    """Set ``control.max = top``; True when that moved its value (and so already redrew)."""
    before = control.value
    control.max = top
    return control.value != before


def _no_output(f: int, h: int, p: int) -> str:
    return tr(
        "The filter (F = {f}) is larger than the padded input (H + 2P = {h} + 2·{p} = {hp}): "
        "there is no output. Increase P or H, or use a smaller F.",
        f=f,
        h=h,
        p=p,
        hp=h + 2 * p,
    )


def _invalid(box: widgets.VBox, f: int, h: int, p: int) -> None:
    """Show why no output exists: the filter is larger than the padded input."""
    text = _no_output(f, h, p)
    box.state = {"valid": False, "message": text}
    box.label.value = tr("<b>No output.</b> {reason}", reason=html.escape(text))
    if not chinese_fonts():  # the picture stays English where no font draws Chinese
        with english():
            text = _no_output(f, h, p)
    box.image.value = _message_png(text)


def _sample_input(h: int) -> np.ndarray:
    """A small deterministic input with single-digit entries."""
    return np.random.default_rng(h).integers(0, 10, size=(h, h)).astype(float)


def _sample_filter(f: int) -> np.ndarray:
    """A small deterministic filter with entries in {-1, 0, 1, 2}."""
    return (np.arange(f * f).reshape(f, f) % 4 - 1).astype(float)


def _sample_delta(shape: tuple[int, ...]) -> np.ndarray:
    """A deterministic δ with small non-zero entries (1, 2, -1, 3, -2, ...)."""
    return np.resize(np.array([1.0, 2.0, -1.0, 3.0, -2.0]), shape)


def _sum_text(parts: list[str], most: int = 12) -> str:
    """``parts`` joined by " + ", the middle left out (…) when there are more than ``most``."""
    if len(parts) <= most:
        return " + ".join(parts)
    return " + ".join([*parts[:4], "…", *parts[-2:]])


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
        "height": _slider(_("input H×H"), h, 2, 7),
        "filter_size": _slider(_("filter F"), f, 1, 5),
        "stride": _slider(_("stride S"), stride, 1, 3),
        "padding": _slider(_("padding P"), padding, 0, 2),
        "step": _slider(_("output cell #"), 1, 1, 9),
    }

    def render(box):
        hh, ff = box.height.value, box.filter_size.value
        s, p = box.stride.value, box.padding.value
        shape = output_shape(hh, hh, ff, ff, s, p)
        if shape is None:
            _invalid(box, ff, hh, p)
            return
        if _clamped(box.step, shape[0] * shape[1]):  # the clamped value redrew already
            return
        k = box.step.value - 1  # the slider counts from 1, like the lecture
        m, n = divmod(k, shape[1])
        x, w = _sample_input(hh), _sample_filter(ff)
        fig = forward_figure(x, w, stride=s, padding=p, out=(m, n))
        box.image.value = png_bytes(fig)
        box.state = {"valid": True, "h_out": shape[0], "w_out": shape[1], "cell": (m + 1, n + 1)}
        box.label.value = tr(
            "H_out = (H − F + 2P)//S + 1 = ({h} − {f} + 2·{p})//{s} + 1 = <b>{h_out}</b>, "
            "so the feature map is {h_out}×{w_out}. Output {net} reads the "
            "{f}×{f} window at rows {r0}..{r1}, columns {c0}..{c1} of the padded input; "
            "every output uses the same W (weight sharing) and only its window (local connectivity).",
            h=hh,
            f=ff,
            p=p,
            s=s,
            h_out=shape[0],
            w_out=shape[1],
            net=f"net{sub(m + 1, n + 1)}",
            r0=m * s + 1,
            r1=m * s + ff,
            c0=n * s + 1,
            c1=n * s + ff,
        )

    return _assemble(controls, render, _("the receptive field of each output"), {"step": (7 + 2 * 2) ** 2})


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
        "row": _slider(_("row i"), 1, 1, h),
        "col": _slider(_("column j"), 1, 1, h),
        "filter_size": _slider(_("filter F"), f, 1, 4),
        "stride": _slider(_("stride S"), stride, 1, 3),
        "padding": _slider(_("padding P"), padding, 0, 2),
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
            via = ", ".join(
                tr("{net} through {w}", net=f"net{sub(m, n)}", w=f"w{sub(u, v)}") for m, n, u, v in terms
            )
            formula = " + ".join(f"δ{sub(m, n)}w{sub(u, v)}" for m, n, u, v in terms)
            box.label.value = tr(
                "{name} feeds {via}; so ∂E/∂{name} = {formula}.", name=name, via=via, formula=formula
            )
        else:
            box.label.value = tr(
                "No window reads {name} (the stride skips it), so ∂E/∂{name} = 0.", name=name
            )

    return _assemble(controls, render, _("which outputs an input cell feeds"))


def stride_padding_widget(h: int = 5, f: int = 3, stride: int = 2, padding: int = 0) -> widgets.VBox:
    """δ^l at stride S dilated back to stride 1 and padded, then ★ rot180(W) (lesson 02).

    Controls: ``height`` (a square H×H input), ``filter_size`` (F, starting at ``f``), ``stride``,
    ``padding``. ``box.state`` holds F, the sizes of δ, of the dilated map, of the stride-1 map and
    of ∂E/∂a, and how many input rows no window reads.

    Examples
    --------
    >>> box = stride_padding_widget()
    >>> box.state["delta_shape"], box.state["dilated_shape"]
    ((2, 2), (3, 3))
    >>> box.stride.value = 1
    >>> box.state["delta_shape"]
    (3, 3)
    >>> box.filter_size.value = 2
    >>> box.state["delta_shape"], box.state["stride_one_shape"]
    ((4, 4), (4, 4))
    """
    controls = {
        "height": _slider(_("input H×H"), h, 2, 7),
        "filter_size": _slider(_("filter F"), f, 1, 5),
        "stride": _slider(_("stride S"), stride, 1, 3),
        "padding": _slider(_("padding P"), padding, 0, 3),
    }

    def render(box):
        hh, ff = box.height.value, box.filter_size.value
        s, p = box.stride.value, box.padding.value
        shape = output_shape(hh, hh, ff, ff, s, p)
        if shape is None:
            _invalid(box, ff, hh, p)
            return
        w = _sample_filter(ff) + 1.0  # entries 0..3 keep the products readable
        delta = np.arange(1.0, shape[0] * shape[1] + 1).reshape(shape)
        h1 = hh + 2 * p - ff + 1
        unread = unread_mask(hh, hh, ff, ff, s, p)
        unread_rows = int(unread.all(axis=1).sum())
        box.image.value = png_bytes(stride_backward_figure(delta, w, hh, hh, s, p))
        box.state = {
            "valid": True,
            "filter_size": ff,
            "delta_shape": shape,
            "dilated_shape": dilate(delta, s).shape,
            "stride_one_shape": (h1, h1),
            "padded_shape": (h1 + 2 * (ff - 1), h1 + 2 * (ff - 1)),
            "grad_shape": (hh, hh),
            "unread_rows": unread_rows,
        }
        extra = (
            " "
            + tr(
                "{rows} input row(s) and column(s) at the bottom/right are never read, "
                "so their gradient is 0.",
                rows=unread_rows,
            )
            if unread_rows
            else ""
        )
        box.label.value = tr(
            "δ is {h_out}×{w_out} at S = {s}; inserting S − 1 = {gaps} zero(s) between entries "
            "and filling up to the stride-1 size gives {h1}×{h1}; padding it by F − 1 = {ring} and "
            "cross-correlating with rot180(W) gives ∂E/∂ pad(a) ({hp}×{hp}); cropping P = {p} leaves "
            "∂E/∂a ({h}×{h}).{extra}",
            h_out=shape[0],
            w_out=shape[1],
            s=s,
            gaps=s - 1,
            h1=h1,
            ring=ff - 1,
            hp=hh + 2 * p,
            p=p,
            h=hh,
            extra=extra,
        )

    return _assemble(controls, render, _("stride and padding, backwards"))


def weight_gradient_widget(h: int = 4, f: int = 2, stride: int = 1, padding: int = 0) -> widgets.VBox:
    """δ^l as the kernel of ∂E/∂W, slid over the (padded) input a^{l-1} (lesson 04).

    ∂E/∂w_{u,v} = Σ_{m,n} δ_{m,n} a_{(m-1)S+u-P, (n-1)S+v-P} (1-based): δ, dilated by S and filled
    up to the stride-1 size, covers one window of pad(a, P) per weight. Controls: ``row`` and ``col``
    (u and v, 1-based within the filter), ``height`` (a square H×H input), ``filter_size``,
    ``stride``, ``padding``. ``box.state`` holds the weight (u, v), the window (1-based rows and
    columns of the padded input), the terms (m, n, i, j), 1-based (δ_{m,n} a_{i,j}; products that
    meet the padding are 0 and only counted, in ``"padding_terms"``), ``"value"`` (∂E/∂w_{u,v}) and
    the numbers it comes from (``"x"``, ``"delta"``).

    Examples
    --------
    >>> box = weight_gradient_widget()
    >>> box.state["terms"][:2], box.state["value"]
    ([(1, 1, 1, 1), (1, 2, 1, 2)], 43.0)
    >>> box.set_values(col=2, stride=2).state["window"]
    ((1, 3), (2, 4))
    """
    controls = {
        "row": _slider(_("weight row u"), 1, 1, f),
        "col": _slider(_("weight column v"), 1, 1, f),
        "height": _slider(_("input H×H"), h, 2, 6),
        "filter_size": _slider(_("filter F"), f, 1, 4),
        "stride": _slider(_("stride S"), stride, 1, 3),
        "padding": _slider(_("padding P"), padding, 0, 2),
    }

    def render(box):
        hh, ff = box.height.value, box.filter_size.value
        s, p = box.stride.value, box.padding.value
        shape = output_shape(hh, hh, ff, ff, s, p)
        if shape is None:
            _invalid(box, ff, hh, p)
            return
        if _clamped(box.row, ff) or _clamped(box.col, ff):  # the clamped value redrew already
            return
        u, v = box.row.value, box.col.value
        x, delta = _sample_input(hh), _sample_delta(shape)
        h1 = hh + 2 * p - ff + 1  # the stride-1 map, and the window δ covers
        terms, on_padding = [], 0
        for m, n in np.ndindex(*shape):
            i, j = m * s + u - p, n * s + v - p  # 1-based in a^{l-1}
            if 1 <= i <= hh and 1 <= j <= hh:
                terms.append((m + 1, n + 1, i, j))
            else:
                on_padding += 1
        value = float(sum(delta[m - 1, n - 1] * x[i - 1, j - 1] for m, n, i, j in terms))
        box.image.value = png_bytes(
            stride_weight_gradient_figure(x, delta, (ff, ff), s, p, weight=(u - 1, v - 1))
        )
        window = ((u, u + h1 - 1), (v, v + h1 - 1))
        box.state = {
            "valid": True,
            "weight": (u, v),
            "delta_shape": shape,
            "stride_one_shape": (h1, h1),
            "window": window,
            "terms": terms,
            "padding_terms": on_padding,
            "value": value,
            "x": x,
            "delta": delta,
        }
        weight = f"w{sub(u, v)}"
        where = dict(
            h_out=shape[0], w_out=shape[1], w=weight, s=s, h1=h1, p=p, hp=hh + 2 * p,
            r0=window[0][0], r1=window[0][1], c0=window[1][0], c1=window[1][1],
        )  # fmt: skip
        if s == 1:
            lines = [
                tr(
                    "δ<sup>l</sup> ({h_out}×{w_out}) is the kernel of ∂E/∂W: for {w} it covers rows "
                    "{r0}..{r1}, columns {c0}..{c1} of pad(a<sup>l−1</sup>, P = {p}) ({hp}×{hp}).",
                    **where,
                )
            ]
        else:
            lines = [
                tr(
                    "δ<sup>l</sup> ({h_out}×{w_out}) at S = {s}, dilated and filled up to the stride-1 "
                    "size {h1}×{h1}, is the kernel of ∂E/∂W: for {w} it covers rows {r0}..{r1}, "
                    "columns {c0}..{c1} of pad(a<sup>l−1</sup>, P = {p}) ({hp}×{hp}); its entries sit {s} "
                    "rows and columns apart, and the stride zeros between them add nothing.",
                    **where,
                )
            ]
        if terms:
            symbols = _sum_text([f"δ{sub(m, n)}a{sub(i, j)}" for m, n, i, j in terms])
            numbers = _sum_text(
                [f"{_num(delta[m - 1, n - 1])}·{_num(x[i - 1, j - 1])}" for m, n, i, j in terms]
            )
            lines.append(
                tr(
                    "∂E/∂{w} = {symbols} = {numbers} = <b>{value}</b>",
                    w=weight,
                    symbols=symbols,
                    numbers=numbers,
                    value=f"{value:g}",
                )
            )
            if len(terms) > 12:
                lines[-1] += " " + tr("({count} products)", count=len(terms))
        else:
            lines.append(tr("∂E/∂{w} = <b>0</b>: every entry of δ meets the padding.", w=weight))
        if terms and on_padding:
            lines.append(
                tr("{count} more product(s) meet the padding (zeros) and add nothing.", count=on_padding)
            )
        box.label.value = "<br>".join(lines)

    top = controls["filter_size"].max
    return _assemble(controls, render, _("δ as the kernel of ∂E/∂W"), {"row": top, "col": top})


def _sample_filters(n: int, d: int, f: int) -> np.ndarray:
    """Deterministic filters (N, D, F, F) with entries in {-1, 0, 1, 2}, different in every slice."""
    base = np.arange(f * f)
    return np.array(
        [[((base + 2 * k + c) % 4 - 1).reshape(f, f) for c in range(d)] for k in range(n)], dtype=float
    )


def _sample_deltas(n: int, size: int) -> np.ndarray:
    """A deterministic δ^l (N, size, size) with entries 1..3, each row the one above shifted."""
    cells = np.arange(size * size)
    rows = [(cells + 2 * (cells // size) + k) % 3 + 1 for k in range(n)]
    return np.array(rows, dtype=float).reshape(n, size, size)


def depth_filters_widget(d: int = 3, n: int = 2, h: int = 4, f: int = 2) -> widgets.VBox:
    """Depth D and N filters, backwards (lesson 03): the error of one input channel, filter by filter.

    ∂E/∂a^{l-1}_d = Σ_n pad(δ_n, F-1) ★ rot180(W[n, d]) (stride 1, no padding): every filter n
    sends back its own term through its slice W[n, d] of channel d. Controls: ``depth`` (D),
    ``filters`` (N), ``channel`` (d, 1-based), ``height`` (a square H×H input) and
    ``filter_size`` (F). ``box.state`` holds the shapes (``"x_shape"`` (D, H, H), ``"w_shape"``
    (N, D, F, F), ``"delta_shape"`` (N, H_out, H_out)), the channel, ``"contributions"`` (the N
    terms, one H×H array each), their sum ``"grad"`` and the numbers they come from
    (``"delta"``, ``"w"``).

    Examples
    --------
    >>> box = depth_filters_widget()
    >>> box.state["x_shape"], box.state["w_shape"], box.state["delta_shape"]
    ((3, 4, 4), (2, 3, 2, 2), (2, 3, 3))
    >>> float(box.set_values(filters=3, channel=2).state["grad"][0, 0])
    4.0
    """
    controls = {
        "depth": _slider(_("depth D"), d, 1, 4),
        "filters": _slider(_("filters N"), n, 1, 3),
        "channel": _slider(_("input channel d"), 1, 1, d),
        "height": _slider(_("input H×H"), h, 2, 5),
        "filter_size": _slider(_("filter F"), f, 1, 3),
    }

    def render(box):
        depth, n_f = box.depth.value, box.filters.value
        hh, ff = box.height.value, box.filter_size.value
        if _clamped(box.channel, depth):  # the clamped value redrew already
            return
        if ff > hh:
            _invalid(box, ff, hh, 0)
            return
        c = box.channel.value
        ho = hh - ff + 1
        delta, w = _sample_deltas(n_f, ho), _sample_filters(n_f, depth, ff)
        terms = [correlate2d(pad(delta[k], ff - 1), rot180(w[k, c - 1])) for k in range(n_f)]
        grad = np.sum(terms, axis=0)
        box.image.value = png_bytes(depth_sum_figure(delta, w, c - 1, nodes=True))
        box.state = {
            "valid": True,
            "x_shape": (depth, hh, hh),
            "w_shape": w.shape,
            "delta_shape": delta.shape,
            "channel": c,
            "contributions": terms,
            "grad": grad,
            "delta": delta,
            "w": w,
        }
        total = " + ".join(
            f"pad(δ<sub>{k}</sub>, F − 1) ★ rot180(W<sub>{k},{c}</sub>)" for k in range(1, n_f + 1)
        )
        first = " + ".join(_num(t[0, 0]) for t in terms)
        box.label.value = "<br>".join(
            [
                tr(
                    "a<sup>l−1</sup> is {d}×{h}×{h} (depth D = {d}) and W is {n}×{d}×{f}×{f} (N = {n}: "
                    "one filter of depth D per feature map), so δ<sup>l</sup> is {n}×{h_out}×{h_out}: "
                    "one error map per filter.",
                    d=depth,
                    h=hh,
                    n=n_f,
                    f=ff,
                    h_out=ho,
                ),
                tr(
                    "The error reaching channel d = {c} sums one term per filter, through that filter's "
                    "slice W<sub>n,{c}</sub>: ∂E/∂a<sup>l−1</sup><sub>{c}</sub> = {total} ({h}×{h}).",
                    c=c,
                    total=total,
                    h=hh,
                ),
                tr(
                    "Entry (1, 1): {first} = <b>{value}</b>, one number from each filter (N = {n}).",
                    first=first,
                    value=f"{grad[0, 0]:g}",
                    n=n_f,
                ),
            ]
        )

    return _assemble(controls, render, _("depth and filters, backwards"), {"channel": controls["depth"].max})
