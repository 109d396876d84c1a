"""lessonkit.course.learner: the learner's functions from their notebook, or lessonkit's with a note."""

from __future__ import annotations

from pathlib import Path

import nbformat
import numpy as np
import pytest

import lessonkit as lk
from lessonkit.course.exercises import EXERCISES
from lessonkit.course.learner import learner_functions

ROOT = Path(__file__).resolve().parents[2]
N_BP = len(EXERCISES["bp_delta_map"].public())


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
            f"yours runs too long on case 1/{N_BP} of its check; run lessonkit.check there",
        ),
        (
            ["def bp_delta_map(delta, w, input_shape, stride=1, padding=0)\n    return 1"],
            "a cell defining it has a syntax error, line 1",
        ),
        (
            ["def bp_delta_map(delta, w, input_shape, stride=1, padding=0):\n    return delta[9]"],
            f"yours raises on case 1/{N_BP} of its check; run lessonkit.check there",
        ),
        (
            [
                "import numpy as np\nfrom lessonkit import correlate2d, pad",
                "def bp_delta_map(delta, w, input_shape, stride=1, padding=0):\n    return np.zeros(input_shape)",
            ],
            f"yours gives a wrong answer on case 1/{N_BP} of its check; run lessonkit.check there",
        ),
    ],
    ids=["stub", "missing", "hangs", "syntax error", "raises", "wrong"],
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


def test_a_folder_gives_each_function_from_its_own_exercise_notebook(capsys):
    fns = learner_functions(ROOT / "solutions", ("bp_delta_map", "compute_gradient", "Filter"))
    assert capsys.readouterr().out == "bp_delta_map: yours\ncompute_gradient: yours\nFilter: yours\n"
    assert fns["Filter"](3, 2, 4).get_weights().shape == (4, 2, 3)  # the learner's class, usable
    fns = learner_functions(ROOT / "exercises", ("bp_delta_map",))
    assert capsys.readouterr().out == "bp_delta_map: lessonkit's (not written yet)\n"


def test_a_missing_workspace_names_the_notebook_it_looked_for(tmp_path, capsys):
    learner_functions(tmp_path / "my-work", ("compute_gradient",))
    expected = f"the notebook {tmp_path / 'my-work' / '03_compute_gradient.ipynb'} does not exist"
    assert capsys.readouterr().out == f"compute_gradient: lessonkit's ({expected})\n"


def test_the_learners_functions_work_inside_a_check_of_a_later_exercise(capsys):
    """layer_backward calls the learner's bp_delta_map while its own check runs (nothing switched off)."""
    fns = learner_functions(ROOT / "solutions", ("bp_delta_map", "compute_gradient"), quiet=True)
    namespace: dict = {}
    from lessonkit.course.learner import _run_cells

    assert (
        _run_cells(
            ROOT / "solutions" / "04_conv_layer.ipynb", ("conv_forward", "layer_backward"), namespace, 30
        )
        is None
    )
    namespace.update(
        fns
    )  # as exercise 04's cell does: its bp_delta_map and compute_gradient are the learner's
    assert lk.check("layer_backward", namespace["layer_backward"])
    assert "layer_backward: all 5 public cases pass." in capsys.readouterr().out


def test_a_missing_notebook_in_the_workspace_is_named_without_this_machines_folders(capsys):
    """Lesson 08's stored output names the learner's missing notebook; no absolute path may show."""
    from lessonkit.course.learner import learner_functions, workspace
    from lessonkit.course.paths import course_root

    learner_functions(workspace() / "no_such_exercise.ipynb", ("pad",))
    out = capsys.readouterr().out
    assert "my-work/no_such_exercise.ipynb does not exist" in out, out
    assert str(course_root().resolve()) not in out
