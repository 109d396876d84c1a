"""The grader: solutions score full, stubs 0, planted bugs lose the right points with the right feedback.

Every notebook (planted submissions, the solutions, the untouched exercises) is graded in ONE
``python -m lessonkit grade FOLDER --json --csv`` run, shared by the tests through a module fixture.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from points import group, only, total, without
from submissions import planted_notebook

from lessonkit.course.exercises import EXERCISES, NOTEBOOKS
from lessonkit.course.exercises import filter as filter_exercise
from lessonkit.course.exercises.base import EVERYTHING, LECTURE_GROUP, PADDING, STRIDE
from lessonkit.course.exercises.compute_gradient import BIAS
from lessonkit.course.exercises.rot180 import STACKS
from lessonkit.course.grading.grader import exercises_for, is_check_cell
from lessonkit.course.grading.sandbox import sandbox_problem

ROOT = Path(__file__).resolve().parents[3]
PLANTED = ROOT / "tests" / "planted"
SEED = 20261127
TIMEOUT = 6

grader = pytest.mark.grader


def _digest(folder: Path) -> dict:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*.ipynb"))}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade planted/, solutions/ and exercises/ copies in one CLI run; return reports by name."""
    folder = tmp_path_factory.mktemp("submissions")
    (folder / "planted").mkdir()
    for spec in sorted(PLANTED.glob("*.txt")):
        stem, nb = planted_notebook(spec)
        nbformat.write(nb, folder / "planted" / f"{stem}__{spec.stem}.ipynb")
    english_only = shutil.ignore_patterns("zh-*")  # the Chinese editions: two of them, below
    shutil.copytree(ROOT / "solutions", folder / "solutions", ignore=english_only)
    shutil.copytree(ROOT / "exercises", folder / "exercises", ignore=english_only)
    for edition, kind in [("zh-Hans", "solutions"), ("zh-Hant", "exercises")]:
        (folder / f"{edition}-{kind}").mkdir()
        shutil.copy(ROOT / kind / edition / "02_bp_delta_map.ipynb", folder / f"{edition}-{kind}")
    before = _digest(folder)
    table = folder / "grades.csv"
    cmd = [sys.executable, "-m", "lessonkit", "grade", str(folder), "--json", "--csv", str(table)]
    cmd += ["--timeout", str(TIMEOUT), "--seed", str(SEED), "-j", "2", "--assignment", "each"]
    if sandbox_problem() is not None:  # these bugs need no isolation; the attacks' tests do
        cmd.append("--no-sandbox")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(proc.stdout)
    reports = {}
    for sub in data:
        path = Path(sub["path"])
        key = path.stem.split("__")[1] if "__" in path.stem else f"{path.parent.name}/{path.stem}"
        reports[key] = sub
    return {"data": data, "reports": reports, "before": before, "after": _digest(folder), "csv": table}


def exercise(report: dict, name: str) -> dict:
    (item,) = [e for e in report["exercises"] if e["name"] == name]
    return item


@grader
def test_solutions_score_full(graded):
    names = [k for k in graded["reports"] if k.startswith("solutions/")]
    assert len(names) == len(NOTEBOOKS)
    for key in names:
        report = graded["reports"][key]
        assert report["max_score"] > 0 and report["score"] == report["max_score"], report
        assert all(e["feedback"] == "all hidden cases pass" for e in report["exercises"])


@grader
def test_untouched_exercises_score_zero(graded):
    names = [k for k in graded["reports"] if k.startswith("exercises/")]
    assert len(names) == len(NOTEBOOKS)
    for key in names:
        report = graded["reports"][key]
        assert report["max_score"] > 0 and report["score"] == 0, report
        for e in report["exercises"]:
            assert "not implemented yet" in e["feedback"], e


@grader
def test_json_has_one_object_per_submission_with_its_student(graded):
    data = graded["data"]
    assert isinstance(data, list) and len(data) == len(graded["reports"])
    for sub in data:
        # the whole suffix after one separator: "02_bp_delta_map__x" is the student "_x"
        stem = Path(sub["path"]).stem
        assert sub["seed"] == SEED and sub["student"] == (
            "_" + stem.split("__")[-1] if "__" in stem else stem
        )
        assert sub["score"] == sum(e["points"] for e in sub["exercises"])
        for e in sub["exercises"]:
            assert set(e) >= {"name", "points", "max_points", "feedback", "groups"}
            assert sum(g["points"] for g in e["groups"]) == e["points"]
            assert sum(g["max_points"] for g in e["groups"]) == e["max_points"]
            if e["points"] < e["max_points"]:
                # every withheld point is explained: the "-k" prefixes add up
                lost = sum(int(m) for m in re.findall(r"^-(\d+) ", e["feedback"], flags=re.M))
                assert lost == e["max_points"] - e["points"], e


@grader
def test_each_notebook_gets_its_feedback_in_its_own_language(graded):
    """No --lang: a Chinese notebook's feedback is in its language (its first cell), the rest English."""
    from lessonkit.course.i18n import _, speaking

    solved = exercise(graded["reports"]["zh-Hans-solutions/02_bp_delta_map"], "bp_delta_map")
    assert solved["points"] == solved["max_points"]
    with speaking("zh-Hans"):
        assert solved["feedback"] == _("all hidden cases pass") != "all hidden cases pass"
    stub = exercise(graded["reports"]["zh-Hant-exercises/02_bp_delta_map"], "bp_delta_map")
    assert stub["points"] == 0 and "尚未實現" in stub["feedback"], stub["feedback"]  # Traditional
    english = exercise(graded["reports"]["exercises/02_bp_delta_map"], "bp_delta_map")
    assert "not implemented yet" in english["feedback"] and not re.search(
        r"[\u4e00-\u9fff]", english["feedback"]
    )


@grader
def test_grader_never_writes_the_notebooks(graded):
    assert graded["before"] == graded["after"]


@grader
def test_csv_has_one_row_per_notebook(graded):
    rows = list(csv.DictReader(graded["csv"].open(encoding="utf-8")))
    assert len(rows) == len(graded["data"])
    header = list(rows[0])
    maxima = [f"{name} (/{ex.max_points})" for name, ex in EXERCISES.items()]
    assert header == ["student", "path", *maxima, "total", "max", *[f"{n} feedback" for n in EXERCISES]] + [
        "notes",
        "seed",
    ]
    by_path = {Path(r["path"]).stem: r for r in rows}
    column = f"compute_gradient (/{total('compute_gradient')})"
    assert by_path["03_compute_gradient__cg_bias_mean"][column] == str(without("compute_gradient", BIAS))
    assert by_path["03_compute_gradient__cg_bias_mean"]["student"] == "_cg_bias_mean"


@grader
def test_forgot_rot180(graded):
    e = exercise(graded["reports"]["bp_no_rot180"], "bp_delta_map")
    assert e["points"] < e["max_points"] // 2
    assert "filter not rotated" in e["feedback"]
    assert f"-{group('bp_delta_map', LECTURE_GROUP)} the lecture's case" in e["feedback"]


@grader
def test_ignored_stride_loses_only_stride_points(graded):
    e = exercise(graded["reports"]["bp_ignored_stride"], "bp_delta_map")
    assert f"-{group('bp_delta_map', STRIDE)} stride S > 1" in e["feedback"]
    assert "likely cause: stride ignored" in e["feedback"]
    for name in ("the lecture's case", "stride 1, one channel", "padding P >= 0", "depth D and N filters"):
        assert name not in e["feedback"], e
    assert e["points"] == without("bp_delta_map", STRIDE, EVERYTHING)  # those two groups, on every seed


@grader
def test_crop_with_p_minus_p_is_a_shape_error(graded):
    e = exercise(graded["reports"]["bp_crop_pmp"], "bp_delta_map")
    assert e["points"] == only("bp_delta_map", PADDING)  # only the padding group, where every case has P > 0
    assert "wrong type or shape" in e["feedback"] and "crop with p:-p" in e["feedback"]


@grader
def test_crash_gets_zero_with_the_exception(graded):
    e = exercise(graded["reports"]["bp_crash"], "bp_delta_map")
    assert e["points"] == 0
    assert "raised ZeroDivisionError: division by zero" in e["feedback"]
    assert "(in bp_delta_map, line 2 of cell 4: scale = 1 / (padding * 0))" in e["feedback"]
    # a raise costs its group: every group is listed with its own reason
    assert e["feedback"].count("raised ZeroDivisionError") == len(EXERCISES["bp_delta_map"].groups)


@grader
def test_an_answer_that_raises_gets_its_likely_cause_and_the_line_that_raised(graded):
    """H and W swapped in the stride-1 map's size: the dilated δ does not fit and the assignment
    raises; the report names the known mistake that raises the same error, and the learner's line
    (captured in the sandbox, sent back as plain text)."""
    e = exercise(graded["reports"]["bp_hw_swapped"], "bp_delta_map")
    assert e["points"] == only(
        "bp_delta_map", LECTURE_GROUP
    )  # the lecture's case is square, every other group has a case that is not
    assert "raised ValueError: could not broadcast input array from shape" in e["feedback"]
    assert "(in bp_delta_map, line 8 of cell 4: d1[:, : d.shape[1], : d.shape[2]] = d)" in e["feedback"]
    assert "likely cause: H and W swapped in the stride-1 map's size" in e["feedback"], e["feedback"]
    assert "bp_delta_map.py" not in e["feedback"] and "lessonkit/" not in e["feedback"]


@grader
def test_wrong_type_gets_zero(graded):
    e = exercise(graded["reports"]["bp_returns_list"], "bp_delta_map")
    assert e["points"] == 0 and "wrong type or shape" in e["feedback"]
    assert "returned a list" in e["feedback"] and "return a numpy array" in e["feedback"]


@grader
def test_os_exit_gets_zero(graded):
    e = exercise(graded["reports"]["bp_exit"], "bp_delta_map")
    assert e["points"] == 0 and "killed the Python process" in e["feedback"]


@grader
def test_printing_megabytes_is_advice_not_points(graded):
    # counted inside the notebook's process, which could patch the count: no points ride on it
    e = exercise(graded["reports"]["bp_prints"], "bp_delta_map")
    assert (
        e["points"] == e["max_points"] and "printed or displayed more than 1 MB in one call" in e["feedback"]
    )
    assert e["advice"] and e["advice"][0].startswith("printed or displayed more than 1 MB")


@grader
def test_tampering_with_numpy_lessonkit_and_the_checker_does_not_help(graded):
    report = graded["reports"]["bp_tamper"]
    e = exercise(report, "bp_delta_map")
    assert e["points"] == 0
    assert "used lessonkit.maths.conv.bp_delta_map, which is not available while grading" in e["feedback"]


@grader
def test_patching_numpy_in_the_kernel_does_not_help(graded):
    e = exercise(graded["reports"]["bp_tamper_numpy"], "bp_delta_map")
    assert e["points"] == 0 and "wrong values" in e["feedback"]


@grader
def test_a_hanging_notebook_cell_is_skipped_and_the_function_still_graded(graded):
    report = graded["reports"]["bp_toplevel_hang"]
    assert report["score"] == report["max_score"] == total("bp_delta_map")
    assert any(f"timed out after {TIMEOUT} s" in n for n in report["notes"]), report["notes"]


@grader
def test_bias_averaged_loses_only_the_bias_points(graded):
    e = exercise(graded["reports"]["cg_bias_mean"], "compute_gradient")
    assert (e["points"], e["max_points"]) == (without("compute_gradient", BIAS), total("compute_gradient"))
    assert e["feedback"].startswith(f"-{group('compute_gradient', BIAS)} db, the bias gradient")
    assert "bias averaged" in e["feedback"]


@grader
def test_weight_gradient_ignoring_stride(graded):
    e = exercise(graded["reports"]["cg_ignored_stride"], "compute_gradient")
    assert "likely cause: stride ignored" in e["feedback"]
    # dW has the wrong shape wherever S > 1; db is still right: the stride and all-at-once groups lose
    assert e["points"] == without("compute_gradient", STRIDE, EVERYTHING)
    assert "db, the bias gradient" not in e["feedback"]


@grader
@pytest.mark.parametrize(
    "planted, cause",
    [
        ("cg_no_dilate", "δ extended but not dilated"),
        ("cg_no_extend", "dilated δ not extended to the stride-1 size"),
        ("cg_no_pad", "padding ignored"),  # it raises where a forgotten padding raises
        ("cg_rotated", "δ rotated"),
        ("cg_pad_all_axes", "every axis padded"),
        ("cg_db_total", "bias summed over all filters"),
    ],
)
def test_each_natural_weight_gradient_bug_is_named(graded, planted, cause):
    e = exercise(graded["reports"][planted], "compute_gradient")
    assert 0 < e["max_points"] - e["points"] < e["max_points"], (planted, e["points"])
    assert f"likely cause: {cause}" in e["feedback"], e["feedback"]
    # recorded beside the group too, for the class report (which never parses the feedback's words)
    assert any(c.startswith(cause) for g in e["groups"] for c in g["causes"]), e["groups"]


@grader
def test_one_hang_does_not_stop_the_other_exercises(graded):
    report = graded["reports"]["primitives_mixed"]
    points = {e["name"]: e["points"] for e in report["exercises"]}
    assert points == {"pad": total("pad"), "rot180": without("rot180", STACKS), "dilate": 0, "correlate2d": 0}
    assert "rotated the first two axes" in exercise(report, "rot180")["feedback"]
    assert f"ran longer than {TIMEOUT} s" in exercise(report, "dilate")["feedback"]
    assert "kernel flipped" in exercise(report, "correlate2d")["feedback"]


@grader
def test_an_endless_loop_costs_one_timeout_per_function(graded):
    """After dilate's first timeout none of its cases runs: its other groups say so."""
    groups = {
        g["name"]: g["reason"] for g in exercise(graded["reports"]["primitives_mixed"], "dilate")["groups"]
    }
    stopped = [g for g, why in groups.items() if "(an endless loop?)" in why]
    skipped = [g for g, why in groups.items() if why.startswith("not run: dilate ran longer than")]
    assert len(stopped) == 1 and len(groups) > 1 and sorted(stopped + skipped) == sorted(groups), groups


@grader
def test_layer_backward_without_fprime(graded):
    report = graded["reports"]["layer_no_fprime"]
    assert exercise(report, "conv_forward")["points"] == total("conv_forward")
    e = exercise(report, "layer_backward")
    assert e["points"] < e["max_points"] and "f' not applied" in e["feedback"]


@grader
@pytest.mark.parametrize(
    "planted, lost, cause",
    [
        ("filter_depth_last", filter_exercise.NEW, "weights made with the depth last"),  # its shapes
        ("filter_ascent", filter_exercise.UPDATE, "update climbs the gradient"),  # only the update group
        ("filter_bias_stays", filter_exercise.UPDATE, "update leaves the bias alone"),
        ("filter_zero_start", filter_exercise.NEW, "weights start at zero"),
        ("filter_update_typo", filter_exercise.UPDATE, "a step raised AttributeError"),  # the rest counts
    ],
)
def test_each_filter_bug_is_named_and_costs_its_group(graded, planted, lost, cause):
    e = exercise(graded["reports"][planted], "Filter")
    assert e["points"] == without("Filter", lost) and e["max_points"] == total("Filter"), e
    assert cause in e["feedback"], e


# ---------------------------------------------------------------- fast tests (no kernel)


def _cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "lessonkit", *args], capture_output=True, text=True, cwd=cwd)


def test_missing_notebook_exits_2_with_one_line(tmp_path):
    proc = _cli("grade", str(tmp_path / "nope.ipynb"))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip().count("\n") == 0 and "no such notebook" in proc.stderr


def test_unreadable_notebook_exits_2(tmp_path):
    bad = tmp_path / "02_bp_delta_map.ipynb"
    bad.write_text("{ not json")
    proc = _cli("grade", str(bad), "--json")
    assert (
        proc.returncode == 2 and proc.stderr.startswith("error: cannot read") and proc.stderr.count("\n") == 1
    )


def test_folder_without_notebooks_exits_2(tmp_path):
    proc = _cli("grade", str(tmp_path))
    assert proc.returncode == 2 and "no notebooks" in proc.stderr


def test_check_cells_are_recognised():
    assert is_check_cell('lessonkit.check("pad", pad)')
    assert is_check_cell('# try it\nok = lessonkit.check("pad", pad)\n')
    assert not is_check_cell('lessonkit.check("pad", pad)\nimport os')
    assert not is_check_cell("def pad(x, p):\n    return x")


def test_exercises_chosen_by_name_or_by_definitions():
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("def compute_gradient(delta, x, f):\n    pass")]
    )
    assert [e.name for e in exercises_for(nb, Path("alice.ipynb"))] == ["compute_gradient"]
    assert [e.name for e in exercises_for(nb, Path("02_bp_delta_map.ipynb"))] == ["bp_delta_map"]
    assert exercises_for(nbformat.v4.new_notebook(), Path("x.ipynb")) == []


def test_importing_lessonkit_does_not_import_the_grader_machinery():
    code = "import sys, lessonkit; print(any(m in sys.modules for m in ('nbclient', 'nbformat', 'jupyter_client')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _cli_without_bwrap(*args):
    """The CLI on a PATH without bubblewrap (as on macOS, Windows or a machine without it)."""
    env = dict(os.environ, PATH=str(Path(sys.executable).parent))
    return subprocess.run(
        [sys.executable, "-m", "lessonkit", *args], capture_output=True, text=True, cwd=ROOT, env=env
    )


def test_without_bubblewrap_a_folder_is_refused_with_how_to_install(tmp_path):
    shutil.copyfile(ROOT / "solutions" / "02_bp_delta_map.ipynb", tmp_path / "02_bp_delta_map.ipynb")
    proc = _cli_without_bwrap("grade", str(tmp_path))
    assert proc.returncode == 2 and proc.stdout == ""
    assert "will not grade a folder without a sandbox: bubblewrap (bwrap) is not installed" in proc.stderr
    assert "apt-get install bubblewrap" in proc.stderr and "--no-sandbox" in proc.stderr


@grader
def test_without_bubblewrap_one_notebook_is_graded_with_a_note(tmp_path):
    proc = _cli_without_bwrap("grade", str(ROOT / "solutions" / "02_bp_delta_map.ipynb"), "--seed", "1")
    assert proc.returncode == 0, proc.stderr
    notes = [ln for ln in proc.stdout.splitlines() if ln.startswith("note: not isolated")]
    assert notes == [
        "note: not isolated: bubblewrap (bwrap) is not installed, so the notebook ran without a sandbox"
    ]
    assert proc.stdout.rstrip().endswith(f"score: {total('bp_delta_map')}/{total('bp_delta_map')}")


@grader
def test_no_sandbox_warns_and_grades_a_folder_and_names_unreadable_and_empty_notebooks(tmp_path):
    shutil.copyfile(ROOT / "solutions" / "02_bp_delta_map.ipynb", tmp_path / "02_bp_delta_map-ann.ipynb")
    (tmp_path / "bob.ipynb").write_text("{ not json", encoding="utf-8")
    nbformat.write(nbformat.v4.new_notebook(), tmp_path / "cy.ipynb")
    proc = _cli_without_bwrap("grade", str(tmp_path), "--no-sandbox", "--seed", "1", "--json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.startswith("warning: --no-sandbox: the notebooks' code runs without isolation")
    data = json.loads(proc.stdout)
    by_name = {Path(s["path"]).name: s for s in data}
    full = total("bp_delta_map")
    assert by_name["02_bp_delta_map-ann.ipynb"]["score"] == full
    for name in ("bob.ipynb", "cy.ipynb"):  # 0 of the assignment's points, not 0/0
        assert (by_name[name]["score"], by_name[name]["max_score"]) == (0, full), by_name[name]
        assert by_name[name]["isolated"] is False
    assert all("not graded: " in by_name[n]["notes"][-1] for n in ("bob.ipynb", "cy.ipynb"))
    text = _cli_without_bwrap("grade", str(tmp_path), "--no-sandbox", "--seed", "1").stdout
    assert re.search(r"^not graded \(2, 0 points each\): .*bob\.ipynb, .*cy\.ipynb$", text, re.M)
    assert re.search(r"^assignment: 02_bp_delta_map \(", text, re.M)
    assert text.rstrip().endswith(f"score: {full}/{3 * full}")


def test_limits_must_be_positive():
    proc = _cli("grade", str(ROOT / "solutions" / "02_bp_delta_map.ipynb"), "--memory", "0")
    assert proc.returncode == 2 and proc.stderr.strip() == "error: --memory must be a positive number; got 0"


@grader
def test_shapes_arrive_as_tuples_as_in_the_check(graded):
    report = graded["reports"]["bp_shape_tuples"]
    assert report["score"] == report["max_score"] == total("bp_delta_map"), report


def test_a_raise_reported_by_the_sandbox_gets_its_cause_and_its_line_made_safe():
    """The runner's reply is plain data: the message is only compared, the line's text only shown,
    escaped and on one line; a malformed ``where`` is left out and the cause is still named."""
    import mutants

    from lessonkit.course.grading.grader import evaluate, hidden_cases, local_reply

    ex = EXERCISES["bp_delta_map"]
    swapped = mutants.MUTANTS["bp_delta_map"]["shape: H and W swapped"]

    def reply_with(where):
        def call(case):
            reply = local_reply(swapped, case)
            if reply["status"] == "raised":
                reply["where"] = where
            return reply

        return call

    cases = hidden_cases(ex, 0)
    line = "d1[:, : d.shape[1]] = d\nscore: 10/10 \x1b[2J"
    result = evaluate(ex, cases, reply_with(["bp_delta_map", 4, 8, line]))
    text = "\n".join(result.feedback)
    assert "likely cause: H and W swapped in the stride-1 map's size" in text, text
    assert "(in bp_delta_map, line 8 of cell 4: d1[:, : d.shape[1]] = d score: 10/10 \\x1b[2J)" in text
    assert len(result.feedback) == len(ex.groups) - 1  # one line per group lost: nothing starts a line
    for bad in (["f", "4", 8, "x"], ["f", 4, True, "x"], ["f", 4], "f:4:8", [["f"], 4, 8, "x"]):
        text = "\n".join(evaluate(ex, cases, reply_with(bad)).feedback)
        assert "likely cause: H and W swapped" in text and "line 8 of cell" not in text, (bad, text)
    text = "\n".join(evaluate(ex, cases, reply_with(["f", 4, 8, {"x": 1}])).feedback)
    assert "(in f, line 8 of cell 4) on hidden case" in text  # a line's text that is not text is left out


@grader
def test_the_sandbox_runs_the_grading_steps_the_learners_check_runs(tmp_path, monkeypatch):
    """One loop for a class exercise's steps: the sandbox copies lessonkit's own exercises/steps.py
    beside the runner, and the runner does the steps with it (a copy whose start_of lies costs the
    right Filter its points)."""
    from lessonkit.course.exercises import steps
    from lessonkit.course.grading import grader as grading
    from lessonkit.course.grading import sandbox

    assert sandbox.STEPS == Path(steps.__file__).resolve()
    runner = sandbox.RUNNER.read_text(encoding="utf-8")
    assert "STEPS.run_steps(" in runner and "def start_of" not in runner and "class StepError" not in runner
    solution = ROOT / "solutions" / "04_conv_layer.ipynb"
    only_filter = [EXERCISES["Filter"]]
    honest = grading.grade_notebook(solution, TIMEOUT, SEED, exercises=only_filter)
    assert honest.as_dict()["score"] == total("Filter")
    lying = tmp_path / "steps.py"
    text = Path(steps.__file__).read_text(encoding="utf-8")
    lying.write_text(text.replace("float(small), float(varied)]", "0.0, 0.0]"), encoding="utf-8")
    assert lying.read_text(encoding="utf-8") != text
    monkeypatch.setattr(sandbox, "STEPS", lying)
    assert grading.grade_notebook(solution, TIMEOUT, SEED, exercises=only_filter).as_dict()["score"] < total(
        "Filter"
    )
