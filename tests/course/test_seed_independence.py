"""The same function gets the same grade on every seed, and its public check predicts that grade.

Every planted wrong answer of tests/mutants.py (plus each exercise's solution) is graded in this
process on the hidden cases of 100 seeds, through the grader's own scoring
(:func:`lessonkit.course.grading.grader.evaluate`), and checked with ``lessonkit.check``.
"""

from __future__ import annotations

import contextlib
import io

import pytest
from mutants import MUTANTS
from test_check import SOLUTIONS

from lessonkit.course.checks import check
from lessonkit.course.exercises import EXERCISES
from lessonkit.course.feedback import expected_outputs
from lessonkit.course.grading.grader import evaluate, grade_function, hidden_cases, local_reply

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
