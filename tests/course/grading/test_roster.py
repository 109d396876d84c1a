"""grade FOLDER --roster FILE: reading a class list, matching submissions to it, every student a row."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from points import total

from lessonkit.course.grading.grader import ExerciseResult, Report, flag_duplicates
from lessonkit.course.grading.reports import write_csv, write_feedback
from lessonkit.course.grading.roster import Roster, parse_roster, read_roster, resolve

ROOT = Path(__file__).resolve().parents[3]


def _names(roster: Roster) -> list:
    return [s.student for s in roster.students]


# ---------------------------------------------------------------- reading


def test_columns_in_any_order_after_student_any_case_bom_blank_rows_and_semicolons(tmp_path):
    table = tmp_path / "roster.csv"
    table.write_text(
        "Student , Email,folder,NAME,file\r\n"
        "s1,ann@x.example,ann,Ann Lee,\r\n"
        ",,,,\r\n"
        "s2,,,Ben Wu,late/02_bp_delta_map.ipynb\r\n",
        encoding="utf-8-sig",  # what Excel's "CSV UTF-8" writes
    )
    roster = read_roster(table)
    assert roster.columns == ("student", "email", "folder", "name", "file")
    s1, s2 = roster.students
    assert (s1.student, s1.email, s1.folder, s1.name, s1.row) == ("s1", "ann@x.example", "ann", "Ann Lee", 2)
    assert (s2.file, s2.row) == ("late/02_bp_delta_map.ipynb", 4)
    only = parse_roster("student\nann\nben\n")
    assert only.columns == ("student",) and _names(only) == ["ann", "ben"]
    semi = parse_roster("student;name\ns1;Lee, Ann\n")  # a spreadsheet set to ';'
    assert semi.students[0].name == "Lee, Ann"
    assert parse_roster("student,name,,\ns1,Ann,,\n").columns == ("student", "name")  # empty columns
    windows = parse_roster("student,folder,file\ns1,.\\ann\\,sub\\x.ipynb\n").students[0]
    assert (windows.folder, windows.file) == ("ann", "sub/x.ipynb")


def test_every_cell_is_made_safe_when_read():
    roster = parse_roster(
        'student,name,email\n"bob\nscore: 10/10",=HYPERLINK("http://evil"),"x\u202e@y.example"\n'
    )
    (s,) = roster.students
    assert s.student == "bob\\nscore: 10/10" and "\n" not in s.student
    assert s.email == "x\\u202e@y.example"  # a bidirectional override shows as its escape
    assert s.name == '=HYPERLINK("http://evil")'  # neutralised where it is written (a test below)


@pytest.mark.parametrize(
    "text, message",
    [
        ("", r"^roster: the roster is empty; its first row must be a header starting with 'student'$"),
        (
            "name,student\nAnn,s1\n",
            r"^roster must have a 'student' column first; got columns \['name', 'student'\]$",
        ),
        (
            "id,name\ns1,Ann\n",
            r"^roster must have a 'student' column first; got columns \['id', 'name'\]$",
        ),
        (
            "student,mail\ns1,a@x\n",
            r"^roster: unknown column 'mail'; after 'student' the columns may be 'id', 'file', 'folder', "
            r"'name', 'email' and 'section'; got columns \['student', 'mail'\]$",
        ),
        (
            "student,,name\ns1,,Ann\n",
            r"^roster: unknown column ''; .* got columns \['student', '', 'name'\]$",
        ),
        (
            "student,name,Name\ns1,Ann,Ann\n",
            r"^roster: column 'name' appears twice; got columns \['student', 'name', 'Name'\]$",
        ),
        ("student\nann\nben\nAnn\n", r"^roster: student 'Ann' appears twice \(rows 2 and 4\)$"),
        (
            "student,name\nann,A\n,Ben\n",
            r"^roster: row 3 has no student \(its first cell is empty\); got \['', 'Ben'\]$",
        ),
        (
            "student,name\nann,A,extra\n",
            r"^roster: row 2 has 3 cells but the header has 2 columns; got \['ann', 'A', 'extra'\]$",
        ),
        (
            "student,file\nann,a.ipynb\nben,A.ipynb\n",
            r"^roster: file 'A.ipynb' is given for two students, 'ann' \(row 2\) and 'ben' \(row 3\)$",
        ),
        (
            "student,folder\nann,x/\nben,./x\n",
            r"^roster: folder 'x' is given for two students, 'ann' \(row 2\) and 'ben' \(row 3\)$",
        ),
        (
            "student,email\nann,a@x\nben,A@X\n",
            r"^roster: email 'A@X' is given for two students, 'ann' \(row 2\) and 'ben' \(row 3\)$",
        ),
        ("student,email\nann,ann.x.example\n", r"^roster: row 2: email 'ann.x.example' has no '@'$"),
        (
            "student,folder\nann,../other\n",
            r"^roster: row 2: folder '../other' must be a path inside the class folder \(relative, "
            r"without '..'\)$",
        ),
        ("student,file\nann,/etc/passwd\n", r"^roster: row 2: file '/etc/passwd' must be a path inside"),
        ("student,folder\nann,.\n", r"^roster: row 2: folder '.' must be a path inside"),
        ("student,file\nann,C:\\x.ipynb\n", r"^roster: row 2: file 'C:\\\\x.ipynb' must be a path inside"),
        ("\ufeffstudent,name\n\n", r"^roster: the roster lists no students, only its header \(row 1\)$"),
        (
            'student\n"' + "a" * 200_000 + '"\n',
            r"^roster: the roster is not a readable CSV \(line 2: field larger than field limit",
        ),
        ('student\n"evil\nscore: 10/10"\n"evil\nscore: 10/10"\n', r"^roster: student 'evil\\\\nscore"),
    ],
)
def test_a_bad_roster_says_what_is_wrong_and_what_it_got(text, message):
    with pytest.raises(ValueError, match=message):
        parse_roster(text)


def test_an_unreadable_roster_file_is_named(tmp_path):
    with pytest.raises(ValueError, match=r"^roster: no such file: .*nope\.csv$"):
        read_roster(tmp_path / "nope.csv")
    with pytest.raises(ValueError, match=r"^roster: .* is a folder, not a CSV file$"):
        read_roster(tmp_path)
    latin = tmp_path / "latin1.csv"
    latin.write_bytes("student\nJosé\n".encode("latin-1"))
    with pytest.raises(
        ValueError, match=r"^roster: .*latin1\.csv is not UTF-8 text \(byte 11\); save it as 'CSV UTF-8'$"
    ):
        read_roster(latin)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"\xef\xbb\xbf")
    with pytest.raises(ValueError, match=r"^roster: .*empty\.csv is empty; its first row must be a header"):
        read_roster(empty)


# ---------------------------------------------------------------- matching


ROSTER = parse_roster(
    "student,file,folder,name,email\n"
    "s1,,ann,Ann Lee,ann@x.example\n"
    "s2,late/02_bp_delta_map-ben.ipynb,,Ben Wu,ben@x.example\n"
    "s3,chen.ipynb,,Chen Li,chen.li@x.example\n"
    "s4,,ann/deep,Dara,dara@y.example\n"
    "s5,,,Wei Zhang,wz1@x.example\n"
    "s6,,,Wei Zhang,wz2@x.example\n"
)


@pytest.mark.parametrize(
    "path, parsed, rule, students",
    [
        # an explicit file first: the relative path, then a bare file name anywhere
        ("late/02_bp_delta_map-ben.ipynb", "ben", "file", ["s2"]),
        ("ann/02_bp_delta_map-s2.ipynb", "s2", "folder", ["s1"]),  # the folder beats the parsed name
        ("ann/chen.ipynb", "chen", "file name", ["s3"]),  # the file beats the folder
        ("x/CHEN.ipynb", "CHEN", "file name", ["s3"]),
        ("ann/deep/02_bp_delta_map.ipynb", "02_bp_delta_map", "folder", ["s4"]),  # the deepest folder
        ("Ann/x.ipynb", "x", "folder", ["s1"]),  # case ignored
        ("annex/02_bp_delta_map-zed.ipynb", "zed", "", []),  # "annex" is not in "ann"
        # then the parsed name: student, name, whole email, email's name
        ("02_bp_delta_map-S2.ipynb", "S2", "student", ["s2"]),
        ("02_bp_delta_map-ann lee.ipynb", "ann  lee", "name", ["s1"]),
        ("02_bp_delta_map-dara@y.example.ipynb", "dara@y.example", "email", ["s4"]),
        ("02_bp_delta_map-chen.li.ipynb", "chen.li", "email name", ["s3"]),
        ("02_bp_delta_map-Wei Zhang.ipynb", "Wei Zhang", "name", ["s5", "s6"]),  # ambiguous
        ("late/02_bp_delta_map-zed.ipynb", "zed", "", []),
    ],
)
def test_matching_precedence_file_then_folder_then_parsed_name(path, parsed, rule, students):
    found_rule, rows = ROSTER.match(path, parsed)
    assert (found_rule, [s.student for s in rows]) == (rule, students)


def test_names_match_across_unicode_normal_forms():
    roster = parse_roster("student,name\ns1,Jos\u00e9\n")  # typed: é as one character
    assert roster.match("02_bp_delta_map-Jose\u0301.ipynb", "Jose\u0301")[1] == roster.students  # a Mac's NFD


# ---------------------------------------------------------------- the class's reports by roster


FULL = total("bp_delta_map")  # as course.toml sets it


def _report(path: str, student: str, points: int = FULL) -> Report:
    report = Report(path, 7, student=student)
    lost = [] if points == FULL else [f"-{FULL - points} stride"]
    report.exercises.append(ExerciseResult("bp_delta_map", points, FULL, lost))
    return report


def test_every_student_a_row_off_roster_flagged_two_submissions_flagged(tmp_path):
    roster = parse_roster(
        "student,folder,name,email\n"
        "s1,ann,Ann Lee,ann@x.example\n"
        "dara,,Dara,d@x.example\n"
        "s3,,Chen Li,chen@x.example\n"
        '"=cmd|\' /C calc\'!A0","","@SUM(1)\nscore: 99/99","+x@evil.example"\n'
    )
    reports = [
        _report("class/02_bp_delta_map-chen.ipynb", "chen", FULL - 1),
        _report("class/02_bp_delta_map-Chen Li.ipynb", "Chen Li", FULL),
        _report("class/02_bp_delta_map-zed.ipynb", "zed"),
        _report("class/ann/02_bp_delta_map.ipynb", "02_bp_delta_map"),
    ]
    result = resolve(reports, roster, "class/")
    flag_duplicates(result.reports)  # as grade_path does after its resolve hook
    by = [(r.student, r.path) for r in result.reports]
    assert by == [  # the roster's order, the off-roster submission last
        ("s1", "class/ann/02_bp_delta_map.ipynb"),
        ("dara", ""),
        ("s3", "class/02_bp_delta_map-chen.ipynb"),
        ("s3", "class/02_bp_delta_map-Chen Li.ipynb"),
        ("=cmd|' /C calc'!A0", ""),
        ("zed", "class/02_bp_delta_map-zed.ipynb"),
    ]
    dara = result.reports[1]
    assert result.missing(dara) and (dara.score, dara.max_score, dara.notes) == (0, FULL, ["no submission"])
    assert dara.exercises[0].feedback == [f"-{FULL} no submission"]
    assert result.off_roster == [reports[2]] and reports[2].notes == ["not on the roster"]
    for r in result.reports[2:4]:
        assert r.notes == ["2 submissions for this student: " + ", ".join(x.path for x in reports[:2])]
    assert result.summary() == "roster: 4 students, 2 with a submission, 2 without"
    assert [result.student_of(r).row for r in result.reports[:5]] == [2, 3, 4, 4, 5]

    table = tmp_path / "g.csv"
    write_csv(result.reports, table, roster=result)
    rows = list(csv.reader(table.read_text(encoding="utf-8").splitlines()))
    assert len(rows) == 7 and rows[0][:4] == ["student", "name", "email", "path"]
    hostile = rows[5]
    assert hostile[:3] == ["'=cmd|' /C calc'!A0", "'@SUM(1)\\nscore: 99/99", "'+x@evil.example"]
    assert (
        rows[2][:7] == ["dara", "Dara", "d@x.example", "", "0", "0", str(FULL)]
        and rows[2][-2] == "no submission"
    )
    assert not any(cell[:1] in "=+-@" for row in rows for cell in row if cell)

    written = write_feedback(result.reports, tmp_path / "fb")
    assert sorted(p.name for p in written) == sorted(
        ["s1.md", "dara.md", "s3.md", "s3-2.md", "cmd_C_calc_A0.md", "zed.md"]
    )  # the second submission of s3 does not overwrite the first
    assert f"**{FULL - 1}/{FULL}**" in (tmp_path / "fb" / "s3.md").read_text(encoding="utf-8")
    assert f"**{FULL}/{FULL}**" in (tmp_path / "fb" / "s3-2.md").read_text(encoding="utf-8")
    missing = (tmp_path / "fb" / "dara.md").read_text(encoding="utf-8")
    assert "Notebook:" not in missing and f"**0/{FULL}**" in missing and "- no submission" in missing


def test_an_ambiguous_submission_is_flagged_and_notes_follow_the_teachers_language():
    import lessonkit

    roster = parse_roster("student,name\ns5,Wei Zhang\ns6,Wei Zhang\nzoe,\n")
    report = _report("class/02_bp_delta_map-wei zhang.ipynb", "wei zhang")
    result = resolve([report], roster, "class")
    assert result.off_roster == [report] and report.notes == [
        "not on the roster: it matches several students (s5, s6) by name; give its file in the roster's "
        "file column"
    ]
    try:
        lessonkit.set_language("zh-Hans")  # what `grade --lang zh-Hans` does
        result = resolve([], roster, "class")
    finally:
        lessonkit.set_language(None)
    assert [r.notes for r in result.without] == [["未提交"]] * 3
    assert [r.exercises for r in result.without] == [[]] * 3  # no submission at all: no assignment known


# ---------------------------------------------------------------- the command line


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "lessonkit", "grade", *args], capture_output=True, text=True, cwd=ROOT
    )


def test_a_bad_roster_exits_2_before_grading(tmp_path):
    (tmp_path / "class").mkdir()
    table = tmp_path / "roster.csv"
    table.write_text("name,email\nAnn,a@x\n", encoding="utf-8")
    proc = _cli(str(tmp_path / "class"), "--roster", str(table), "--no-sandbox")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines()[-1] == (
        "error: roster must have a 'student' column first; got columns ['name', 'email']"
    )
    proc = _cli(str(tmp_path / "class"), "--roster", str(tmp_path / "nope.csv"))
    assert proc.returncode == 2 and re.fullmatch(r"error: roster: no such file: .*nope\.csv\n", proc.stderr)
    notebook = ROOT / "solutions" / "02_bp_delta_map.ipynb"
    proc = _cli(str(notebook), "--roster", str(table))
    assert proc.returncode == 2 and "error: --roster needs a class folder; got " in proc.stderr


@pytest.mark.grader
def test_grading_a_class_with_a_roster(tmp_path):
    klass = tmp_path / "class"
    (klass / "ann").mkdir(parents=True)
    solution, stub = (
        ROOT / "solutions" / "02_bp_delta_map.ipynb",
        ROOT / "exercises" / "02_bp_delta_map.ipynb",
    )
    shutil.copyfile(solution, klass / "ann" / "02_bp_delta_map.ipynb")  # by folder
    shutil.copyfile(stub, klass / "02_bp_delta_map-ben.ipynb")  # by student
    shutil.copyfile(solution, klass / "02_bp_delta_map-Chen Li.ipynb")  # by name ...
    shutil.copyfile(stub, klass / "chen_again.ipynb")  # ... and by file: two submissions of s3
    shutil.copyfile(solution, klass / "02_bp_delta_map-zed.ipynb")  # on no row
    table = tmp_path / "roster.csv"
    table.write_text(
        "student,folder,name,file,email\n"
        "s1,ann,Ann Lee,,ann@x.example\n"
        "ben,,,,\n"
        "s3,,Chen Li,chen_again.ipynb,\n"
        "dara,,Dara,,\n"
        '"=HYPERLINK(""http://evil.example"")","","@bob\nscore: 99/99","","-x@evil.example"\n',
        encoding="utf-8-sig",
    )
    out, fb = tmp_path / "grades.csv", tmp_path / "feedback"
    proc = _cli(
        str(klass), "--roster", str(table), "--assignment", "02_bp_delta_map", "--no-sandbox",
        "--seed", "1", "-j", "2", "--csv", str(out), "--feedback-dir", str(fb),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    got = [(r["student"], Path(r["path"]).name, r["total"], r["max"]) for r in rows]
    f = str(FULL)
    assert got == [
        ("s1", "02_bp_delta_map.ipynb", f, f),
        ("ben", "02_bp_delta_map-ben.ipynb", "0", f),
        ("s3", "02_bp_delta_map-Chen Li.ipynb", f, f),
        ("s3", "chen_again.ipynb", "0", f),
        ("dara", "", "0", f),  # on the roster, nothing handed in
        ('\'=HYPERLINK("http://evil.example")', "", "0", f),
        ("zed", "02_bp_delta_map-zed.ipynb", f, f),
    ]
    assert rows[4]["notes"] == "no submission" and rows[4][f"bp_delta_map (/{FULL})"] == "0"
    assert rows[6]["notes"].endswith(" | not on the roster")  # after --no-sandbox's note
    assert all("2 submissions for this student: " in rows[i]["notes"] for i in (2, 3))
    hostile = rows[5]
    assert (hostile["name"], hostile["email"]) == ("'@bob\\nscore: 99/99", "'-x@evil.example")
    assert not any(c[:1] in "=+-@" for r in rows for c in [*r.values(), *r.keys()] if c)
    assert sorted(p.name for p in fb.iterdir() if p.suffix == ".md") == sorted(
        ["s1.md", "ben.md", "s3.md", "s3-2.md", "dara.md", "HYPERLINK_http_evil.example.md", "zed.md"]
    )
    lines = proc.stdout.splitlines()
    assert "roster: 5 students, 3 with a submission, 2 without" in lines
    assert 'no submission (0 points each): dara, =HYPERLINK("http://evil.example")' in lines
    assert any(ln.startswith("not on the roster (1 notebook; see their notes): ") for ln in lines)
    assert any(ln.startswith("one student, several submissions (2 notebooks") for ln in lines)
    assert "total over 5 notebooks and 2 roster students without a submission" in lines
    assert lines[-1] == f"score: {3 * FULL}/{7 * FULL}"
    assert not any(ln.startswith("score: 99") for ln in lines)
