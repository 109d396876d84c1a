"""What an LMS adds (lessonkit.course.grading.lms): download names, lateness, manual marks, gradebooks,
HTML feedback and the class report with its similarity flags."""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nbformat
import pytest

from lessonkit.course.exercises import EXERCISES
from lessonkit.course.grading import lms
from lessonkit.course.grading.results import ExerciseResult, Report
from lessonkit.course.grading.similarity import graded_sources, reference_sources, similar_pairs

ROOT = Path(__file__).resolve().parents[3]
POINTS = EXERCISES["bp_delta_map"].max_points  # the configured points, never a number written here


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("smithpeggy_LATE_10234_556677_02_bp_delta_map.ipynb", "canvas", ("smithpeggy", "10234", True, "02_bp_delta_map.ipynb")),
        ("smithpeggy_late_10234_556677_02_bp_delta_map.ipynb", "canvas", ("smithpeggy", "10234", True, "02_bp_delta_map.ipynb")),
        ("leeann_10235_556678_02_bp_delta_map-1.ipynb", "canvas", ("leeann", "10235", False, "02_bp_delta_map-1.ipynb")),
        ("o_brien_x_7_8_my_file_v2.ipynb", "canvas", ("o_brien_x", "7", False, "my_file_v2.ipynb")),
        ("Ann Lee_4411_assignsubmission_file_02_bp_delta_map.ipynb", "moodle", ("Ann Lee", "4411", False, "02_bp_delta_map.ipynb")),
        ("Ann Lee_4411_assignsubmission_file_/x/02_bp_delta_map.ipynb", "moodle", ("Ann Lee", "4411", False, "02_bp_delta_map.ipynb")),
        ("张 伟_99_assignsubmission_file_作业.ipynb", "moodle", ("张 伟", "99", False, "作业.ipynb")),
    ],
)  # fmt: skip
def test_download_names_of_canvas_and_moodle(name, kind, expected):
    got = lms.parse_download(name, kind)
    assert (got.student, got.user_id, got.late, got.original) == expected


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("02_bp_delta_map-1.ipynb", "canvas"),
        ("smithpeggy_02_bp_delta_map.ipynb", "canvas"),
        ("Ann Lee_4411_02_bp_delta_map.ipynb", "moodle"),
        ("smithpeggy_LATE_10234_556677_02_bp_delta_map.ipynb", "moodle"),
    ],
)
def test_other_names_are_not_download_names(name, kind):
    assert lms.parse_download(name, kind) is None


def test_download_names_are_made_safe():
    got = lms.parse_download("evil\nscore: 9\u202e_12_34_02_bp_delta_map.ipynb", "canvas")
    assert "\n" not in got.student and "\u202e" not in got.student and got.user_id == "12"


@pytest.mark.parametrize(
    ("text", "percent", "unit"),
    [
        ("10%/day", 10, "day"),
        (" 5 % / hour", 5, "hour"),
        ("20%", 20, ""),
        ("none", 0, ""),
        ("2.5%/d", 2.5, "day"),
    ],
)
def test_late_penalties(text, percent, unit):
    assert lms.parse_late_penalty(text) == lms.LatePolicy(percent, unit)


@pytest.mark.parametrize("text", ["10", "10%/week", "-5%/day", "0%/day", "101%", "ten"])
def test_a_bad_late_penalty_is_named_and_echoed(text):
    with pytest.raises(
        ValueError, match=r"^late_penalty must be like '10%/day'.*; got " + re.escape(repr(text.strip()))
    ):
        lms.parse_late_penalty(text)


def test_a_bad_due_is_named_and_echoed():
    with pytest.raises(
        ValueError, match=r"^due must be a date and time like '2026-12-01T23:59'.*; got 'Friday'$"
    ):
        lms.parse_due("Friday")
    assert lms.parse_due("2026-12-01").hour == 23  # a bare date: the end of that day
    assert lms.parse_due("2026-12-01T08:00+08:00").utcoffset() == timedelta(hours=8)


def _report(points: int, *, late=False, submitted=None, student="ann", path="x.ipynb") -> Report:
    r = Report(path, 1, student=student, late=late, submitted=submitted)
    r.exercises.append(ExerciseResult("bp_delta_map", points, POINTS))
    return r


def test_lateness_counts_started_days_caps_at_the_score_and_keeps_the_raw_score():
    due = datetime(2026, 12, 1, 23, 59, tzinfo=timezone.utc)
    t = due.timestamp()
    on_time, hour, days, weeks = (
        _report(POINTS, submitted=t - 60),
        _report(POINTS, submitted=t + 3600),
        _report(POINTS, submitted=t + 2 * 86400 + 1),
        _report(POINTS, submitted=t + 30 * 86400),
    )
    canvas_only = _report(POINTS, late=True, submitted=t - 60)  # Canvas says LATE, the file time does not
    missing = Report("", 1, student="zed")
    reports = [on_time, hour, days, weeks, canvas_only, missing]
    lms.apply_lateness(reports, due, lms.parse_late_penalty("10%/day"))
    assert [r.late for r in reports] == [False, True, True, True, True, False]
    assert [round(r.penalty / POINTS, 6) for r in reports] == [0, 0.1, 0.3, 1.0, 0.1, 0]
    assert [r.score for r in reports[:5]] == [POINTS] * 5  # the raw score is never changed
    assert "1 unit late" in canvas_only.notes[-1]
    assert lms.late_by(2 * 86400 + 1) == "2 d 1 h" and lms.late_by(0) == ""
    assert lms.final_score(weeks) == 0


def test_manual_marks_are_read_and_checked():
    m = lms.parse_manual('\ufeffStudent,written (/5),oral,comment\nann,4,"3,5",fine\nBen,,2,\n')
    assert m.items == ["written", "oral"] and m.maxima == [5.0, None]
    assert m.of(["ANN"]) == ([4.0, 3.5], "fine") and m.of(["ben"]) == ([None, 2.0], "")
    for text, message in [
        ("name,points\nann,1\n", r"^manual: the marks must start with a 'student' column; got columns \['name', 'points'\]$"),
        ("student,comment\nann,x\n", r"^manual: the marks has no column of points after 'student'"),
        ("student,written (/5)\nann,6\n", r"^manual: row 2, column 'written': points must be 0 to 5; got '6'$"),
        ("student,written\nann,lots\n", r"^manual: row 2, column 'written': points must be a number; got 'lots'$"),
        ("student,written\nann,1\nANN,2\n", r"^manual: student 'ANN' appears twice \(rows 2 and 3\)$"),
        ("student,written\nann,nan\n", r"^manual: row 2, column 'written': points must be a number of 0 or more; got 'nan'$"),
    ]:  # fmt: skip
        with pytest.raises(ValueError, match=message):
            lms.parse_manual(text)


def _cli(*args, cwd=ROOT):
    return subprocess.run(
        [sys.executable, "-m", "lessonkit", "grade", *args], capture_output=True, text=True, cwd=cwd
    )


def test_bad_lms_options_exit_2_before_grading(tmp_path):
    (tmp_path / "class").mkdir()
    for args, message in [
        (["--late-penalty", "10/day"], "error: late_penalty must be like '10%/day'"),
        (["--due", "tomorrow"], "error: due must be a date and time like"),
        (["--manual", str(tmp_path / "nope.csv")], "error: manual: no such file: "),
        (
            ["--gradebook", "blackboard", "x.csv"],
            "error: gradebook must be 'canvas' or 'moodle'; got 'blackboard'",
        ),
    ]:
        proc = _cli(str(tmp_path / "class"), "--no-sandbox", *args)
        assert (
            proc.returncode == 2 and proc.stdout == "" and proc.stderr.splitlines()[-1].startswith(message)
        ), proc.stderr


@pytest.mark.grader
def test_a_canvas_download_with_roster_due_penalty_manual_marks_gradebooks_and_report(tmp_path):
    klass = tmp_path / "submissions"
    klass.mkdir()
    solution = ROOT / "solutions" / "02_bp_delta_map.ipynb"
    stub = ROOT / "exercises" / "02_bp_delta_map.ipynb"
    due = datetime(2026, 12, 1, 23, 59, tzinfo=timezone.utc)
    files = {
        "smithpeggy_LATE_10234_556677_02_bp_delta_map.ipynb": (solution, due + timedelta(days=1, hours=2)),
        "leeann_10235_556678_02_bp_delta_map-1.ipynb": (solution, due - timedelta(hours=1)),  # a resubmission
        "wuben_10236_556679_02_bp_delta_map.ipynb": (stub, due - timedelta(days=1)),
    }
    for name, (source, when) in files.items():
        shutil.copyfile(source, klass / name)
        os.utime(klass / name, (when.timestamp(), when.timestamp()))
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "student,id,name,email,section\n"
        "s1,10234,Peggy Smith,peggy@x.example,A\n"
        "s2,10235,Ann Lee,ann@x.example,A\n"
        "s3,10236,Ben Wu,ben@x.example,B\n"
        "s4,10239,Lei Zhao,lei@x.example,B\n",
        encoding="utf-8",
    )
    marks = tmp_path / "marks.csv"
    marks.write_text(
        "student,written (/5),comment\nann@x.example,4,good\n10236,2.5,\nnobody,1,\n", encoding="utf-8"
    )
    out, canvas, moodle, page, fb = (
        tmp_path / n for n in ("grades.csv", "canvas.csv", "moodle.csv", "report/class.html", "fb")
    )
    proc = _cli(
        str(klass), "--student-from", "canvas", "--roster", str(roster), "--due", "2026-12-01T23:59+00:00",
        "--late-penalty", "10%/day", "--manual", str(marks), "--no-sandbox", "--seed", "3", "--csv", str(out),
        "--gradebook", "canvas", str(canvas), "--report", str(page), "--feedback-dir", str(fb),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "warning: --manual: no submission or roster student for nobody" in proc.stderr
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    got = [
        (
            r["student"],
            r["id"],
            r["section"],
            r["total"],
            r["late"],
            r["penalty"],
            r["written (/5)"],
            r["final"],
        )
        for r in rows
    ]
    p = POINTS
    assert got == [
        ("s1", "10234", "A", str(p), "yes", f"{0.2 * p:g}", "", f"{p - 0.2 * p:g}"),  # 1 d 2 h: two started days
        ("s2", "10235", "A", str(p), "", "0", "4", f"{p + 4:g}"),
        ("s3", "10236", "B", "0", "", "0", "2.5", "2.5"),
        ("s4", "10239", "B", "0", "", "0", "", "0"),  # no submission
    ]  # fmt: skip
    assert rows[0]["late by"] == "1 d 2 h" and rows[1]["manual comment"] == "good"
    assert all(r["notes"].count("similar code") == 0 for r in rows[2:])  # the stub is boilerplate, not a copy
    assert "similar code: 100 % of its graded code is also in s2" in rows[0]["notes"]  # one solution, twice
    assert "solution notebook" in rows[0]["notes"]
    gradebook = list(csv.reader(canvas.read_text(encoding="utf-8").splitlines()))
    assert gradebook[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "02_bp_delta_map"]
    assert gradebook[1:] == [
        ["Peggy Smith", "10234", "", "", "A", f"{0.8 * p:g}"],
        ["Ann Lee", "10235", "", "", "A", f"{p + 4:g}"],
        ["Ben Wu", "10236", "", "", "B", "2.5"],
        ["Lei Zhao", "10239", "", "", "B", "0"],
    ]
    # feedback: Markdown and HTML, and no similarity flag in what the learner reads
    assert sorted(x.name for x in fb.iterdir()) == [
        "mathjax",
        *sorted(f"s{i}.{e}" for i in range(1, 5) for e in ("html", "md")),
    ]
    assert "similar" not in (fb / "s1.md").read_text(encoding="utf-8")
    html = (fb / "s1.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and 'src="mathjax/MathJax.js' in html and "http" not in html
    assert (fb / "mathjax" / "MathJax.js").is_file()
    report = page.read_text(encoding="utf-8")
    assert "<h1>Class report</h1>" in report and report.count("data:image/png;base64,") == 2
    assert "http://" not in report and "https://" not in report  # offline
    assert "Not graded" in report and "Similar code" in report and "solution notebook" in report
    # the same class as Moodle's gradebook
    proc = _cli(
        str(klass), "--student-from", "canvas", "--roster", str(roster), "--no-sandbox", "--seed", "3",
        "--gradebook", "moodle", str(moodle), "--gradebook-column", "Assignment 2",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = list(csv.reader(moodle.read_text(encoding="utf-8").splitlines()))
    assert rows[0] == ["ID number", "Email address", "Full name", "Assignment 2", "Feedback"]
    assert rows[1] == ["10234", "peggy@x.example", "Peggy Smith", str(p), f"{p}/{p}"]  # no --due: no penalty


def test_feedback_html_escapes_what_a_learner_wrote():
    from lessonkit.course.grading.pages import feedback_html

    r = _report(0, student="<script>alert(1)</script>")
    r.exercises[0].groups = [
        {
            "name": "stride S > 1",
            "points": 0,
            "max_points": 2,
            "reason": "<img src=x onerror=alert(1)> dE/da^{l-1}",
        }
    ]
    page = feedback_html(r)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert r"\(dE/da^{l-1}\)" in page  # typeset by MathJax


def test_pasted_reference_code_with_renamed_helpers_is_flagged():
    import inspect

    from lessonkit.maths import ops

    ref = reference_sources(["bp_delta_map"])["lessonkit"]
    pasted = ref
    for old, new in [
        ("correlate2d", "my_corr"),
        ("pad_hw", "border"),
        ("rot180", "flip"),
        ("delta", "err"),
        ("w", "k"),
    ]:
        pasted = re.sub(rf"\b{old}\b", new, pasted)
    stub = graded_sources(
        nbformat.read(ROOT / "exercises" / "02_bp_delta_map.ipynb", as_version=4), ["bp_delta_map"]
    )
    own = inspect.getsource(ops)  # unrelated code of the same size class
    found = similar_pairs({"pasted": pasted, "other": own[:1500]}, {"lessonkit": ref}, stub=stub)
    assert [(s.a, s.b) for s in found] == [("pasted", "lessonkit")]
    with pytest.raises(ValueError, match=r"^threshold must be above 0 and at most 1; got 1.5$"):
        similar_pairs({}, threshold=1.5)
