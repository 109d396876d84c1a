"""Every line a Chinese notebook prints is Chinese, but for code, numbers, symbols and the terms the
lecture keeps in English (``translations/english-terms.txt``).

The lines are the notebooks' stored outputs; nbval (strict, in ``make test``) runs every Chinese
lesson and solution in a fresh kernel and fails when what it prints differs from them, so they are
what a run prints.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from lessonkit.course import translations as tr

ROOT = Path(__file__).resolve().parents[3]
CHINESE = sorted(
    p
    for lang in tr.EDITIONS
    for folder in ("notebooks", "solutions", "exercises")
    for p in (ROOT / folder / lang).glob("*.ipynb")
)


def test_the_editions_are_there_to_read():
    assert len(CHINESE) >= 2 * (9 + 6 + 6), [p.name for p in CHINESE]


@pytest.mark.parametrize("path", CHINESE, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_printed_line_is_english_only(path):
    found = tr.english_output_lines([path], ROOT)
    lines = [f"cell {cell}: {line}" for _path, cell, line in found["english"]]
    assert not lines, (
        f"{len(lines)} English lines (translate them, or allow-list a kept term):\n" + "\n".join(lines)
    )


def test_the_detector_catches_english_and_lets_code_numbers_and_kept_terms_through():
    terms = tr.english_terms(ROOT)
    assert tr.english_words("epoch  1/20  loss 1.3846  validation accuracy 84.7%", terms)
    assert tr.english_words("not yet: try again", terms) == ["not", "yet", "try", "again"]
    assert tr.english_words("Traceback (most recent call last):", terms)
    for neutral in [
        "rel_error = 2.6e-10",
        "H=7 F=3 S=2 P=1:  H_out = (7 - 3 + 2*1)//2 + 1 = 4",
        "[[ 1.  -1. ]",
        "ReLU() 的 rel_error = 9.4e-09",
        "dE/da^(l-1): (2, 6, 5)  dE/dW: (3, 2, 3, 3)  dE/dw_b: (3,)",
        "cross(pad(delta, 1), rot180(W)): True",
        "| 07 conv1, B=4 | 4x1x8x8 -> 16x3x3 S1 P1 | float64 | 10.105 (16.488) |",
        "Feature map 与 Filter",
    ]:
        assert not tr.english_words(neutral, terms), neutral


def test_a_widget_or_figure_is_read_as_its_picture_not_its_text():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x")])
    nb.cells[0].outputs = [
        nbformat.v4.new_output(
            "display_data", {"image/png": "", "text/plain": "<Figure size 10x10 with 1 Axes>"}
        ),
        nbformat.v4.new_output("stream", text="printed in English\n\n"),
    ]
    assert list(tr.shown_lines(nb)) == [(0, "printed in English")]
