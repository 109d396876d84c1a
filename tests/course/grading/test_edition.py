"""The grading edition of lessonkit holds what a notebook may use, and nothing that computes its answer."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from lessonkit.course.curriculum import allowed_roots, allowed_units
from lessonkit.course.exercises import NOTEBOOKS
from lessonkit.course.grading.edition import write_edition

# Definitions that compute a graded answer; none may be in any edition but where earlier exercises taught them.
NEVER = [
    r"def conv_backward\(",
    r"def im2col\(",
    r"def col2im\(",
    r"class Conv\b",
    r"class ConvLayer\b",
    r"class Filter\b",
    r"def layer_backward_reference\(",
    r"def _bp_variant\(",
    r"def _cg_variant\(",
    r"EXERCISES = ",
]
TAUGHT = {  # definition -> the first notebook whose edition may hold it
    r"def pad\(": "02_bp_delta_map",
    r"def correlate2d\(": "02_bp_delta_map",
    r"def bp_delta_map\(": "03_compute_gradient",
    r"def compute_gradient\(": "04_conv_layer",
    r"def conv_forward\(": "05_pooling",
    r"def max_pool_backward\(": "06_im2col",
    r"def mean_pool_forward\(": "06_im2col",
}


def _text(folder: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.py")))


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_an_edition_holds_only_what_earlier_exercises_taught(notebook, tmp_path):
    text = _text(write_edition(notebook, tmp_path))
    for pattern in NEVER:
        assert not re.search(pattern, text), (notebook, pattern)
    for pattern, first in TAUGHT.items():
        present = bool(re.search(pattern, text))
        assert present == (NOTEBOOKS.index(notebook) >= NOTEBOOKS.index(first)), (notebook, pattern)


def _run(edition: Path, code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-I",
            "-S",
            "-c",
            f"import sys; sys.path[:0] = [{str(edition)!r}] + {sys.path!r}\n{code}",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_import_cells_work_and_unavailable_names_say_why(tmp_path):
    edition = write_edition("03_compute_gradient", tmp_path)
    code = """
import numpy as np
import lessonkit
from lessonkit import bp_delta_map, compute_gradient, correlate2d, dilate, pad
print(lessonkit.__file__.startswith(sys.path[0]))
print(bp_delta_map(np.ones((1, 2, 2)), np.ones((1, 1, 2, 2)), (1, 3, 3)).sum())
print(lessonkit.check("compute_gradient", None))
from lessonkit import fast  # noqa: F401  (lessonkit.fast is network.fast, imported on first use)
try:
    compute_gradient(np.ones((1, 2, 2)), np.ones((1, 3, 3)), (1, 1, 2, 2))
except RuntimeError as exc:
    print(type(exc).__name__, exc)
try:
    lessonkit.fast.conv_backward
    lessonkit.nn.Conv(1, 1, 3).backward(None)
except RuntimeError as exc:
    print(type(exc).__name__, str(exc).split(" is ")[0])
print(sys.modules["lessonkit._unavailable"].USED)
"""
    proc = _run(edition, code)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[:3] == ["True", "16.0", "None"]
    assert lines[3] == (
        "LessonkitUnavailable lessonkit.maths.conv.compute_gradient is not available while 03_compute_gradient is "
        "graded: only what earlier exercises taught can be used (pad, rot180, dilate, correlate2d, "
        "bp_delta_map, rel_error and the activations), plus numpy and "
        "the rest of the environment"
    )
    assert lines[4] == "LessonkitUnavailable lessonkit.network.nn.Conv"
    assert lines[5] == "['lessonkit.maths.conv.compute_gradient', 'lessonkit.network.nn.Conv']"


def test_curriculum():
    assert allowed_roots("01_primitives")[:2] == ("gradcheck.rel_error", "activations.Activation")
    assert "gradcheck.numerical_gradient" not in allowed_units("04_conv_layer")  # it would compute answers
    assert "ops.pad" not in allowed_units("01_primitives")
    assert {"ops.pad", "conv.bp_delta_map", "conv.stride_one_map"} <= allowed_units("03_compute_gradient")
    assert "conv.conv_forward" not in allowed_units("04_conv_layer")
    with pytest.raises(ValueError, match=r"notebook must be one of 01_primitives, .*; got '05_x'"):
        allowed_roots("05_x")


def test_example_cells_guard_works_while_grading(tmp_path):
    edition = write_edition("03_compute_gradient", tmp_path)
    code = """
import lessonkit
with lessonkit.safely("compute_gradient"):
    raise ValueError("a wrong shape in the hand example")
print("the next cell still runs")
print(sys.modules["lessonkit._unavailable"].USED)
"""
    proc = _run(edition, code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["the next cell still runs", "[]"]


def test_learner_functions_while_grading_lends_only_what_the_notebook_may_use(tmp_path):
    """Each graded function is graded on its own: the learner's earlier work is not read, and nothing
    the notebook may not use comes back through learner_functions."""
    edition = write_edition("03_compute_gradient", tmp_path)
    code = """
import numpy as np
import lessonkit
mine = lessonkit.learner_functions(".", ("bp_delta_map", "compute_gradient"))
print(mine["bp_delta_map"](np.ones((1, 2, 2)), np.ones((1, 1, 2, 2)), (1, 3, 3)).sum())
try:
    mine["compute_gradient"](np.ones((1, 2, 2)), np.ones((1, 3, 3)), (1, 1, 2, 2))
except RuntimeError as exc:
    print(type(exc).__name__, str(exc).split(" is ")[0])
"""
    proc = _run(edition, code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "16.0",
        "LessonkitUnavailable lessonkit.maths.conv.compute_gradient",
    ]
