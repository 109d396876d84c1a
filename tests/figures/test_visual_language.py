"""One visual language: six kinds of special cell, one operator ★ (input ★ kernel), and the figures
that use them (lessons 01-04)."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colors import to_hex
from matplotlib.text import Text

import lessonkit as lk
from lessonkit.figures import depth, draw_grid, draw_row, legend_figure, new_figure, png_bytes, weights
from lessonkit.figures import forward as F
from lessonkit.figures import stride as S
from lessonkit.figures.style import KINDS, STAR, pair_style

# Many figures, widgets or seeds each: part of make test, not of the quick loop (make test-fast).
pytestmark = pytest.mark.slow

SIX = {"padding", "dilation", "fill", "cropped", "unread", "skipped"}


def _texts(ax):
    return [t.get_text() for t in ax.texts]


def _grids(fig):
    """The figure's Axes without the key under it."""
    return [ax for ax in fig.axes if ax.get_gid() != "key"]


def _collection(ax, gid):
    found = [c for c in ax.collections if c.get_gid() == gid]
    return found[0] if found else None


def _cells(ax, role, origin=(0.0, 0.0)):
    """Set of (row, col) of the cells drawn with ``role`` (face:<role> collection) on ``ax``."""
    coll = _collection(ax, f"face:{role}")
    if coll is None:
        return set()
    out = set()
    for path in coll.get_paths():
        x, y = path.vertices.min(axis=0)
        out.add((round(y - origin[1]), round(x - origin[0])))
    return out


def _all_texts(fig):
    """Every text of the figure: its own, its subfigures' and its Axes'."""
    return [t.get_text() for t in fig.findobj(Text)]


# --- the encoding --------------------------------------------------------------------------------


def test_six_kinds_have_distinct_looks_names_and_meanings():
    assert set(KINDS) == SIX
    looks = {(to_hex(k.face), k.hatch) for k in KINDS.values()}
    assert len(looks) == 6  # every (face colour, hatch) pair differs
    assert len({k.name for k in KINDS.values()}) == 6
    assert len({str(k.linestyle) for k in KINDS.values()}) >= 5  # border styles: only the solid one repeats
    # Colour never alone: every kind but the faded one has a hatch, and that one a dotted border.
    assert all(k.hatch for name, k in KINDS.items() if name != "skipped")
    assert KINDS["skipped"].linestyle != "solid"
    # The fill that extends δ must not look like the zeros the stride inserts.
    assert KINDS["fill"].hatch != KINDS["dilation"].hatch and KINDS["fill"].face != KINDS["dilation"].face


def test_legend_draws_each_kind_once_with_its_name_meaning_and_the_operator():
    fig = legend_figure()
    ax = fig.axes[0]
    drawn = {}
    for name in SIX:
        face = _collection(ax, f"face:{name}")
        hatch = _collection(ax, f"hatch:{name}")
        assert face is not None and len(face.get_paths()) == 1
        drawn[name] = (to_hex(face.get_facecolor()[0]), hatch.get_hatch() if hatch else "")
        assert KINDS[name].name in _texts(ax) and KINDS[name].meaning in _texts(ax)
    assert len(set(drawn.values())) == 6
    assert drawn == {n: (to_hex(k.face), k.hatch) for n, k in KINDS.items()}
    assert STAR in _texts(ax) and "cross-correlation: input ★ kernel" in _texts(ax)
    assert png_bytes(fig) == png_bytes(legend_figure())


def test_draw_grid_takes_kinds_and_keeps_the_older_keywords():
    ax = new_figure(3, 3).add_subplot()
    draw_grid(ax, np.zeros((2, 3)), kinds={"fill": [[0, 0, 1], [0, 0, 1]], "skipped": [[1, 0, 0], [0, 0, 0]]})
    assert _cells(ax, "fill") == {(0, 2), (1, 2)} and _cells(ax, "skipped") == {(0, 0)}
    edge = _collection(ax, "edge:fill")
    assert edge.get_edgecolor()[0].tolist() != [0, 0, 0, 1]  # its own border colour and style
    ax = new_figure(3, 3).add_subplot()
    draw_grid(ax, np.zeros((1, 2)), zero_mask=[[1, 0]], hatch_mask=[[0, 1]])
    assert _cells(ax, "dilation") == {(0, 0)} and _cells(ax, "unread") == {(0, 1)}


def test_draw_grid_rejects_unknown_kinds_and_bad_pairs():
    ax = new_figure(3, 3).add_subplot()
    with pytest.raises(ValueError, match=r"kinds keys must be among \[.*'fill'.*\]; got 'zeros'"):
        draw_grid(ax, [[1]], kinds={"zeros": [[1]]})
    with pytest.raises(ValueError, match=r"kinds\['fill'\] must be .* shape \(1, 1\); got shape \(2,\)"):
        draw_grid(ax, [[1]], kinds={"fill": [1, 1]})
    with pytest.raises(
        ValueError, match=r"pairs must be an integer array of the drawn shape \(3, 3\); got shape"
    ):
        draw_grid(ax, [[1]], pad=1, pairs=np.zeros((1, 1), int))
    with pytest.raises(ValueError, match=r"key must be True, False or names among .*; got \['fil'\]"):
        draw_row([{"values": [[1]]}], key=["fil"])


def test_key_lists_exactly_the_kinds_a_figure_draws():
    fig = S.stride_backward_figure(np.ones((2, 2)), np.ones((3, 3)), 8, 8, stride=4, padding=1)
    key = fig.axes[-1]
    assert key.get_gid() == "key"
    assert _texts(key) == [KINDS[n].name for n in ("padding", "dilation", "fill", "cropped", "unread")]


# --- one operator, one order ---------------------------------------------------------------------


def _figures():
    x5 = np.arange(25.0).reshape(5, 5)
    w3 = np.arange(9.0).reshape(3, 3) - 4
    return {
        "forward": F.forward_figure(x5, w3, stride=2, padding=1),
        "lecture": F.lecture_example_figure(),
        "padded_delta": F.padded_delta_figure(),
        "strip": F.padded_delta_strip_figure(),
        "input_cell": F.input_cell_figure((0, 1)),
        "compare": S.stride_compare_figure(x5, w3),
        "backward": S.stride_backward_figure(np.ones((2, 2)), w3, 6, 6, stride=2),
        "nodes": depth.depth_node_figure(),
        "depth_sum": depth.depth_sum_figure(np.ones((2, 2, 2)), np.ones((2, 3, 2, 2))),
        "setup": weights.weight_gradient_setup(),
        "delta_kernel": weights.delta_kernel_figure(np.arange(9.0).reshape(3, 3), np.eye(2)),
        "stride_weights": weights.stride_weight_gradient_figure(x5, np.ones((2, 2)), (3, 3), 2),
        "slices": weights.gradient_slices_figure(np.zeros((2, 3, 2, 2))),
    }


def test_every_figure_writes_cross_correlation_as_star_and_never_the_old_symbol():
    for name, fig in _figures().items():
        texts = " ".join(_all_texts(fig))
        assert "⋆" not in texts and "cross(" not in texts, name
        if name != "input_cell":  # a → diagram, no cross-correlation
            assert STAR in texts, name


def test_the_weight_gradient_is_written_input_star_kernel():
    fig = weights.delta_kernel_figure(np.arange(9.0).reshape(3, 3), np.eye(2))
    axes = fig.axes
    star = next(k for k, ax in enumerate(axes) if _texts(ax) == [STAR])
    assert any(t.startswith("$a^{l-1}$") for t in _texts(axes[star - 1]))  # the input comes first ...
    assert _texts(axes[star + 1])[-1] == r"kernel $\delta^l$"  # ... then the kernel δ


# --- lesson 01: every window of pad(δ, F-1) ------------------------------------------------------


def _marked_cells(ax):
    """{(cell text, pair k)} of the cells carrying a pair marker on ``ax``."""
    cells = [t for t in ax.texts if t.get_gid() is None]
    found = set()
    for marker in (t for t in ax.texts if (t.get_gid() or "").startswith("marker:")):
        mx, my = marker.get_position()
        (text,) = [t for t in cells if np.allclose(np.subtract(t.get_position(), (mx, my)), (0.46, 0.48))]
        found.add((text.get_text(), int(marker.get_gid()[7:])))
    return found


@pytest.mark.parametrize(("ho", "f"), [(2, 2), (2, 3)])
def test_strip_has_one_window_per_input_cell_and_matching_pairs(ho, f):
    rng = np.random.default_rng(ho + f)
    delta = rng.integers(1, 9, size=(ho, ho)).astype(float)
    w = rng.integers(-3, 4, size=(f, f)).astype(float)
    h = ho + f - 1
    for fig in (F.padded_delta_strip_figure(None if f == 2 else delta, None if f == 2 else w),):
        windows = [ax for ax in fig.axes if (ax.get_gid() or "").startswith("window")]
        assert [ax.get_gid() for ax in windows] == [f"window {i},{j}" for i in range(h) for j in range(h)]
    # The lecture's symbols: in window (i, j), δ_{m,n} is paired with the weight w_{u,v} it meets,
    # exactly the terms of ∂E/∂a_{i,j}; W and rot180(W) carry the same pairs.
    fig = F.padded_delta_strip_figure()
    by_gid = {ax.get_gid(): ax for ax in fig.axes}
    for i in range(3):
        for j in range(3):
            expected = {
                (f"δ{F.sub(m + 1, n + 1)}", u * 2 + v) for m, n, u, v in F.input_feeds(i, j, 3, 3, 2, 2)
            }
            assert _marked_cells(by_gid[f"window {i},{j}"]) == expected
    weights_pairs = {(f"w{F.sub(u + 1, v + 1)}", u * 2 + v) for u in range(2) for v in range(2)}
    assert _marked_cells(by_gid["W"]) == weights_pairs == _marked_cells(by_gid["rot180(W)"])
    assert [t.get_text() for t in by_gid["rot180(W)"].texts[:4]] == ["w₂₂", "w₂₁", "w₁₂", "w₁₁"]


def test_strip_sums_match_bp_delta_map_and_the_single_window_figure_stays():
    d, w = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, -1.0], [2.0, 0.0]])
    fig = F.padded_delta_figure(d, w, all_windows=True)
    g = lk.bp_delta_map(d[None], w[None, None], (1, 3, 3))[0]
    sums = [ax.texts[-1].get_text().split("= ")[-1] for ax in fig.axes if ax.get_gid().startswith("window")]
    assert [float(v.replace("−", "-")) for v in sums] == g.ravel().tolist()
    single = F.padded_delta_figure(d, w, target=(1, 1))
    assert len([ax for ax in single.axes if ax.get_gid() == "window 1,1"]) == 0 and len(_grids(single)) == 5
    assert png_bytes(F.padded_delta_strip_figure()) == png_bytes(F.padded_delta_strip_figure())
    with pytest.raises(ValueError, match=r"target must be an input cell \(i, j\) .*; got \(3, 0\)"):
        F.padded_delta_figure(d, w, target=(3, 0))


# --- lesson 02: stride 1 against stride 2 --------------------------------------------------------


def test_stride_compare_fades_exactly_the_skipped_outputs_and_links_one_output():
    x = (np.arange(25.0).reshape(5, 5) * 3 % 7).astype(float)
    w = np.array([[1.0, 0.0, 1.0], [0.0, 2.0, 0.0], [1.0, 0.0, -1.0]])
    fig = S.stride_compare_figure(x, w, stride=2)
    a1, _, _, _, net1, a2, _, _, _, net2 = _grids(fig)
    skipped = {(r, c) for r in range(3) for c in range(3) if r % 2 or c % 2}
    assert _cells(net1, "skipped") == skipped  # faded, not highlighted
    assert _cells(net1, "highlight") == {(2, 2)} and _cells(net2, "highlight") == {(1, 1)}
    window = {(r, c) for r in range(2, 5) for c in range(2, 5)}
    assert _cells(a1, "highlight") == window == _cells(a2, "highlight")  # the same window twice
    net_1 = lk.conv_forward(x[None], w[None, None], [0.0], 1)[0]
    assert f"net₃₃ = {net_1[2, 2]:g} (S = 1)" in _texts(net1)
    assert f"net₂₂ = {net_1[2, 2]:g} (S = 2)" in _texts(net2)
    assert any("stride-2 output (i, j) is stride-1 output (2i, 2j), 0-based" in t for t in _all_texts(fig))
    fig = S.stride_compare_figure(x, w, stride=2, link=(0, 1))
    assert _cells(_grids(fig)[4], "highlight") == {(0, 2)}
    with pytest.raises(ValueError, match=r"link must be a stride-2 output .*; got \(2, 0\)"):
        S.stride_compare_figure(x, w, stride=2, link=(2, 0))


def test_stride_backward_draws_each_zero_as_its_kind():
    # 8x8 input, F = 3, S = 4, P = 1: δ is 2x2, dilates to 5x5, the stride-1 map is 8x8 (3 fill rows
    # and columns), the F-1 ring is 2 wide, the P ring is cropped and some inputs are never read.
    fig = S.stride_backward_figure(np.ones((2, 2)), np.ones((3, 3)), 8, 8, stride=4, padding=1)
    _, _, dil, _, _, _, full, _, grad = _grids(fig)
    dilated = {(r, c) for r in range(5) for c in range(5)} - {(0, 0), (0, 4), (4, 0), (4, 4)}
    assert _cells(dil, "dilation") == {(2 + r, 2 + c) for r, c in dilated}
    assert _cells(dil, "fill") == {(2 + r, 2 + c) for r in range(8) for c in range(8) if r > 4 or c > 4}
    assert len(_cells(dil, "padding")) == 12 * 12 - 8 * 8
    assert len(_cells(full, "cropped")) == 10 * 10 - 8 * 8
    # Windows cover padded rows 0-2 and 4-6: input row 3 (padded 3) and rows 7-8 (padded 7-8) are skipped.
    skipped = {2, 6, 7}
    assert _cells(grad, "unread") == {
        (r, c) for r in range(8) for c in range(8) if r in skipped or c in skipped
    }
    assert _texts(dil)[-1].splitlines()[0] == "dilated 5×5, extended to 8×8,"


# --- lesson 03 -----------------------------------------------------------------------------------


def test_node_diagram_names_filters_n_and_channels_d():
    fig = depth.depth_node_figure(3, 2, channel=0)
    for ax in fig.axes:
        texts = _texts(ax)
        assert [t for t in texts if t.startswith("n=")] == ["n=1", "n=2"]
        assert [t for t in texts if t.startswith("$d_")] == ["$d_1$", "$d_2$", "$d_3$"]
    caption = fig.texts[-1].get_text()
    assert "$d_1$, $d_2$, $d_3$" in caption and "the lecture's d1, d2" in caption and "n = 1, 2" in caption


def test_depth_sum_shows_each_filters_term_then_their_sum():
    rng = np.random.default_rng(3)
    delta = rng.integers(-3, 4, size=(3, 2, 2)).astype(float)
    w = rng.integers(-2, 3, size=(3, 2, 2, 2)).astype(float)
    fig = depth.depth_sum_figure(delta, w, channel=1)
    grids = [ax for ax in _grids(fig) if _texts(ax) not in ([STAR], ["="], ["+"])]
    assert len(grids) == 3 * 3 + 3 + 1
    terms = [lk.correlate2d(lk.pad(delta[n], 1), lk.rot180(w[n, 1])) for n in range(3)]
    for n in range(3):
        padded, rotated, term = grids[3 * n : 3 * n + 3]
        assert len(_cells(padded, "padding")) == 4 * 4 - 2 * 2
        assert _texts(rotated)[-1] == f"rot180($W_{{{n + 1},2}}$)"
        np.testing.assert_array_equal([float(t) for t in _texts(term)[:9]], terms[n].ravel())
        np.testing.assert_array_equal([float(t) for t in _texts(grids[9 + n])[:9]], terms[n].ravel())
    np.testing.assert_array_equal(
        [float(t) for t in _texts(grids[-1])[:9]], lk.bp_delta_map(delta, w, (2, 3, 3))[1].ravel()
    )
    ops = [t for ax in fig.axes for t in _texts(ax) if t in (STAR, "+", "=")]
    assert ops == [STAR, "="] * 3 + ["+", "+", "="]


# --- lesson 04 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("h", "label", "kernel"),
    [
        (6, "dilated 3×3, extended to 4×4", "dilated and extended to 4×4"),
        (5, "dilated 3×3", "dilated to 3×3"),
    ],
)
def test_stride_weight_figure_labels_the_dilation_and_fill_from_the_shapes(h, label, kernel):
    x = np.arange(1.0, h * h + 1).reshape(h, h)
    fig = weights.stride_weight_gradient_figure(x, np.array([[1.0, -1.0], [2.0, 1.0]]), (3, 3), stride=2)
    a, _, dil, _, dw = _grids(fig)
    assert _texts(dil)[-1].splitlines()[-1] == label
    h1 = h - 3 + 1
    inserted = {(0, 1), (1, 0), (1, 1), (1, 2), (2, 1)}
    fill = {(r, c) for r in range(h1) for c in range(h1) if r > 2 or c > 2}
    assert _cells(dil, "dilation") == inserted and _cells(dil, "fill") == fill
    assert not (_cells(dil, "dilation") & fill)  # fill zeros are never drawn as stride zeros
    caption = fig.texts[-1].get_text()
    assert f"δ, {kernel}, is the kernel slid over pad(a, P = 0) ({h}×{h})" in caption
    assert "the 3×3 ∂E/∂W" in caption
    assert _cells(a, "unread") == (
        {(5, c) for c in range(6)} | {(r, 5) for r in range(6)} if h == 6 else set()
    )


def test_pair_style_is_a_colour_and_a_marker_and_rejects_bad_input():
    styles = {pair_style(k)[1:] for k in range(30)}
    assert len(styles) == 30
    with pytest.raises(ValueError, match=r"k must be a non-negative integer; got -1"):
        pair_style(-1)
