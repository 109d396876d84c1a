"""The same function gets the same grade on every seed, and its public check predicts that grade.

Every planted wrong answer of tests/mutants.py (plus each exercise's solution) is graded in this
process on the hidden cases of 100 seeds, through the grader's own scoring
(:func:`lessonkit.course.grading.grader.evaluate`), and checked with ``lessonkit.check``.
"""

from __future__ import annotations

import contextlib
import io
import itertools

import numpy as np
import pytest
from mutants import MUTANTS
from test_check import SOLUTIONS

from lessonkit.course.checks import check
from lessonkit.course.exercises import EXERCISES
from lessonkit.course.feedback import expected_outputs
from lessonkit.course.grading.grader import evaluate, grade_function, hidden_cases, local_reply

# Many figures, widgets or seeds each: part of make test, not of the quick loop (make test-fast).
pytestmark = pytest.mark.slow

SEEDS = range(100)
_EXPECTED: dict = {}


def _expected_of(name):
    ex = EXERCISES[name]

    def expected(case):
        key = id(case)
        if key not in _EXPECTED:
            _EXPECTED[key] = (case, expected_outputs(ex, case))  # the case is kept so its id stays unique
        return _EXPECTED[key][1]

    return expected


_CASES: dict = {}


def points_over_seeds(name: str, fn) -> set:
    """The set of points ``fn`` gets over SEEDS (the same hidden cases for every function)."""
    ex = EXERCISES[name]
    points = set()
    for seed in SEEDS:
        key = (name, seed)
        if key not in _CASES:
            _CASES[key] = hidden_cases(ex, seed)
        result = evaluate(
            ex, _CASES[key], lambda case: local_reply(fn, case), expected_of=_expected_of(name), explain=False
        )
        points.add(result.points)
    return points


PLANTED = [(name, label) for name, table in MUTANTS.items() for label in table]


@pytest.mark.parametrize("name, label", PLANTED, ids=[f"{n}-{label}" for n, label in PLANTED])
def test_a_planted_bug_gets_the_same_points_on_every_seed_and_its_check_agrees(name, label):
    fn = MUTANTS[name][label]
    points = points_over_seeds(name, fn)
    assert len(points) == 1, f"{name} / {label}: points vary with the seed: {sorted(points)}"
    (score,) = points
    with contextlib.redirect_stdout(io.StringIO()) as out:
        passed = bool(check(name, fn))
    full = score == EXERCISES[name].max_points
    assert passed == full, (
        f"{name} / {label}: check passed={passed} but grader gave {score}\n{out.getvalue()}"
    )
    assert not full, f"{name} / {label} is not a bug: it scores full marks"


@pytest.mark.parametrize("name", list(EXERCISES))
def test_a_solution_gets_full_marks_on_every_seed(name):
    assert points_over_seeds(name, SOLUTIONS[name]) == {EXERCISES[name].max_points}


def test_grade_function_uses_the_graders_seeding():
    """grade_function (one seed) agrees with the loop above, so the figure in the note is the grader's."""
    fn = MUTANTS["bp_delta_map"]["stride ignored"]
    assert {grade_function("bp_delta_map", fn, seed).points for seed in range(3)} == points_over_seeds(
        "bp_delta_map", fn
    )


def _maps(ex, case) -> list:
    """The (rows, columns) of every map in a case: its array arguments, its shape arguments
    (``input_shape``, ``filter_shape``) and the answer's arrays."""
    found = []
    for a in (*case.args, *case.kwargs.values()):
        if isinstance(a, np.ndarray) and a.ndim >= 2:
            found.append(a.shape[-2:])
        elif isinstance(a, tuple) and len(a) >= 2 and all(type(v) is int for v in a):
            found.append(a[-2:])
    return found + [e.shape[-2:] for e in expected_outputs(ex, case) if e.ndim >= 2]


def _non_square(ex, case) -> set:
    """How a case is not square: which maps have rows != columns, and which two maps differ by a
    different number of rows than of columns (H - Fh != W - Fw: the stride-1 map is not square)."""
    maps = _maps(ex, case)
    kinds = {("map", k) for k, (h, w) in enumerate(maps) if h != w}
    return kinds | {
        ("difference", i, j)
        for (i, a), (j, b) in itertools.combinations(enumerate(maps), 2)
        if a[0] - b[0] != a[1] - b[1]
    }


@pytest.mark.parametrize("name", list(EXERCISES))
def test_a_random_case_is_never_less_square_than_its_groups_fixed_core(name):
    """A group's random case brings no way of being non-square that its fixed core lacks, so a bug
    that shows only off the square (H and W swapped) is exposed by the core, on every seed alike."""
    ex = EXERCISES[name]
    cores = {g: [spec for group, _, spec in ex.table.core if group == g] for g in ex.table.groups}
    for seed in range(20):
        cases = hidden_cases(ex, seed)
        for group in ex.table.groups:
            mine = [c for c in cases if c.group == group]
            core, drawn = mine[: len(cores[group])], mine[len(cores[group]) :]
            covered = set().union(*(_non_square(ex, c) for c in core))
            for case in drawn:
                extra = _non_square(ex, case) - covered
                assert not extra, (
                    f"{name} / {group}, seed {seed}: {case.label} is non-square as no core case is"
                )
