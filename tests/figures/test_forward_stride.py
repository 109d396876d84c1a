"""Figures of lessons 00-02: the right panels, texts and numbers; rendering is deterministic."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

import lessonkit as lk
from lessonkit.figures import draw_grid, draw_row, figure_row, new_figure, png_bytes
from lessonkit.figures import forward as F
from lessonkit.figures import stride as S


def _texts(ax):
    return [t.get_text() for t in ax.texts]


def _hatched(ax):
    """{hatch: number of cells} over the hatched collections draw_grid adds."""
    return {c.get_hatch(): len(c.get_paths()) for c in ax.collections if c.get_hatch()}


def _grids(fig):
    """The figure's Axes without the key under it (draw_row(key=True) adds it last)."""
    return [ax for ax in fig.axes if ax.get_gid() != "key"]


def test_draw_grid_marks_padding_zeros_and_highlight():
    ax = new_figure(3, 3).add_subplot()
    draw_grid(ax, [[1, 2], [3, 4]], pad=1, highlight=(slice(1, 3), slice(1, 3)), zero_mask=[[0, 1], [0, 0]])
    assert sorted(_texts(ax)).count("0") == 12 and "2" in _texts(ax)
    assert _hatched(ax) == {"..": 12, "xx": 1, "//": 3}
    assert len(ax.lines) == 8  # the 2x2 window's outline, one segment per cell edge


def test_draw_grid_rejects_bad_shapes():
    ax = new_figure(3, 3).add_subplot()
    with pytest.raises(ValueError, match=r"highlight must be .* shape \(2, 2\); got shape \(3, 3\)"):
        draw_grid(ax, [[1, 2], [3, 4]], highlight=np.ones((3, 3), bool))
    with pytest.raises(
        ValueError, match=r"values must be an array of shape \(H, W\) when cell_labels is None"
    ):
        draw_grid(ax, None)


def test_lecture_example_figure_has_the_lectures_names():
    fig = F.lecture_example_figure()
    assert isinstance(fig, Figure) and len(fig.axes) == 5
    assert {"a₁₁", "a₃₃"} <= set(_texts(fig.axes[0])) and "w₂₂" in _texts(fig.axes[2])


def test_forward_figure_shows_conv_forward_numbers():
    x = np.arange(16.0).reshape(4, 4)
    w = [[1.0, -1.0], [2.0, 0.0]]
    fig = F.forward_figure(x, w, stride=2, padding=1, out=(1, 1))
    net = lk.conv_forward(x[None], np.array(w)[None, None], [0.0], 2, 1)[0]
    assert net.shape == (3, 3)
    assert f"net₂₂ = {net[1, 1]:g}" in _texts(_grids(fig)[-1])


def test_padded_delta_figure_result_is_bp_delta_map():
    d, w = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, -1.0], [2.0, 0.0]])
    fig = F.padded_delta_figure(d, w, target=(1, 1))
    g = lk.bp_delta_map(d[None], w[None, None], (1, 3, 3))[0]
    shown = [float(t) for t in _texts(_grids(fig)[-1])[:9]]
    assert np.array_equal(np.reshape(shown, (3, 3)), g)
    assert fig.texts[-1].get_text().endswith(f"= {g[1, 1]:g}")
    assert "∂E/∂a₁₂ = δ₁₁·w₁₂ + δ₁₂·w₁₁" == F.padded_delta_figure().texts[-1].get_text()


def test_input_feeds_matches_the_gradient_structure():
    # The number of terms in ∂E/∂a[r, c] is the number of nonzero entries of the symbolic sum.
    for r in range(3):
        for c in range(3):
            w = np.ones((1, 1, 2, 2))
            g = lk.bp_delta_map(np.ones((1, 2, 2)), w, (1, 3, 3))[0]
            assert len(F.input_feeds(r, c, 3, 3, 2, 2)) == g[r, c]
    assert F.unread_mask(6, 6, 3, 3, 2, 0).sum() == 11


def test_stride_figures():
    x = np.arange(25.0).reshape(5, 5)
    fig = S.stride_compare_figure(x, np.ones((3, 3)), stride=2)
    assert len(_grids(fig)) == 10  # two rows of a ★ W = net, plus a key
    fig = S.stride_backward_figure(np.ones((2, 2)), np.ones((3, 3)), 6, 6, stride=2)
    assert len(_grids(fig)) == 9 and "never read → 0" in _texts(_grids(fig)[-1])
    dil = fig.axes[2]
    # 4x4 stride-1 map: 4 δ entries, 5 zeros inserted by the stride, 7 fill zeros at the bottom/right.
    assert _hatched(dil)["xx"] == 5 and _hatched(dil)["--"] == 7


def test_draw_row_operators_and_png_bytes_are_reproducible():
    def make():
        return draw_row([{"values": [[1]]}, {"values": [[2]]}], ["="], caption="c")

    fig = make()
    assert "=" in _texts(fig.axes[1]) and fig.texts[-1].get_text() == "c"
    assert png_bytes(make()) == png_bytes(make())


def test_rectangular_padding_ring_for_a_rectangular_filter():
    ax = new_figure(3, 3).add_subplot()
    draw_grid(ax, [[1, 2]], pad=(1, 2))
    assert len(ax.texts) == 3 * 6 and _hatched(ax) == {"..": 3 * 6 - 2}
    fig = S.stride_backward_figure(np.ones((3, 3)), np.ones((2, 3)), 4, 5, stride=2, padding=1)
    assert _hatched(fig.axes[2])[".."] == 7 * 9 - 5 * 5


def test_bad_figure_arguments_are_named_in_the_message():
    ax = new_figure(3, 3).add_subplot()
    with pytest.raises(ValueError, match=r"values must have 2 dimensions \(H, W\); got shape \(3,\)"):
        draw_grid(ax, [1, 2, 3])
    with pytest.raises(
        ValueError, match=r"cell_labels must have the shape of values \(1, 2\); got shape \(1, 1\)"
    ):
        draw_grid(ax, [[1, 2]], cell_labels=[["a"]])
    with pytest.raises(ValueError, match=r"operators must have len\(shapes\) - 1 = 1 entries; got 2"):
        figure_row([(1, 1), (1, 1)], ["=", "+"])
    with pytest.raises(ValueError, match=r"w must be a square filter for this figure; got shape \(1, 2\)"):
        F.padded_delta_figure(np.ones((2, 1)), np.ones((1, 2)))
    with pytest.raises(
        ValueError,
        match=r"f \(the filter size F\) = 4 is larger than the padded input \(H \+ 2P, W \+ 2P\) = \(3, 3\)",
    ):
        F.input_cell_figure((0, 0), h=3, w=3, f=4)
