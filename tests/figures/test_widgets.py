"""Widgets of lessons 00-04, driven without a browser: set a control, check image, label and state."""

from __future__ import annotations

import re

import ipywidgets
import numpy as np
import pytest

import lessonkit
from lessonkit.course import i18n
from lessonkit.figures import widgets as W

# Many figures, widgets or seeds each: part of make test, not of the quick loop (make test-fast).
pytestmark = pytest.mark.slow

PNG = b"\x89PNG\r\n\x1a\n"


def _snapshot(box):
    return bytes(box.image.value), box.label.value, dict(box.state)


def test_receptive_field_widget_follows_its_sliders():
    box = W.receptive_field_widget(h=5, f=3)
    assert isinstance(box, ipywidgets.VBox) and bytes(box.image.value).startswith(PNG)
    assert box.state == {"valid": True, "h_out": 3, "w_out": 3, "cell": (1, 1)}
    assert "(5 − 3 + 2·0)//1 + 1 = <b>3</b>" in box.label.value
    before = _snapshot(box)
    box.step.value = 5  # the 5th output in reading order: net_{2,2}
    assert box.state["cell"] == (2, 2) and bytes(box.image.value) != before[0]
    box.padding.value = 1
    box.stride.value = 2
    assert box.state["h_out"] == (5 - 3 + 2) // 2 + 1 == 3
    assert "(5 − 3 + 2·1)//2 + 1 = <b>3</b>" in box.label.value
    box.stride.value = 3  # (5 - 3 + 2)//3 + 1 = 2: the step slider shrinks to 4 cells
    assert box.step.max == 4 and box.state["cell"] == (2, 2)


def test_receptive_field_widget_explains_a_filter_that_does_not_fit():
    box = W.receptive_field_widget(h=3, f=3)
    good = bytes(box.image.value)
    box.filter_size.value = 5
    assert box.state["valid"] is False
    assert "larger than the padded input (H + 2P = 3 + 2·0 = 3)" in box.label.value
    assert bytes(box.image.value).startswith(PNG) and bytes(box.image.value) != good
    box.padding.value = 1  # 3 + 2 = 5 fits again
    assert box.state == {"valid": True, "h_out": 1, "w_out": 1, "cell": (1, 1)}


def test_input_cell_widget_lists_the_outputs_and_weights():
    box = W.input_cell_widget(h=3, f=2)
    assert box.state["terms"] == [(1, 1, 1, 1)]  # a11 only feeds net11, through w11
    first = bytes(box.image.value)
    box.col.value = 2
    assert box.state["terms"] == [(1, 1, 1, 2), (1, 2, 1, 1)]
    assert "∂E/∂a₁₂ = δ₁₁w₁₂ + δ₁₂w₁₁" in box.label.value
    assert bytes(box.image.value) != first
    box.row.value = 2
    assert len(box.state["terms"]) == 4  # the centre feeds every output
    box.filter_size.value = 1
    box.stride.value = 2
    assert box.state["terms"] == [] and "No window reads a₂₂" in box.label.value
    box.filter_size.value = 4
    assert box.state["valid"] is False and "larger than the padded input" in box.label.value


def test_stride_padding_widget_dilates_and_pads():
    box = W.stride_padding_widget(h=5, f=3, stride=2)
    assert box.state["delta_shape"] == (2, 2) and box.state["dilated_shape"] == (3, 3)
    assert box.state["unread_rows"] == 0
    before = _snapshot(box)
    box.height.value = 6  # (6 - 3)//2 + 1 = 2 and the last row is never read
    assert box.state["unread_rows"] == 1 and "never read" in box.label.value
    assert bytes(box.image.value) != before[0]
    box.padding.value = 1
    assert box.state["delta_shape"] == (3, 3) and box.state["stride_one_shape"] == (6, 6)
    assert "cropping P = 1" in box.label.value
    box.height.value = 2
    box.padding.value = 0
    assert box.state["valid"] is False and "F = 3" in box.label.value


FACTORIES = [
    W.receptive_field_widget,
    W.input_cell_widget,
    W.stride_padding_widget,
    W.weight_gradient_widget,
    W.depth_filters_widget,
]


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_every_control_is_an_attribute(factory):
    box = factory()
    assert box.controls and all(getattr(box, name) is c for name, c in box.controls.items())
    assert box.image.format == "png" and isinstance(box.label, ipywidgets.HTML)


def test_set_values_redraws_once_and_rejects_unknown_controls():
    box = W.receptive_field_widget(h=5, f=3)
    renders = []
    box.image.observe(renders.append, names="value")
    box.set_values(stride=2, padding=1, step=6)
    assert box.state == {"valid": True, "h_out": 3, "w_out": 3, "cell": (2, 3)} and len(renders) == 1
    with pytest.raises(ValueError, match=r"unknown control\(s\) \['bogus'\]"):
        box.set_values(bogus=1)


def test_widget_image_is_shown_at_its_own_pixel_width():
    from lessonkit.figures import widgets as lw

    box = lw.stride_padding_widget()
    box.set_values(stride=2)
    png = bytes(box.image.value)
    assert png[:4] == b"\x89PNG"
    assert box.image.width == str(int.from_bytes(png[16:20], "big"))


@pytest.mark.parametrize("make", FACTORIES, ids=lambda f: f.__name__)
def test_a_widget_reads_as_a_sentence_where_no_kernel_runs(make):
    text = make()._repr_mimebundle_()["text/plain"]
    assert text.startswith("[Interactive widget: ") and "VBox" not in text and "children" not in text
    assert len(text) <= 110  # ipywidgets cuts longer plain-text forms


# --- lesson 02: the F slider ------------------------------------------------------------------------


def test_stride_padding_widget_has_an_f_slider():
    box = W.stride_padding_widget(h=5, f=3, stride=2)
    assert box.filter_size.value == 3 and box.state["filter_size"] == 3
    before = _snapshot(box)
    box.filter_size.value = 2  # (5 - 2)//2 + 1 = 2, stride-1 map 4×4, padded by F - 1 = 1
    assert box.state["filter_size"] == 2 and box.state["delta_shape"] == (2, 2)
    assert box.state["stride_one_shape"] == (4, 4) and box.state["padded_shape"] == (6, 6)
    assert "padding it by F − 1 = 1" in box.label.value and bytes(box.image.value) != before[0]
    box.set_values(filter_size=5, stride=1)  # F = H: one output
    assert box.state["delta_shape"] == (1, 1) and box.state["padded_shape"] == (9, 9)
    assert box.state["grad_shape"] == (5, 5)


def test_stride_padding_widget_keeps_the_no_output_message_for_a_large_f():
    box = W.stride_padding_widget(h=3, f=3)
    box.filter_size.value = 4
    assert box.state["valid"] is False and "filter (F = 4)" in box.label.value
    assert "(H + 2P = 3 + 2·0 = 3)" in box.label.value and bytes(box.image.value).startswith(PNG)
    box.padding.value = 1
    assert box.state["valid"] is True and box.state["delta_shape"] == (1, 1)


# --- lesson 04: δ as the kernel of the weight gradient ----------------------------------------------

GEOMETRIES = [
    (4, 2, 1, 0),
    (5, 3, 2, 0),
    (6, 3, 2, 1),
    (4, 2, 3, 1),
    (3, 1, 2, 2),
    (6, 4, 3, 2),
    (2, 2, 1, 0),
]


@pytest.mark.parametrize(("h", "f", "s", "p"), GEOMETRIES)
def test_weight_gradient_widget_gives_compute_gradient_for_every_weight(h, f, s, p):
    box = W.weight_gradient_widget(h=h, f=f, stride=s, padding=p)
    x, delta = box.state["x"], box.state["delta"]
    dW, _ = lessonkit.compute_gradient(delta[None], x[None], (1, 1, f, f), stride=s, padding=p)
    h1 = h + 2 * p - f + 1
    for u in range(1, f + 1):
        for v in range(1, f + 1):
            box.set_values(row=u, col=v)
            state = box.state
            assert state["weight"] == (u, v) and state["value"] == pytest.approx(dW[0, 0, u - 1, v - 1])
            # the terms are the lecture's δ_{m,n} a_{(m-1)S+u-P, (n-1)S+v-P}, 1-based, inside the input
            for m, n, i, j in state["terms"]:
                assert (i, j) == ((m - 1) * s + u - p, (n - 1) * s + v - p) and 1 <= min(i, j) <= max(
                    i, j
                ) <= h
            assert len(state["terms"]) + state["padding_terms"] == delta.size
            total = sum(delta[m - 1, n - 1] * x[i - 1, j - 1] for m, n, i, j in state["terms"])
            assert total == pytest.approx(state["value"])
            assert state["window"] == ((u, u + h1 - 1), (v, v + h1 - 1))
            assert f"∂E/∂w{lessonkit.figures.forward.sub(u, v)} = " in box.label.value
            assert f"= <b>{state['value']:g}</b>" in box.label.value or not state["terms"]


def test_weight_gradient_widget_spells_out_the_sum_and_the_dilation():
    box = W.weight_gradient_widget(h=4, f=2)
    assert box.state["terms"] == [(m, n, m, n) for m in (1, 2, 3) for n in (1, 2, 3)]  # w_{1,1}
    box.col.value = 2  # w_{1,2}: δ_{m,n} meets a_{m, n+1}
    assert box.state["terms"] == [(m, n, m, n + 1) for m in (1, 2, 3) for n in (1, 2, 3)]
    assert "δ₁₁a₁₂ + δ₁₂a₁₃" in box.label.value and "rows 1..3, columns 2..4" in box.label.value
    first = bytes(box.image.value)
    box.set_values(stride=2, padding=1)  # (4 - 2 + 2)//2 + 1 = 3: δ 3×3 dilated to 5×5
    assert box.state["delta_shape"] == (3, 3) and box.state["stride_one_shape"] == (5, 5)
    assert "dilated and filled up to the stride-1 size 5×5" in box.label.value
    assert box.state["padding_terms"] > 0 and "meet the padding" in box.label.value
    assert bytes(box.image.value) != first


def test_weight_gradient_widget_keeps_the_weight_inside_the_filter():
    box = W.weight_gradient_widget(h=5, f=3)
    box.set_values(row=3, col=3)
    box.filter_size.value = 2  # w_{3,3} no longer exists: the sliders shrink to F
    assert box.row.max == box.col.max == 2 and box.state["weight"] == (2, 2)
    box.set_values(row=4, col=4, filter_size=4)  # in any order: F is set, then the weight
    assert box.state["weight"] == (4, 4) and box.row.max == 4
    box.set_values(col=4, filter_size=1)
    assert box.state["weight"] == (1, 1) and box.col.value == 1


def test_weight_gradient_widget_says_when_the_filter_does_not_fit():
    box = W.weight_gradient_widget(h=2, f=2)
    box.filter_size.value = 3
    assert box.state["valid"] is False and "filter (F = 3)" in box.label.value
    box.padding.value = 1
    assert box.state["valid"] is True and box.state["delta_shape"] == (2, 2)


# --- lesson 03: depth D and N filters -------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "n", "h", "f", "channel"),
    [(3, 2, 4, 2, 1), (3, 2, 4, 2, 3), (1, 1, 2, 1, 1), (4, 3, 5, 3, 2), (2, 3, 3, 3, 2)],
)
def test_depth_filters_widget_sums_the_filters_as_bp_delta_map_does(d, n, h, f, channel):
    box = W.depth_filters_widget(d=d, n=n, h=h, f=f)
    box.channel.value = channel
    state = box.state
    ho = h - f + 1
    assert (
        state["x_shape"] == (d, h, h)
        and state["w_shape"] == (n, d, f, f)
        and state["delta_shape"] == (n, ho, ho)
    )
    assert state["channel"] == channel and len(state["contributions"]) == n
    want = lessonkit.bp_delta_map(state["delta"], state["w"], state["x_shape"])[channel - 1]
    np.testing.assert_allclose(np.sum(state["contributions"], axis=0), want)
    np.testing.assert_allclose(state["grad"], want)
    for k, term in enumerate(state["contributions"]):  # filter k alone: bp_delta_map with N = 1
        alone = lessonkit.bp_delta_map(state["delta"][k : k + 1], state["w"][k : k + 1], state["x_shape"])
        np.testing.assert_allclose(term, alone[channel - 1])
    assert f"= <b>{want[0, 0]:g}</b>" in box.label.value and f"d = {channel}" in box.label.value


def test_depth_filters_widget_follows_its_sliders():
    box = W.depth_filters_widget()
    first = _snapshot(box)
    box.channel.value = 2
    assert box.state["channel"] == 2 and bytes(box.image.value) != first[0]
    box.filters.value = 3
    assert len(box.state["contributions"]) == 3 and "(N = 3: one filter" in box.label.value
    box.depth.value = 1  # channel 2 no longer exists: the slider shrinks to D
    assert box.channel.max == 1 and box.state["channel"] == 1 and box.state["x_shape"] == (1, 4, 4)
    box.set_values(channel=4, depth=4)
    assert box.state["channel"] == 4
    box.set_values(height=2, filter_size=3)
    assert box.state["valid"] is False and "filter (F = 3)" in box.label.value
    box.filter_size.value = 2
    assert box.state["valid"] is True and box.state["delta_shape"] == (3, 1, 1)


# --- every word a widget shows is a catalog message -------------------------------------------------


class _Pseudo:
    """A catalog that "translates" every message: ASCII letters become full-width ones (ａｂｃ), except in
    the {fields} and <tags>; it records what it was asked for."""

    def __init__(self):
        self.asked: list[str] = []

    def get(self, message, default=None):
        self.asked.append(message)
        parts = re.split(r"(\{[^}]*\}|<[^>]*>)", message)
        return "".join(
            part
            if part.startswith(("{", "<"))
            else re.sub(r"[A-Za-z]", lambda m: chr(ord(m[0]) + 0xFEE0), part)
            for part in parts
        )


def _english_words(text: str) -> list[str]:
    """Runs of four or more ASCII letters (an English word a catalog did not translate)."""
    return re.findall(r"[A-Za-z]{4,}", re.sub(r"<[^>]+>", " ", text))


# states of each widget: its first one, a few moves, and one whose filter does not fit
STATES = {
    W.receptive_field_widget: [
        {},
        {"step": 5},
        {"stride": 3, "padding": 1},
        {"filter_size": 5, "height": 3, "padding": 0},
    ],
    W.input_cell_widget: [
        {},
        {"col": 2},
        {"filter_size": 1, "stride": 2, "row": 2, "col": 2},
        {"filter_size": 4},
    ],
    W.stride_padding_widget: [{}, {"height": 6}, {"filter_size": 5, "height": 2}],
    W.weight_gradient_widget: [
        {},
        {"stride": 2, "padding": 1},
        {"height": 6, "filter_size": 1, "padding": 2},
        {"height": 2, "filter_size": 4, "padding": 0},
    ],
    W.depth_filters_widget: [{}, {"channel": 3, "filters": 3}, {"height": 2, "filter_size": 3}],
}


@pytest.mark.parametrize("make", FACTORIES, ids=lambda f: f.__name__)
def test_every_word_a_widget_shows_comes_from_the_catalog(make, monkeypatch):
    pseudo = _Pseudo()
    monkeypatch.setattr(i18n, "catalog", lambda lang: pseudo if lang == "zh-Hans" else {})
    with i18n.speaking("zh-Hans"):
        box = make()
        shown = [repr(box), box.title, *(c.description for c in box.controls.values())]
        for values in STATES[make]:
            box.set_values(**values)
            shown.append(box.label.value)
    assert box.state["valid"] is False  # the last state shows the message
    untranslated = {text: _english_words(text) for text in shown if _english_words(text)}
    assert not untranslated, untranslated
    # and the catalogs will hold them: `make lessons` extracts every message the widget asked for
    from lessonkit.course.translations import lessonkit_messages

    missing = sorted(set(pseudo.asked) - set(lessonkit_messages()))
    assert not missing, missing


def test_a_translated_message_shows_in_the_widget(monkeypatch):
    zh = {
        "stride S": "步幅 S",
        "{net} through {w}": "经由 {w} 进入 {net}",
        "[Interactive widget: {title}. It needs a running kernel; a static picture follows.]": "[交互部件：{title}]",
        "which outputs an input cell feeds": "一个输入单元进入哪些输出",
    }
    monkeypatch.setattr(i18n, "catalog", lambda lang: zh if lang == "zh-Hans" else {})
    with i18n.speaking("zh-Hans"):
        box = W.input_cell_widget(h=3, f=2)
        box.col.value = 2
        assert box.stride.description == "步幅 S" and "经由 w₁₂ 进入 net₁₁" in box.label.value
        assert repr(box) == "[交互部件：一个输入单元进入哪些输出]"
    english = W.input_cell_widget(h=3, f=2)  # outside speaking(): English
    assert english.stride.description == "stride S" and repr(english).startswith("[Interactive widget: which")
