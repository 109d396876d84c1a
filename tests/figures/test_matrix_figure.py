"""The matrix figure of lesson 01: M and Mᵀ, each weight named in its own cells."""

from __future__ import annotations

import pytest

from lessonkit.figures.matrix import conv_matrix_figure


def test_every_weight_appears_once_per_output_and_the_full_row_is_rot180():
    fig = conv_matrix_figure()
    left, right = fig.axes
    names = ["w₁₁", "w₁₂", "w₂₁", "w₂₂"]
    assert [sum(t.get_text() == n for t in left.texts) for n in names] == [4, 4, 4, 4]
    assert sum(t.get_text() == "0" for t in left.texts) == 4 * 9 - 16
    note = [t.get_text() for t in right.texts if t.get_text().startswith("row a₂₂")]
    assert note == ["row a₂₂: w₂₂ w₂₁ w₁₂ w₁₁\n= W read backwards: rot180(W)"]


def test_bad_names_are_refused():
    with pytest.raises(
        ValueError, match=r"w_names must be a 2-D array of names \(Fh, Fw\); got shape \(3,\)"
    ):
        conv_matrix_figure(["a", "b", "c"])


def test_im2col_rows_are_the_windows_and_col2im_cells_are_the_rows_of_m_transpose():
    """Each cell of the figure agrees with lesson 01's M, read two ways: M a by rows, Mᵀ δ by columns."""
    import numpy as np

    from lessonkit.figures.matrix import im2col_transpose_figure
    from lessonkit.maths.matrix import conv_matrix

    fig = im2col_transpose_figure((3, 4), (2, 3))  # a rectangular case, not only the lecture's
    left, _, right = fig.axes
    which = conv_matrix(np.arange(1.0, 7.0).reshape(2, 3), (3, 4)).astype(int)
    entries = [t.get_text() for t in left.texts if t.get_text().startswith("a")]
    assert len(entries) == which.shape[0] * 6
    inputs = [f"a{i}{j}" for i in "₁₂₃" for j in "₁₂₃₄"]
    for o, row in enumerate(which):  # window o meets weight k at the input M pairs with it
        assert entries[o * 6 : (o + 1) * 6] == [inputs[int(np.flatnonzero(row == k)[0])] for k in range(1, 7)]
    sums = [t.get_text() for t in right.texts if t.get_text().startswith("δ")]
    reads = [int((which[:, i] > 0).sum()) for i in range(12) if (which[:, i] > 0).any()]
    assert [s.count("δ") for s in sums] == reads  # one term per window that read the cell
