"""Grading a class: parallel runs equal serial ones; the CSV, JSON and feedback files a teacher uses."""

from __future__ import annotations

import csv
import fcntl
import json
import os
import pty
import shutil
import struct
import subprocess
import sys
import termios
from pathlib import Path

import nbformat
import pytest
from points import group, total, without
from submissions import planted_notebook

from lessonkit.course.exercises.base import DEPTH, EVERYTHING, STRIDE
from lessonkit.course.grading.grader import grade_path
from lessonkit.course.grading.reports import student_name
from lessonkit.course.grading.sandbox import sandbox_problem

ROOT = Path(__file__).resolve().parents[3]
NO_SANDBOX = ["--no-sandbox"] if sandbox_problem() else []

pytestmark = pytest.mark.grader


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    """A small class of 02_bp_delta_map: one folder per student, right and wrong answers."""
    folder = tmp_path_factory.mktemp("klass")
    for student in ("ana", "ben"):
        (folder / student).mkdir()
        shutil.copyfile(
            ROOT / "solutions" / "02_bp_delta_map.ipynb", folder / student / "02_bp_delta_map.ipynb"
        )
    for student, bug in (("chen", "bp_no_rot180"), ("dara", "bp_ignored_stride"), ("eli", "bp_crash")):
        (folder / student).mkdir()
        _, nb = planted_notebook(ROOT / "tests" / "planted" / f"{bug}.txt")
        nbformat.write(nb, folder / student / "02_bp_delta_map.ipynb")
    (folder / "fay").mkdir()
    (folder / "fay" / "02_bp_delta_map.ipynb").write_text("not a notebook", encoding="utf-8")
    return folder


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "lessonkit", *args, *NO_SANDBOX], capture_output=True, text=True, cwd=ROOT
    )


def test_parallel_grading_gives_the_serial_results(klass):
    sandbox = False if NO_SANDBOX else None
    serial = grade_path(klass, seed=5, jobs=1, student_from="folder", sandbox=sandbox)
    parallel = grade_path(klass, seed=5, jobs=3, student_from="folder", sandbox=sandbox)
    assert [r.as_dict() for r in serial] == [r.as_dict() for r in parallel]
    assert [r.student for r in serial] == ["ana", "ben", "chen", "dara", "eli", "fay"]
    full, dara = total("bp_delta_map"), without("bp_delta_map", STRIDE, EVERYTHING)
    assert [r.score for r in serial] == [full, full, 0, dara, 0, 0]
    assert {r.max_score for r in serial} == {full}


def test_csv_json_and_feedback_files(klass, tmp_path):
    table, fb = tmp_path / "grades.csv", tmp_path / "feedback"
    proc = _cli(
        "grade", str(klass), "--student-from", "folder", "--csv", str(table), "--excel",
        "--feedback-dir", str(fb), "--json", "-j", "2",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    # JSON: one object per submission, shaped as a single notebook's, with the student
    data = json.loads(proc.stdout)
    single = json.loads(_cli("grade", str(klass / "ana" / "02_bp_delta_map.ipynb"), "--json").stdout)
    assert [d["student"] for d in data] == ["ana", "ben", "chen", "dara", "eli", "fay"]
    assert set(data[0]) == set(single) and single["student"] == "02_bp_delta_map"
    # CSV: UTF-8 with a byte-order mark, only this assignment's function, headed with its maximum
    raw = table.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == [
        "student",
        "path",
        f"bp_delta_map (/{total('bp_delta_map')})",
        "total",
        "max",
        "bp_delta_map feedback",
        "notes",
        "seed",
    ]
    by_student = {r[0]: r for r in rows[1:]}
    full, dara = str(total("bp_delta_map")), str(without("bp_delta_map", STRIDE, EVERYTHING))
    assert by_student["dara"][2:5] == [dara, dara, full] and by_student["fay"][2:5] == ["0", "0", full]
    assert "δ" in by_student["chen"][5]  # "filter not rotated: dE/da^{l-1} is cross(pad(δ, F-1), rot180(W))"
    # feedback: one readable file per student, points and reason per group, the failing geometry
    assert sorted(p.name for p in fb.iterdir()) == sorted(
        [
            "mathjax",
            *[f"{s}.{ext}" for s in ("ana", "ben", "chen", "dara", "eli", "fay") for ext in ("html", "md")],
        ]
    )
    text = (fb / "dara.md").read_text(encoding="utf-8")
    assert text.startswith("# Feedback for dara") and f"Score: **{dara}/{full}**" in text
    assert f"| stride S > 1 | 0/{group('bp_delta_map', STRIDE)} | wrong values" in text and "S=2, P=0" in text
    depth = group("bp_delta_map", DEPTH)
    assert f"| depth D and N filters | {depth}/{depth} | every case right |" in text
    assert "[[" not in text and "expected:" not in text  # no hidden expected values


def test_progress_bar_on_a_terminal_only(klass, tmp_path):
    small = tmp_path / "small"  # two students are enough to see the bar
    for student in ("ana", "fay"):
        shutil.copytree(klass / student, small / student)
    klass = small
    piped = _cli("grade", str(klass), "-j", "2")
    assert "grading" not in piped.stderr and "notebook/s" not in piped.stderr
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal 100 wide
    proc = subprocess.run(
        [sys.executable, "-m", "lessonkit", "grade", str(klass), "-j", "2", *NO_SANDBOX],
        stdout=subprocess.PIPE,
        stderr=slave,
        cwd=ROOT,
        timeout=300,
    )
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    assert proc.returncode == 0
    assert b"grading: 100%" in shown and b"2/2" in shown


def test_student_names():
    root = Path("class")
    assert student_name(root / "02_bp_delta_map-ann.ipynb", root) == "ann"
    # the whole suffix after one separator: extra dashes cannot make someone else's name
    assert student_name(root / "02_bp_delta_map--ann.ipynb", root) == "-ann"
    assert student_name(root / "02_bp_delta_map__ann.ipynb", root) == "_ann"
    assert student_name(root / "02_bp_delta_map-a\nscore: 9.ipynb", root) == "a\\nscore: 9"
    assert student_name(root / "ann.ipynb", root) == "ann"
    assert student_name(root / "02_bp_delta_map.ipynb", root) == "02_bp_delta_map"
    assert student_name(root / "ann" / "sub" / "x.ipynb", root, "folder") == "ann"
    with pytest.raises(
        ValueError, match=r"^student_from must be one of file, folder, canvas, moodle; got 'path'$"
    ):
        grade_path(ROOT / "solutions" / "01_primitives.ipynb", student_from="path")
    with pytest.raises(ValueError, match=r"jobs must be a positive integer; got 0"):
        grade_path(ROOT / "solutions", jobs=0)


def test_csv_cells_cannot_become_spreadsheet_formulas(tmp_path):
    from lessonkit.course.grading.grader import ExerciseResult, Report
    from lessonkit.course.grading.reports import write_csv

    evil = '=HYPERLINK("http://evil.example","open")+cmd|calc!A0'
    report = Report(f"class/{evil}.ipynb", 1, student=evil, notes=["-1 looks like a formula"])
    report.exercises.append(ExerciseResult("bp_delta_map", 8, 10, ["-2 stride S > 1: wrong values on ..."]))
    write_csv([report], tmp_path / "g.csv")
    row = list(csv.reader((tmp_path / "g.csv").read_text(encoding="utf-8").splitlines()))[1]
    assert row[0] == "'" + evil and row[1].startswith("class/=")  # the path does not start with "="
    assert row[5] == "(-2) stride S > 1: wrong values on ..." and row[6] == "'-1 looks like a formula"
    assert not any(cell[:1] in "=+-@" for cell in row if cell)


def test_feedback_file_speaks_the_report_language_and_the_teacher_can_choose():
    """The feedback file's own words follow the report's language; --lang wins over the notebook's."""
    from nbformat.v4 import new_code_cell, new_notebook

    import lessonkit
    from lessonkit.course.grading.grader import ExerciseResult, Report, feedback_language
    from lessonkit.course.grading.reports import feedback_markdown
    from lessonkit.course.translations import to_hant

    result = ExerciseResult("bp_delta_map", 8, 10, ["-2 stride S > 1: wrong values"])
    result.groups = [
        {"name": "stride S > 1", "points": 0, "max_points": 2, "reason": "wrong values"},
        {"name": "the lecture's case", "points": 8, "max_points": 8, "reason": ""},
    ]
    hans = feedback_markdown(Report("dara.ipynb", 1, [result], language="zh-Hans", student="dara"))
    hant = feedback_markdown(Report("dara.ipynb", 1, [result], language="zh-Hant", student="dara"))
    english = feedback_markdown(Report("dara.ipynb", 1, [result], student="dara"))
    assert english.startswith("# Feedback for dara") and "| stride S > 1 | 0/2 | wrong values |" in english
    assert "Feedback" not in hans and "group of cases" not in hans and "**8/10**" in hans
    assert "every case right" not in hans and "stride S > 1 |" not in hans  # group names translated too
    assert hant == to_hant(hans)

    chinese_notebook = new_notebook(
        cells=[new_code_cell('import lessonkit\nlessonkit.set_language("zh-Hant")')]
    )
    try:
        lessonkit.set_language(None)
        assert feedback_language(chinese_notebook) == "zh-Hant"
        assert (
            feedback_language(new_notebook(cells=[new_code_cell("x = 1")]))
            == lessonkit.course.i18n.language()
        )
        lessonkit.set_language("en")  # what `grade --lang en` does
        assert feedback_language(chinese_notebook) == "en"
    finally:
        lessonkit.set_language(None)


def test_the_class_report_counts_each_cause_the_grader_recorded_not_words_in_the_reason():
    """A raise the grader explains by two known mistakes counts once for each; a "likely cause:"
    inside the learner's own line of code (quoted in the reason) stands for nothing: the class report
    counts the causes the grader recorded beside each group, in the report's language."""
    from types import SimpleNamespace

    from lessonkit.course import i18n
    from lessonkit.course.grading.classreport import common_causes

    def report(*groups):
        rows = [{"name": f"group {k}", "reason": r, "causes": c} for k, (r, c) in enumerate(groups)]
        return SimpleNamespace(exercises=[SimpleNamespace(name="bp_delta_map", groups=rows)])

    raised = 'raised ValueError: x (in f, line 3 of cell 4: y = 1  # likely cause: me) on hidden case "c"'
    swapped, extra = "H and W swapped: ...", "extra +1: ..."
    reports = [
        report((raised, [swapped, extra]), ("wrong values", [])),
        report(("wrong values; likely cause: H and W swapped: ...", [swapped])),
        report((raised, [])),
    ]
    assert common_causes(reports) == [
        (swapped, 2, ["bp_delta_map: group 0"]),
        (extra, 1, ["bp_delta_map: group 0"]),
    ]
    cause = next(iter(i18n.catalog("zh-Hans")))  # any cause the catalog translates reads in Chinese
    with i18n.speaking("zh-Hans"):
        assert common_causes([report(("...", [cause]))])[0][0] == i18n.catalog("zh-Hans")[cause]


def test_a_notebook_not_graded_is_listed_by_its_flag_and_its_note_speaks_the_class_language(tmp_path):
    from lessonkit.course import i18n
    from lessonkit.course.exercises import exercises_of
    from lessonkit.course.grading.grader import _not_graded
    from lessonkit.course.grading.reports import not_graded

    with i18n.speaking("zh-Hans"):
        unread = _not_graded(tmp_path / "a.ipynb", 1, exercises_of("01_primitives"), "不是有效的 JSON", True)
        stopped = _not_graded(tmp_path / "b.ipynb", 1, [], "boom", True, failed=True)
    assert unread.notes == ["未评分：不是有效的 JSON"] and unread.exercises[0].feedback[0].startswith("-")
    assert stopped.notes == ["评分中止：boom"]
    assert not_graded([unread, stopped]) == [unread]  # the flag, not the note's words, says which
