"""A class folder is untrusted input, and the teacher decides the assignment (issue 21).

ONE ``python -m lessonkit grade FOLDER --assignment 02_bp_delta_map -j 2 --csv --feedback-dir`` run
grades a class of 02_bp_delta_map where honest learners sit beside entries that are not notebooks
(links to an answer key and to ``/proc/self/environ``, a FIFO, a folder), malformed notebooks,
hostile file names (bytes that are not UTF-8, newlines, bidirectional overrides, 250 bytes,
spreadsheet formulas, an impostor of alice) and other exercises handed in for this one. The text
report (stdout) is kept rather than ``--json``: only it holds the class summary; the CSV holds what
the JSON would. The tests assert that every entry gets a row, that the honest learners get full
marks, that the rest get 0 with a plain reason that quotes none of their content, that no target of
a link is read and that no file name forges, reorders or hides a line of any output.

The attack files of tests/attacks/ are code a learner runs (planted notebooks); these attacks are
the files themselves, so the fixture builds them.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import unicodedata
from pathlib import Path

import pytest
from points import total

from lessonkit.course.grading.sandbox import sandbox_problem
from lessonkit.course.grading.submissions import safe_text

ROOT = Path(__file__).resolve().parents[3]
F = str(total("bp_delta_map"))  # the assignment's points, as course.toml sets them
COLUMN = f"bp_delta_map (/{F})"
ASSIGNMENT = "02_bp_delta_map"
SOLUTION = ROOT / "solutions" / f"{ASSIGNMENT}.ipynb"
STUB = ROOT / "exercises" / f"{ASSIGNMENT}.ipynb"
OTHER = ROOT / "solutions" / "01_primitives.ipynb"
SEED = 21
NO_SANDBOX = ["--no-sandbox"] if sandbox_problem() else []  # every notebook run here is the course's own
_TAG = f"{os.getpid()}-{time.time_ns()}"
KEY_MARKER = f"ANSWER-KEY-{_TAG}"  # in the answer key beside the class folder
ENV_MARKER = f"GRADER-ENV-{_TAG}"  # in the grader's environment (/proc/self/environ)
BAD_MARKER = f"BROKEN-FILE-{_TAG}"  # in every malformed notebook
FIFO_MARKER = f"FIFO-{_TAG}"  # what the FIFO says to whoever opens it

pytestmark = pytest.mark.grader

HONEST = {  # a copy of the solution each
    "alice": "02_bp_delta_map-alice.ipynb",
    "dave": "02_bp_delta_map-dave.ipynb",
    "Dave": "02_bp_delta_map_Dave.ipynb",  # one student, twice (another separator, another case)
    "zoe_nfc": "02_bp_delta_map-zo\u00e9.ipynb",
    "zoe_nfd": "02_bp_delta_map-zoe\u0301.ipynb",  # the same name as a Mac writes it in a zip (NFD)
}
HOSTILE_NAMES = {  # a copy of the solution each, under a name that attacks the reports
    "latin1_name": b"02_bp_delta_map-caf\xe9.ipynb",
    "newline": "02_bp_delta_map-eve\nscore: 100.ipynb",
    "return": "02_bp_delta_map-ray\rscore: 100.ipynb",
    "line_separator": "02_bp_delta_map-lin\u2028score: 100.ipynb",
    "bidi": "02_bp_delta_map-\u202ebnpi.exe.ipynb",
    "long": "02_bp_delta_map-" + "l" * 228 + ".ipynb",  # 250 bytes: near the 255 a name may have
    "equals": "=1+1.ipynb",
    "plus": "+1.ipynb",
    "minus": "-1.ipynb",
    "at": "@SUM(A1).ipynb",
}
IMPOSTOR = "02_bp_delta_map--alice.ipynb"  # the exercise's stub: 0 points, whose feedback is not alice's
NOT_FILES = {  # key: (name, the reason's words)
    "key_link": ("02_bp_delta_map-mallory.ipynb", "it is a link, not a notebook file"),
    "environ_link": ("02_bp_delta_map-environ.ipynb", "it is a link, not a notebook file"),
    "folder_link": ("keys.ipynb", "it is a link, not a notebook file"),
    "fifo": ("x.ipynb", "it is a FIFO (named pipe), not a notebook file"),
    "folder": ("y.ipynb", "it is a folder, not a notebook file"),
    "sparse": ("02_bp_delta_map-sparse.ipynb", "it is larger than 64 MB"),
}
MALFORMED = {  # key: (how the file is broken, a pattern of the reason)
    "number_source": ("a code cell's source is a number", r"cell \d+'s source is not text"),
    "no_source": ("a code cell has no source", r"cell \d+'s source is not text"),
    "cells_not_list": (
        "cells is an object",
        r"does not follow the notebook format \(it has no list of cells\)",
    ),
    "not_json": ("broken JSON", r"not valid JSON \(line 2, column \d+\)$"),
    "not_utf8": ("a Latin-1 byte", r"not UTF-8 text \(byte \d+\)$"),
    "empty": ("0 bytes", r"not valid JSON \(line 1, column 1\)$"),
    "nbformat3": (
        "nbformat 3 without worksheets",
        r"does not follow the notebook format \(at the top level\)$",
    ),
    "huge_nbformat": ("nbformat 10**30", r"not a notebook: no nbformat version 3 or 4$"),
    "long_number": ("nbformat of 5000 digits", r"not a notebook: .*number"),
    "bad_schema": ("a cell's metadata is a string", r"does not follow the notebook format \(at "),
    "surrogate": (
        "a lone surrogate in a cell",
        r"not valid Unicode text \(a \\u escape of half a surrogate pair\)$",
    ),
}


def _nb(path: Path = SOLUTION) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _code_cell(nb: dict) -> dict:
    return next(c for c in nb["cells"] if c["cell_type"] == "code")


def _with_marker(nb: dict, marker: str) -> dict:
    nb["cells"].append({"cell_type": "markdown", "metadata": {}, "source": f"{marker}"})
    return nb


def _malformed(key: str) -> bytes:
    nb = _with_marker(_nb(), BAD_MARKER)
    if key == "number_source":
        _code_cell(nb)["source"] = 42
    elif key == "no_source":
        del _code_cell(nb)["source"]
    elif key == "cells_not_list":
        nb["cells"] = {str(i): c for i, c in enumerate(nb["cells"])}
    elif key == "not_json":
        return f'{{"cells": [\n  {BAD_MARKER} ]}}'.encode()
    elif key == "not_utf8":
        return json.dumps(nb).encode().replace(BAD_MARKER.encode(), BAD_MARKER.encode() + b"\xe9")
    elif key == "empty":
        return b""
    elif key == "nbformat3":
        nb = {"nbformat": 3, "nbformat_minor": 0, "metadata": {"name": BAD_MARKER}}
    elif key == "huge_nbformat":
        nb["nbformat"] = 10**30
    elif key == "long_number":
        return json.dumps(nb).encode().replace(b'"nbformat": 4', b'"nbformat": 4' + b"0" * 5000)
    elif key == "bad_schema":
        _code_cell(nb)["metadata"] = BAD_MARKER
    elif key == "surrogate":
        _code_cell(nb)["source"] = "# \ud800 " + BAD_MARKER + "\n" + "".join(_code_cell(nb)["source"])
        return json.dumps(nb).encode()  # the JSON escape \ud800 is ASCII: the bytes are UTF-8
    return json.dumps(nb).encode()


class _FifoWatch:
    """Holds the FIFO's writing end open as soon as anyone opens it to read, and notes that they did."""

    def __init__(self, fifo: Path) -> None:
        self.fifo, self.opened = fifo, threading.Event()
        self.thread = threading.Thread(target=self._write, daemon=True)
        self.thread.start()

    def _write(self) -> None:
        fd = os.open(self.fifo, os.O_WRONLY)  # blocks until a reader comes
        self.opened.set()
        try:
            os.write(fd, FIFO_MARKER.encode())
        except OSError:
            pass
        finally:
            os.close(fd)

    def stop(self) -> bool:
        """Whether anyone opened the FIFO; releases the waiting writer."""
        was = self.opened.is_set()
        fd = os.open(self.fifo, os.O_RDONLY | os.O_NONBLOCK)
        self.thread.join(30)
        os.close(fd)
        return was


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """Build the class folder, grade it once with the CLI, return every output and where it came from."""
    base = tmp_path_factory.mktemp("hostile")
    folder, key, feedback_dir, csv_path = (
        base / "class",
        base / "answer-key",
        base / "feedback",
        base / "g.csv",
    )
    folder.mkdir()
    key.mkdir()
    (key / f"{ASSIGNMENT}.ipynb").write_text(json.dumps(_with_marker(_nb(), KEY_MARKER)), encoding="utf-8")
    paths: dict = {}  # key: the entry's path as bytes

    def at(name) -> bytes:
        return os.path.join(os.fsencode(folder), os.fsencode(name))

    for k, name in {**HONEST, **HOSTILE_NAMES}.items():
        paths[k] = at(name)
        shutil.copyfile(SOLUTION, paths[k])
    paths["impostor"] = at(IMPOSTOR)
    shutil.copyfile(STUB, paths["impostor"])
    for k in MALFORMED:
        paths[k] = at(f"02_bp_delta_map-{k}.ipynb")
        Path(os.fsdecode(paths[k])).write_bytes(_malformed(k))
    paths["bob"] = at("01_primitives-bob.ipynb")  # 01's solution, named after 01
    paths["carol"] = at("02_bp_delta_map-carol.ipynb")  # 01's solution, named after the assignment
    for k in ("bob", "carol"):
        shutil.copyfile(OTHER, paths[k])
    for k, (name, _why) in NOT_FILES.items():
        paths[k] = at(name)
    os.symlink(f"../answer-key/{ASSIGNMENT}.ipynb", paths["key_link"])
    os.symlink("/proc/self/environ", paths["environ_link"])
    os.symlink("../answer-key", paths["folder_link"])
    os.symlink("../answer-key", folder / "keys")  # a linked folder, not entered: no row
    os.mkfifo(paths["fifo"])
    os.mkdir(paths["folder"])
    with open(paths["sparse"], "wb") as fh:
        fh.truncate(65 * 2**20)  # a hole: no disk used
    watch = _FifoWatch(Path(os.fsdecode(paths["fifo"])))
    cmd = [sys.executable, "-m", "lessonkit", "grade", str(folder), "--assignment", ASSIGNMENT, "-j", "2"]
    cmd += ["--csv", str(csv_path), "--feedback-dir", str(feedback_dir), "--seed", str(SEED), *NO_SANDBOX]
    env = dict(os.environ, LESSONKIT_TEST_SECRET=ENV_MARKER)
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=600, cwd=base, env=env)
    finally:
        fifo_opened = watch.stop()
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")[-3000:]
    rows = list(csv.DictReader(io.StringIO(csv_path.read_bytes().decode("utf-8"), newline="")))
    row_of = {r["path"]: r for r in rows}
    by_key = {k: row_of.get(safe_text(os.fsdecode(p))) for k, p in paths.items()}
    feedback = {os.fsencode(p.name): p.read_bytes() for p in feedback_dir.iterdir() if p.suffix == ".md"}
    pages = {p.name for p in feedback_dir.iterdir() if p.suffix == ".html"}
    assert pages == {p.decode().removesuffix(".md") + ".html" for p in feedback}  # an HTML page beside each
    return {
        "proc": proc,
        "stdout": proc.stdout.decode("utf-8"),
        "csv_bytes": csv_path.read_bytes(),
        "rows": rows,
        "row": by_key,
        "feedback": feedback,
        "fifo_opened": fifo_opened,
        "folder": folder,
        "entries": paths,
    }


def _outputs(hostile) -> list:
    """Every byte the grading run produced: stdout, stderr, the CSV, the feedback files and their names."""
    proc = hostile["proc"]
    return [
        proc.stdout,
        proc.stderr,
        hostile["csv_bytes"],
        *hostile["feedback"],
        *hostile["feedback"].values(),
    ]


def _blocks(hostile) -> dict:
    """The text report's block of each notebook, by its path (as the report shows it)."""
    blocks, path = {}, None
    for line in hostile["stdout"].splitlines():
        m = re.fullmatch(r"== (.*) \(hidden cases from seed \d+\) ==", line)
        if m:
            path = m.group(1)
            assert path not in blocks, path
            blocks[path] = []
        elif not line:
            path = None
        elif path is not None:
            blocks[path].append(line)
    return blocks


def _feedback_of(hostile, key: str) -> list:
    """The feedback files whose 'Notebook:' line names this entry's file."""
    name = Path(safe_text(os.fsdecode(hostile["entries"][key]))).name
    shown = _md(name)
    return [f for f, text in hostile["feedback"].items() if f"Notebook: {shown}  \n".encode() in text]


def _md(text: str) -> str:
    for ch in ("\\", "`", "|", "[", "]"):
        text = text.replace(ch, "\\" + ch)
    return text


# ---------------------------------------------------------------- the class is graded


def test_every_entry_gets_one_row_and_nothing_else_does(hostile):
    assert len(hostile["rows"]) == len(hostile["entries"]), [r["path"] for r in hostile["rows"]]
    missing = [k for k, row in hostile["row"].items() if row is None]
    assert missing == []
    assert len({r["path"] for r in hostile["rows"]}) == len(hostile["rows"])
    assert not any("answer-key" in r["path"] or "/keys/" in r["path"] for r in hostile["rows"])
    assert f"total over {len(hostile['entries'])} notebooks" in hostile["stdout"]


def test_the_teacher_decides_the_assignment(hostile):
    header = list(hostile["rows"][0])
    assert header == ["student", "path", COLUMN, "total", "max", "bp_delta_map feedback"] + [
        "notes",
        "seed",
    ]
    assert all(r["max"] == F for r in hostile["rows"])
    assert "assignment: 02_bp_delta_map (--assignment)" in hostile["stdout"].splitlines()


@pytest.mark.parametrize("key", [*HONEST, *HOSTILE_NAMES])
def test_honest_work_gets_full_marks_whatever_its_name(hostile, key):
    row = hostile["row"][key]
    assert (row[COLUMN], row["total"]) == (F, F), row
    assert row["bp_delta_map feedback"] == "all hidden cases pass"


def test_the_class_total_counts_only_honest_work(hostile):
    full = len(HONEST) + len(HOSTILE_NAMES)
    assert (
        hostile["stdout"].rstrip("\n").splitlines()[-1]
        == f"score: {int(F) * full}/{int(F) * len(hostile['rows'])}"
    )


# ---------------------------------------------------------------- links, FIFOs, folders, huge files


@pytest.mark.parametrize("key", list(NOT_FILES))
def test_what_is_not_a_regular_file_gets_0_and_a_plain_reason(hostile, key):
    row = hostile["row"][key]
    assert row["total"] == "0", row
    assert row["notes"].startswith(f"not graded: {NOT_FILES[key][1]}"), row["notes"]
    assert safe_text(os.fsdecode(hostile["entries"][key])) in hostile["stdout"].split("not graded (", 1)[1]


def test_no_link_target_is_read(hostile):
    for marker in (KEY_MARKER, ENV_MARKER, FIFO_MARKER):
        assert not [out for out in _outputs(hostile) if marker.encode() in out], marker


def test_the_fifo_is_never_opened_and_does_not_hang_the_run(hostile):
    # the fixture's writer blocks until someone opens the FIFO to read; nobody did, and the run ended
    assert hostile["fifo_opened"] is False


# ---------------------------------------------------------------- malformed notebooks


@pytest.mark.parametrize("key", list(MALFORMED))
def test_a_malformed_notebook_gets_0_and_says_where_not_what(hostile, key):
    row = hostile["row"][key]
    assert row["total"] == "0", row
    assert row["notes"].startswith("not graded: "), (MALFORMED[key][0], row["notes"])
    reason = row["notes"].removeprefix("not graded: ")
    assert re.search(MALFORMED[key][1], reason), (MALFORMED[key][0], reason)


def test_no_output_quotes_a_broken_file(hostile):
    assert not [out[:200] for out in _outputs(hostile) if BAD_MARKER.encode() in out]


# ---------------------------------------------------------------- hostile file names


def test_no_report_line_is_forged(hostile):
    lines = hostile["stdout"].splitlines()
    scores = [ln for ln in lines if ln.startswith("score")]
    assert len(scores) == len(hostile["rows"]) + 1  # each notebook's, then the class total
    assert all(re.fullmatch(r"score: \d+/\d+", ln) for ln in scores), scores
    assert not [ln for ln in lines if "score: 100" in ln and not ln.startswith("== ")]
    blocks = _blocks(hostile)
    assert len(blocks) == len(hostile["rows"])
    for key in ("newline", "return", "line_separator"):
        block = blocks[safe_text(os.fsdecode(hostile["entries"][key]))]
        assert [ln for ln in block if ln.startswith("score")] == [f"score: {F}/{F}"]


def test_no_feedback_file_forges_a_line(hostile):
    for name, text in hostile["feedback"].items():
        lines = text.decode("utf-8").splitlines()
        scores = [ln for ln in lines if ln.casefold().lstrip("#*- ").startswith("score")]
        assert len(scores) == 1 and re.fullmatch(r"Score: \*\*\d+/\d+\*\*", scores[0]), (name, scores)
        assert sum(ln.startswith("# ") for ln in lines) == 1, name


def test_every_output_is_utf8_without_controls_or_bidi_overrides(hostile):
    for out in _outputs(hostile):
        text = out.decode("utf-8").replace("\r\n", "\n")  # strict UTF-8; the CSV's rows end in CRLF
        assert not re.search(
            "[\ud800-\udfff\u2028\u2029\x85\r\x1b\u202a-\u202e\u2066-\u2069\u200e\u200f]", text
        )
    assert "caf\\xe9" in hostile["stdout"] and "\\u202ebnpi.exe" in hostile["stdout"]


def test_a_students_name_is_shown_escaped(hostile):
    assert hostile["row"]["newline"]["student"] == "eve\\nscore: 100"
    assert hostile["row"]["latin1_name"]["student"] == "caf\\xe9"
    assert hostile["row"]["bidi"]["student"] == "\\u202ebnpi.exe"
    assert hostile["row"]["long"]["student"].startswith("l" * 100)


def test_no_csv_cell_starts_a_formula(hostile):
    reader = csv.reader(io.StringIO(hostile["csv_bytes"].decode("utf-8"), newline=""))
    cells = [cell for row in reader for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    for key, shown in [("equals", "'=1+1"), ("plus", "'+1"), ("minus", "'-1"), ("at", "'@SUM(A1)")]:
        assert hostile["row"][key]["student"] == shown
    assert hostile["row"]["impostor"]["student"] == "'-alice"


def test_every_feedback_file_name_is_safe_and_distinct(hostile):
    names = [name.decode("utf-8") for name in hostile["feedback"]]
    assert len(names) == len(hostile["rows"])
    for name in names:
        assert re.fullmatch(r"\w[\w.-]*\.md", name) and safe_text(name) == name, name
        assert len(name.encode()) <= 100 and not name.startswith(("-", ".")), name
    # distinct where a file system ignores case (macOS, Windows) or Unicode normalisation (macOS)
    assert len({unicodedata.normalize("NFC", n).casefold() for n in names}) == len(names)


@pytest.mark.parametrize("key", [*HONEST, *HOSTILE_NAMES, "impostor"])
def test_each_submission_has_exactly_one_feedback_file(hostile, key):
    assert len(_feedback_of(hostile, key)) == 1, key


def test_alices_feedback_file_is_alices_not_the_impostors(hostile):
    text = hostile["feedback"][b"alice.md"].decode("utf-8")
    assert text.startswith("# Feedback for alice\n")
    assert "Notebook: 02_bp_delta_map-alice.ipynb  \n" in text and f"Score: **{F}/{F}**" in text


def test_the_impostor_is_another_student_with_the_stubs_grade(hostile):
    alice, impostor = hostile["row"]["alice"], hostile["row"]["impostor"]
    assert (alice["student"], alice["total"]) == ("alice", F)
    assert (impostor["student"], impostor["total"]) == ("'-alice", "0")
    assert "not implemented yet" in impostor["bp_delta_map feedback"]
    (mine,) = _feedback_of(hostile, "alice")
    assert (
        f"Score: **{F}/{F}**".encode() in hostile["feedback"][mine]
        and b"not implemented" not in hostile["feedback"][mine]
    )


def test_one_students_two_submissions_are_both_graded_and_flagged(hostile):
    for key in ("dave", "Dave"):
        row = hostile["row"][key]
        assert row["total"] == F
        assert "2 submissions for this student: " in row["notes"], row["notes"]
    flagged = [
        ln for ln in hostile["stdout"].splitlines() if ln.startswith("one student, several submissions")
    ]
    # dave and Dave, and zoé written composed and decomposed
    assert len(flagged) == 1 and flagged[0].startswith("one student, several submissions (4 notebooks;")
    assert "02_bp_delta_map-dave.ipynb" in flagged[0] and "02_bp_delta_map_Dave.ipynb" in flagged[0]


def test_one_name_in_two_unicode_spellings_is_flagged(hostile):
    for key in ("zoe_nfc", "zoe_nfd"):
        assert "2 submissions for this student: " in hostile["row"][key]["notes"]


# ---------------------------------------------------------------- another exercise handed in


@pytest.mark.parametrize("key", ["bob", "carol"])
def test_another_exercise_gets_0_of_the_assignments_points(hostile, key):
    row = hostile["row"][key]
    assert (row[COLUMN], row["total"], row["max"]) == ("0", "0", F), row


@pytest.mark.parametrize(
    "key",
    [
        "bob",
        "carol",
    ],
)
def test_the_note_names_the_exercise_handed_in(hostile, key):
    row = hostile["row"][key]
    assert "01_primitives" in row["notes"] and "02_bp_delta_map" in row["notes"], row["notes"]
    assert "01_primitives" in row["bp_delta_map feedback"], row["bp_delta_map feedback"]


def test_the_summary_says_how_memory_is_bounded(hostile):
    from lessonkit.course.grading import cgroups

    lines = [ln for ln in hostile["stdout"].splitlines() if ln.startswith("limits: ")]
    if NO_SANDBOX:
        assert lines == []
    elif cgroups.available() is None:
        assert lines == [
            "limits: memory and processes of each sandbox enforced by the kernel (control groups)"
        ]
    else:
        assert lines == [f"limits: memory bounded per process only ({cgroups.available()})"]
