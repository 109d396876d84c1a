"""lessonkit.course.learner: the learner's functions from their notebook, or lessonkit's with a note."""

from __future__ import annotations

from pathlib import Path

import nbformat
import numpy as np
import pytest

import lessonkit as lk
from lessonkit.course.learner import learner_functions

ROOT = Path(__file__).resolve().parents[2]


def _notebook(tmp_path, *sources) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    path = tmp_path / "mine.ipynb"
    nbformat.write(nb, path)
    return path


def test_a_solved_notebook_gives_the_learners_functions(capsys):
    fns = learner_functions(ROOT / "solutions" / "03_compute_gradient.ipynb", ("compute_gradient",))
    assert capsys.readouterr().out == "compute_gradient: yours\n"
    delta, x = np.ones((1, 2, 2)), np.arange(9.0).reshape(1, 3, 3)
    mine, ref = fns["compute_gradient"](delta, x, (1, 1, 2, 2)), lk.compute_gradient(delta, x, (1, 1, 2, 2))
    assert all(np.array_equal(a, b) for a, b in zip(mine, ref, strict=True))


@pytest.mark.parametrize(
    "sources, why",
    [
        (
            [
                "import numpy as np",
                "def bp_delta_map(delta, w, input_shape, stride=1, padding=0):\n    raise NotImplementedError",
            ],
            "not written yet",
        ),
        (["import numpy as np"], "no such function in the notebook"),
        (
            ["def bp_delta_map(delta, w, input_shape, stride=1, padding=0):\n    while True:\n        pass"],
            "it ran longer than 1 s on the lecture's case",
        ),
        (
            ["def bp_delta_map(delta, w, input_shape, stride=1, padding=0)\n    return 1"],
            "a cell defining it has a syntax error, line 1",
        ),
        (
            ["def bp_delta_map(delta, w, input_shape, stride=1, padding=0):\n    return delta[9]"],
            "it raised IndexError on the lecture's case",
        ),
    ],
    ids=["stub", "missing", "hangs", "syntax error", "raises"],
)
def test_an_unusable_function_falls_back_to_lessonkits_with_the_reason(tmp_path, capsys, sources, why):
    fns = learner_functions(_notebook(tmp_path, *sources), ("bp_delta_map",), timeout=1.0)
    assert capsys.readouterr().out == f"bp_delta_map: lessonkit's ({why})\n"
    delta, w = np.ones((1, 2, 2)), np.ones((1, 1, 2, 2))
    assert np.array_equal(fns["bp_delta_map"](delta, w, (1, 3, 3)), lk.bp_delta_map(delta, w, (1, 3, 3)))


def test_only_import_cells_and_the_defining_cells_run(tmp_path):
    marker = tmp_path / "ran.txt"
    path = _notebook(
        tmp_path,
        "import numpy as np",
        f"open({str(marker)!r}, 'w').write('a cell that is not wanted ran')",
        "def pad(x, p):\n    return np.pad(np.asarray(x, float), [(0, 0)] * (np.ndim(x) - 2) + [(p, p), (p, p)])",
    )
    fns = learner_functions(path, ("pad",), quiet=True)
    assert fns["pad"].lessonkit_source == "yours" and not marker.exists()


def test_names_must_be_exercises():
    with pytest.raises(ValueError, match=r"names must be exercise names \(pad, .*\); got \['nope'\]"):
        learner_functions("x.ipynb", ("nope",))
