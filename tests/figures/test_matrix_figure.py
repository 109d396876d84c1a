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
