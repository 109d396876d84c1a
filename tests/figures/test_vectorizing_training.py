"""Figures of lessons 07 and 08 (lessonkit.figures.training): they draw what they claim, without pyplot state."""

from __future__ import annotations

import numpy as np
import pytest

from lessonkit.figures import png_bytes, training, vectorizing
from lessonkit.network import bench


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_im2col_figure_shows_the_rows_and_their_products():
    x = np.array([[3, 1, 0, 2], [1, 4, 2, 0], [0, 2, 5, 1], [2, 0, 1, 3]])
    fig = vectorizing.im2col_figure(x)
    texts = _texts(fig)
    # 16 input cells + 9x4 im2col cells + 4 filter cells + 9 net cells + 9 net-map cells
    numbers = [t for t in texts if t.lstrip("-").isdigit()]
    assert len(numbers) == 16 + 36 + 4 + 9 + 9
    rows = np.array([x[i : i + 2, j : j + 2].ravel() for i in range(3) for j in range(3)])
    net = rows @ np.array([1, 2, 0, -1])
    assert [int(t) for t in numbers[-9:]] == net.tolist()  # the folded net map, row by row
    assert png_bytes(fig)[:4] == b"\x89PNG"


def test_col2im_figure_counts_windows_and_marks_unread_pixels():
    fig = vectorizing.col2im_figure(((4, 4, 2, 2, 1, 0), (5, 5, 2, 2, 2, 0)))
    left = [t.get_text() for t in fig.axes[0].texts]
    assert sorted(int(t) for t in left) == sorted([1, 2, 2, 1, 2, 4, 4, 2, 2, 4, 4, 2, 1, 2, 2, 1])
    right = [t.get_text() for t in fig.axes[1].texts]
    assert right.count("0") == 9 and any("never read" in t for t in right)


def test_benchmark_figure_draws_one_dot_per_series_and_case_and_says_best_of_how_many():
    rows = bench.run(
        [bench.Workload("tiny", 1, 1, 4, 4, 1, 2, 2)],
        dtypes=("float64",),
        repeats=1,
        loop_repeats=2,
        torch=False,
    )
    fig = vectorizing.benchmark_figure(rows)
    ax = fig.axes[0]
    assert not ax.patches  # no bars: a bar's length on a log axis means nothing
    assert [len(line.get_xdata()) for line in ax.lines] == [1, 1]  # loop and fast; torch is absent
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "loop reference (best of 2 runs)",
        "lessonkit.fast (best of 1 runs)",
    ]


def test_training_figures():
    history = {"loss": [1.0, 0.5, 0.2], "train_acc": [0.5, 0.8, 0.99], "test_acc": [0.4, 0.7, 0.98]}
    fig = training.training_curves_figure(history)
    assert len(fig.axes) == 2 and len(fig.axes[1].lines) == 3  # train, test, target line
    cm = np.array([[5, 1], [0, 4]])
    fig = training.confusion_matrix_figure(cm)
    assert sorted(_texts(fig)) == ["1", "4", "5"] and "9 of 10 right" in fig.axes[0].get_title()
    images = np.zeros((3, 64))
    fig = training.misclassified_figure(images, [1, 2, 3], [7, 5, 8], [0.5, 0.6, 0.7])
    assert [ax.get_title() for ax in fig.axes] == ["1 → 7 (50%)", "2 → 5 (60%)", "3 → 8 (70%)"]
    assert "no mistakes" in training.misclassified_figure(np.zeros((0, 64)), [], []).texts[0].get_text()
    fig = training.digits_figure(np.zeros((4, 8, 8)), [0, 1, 2, 3])
    assert [ax.get_title() for ax in fig.axes] == ["0", "1", "2", "3"]


@pytest.mark.parametrize("with_maps", [False, True])
def test_filters_figure(with_maps):
    rng = np.random.default_rng(0)
    w = rng.normal(size=(4, 1, 3, 3))
    maps = rng.random((4, 8, 8)) if with_maps else None
    fig = training.filters_figure(w, maps, rng.random((8, 8)) if with_maps else None)
    images = [ax for ax in fig.axes if ax.images]
    assert len(images) == (4 + 4 + 1 if with_maps else 4)  # filters, maps, input
    assert len(fig.axes) == len(images) + 1  # and the colour bar
    lo, hi = images[0].images[0].get_clim()
    assert lo == -hi == -np.abs(w).max()  # symmetric scale: white is exactly 0


def test_loss_curves_figure_draws_each_curve_and_picks_its_axis():
    two = training.loss_curves_figure(
        {"loop": ([1, 2, 3], [2.3, 2.1, 2.2]), "fast": ([1, 2, 3], [2.3, 2.1, 2.2])}
    )
    ax = two.axes[0]
    assert [line.get_label() for line in ax.get_lines()] == ["loop", "fast"]
    assert ax.get_lines()[0].get_linewidth() > 2 * ax.get_lines()[1].get_linewidth()  # coinciding, both seen
    assert ax.get_yscale() == "linear"  # a narrow range stays linear
    wide = training.loss_curves_figure({"yours": ([200, 400, 600], [2.0, 0.5, 0.1])})
    assert wide.axes[0].get_yscale() == "log"  # losses over a factor of 20: a log axis
    assert png_bytes(wide)[:4] == b"\x89PNG"
    with pytest.raises(
        ValueError, match=r"curves must hold at least one \(x, losses\) pair; got an empty mapping"
    ):
        training.loss_curves_figure({})


def _render_in_chinese(monkeypatch, font):
    import warnings

    from lessonkit.course import i18n
    from lessonkit.figures import style

    monkeypatch.setattr(style, "cjk_font", lambda: font)
    monkeypatch.setattr(i18n, "_chosen", "zh-Hans")
    import matplotlib as mpl

    with warnings.catch_warnings(record=True) as caught, mpl.rc_context():
        warnings.simplefilter("always")
        fig = training.loss_curves_figure({"training set": ([1, 2], [2.0, 1.0])}, xlabel="training step")
        png_bytes(fig)
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
    return fig.axes[0].get_xlabel(), missing


def test_a_chinese_figure_never_draws_missing_glyphs(monkeypatch):
    """Without a Chinese font the words stay English; with one they are Chinese. No tofu either way."""
    label, missing = _render_in_chinese(monkeypatch, None)
    assert label == "training step" and missing == []
    from matplotlib import font_manager

    from lessonkit.figures.style import CJK_FONTS

    installed = {f.name for f in font_manager.fontManager.ttflist}
    font = next((name for name in CJK_FONTS if name in installed), None)
    if font is None:
        pytest.skip("no Chinese font here (apt-get install fonts-noto-cjk; .ci/run does)")
    label, missing = _render_in_chinese(monkeypatch, font)
    assert label != "training step" and any("\u4e00" <= ch <= "\u9fff" for ch in label), label
    assert missing == [], missing


def test_benchmark_table_takes_a_translated_heading_of_eight_columns():
    rows = bench.run(
        [bench.Workload("tiny", 1, 1, 4, 4, 1, 2, 2)], dtypes=("float64",), repeats=1, loop_repeats=1
    )
    assert bench.format_table(rows).splitlines()[0] == bench.HEADING
    heading = "| 情形 | 形状 | dtype | 循环 | fast | torch | 循环 / fast | fast / torch |"
    table = bench.format_table(rows, heading=heading).splitlines()
    assert table[0] == heading and table[2].startswith("| tiny |")
    with pytest.raises(
        ValueError, match=r"heading must be a table row of 8 columns like HEADING; got '\| a \| b \|'"
    ):
        bench.format_table(rows, heading="| a | b |")
