"""lessonkit.check: passes the solutions, fails every stub and every known mistake, never raises."""

from __future__ import annotations

import inspect
import re
import textwrap
from pathlib import Path

import mutants
import numpy as np
import pytest

import lessonkit
from lessonkit.course.checks import check
from lessonkit.course.exercises import EXERCISES, exercises_of
from lessonkit.course.learner import _run_cells

ROOT = Path(__file__).resolve().parents[2]


def functions_of(folder: str) -> dict:
    """Run each notebook's import cells and the cells defining what it grades (as learner_functions does)."""
    found = {}
    for path in sorted((ROOT / folder).glob("*.ipynb")):
        names = tuple(ex.name for ex in exercises_of(path.stem))
        namespace: dict = {}
        assert _run_cells(path, names, namespace, timeout=60) is None
        found.update({name: namespace[name] for name in names})
    return found


SOLUTIONS = functions_of("solutions")
STUBS = functions_of("exercises")


def outside_lessonkit(cls: type) -> type:
    """A copy of a lessonkit class and its bases, compiled from their source outside lessonkit's files."""
    namespace: dict = {"np": np}
    for klass in reversed(cls.__mro__[:-1]):
        source = textwrap.dedent(inspect.getsource(klass))
        exec(compile(source, "<learner's notebook>", "exec"), namespace)
    return namespace[cls.__name__]


def run(name, fn, capsys):
    result = check(name, fn)
    return result, capsys.readouterr().out


@pytest.mark.parametrize("name", list(EXERCISES))
def test_solution_passes(name, capsys):
    result, out = run(name, SOLUTIONS[name], capsys)
    assert bool(result) and result.status == "passed", out
    ex = EXERCISES[name]
    assert out.rstrip().endswith(
        f"{name}: all {len(ex.public())} public cases pass.\n"
        f"The grader runs hidden cases of the same kinds, in {len(ex.groups)} groups worth {ex.max_points} "
        "points in all."
    )
    assert out.startswith(f"Checking {name} on")


@pytest.mark.parametrize("name", list(EXERCISES))
def test_stub_fails_as_not_implemented(name, capsys):
    """The invert check: every public check reports the untouched stub."""
    result, out = run(name, STUBS[name], capsys)
    assert not result and result.status == "not implemented"
    assert f"{name}: not implemented yet (hint: " in out


@pytest.mark.parametrize(
    "name, index", [(name, i) for name, ex in EXERCISES.items() for i in range(len(ex.mistakes))]
)
def test_every_known_mistake_fails_and_is_named(name, index, capsys):
    ex = EXERCISES[name]
    mistake = ex.mistakes[index]
    if isinstance(mistake.func, type):  # a class exercise: the mistaken class, as a learner's copy
        result, out = run(name, outside_lessonkit(mistake.func), capsys)
        assert result.status == "failed" and f"likely cause: {mistake.cause}" in out, out
        return
    # The mistaken answers are computed here, outside the check: during a check the lessonkit
    # function being exercised is switched off, and the variants are built from it.
    answers = []
    for case in ex.public():
        try:
            answers.append((case, mistake.func(*case.args, **case.kwargs)))
        except ValueError as exc:
            answers.append((case, exc))

    def mistaken(*args, **kwargs):
        for case, answer in answers:
            if (
                all(np.array_equal(a, b) for a, b in zip(args, case.args, strict=True))
                and kwargs == case.kwargs
            ):
                if isinstance(answer, Exception):
                    raise answer
                return answer
        raise AssertionError("not a public case")

    result, out = run(name, mistaken, capsys)
    assert not result, out
    if result.status == "raised":  # e.g. padding ignored: the kernel no longer fits the input
        assert "raised ValueError" in out
    else:
        assert result.status == "failed"
    # an answer that raises is explained too: this mistake raises the very same error there
    assert re.search(r"^    likely cause: .*" + re.escape(mistake.cause), out, re.M), out


def test_a_check_stops_at_the_first_failure_and_shows_expected_and_got(capsys):
    n = len(EXERCISES["bp_delta_map"].public())
    result, out = run("bp_delta_map", mutants.BP["no rot180"], capsys)
    assert f"case 1/{n}  the lecture's case: 3x3 input, 2x2 filter, S=1, P=0: FAILED" in out
    assert f"case 2/{n}" not in out
    expected = out.split("expected:")[1].split("got:")[0]
    assert "[ 6. 20. 16.]" in expected  # the lecture's example, computed by lessonkit
    assert "likely cause: filter not rotated" in out
    assert out.rstrip().endswith(f"bp_delta_map: 0 of {n} public cases pass; fix case 1 first.")


def test_output_is_deterministic(capsys):
    first = run("compute_gradient", lambda *a, **k: None, capsys)[1]
    second = run("compute_gradient", lambda *a, **k: None, capsys)[1]
    assert first == second and "must return a tuple of 2 arrays (dW, db); got None" in first
    assert not re.search(r"0x[0-9a-f]{6,}", first)


def test_input_mutation_is_reported(capsys):
    solution = SOLUTIONS["compute_gradient"]

    def mutating(delta, x, filter_shape, stride=1, padding=0):
        out = solution(delta, x, filter_shape, stride, padding)
        x *= 0
        return out

    result, out = run("compute_gradient", mutating, capsys)
    assert not result and "changed its input x" in out and "input mutated" in out


@pytest.mark.parametrize(
    "fn, text",
    [
        (lambda *a, **k: "hello", "returned a str ('hello') for result; return a numpy array"),
        (lambda x, p: np.pad(x, p).tolist(), "returned a list ([[0.0, 0.0, 0.0, 0.0], [0.0, "),
        (lambda *a, **k: np.array([object()]), "not an array of numbers"),
        (lambda *a, **k: np.zeros((7, 7)), "has shape (7, 7); expected (4, 4)"),
        (lambda *a, **k: 1 / 0, "raised ZeroDivisionError: division by zero"),
        (lambda *a, **k: exit(3), "raised SystemExit"),
        (42, "expected your function"),
    ],
)
def test_a_check_never_raises(fn, text, capsys):
    result, out = run("pad", fn, capsys)
    assert not result and text in out


def test_unknown_exercise(capsys):
    result, out = run("bpDeltaMap", SOLUTIONS["bp_delta_map"], capsys)
    assert not result and "unknown exercise 'bpDeltaMap'" in out and "bp_delta_map" in out


def test_the_function_being_checked_is_switched_off_in_lessonkit(capsys):
    def forwards(delta, w, input_shape, stride=1, padding=0):
        return lessonkit.bp_delta_map(delta, w, input_shape, stride, padding)

    result, out = run("bp_delta_map", forwards, capsys)
    assert not result
    assert (
        "lessonkit.maths.conv.bp_delta_map is not available while your bp_delta_map is checked or graded"
        in out
    )
    # ... and only while the check runs
    g = lessonkit.bp_delta_map(np.ones((1, 2, 2)), np.ones((1, 1, 2, 2)), (1, 3, 3))
    assert g.shape == (1, 3, 3)


@pytest.mark.parametrize(
    "reach",
    [
        lambda d, w, s, S, P: lessonkit.fast.conv_backward(d[None], np.zeros((1, *s)), w, S, P)[0][0],
        lambda d, w, s, S, P: lessonkit.course.exercises.EXERCISES["bp_delta_map"].reference(d, w, s, S, P),
        lambda d, w, s, S, P: lessonkit.course.exercises.bp_delta_map.bp_variant(d, w, s, S, P),
        lambda d, w, s, S, P: lessonkit.maths.conv.conv_forward(np.zeros(s), w, np.zeros(len(w)), S, P) * 0,
        lambda d, w, s, S, P: lessonkit.maths.layer.ConvLayer(s[0], len(w), w.shape[2:]).backward(d),
        lambda d, w, s, S, P: lessonkit.nn.Conv(s[0], len(w), w.shape[2]).backward(d[None]),
    ],
)
def test_what_computes_the_answer_is_switched_off_during_the_check(reach, capsys):
    """Everything lessonkit has beyond what earlier exercises taught fails the check, as in the grader."""
    result, out = run(
        "bp_delta_map", lambda d, w, s, stride=1, padding=0: reach(d, w, s, stride, padding), capsys
    )
    assert not result and "is not available while your bp_delta_map is checked or graded" in out, out


@pytest.mark.parametrize("name", list(EXERCISES))
def test_lessonkits_own_function_passes_with_a_note(name, capsys):
    result, out = run(name, EXERCISES[name].reference, capsys)
    assert result, out
    assert f"note: this is lessonkit's own {name}, not yours" in out


def test_earlier_exercises_functions_stay_usable(capsys):
    result, out = run("bp_delta_map", SOLUTIONS["bp_delta_map"], capsys)  # it calls lessonkit.rot180 etc.
    assert result, out


def test_result_shows_nothing_in_a_notebook():
    result = check("rot180", SOLUTIONS["rot180"])
    assert repr(result) == "CheckResult('rot180', passed=True, status='passed')"
    assert result._ipython_display_() is None


def test_an_endless_loop_is_stopped(capsys):
    def loops(x, p):
        while True:
            pass

    result = check("pad", loops, timeout=0.3)
    out = capsys.readouterr().out
    assert not result and result.status == "timeout" and "still running after 0.3 s" in out
    assert check("rot180", SOLUTIONS["rot180"])  # the alarm is off again


def test_safely_names_the_method_that_is_not_written_yet(capsys):
    class Filter:
        def __init__(self, width, height, depth):
            self.weights = np.zeros((depth, height, width))

        def update(self, learning_rate):
            raise NotImplementedError("one gradient-descent step")

    with lessonkit.safely("layer_backward"):
        Filter(2, 2, 1).update(0.1)
    assert capsys.readouterr().out == (
        "Filter.update is not implemented yet: write it above, run its cell, then this one.\n"
    )


# A learner's cell, as IPython compiles it: its own file name, its source in linecache, line 1 its first.
HW_SWAPPED = """\
def bp_delta_map(delta, w, input_shape, stride=1, padding=0):
    delta = np.asarray(delta, dtype=float)
    w = np.asarray(w, dtype=float)
    D, H, W = input_shape
    N, _, fh, fw = w.shape
    d = dilate(delta, stride)
    d1 = np.zeros((N, W + 2 * padding - fw + 1, H + 2 * padding - fh + 1))
    d1[:, : d.shape[1], : d.shape[2]] = d
    grad = np.zeros((D, H + 2 * padding, W + 2 * padding))
    for n in range(N):
        full = np.pad(d1[n], ((fh - 1, fh - 1), (fw - 1, fw - 1)))
        for ch in range(D):
            grad[ch] += correlate2d(full, rot180(w[n, ch]))
    return grad[:, padding : padding + H, padding : padding + W]
"""


def cell(source: str, name: str, number: int = 1):
    """The function ``name`` defined by a notebook cell holding ``source``."""
    import linecache

    filename = f"/tmp/ipykernel_4242/{number}.py"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {"np": np, **{k: getattr(lessonkit, k) for k in ("correlate2d", "dilate", "pad", "rot180")}}
    exec(compile(source, filename, "exec"), namespace)
    return namespace[name]


def test_an_answer_that_raises_gets_its_likely_cause_and_the_line_that_raised(capsys):
    result, out = run("bp_delta_map", cell(HW_SWAPPED, "bp_delta_map"), capsys)
    assert result.status == "raised", out
    assert (
        "    raised ValueError: could not broadcast input array from shape (1,4,2) into shape (1,2,2) "
        "(in bp_delta_map, line 8 of its cell)\n"
        "      line 8: d1[:, : d.shape[1], : d.shape[2]] = d\n"
        "    likely cause: H and W swapped in the stride-1 map's size: it has H + 2P - Fh + 1 rows and "
    ) in out, out


def test_the_explanation_of_a_raise_is_in_the_learners_language(capsys):
    try:
        lessonkit.set_language("zh-Hans")
        result, out = run("bp_delta_map", cell(HW_SWAPPED, "bp_delta_map"), capsys)
    finally:
        lessonkit.set_language(None)
    assert result.status == "raised", out
    assert "（在 bp_delta_map 中，位于其单元格的第 8 行）" in out, out
    assert "      第 8 行：d1[:, : d.shape[1], : d.shape[2]] = d" in out
    assert "    可能的原因：步长为 1 时的图的大小里 H 和 W 弄反了" in out
    assert "likely cause" not in out and "swapped" not in out


def test_the_line_shown_is_the_learners_never_lessonkits(capsys):
    """The padding forgotten: lessonkit's correlate2d raises, and the check shows the learner's call."""
    source = (
        "def compute_gradient(delta, x, filter_shape, stride=1, padding=0):\n"
        "    N, D, fh, fw = filter_shape\n"
        "    H, W = x.shape[1:]\n"
        "    d1 = np.zeros((N, H + 2 * padding - fh + 1, W + 2 * padding - fw + 1))\n"
        "    d = dilate(delta, stride)\n"
        "    d1[:, : d.shape[1], : d.shape[2]] = d\n"
        "    dW = np.array([[correlate2d(x[ch], d1[n]) for ch in range(D)] for n in range(N)])\n"
        "    return dW, delta.sum(axis=(1, 2))\n"
    )
    result, out = run("compute_gradient", cell(source, "compute_gradient", 7), capsys)
    assert result.status == "raised", out
    assert "line 7 of its cell)" in out and "      line 7: dW = np.array([[correlate2d(x[ch], d1[n])" in out
    assert "likely cause: padding ignored" in out, out
    assert "ops.py" not in out and "lessonkit/" not in out


def test_a_raise_no_known_mistake_explains_gets_the_exception_and_the_line_only(capsys):
    source = "def pad(x, p):\n    x = np.asarray(x, dtype=float)\n    return x[99, 99]\n"
    result, out = run("pad", cell(source, "pad", 3), capsys)
    assert result.status == "raised", out
    assert (
        "raised IndexError: index 99 is out of bounds for axis 0 with size 2 (in pad, line 3 of its cell)"
        in out
    )
    assert "      line 3: return x[99, 99]" in out
    assert "likely cause" not in out and "known mistake" not in out, out
