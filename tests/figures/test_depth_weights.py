"""Figures of lessons 03-05: they draw the numbers the maths gives, and reject bad input clearly."""

from __future__ import annotations

import numpy as np
import pytest

from lessonkit import bp_delta_map, compute_gradient
from lessonkit.figures import depth, weights
from lessonkit.figures.style import png_bytes


def _texts(ax):
    return [t.get_text() for t in ax.texts]


def _grids(fig):
    """The figure's Axes without the key under it (draw_row(key=True) adds it last)."""
    return [ax for ax in fig.axes if ax.get_gid() != "key"]


def _numbers(ax, count):
    """The first ``count`` cell texts of a grid Axes, as floats."""
    return np.array([float(t) for t in _texts(ax)[:count]])


@pytest.mark.parametrize("channel", [0, 1, 2])
@pytest.mark.parametrize("direction", ["forward", "backward"])
def test_node_diagram_labels_every_filter_slice_of_the_chosen_channel(channel, direction):
    fig = depth.depth_node_diagram(D=3, N=2, channel=channel, direction=direction)
    labels = [t for t in _texts(fig.axes[0]) if t.startswith("$W")]
    assert labels == [f"$W_{{{n},{channel + 1}}}$" for n in (1, 2)]
    arrows = [p for p in fig.axes[0].patches if type(p).__name__ == "FancyArrowPatch"]
    assert len(arrows) == 3 * 2  # every channel joined to every filter
    thick = [p for p in arrows if p.get_linewidth() > 2]
    assert len(thick) == 2 and all(p.get_linestyle() == "-" for p in thick)
    assert all(p.get_linestyle() != "-" for p in arrows if p not in thick)  # not colour alone


def test_node_figure_has_both_directions_and_reproducible_png():
    fig = depth.depth_node_figure(3, 2, channel=1)
    assert len(fig.axes) == 2
    assert png_bytes(fig) == png_bytes(depth.depth_node_figure(3, 2, channel=1))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"D": 0}, r"D must be an integer from 1 to 6; got 0"),
        ({"N": 7}, r"N must be an integer from 1 to 6; got 7"),
        ({"channel": 3}, r"channel must be an integer from 0 to D-1 = 2; got 3"),
        ({"direction": "up"}, r"direction must be 'forward' or 'backward'; got 'up'"),
    ],
)
def test_node_diagram_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        depth.depth_node_diagram(**kwargs)


def test_depth_sum_figure_shows_bp_delta_map_of_the_channel():
    rng = np.random.default_rng(0)
    delta = rng.integers(-3, 4, size=(2, 2, 2)).astype(float)
    w = rng.integers(-2, 3, size=(2, 3, 2, 2)).astype(float)
    for d in range(3):
        fig = depth.depth_sum_figure(delta, w, channel=d)
        expected = bp_delta_map(delta, w, (3, 3, 3))[d]
        np.testing.assert_array_equal(_numbers(_grids(fig)[-1], 9), expected.ravel())


def test_depth_sum_figure_rejects_mismatched_filters_and_bad_channel():
    with pytest.raises(ValueError, match=r"same N and a square filter; got delta.shape=\(3, 2, 2\)"):
        depth.depth_sum_figure(np.ones((3, 2, 2)), np.ones((2, 1, 2, 2)))
    with pytest.raises(ValueError, match=r"channel must be an integer from 0 to D-1 = 0; got 1"):
        depth.depth_sum_figure(np.ones((2, 2, 2)), np.ones((2, 1, 2, 2)), channel=1)


def test_delta_kernel_figure_matches_compute_gradient():
    rng = np.random.default_rng(1)
    x = rng.integers(-4, 5, size=(4, 5)).astype(float)
    delta = rng.integers(-2, 3, size=(2, 3)).astype(float)
    fig = weights.delta_kernel_figure(x, delta)
    dW, _ = compute_gradient(delta[None], x[None], (1, 1, 3, 3))
    np.testing.assert_array_equal(_numbers(fig.axes[-1], 9), dW.ravel())
    highlighted = [t for ax in fig.axes for t in _texts(ax) if t.startswith("$∂E/∂w_")]
    assert len(highlighted) == 9


def test_delta_kernel_figure_rejects_a_delta_larger_than_the_input():
    with pytest.raises(ValueError, match=r"delta must not be larger than x \(2, 2\); got shape \(3, 3\)"):
        weights.delta_kernel_figure(np.ones((2, 2)), np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"x must have 2 dimensions \(H, W\); got shape \(3,\)"):
        weights.delta_kernel_figure(np.ones(3), np.ones((1, 1)))


@pytest.mark.parametrize(("h", "f", "s", "p"), [(5, 3, 2, 0), (6, 3, 2, 0), (4, 2, 3, 1), (5, 2, 2, 3)])
def test_stride_figure_dilates_delta_and_matches_compute_gradient(h, f, s, p):
    rng = np.random.default_rng(h + s + p)
    x = rng.integers(-3, 4, size=(h, h)).astype(float)
    ho = (h - f + 2 * p) // s + 1
    delta = rng.integers(1, 4, size=(ho, ho)).astype(float)  # never zero, so zeros are the inserted ones
    fig = weights.stride_weight_gradient_figure(x, delta, (f, f), stride=s, padding=p)
    dW, _ = compute_gradient(delta[None], x[None], (1, 1, f, f), stride=s, padding=p)
    np.testing.assert_array_equal(_numbers(_grids(fig)[-1], f * f), dW.ravel())
    h1 = h + 2 * p - f + 1
    shown = _numbers(fig.axes[2], h1 * h1).reshape(h1, h1)  # axes[1] holds the operator
    np.testing.assert_array_equal(shown[::s, ::s][:ho, :ho], delta)
    assert np.count_nonzero(shown) == delta.size


def test_gradient_slices_figure_draws_each_slice_with_its_name():
    dW = np.arange(2 * 3 * 2 * 2, dtype=float).reshape(2, 3, 2, 2)
    fig = weights.gradient_slices_figure(dW)
    assert len(fig.axes) == 6
    for k, ax in enumerate(fig.axes):
        n, d = divmod(k, 3)
        np.testing.assert_array_equal(_numbers(ax, 4), dW[n, d].ravel())
        title = _texts(ax)[-1]
        # Named by what feeds it, input channel a_d ★ error δ_n, in that order, and by (n, d) ...
        assert title.splitlines() == [f"$a_{d + 1}$ ★ $\\delta_{n + 1}$", f"slice n = {n + 1}, d = {d + 1}"]
        # ... never by a subscript that reads like the scalar ∂E/∂w_{i,j}.
        assert "dW_" not in title and "dw_" not in title
    with pytest.raises(ValueError, match=r"dW must have 4 dimensions \(N, D, Fh, Fw\); got shape \(2, 2\)"):
        weights.gradient_slices_figure(np.ones((2, 2)))


def test_weight_gradient_setup_names_every_cell():
    fig = weights.weight_gradient_setup(3, 3, 2)
    texts = [t for ax in fig.axes for t in _texts(ax)]
    for name in ("$a_{3,3}$", "$w_{2,2}$", "$net_{2,2}$", r"$\delta_{2,2}$"):
        assert name in texts
    with pytest.raises(ValueError, match=r"F must fit in the input \(F <= min\(H, W\) = 2\); got 3"):
        weights.weight_gradient_setup(2, 4, 3)
