"""Widgets of lessons 00-02, driven without a browser: set a control, check image, label and state."""

from __future__ import annotations

import ipywidgets
import pytest

from lessonkit.figures import widgets as W

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


@pytest.mark.parametrize("factory", [W.receptive_field_widget, W.input_cell_widget, W.stride_padding_widget])
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


@pytest.mark.parametrize(
    "make", [W.receptive_field_widget, W.input_cell_widget, W.stride_padding_widget], ids=lambda f: f.__name__
)
def test_a_widget_reads_as_a_sentence_where_no_kernel_runs(make):
    text = make()._repr_mimebundle_()["text/plain"]
    assert text.startswith("[Interactive widget: ") and "VBox" not in text and "children" not in text
    assert len(text) <= 110  # ipywidgets cuts longer plain-text forms
