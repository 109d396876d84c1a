"""Planted attacks on the grader (tests/attacks), graded as one class folder with the sandbox on.

Each kind of attack the grader must survive: cheats that reach for lessonkit's answer, sabotage of
the batch (classmates' notebooks, the CSV, a detached process), changes to lessonkit's files, killing
or freezing the grader, reading the seed or the teacher's files, output floods and forks,
forged report lines, look-alike arrays. Skipped, with the reason, where bubblewrap cannot run.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from points import group, total
from submissions import cell_number, planted_notebook

import lessonkit
from lessonkit.course.exercises.base import LECTURE_GROUP
from lessonkit.course.grading.sandbox import sandbox_problem

ROOT = Path(__file__).resolve().parents[3]
ATTACKS = ROOT / "tests" / "attacks"
SEED = 7
TIMEOUT = 6
# memory*.txt have a class of their own, with a deadline no busy machine reaches before the limit
CLASS = [p for p in sorted(ATTACKS.glob("*.txt")) if not p.stem.startswith("memory")]
MEMORY = 1536  # MB per notebook (the memory attacks are graded apart: test_sandbox_memory.py)

pytestmark = [
    pytest.mark.grader,
    pytest.mark.skipif(
        sandbox_problem() is not None, reason=f"bubblewrap cannot run here: {sandbox_problem()}"
    ),
]


def _digest(paths) -> dict:
    out = {}
    for top in paths:
        top = Path(top)
        files = [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file())
        for p in files:
            if "__pycache__" not in p.parts:
                out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _processes_with(word: str) -> list:
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if word in cmd:
            found.append(cmd)
    return found


def _status(pid: str) -> tuple[int, int, str]:
    """(uid, parent pid, state letter) of a process."""
    text = Path(f"/proc/{pid}/status").read_text()
    uid = int(text.split("\nUid:")[1].split()[0])
    return uid, int(text.split("\nPPid:")[1].split()[0]), text.split("\nState:")[1].split()[0]


def _sandbox_uid_processes() -> list:
    """Processes of a sandbox user that no live grader owns any more, each described.

    Tests in other workers may be grading at this moment: their sandboxes' processes descend from
    their grader (bubblewrap or the runner, not a sandbox user). A process left behind by a grader
    that has finished is re-parented to init, with no such ancestor.

    A zombie (state Z) is left out: it has exited, holds no memory and runs nothing, and only waits
    for its parent to collect its exit status. When a sandbox's namespace dies, its last children
    are handed to init, and some inits (the one on the machines this course is built on among
    them) collect orphans only every second or so.
    """
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            uid, parent, state = _status(pid)
            if state == "Z":
                continue
            chain = [pid]
            while uid >= 2_000_000 and parent > 1:
                chain.append(str(parent))
                uid, parent, _ = _status(str(parent))
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")[:120]
        except (OSError, IndexError, ValueError):
            continue
        if uid >= 2_000_000:
            found.append(f"pid {pid} (state {state}, ancestors {' < '.join(chain)}): {command!r}")
    return found


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    """Grade every attack plus two honest classmates in one CLI run; return what happened."""
    base = tmp_path_factory.mktemp("class")
    folder, teacher = base / "submissions", base / "teacher"
    folder.mkdir()
    teacher.mkdir()
    secret = teacher / "secret.txt"
    secret.write_text("the answers", encoding="utf-8")
    csv_path = base / "grades.csv"
    marker = f"lessonkit-attack-{os.getpid()}-{time.time_ns()}"
    solution = ROOT / "solutions" / "02_bp_delta_map.ipynb"
    classmates = [
        folder / "02_bp_delta_map__aaa_classmate.ipynb",
        folder / "02_bp_delta_map__zzz_classmate.ipynb",
    ]
    for c in classmates:
        shutil.copyfile(solution, c)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    tokens = {
        "BIG_CELL": "# " + "x" * 300_000,  # more than a pipe's buffer
        "@PORT@": listener.getsockname()[1],
        "@ROOT@": ROOT,
        "@LESSONKIT@": Path(lessonkit.__file__).parent,
        "@PREFIX@": Path(sys.prefix).resolve(),
        "@BASE_PREFIX@": Path(sys.base_prefix).resolve(),
        "@CLASSMATE@": classmates[1],
        "@CSV@": csv_path,
        "@SECRET@": secret,
        "@MARKER@": marker,
    }
    notebooks = {}
    for spec in CLASS:
        stem, nb = planted_notebook(spec, tokens)
        nbformat.write(nb, folder / f"{stem}__{spec.stem}.ipynb")
        notebooks[spec.stem] = nb
    protected = [Path(lessonkit.__file__).parent, ROOT / "solutions", teacher, *classmates]
    before = _digest(protected)
    cmd = [sys.executable, "-m", "lessonkit", "grade", str(folder), "--json", "--csv", str(csv_path)]
    cmd += [
        "--timeout",
        str(TIMEOUT),
        "--seed",
        str(SEED),
        "-j",
        "2",
        "--memory",
        str(MEMORY),
        "--assignment",
        "each",
    ]
    start = time.monotonic()
    # graded from inside the class folder: the grader's working folder must not reach the sandbox
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, cwd=folder)
    seconds = time.monotonic() - start
    assert proc.returncode == 0, proc.stderr[-3000:]
    csv_at_exit = csv_path.read_bytes()
    text = subprocess.run(
        [sys.executable, "-m", "lessonkit", "grade", str(folder / "02_bp_delta_map__forge.ipynb")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    ).stdout
    time.sleep(3)  # longer than the detached process in sabotage.txt (2 s) waits before it writes
    listener.close()
    data = json.loads(proc.stdout)
    reports = {Path(s["path"]).stem.split("__")[1]: s for s in data}
    return {
        "reports": reports,
        "notebooks": notebooks,
        "before": before,
        "after": _digest(protected),
        "csv_at_exit": csv_at_exit,
        "csv_later": csv_path.read_bytes(),
        "marker": marker,
        "seconds": seconds,
        "forge_text": text,
    }


def feedback(attacked, name: str, exercise: str = "bp_delta_map") -> dict:
    (item,) = [e for e in attacked["reports"][name]["exercises"] if e["name"] == exercise]
    return item


def everything(attacked, name: str) -> str:
    return json.dumps(attacked["reports"][name])


def test_no_back_door_computes_the_answer(attacked):
    e = feedback(attacked, "cheats")
    assert "CHEAT" not in everything(attacked, "cheats")
    assert e["points"] == 0
    assert "which is not available while grading" in e["feedback"]


def test_primitives_cannot_borrow_lessonkits_own(attacked):
    report = attacked["reports"]["cheats_primitives"]
    assert report["score"] == 0, report
    for e in report["exercises"]:
        assert "which is not available while grading" in e["feedback"], e


def test_layer_exercise_cannot_borrow_the_reference_layer(attacked):
    report = attacked["reports"]["cheats_layer"]
    assert report["score"] == 0, report
    assert "lessonkit.maths.layer.ConvLayer" in feedback(attacked, "cheats_layer", "conv_forward")["feedback"]
    assert "layer_backward_reference" in feedback(attacked, "cheats_layer", "layer_backward")["feedback"]


def test_nothing_outside_the_sandbox_can_be_seen(attacked):
    assert "FOUND" not in everything(attacked, "snoop"), everything(attacked, "snoop")
    assert feedback(attacked, "snoop")["points"] == 0  # zeros are wrong answers


def test_classmates_lessonkit_solutions_and_teacher_files_are_untouched(attacked):
    assert attacked["before"] == attacked["after"]
    assert "FOUND" not in everything(attacked, "sabotage"), everything(attacked, "sabotage")
    for name in ("aaa_classmate", "zzz_classmate"):
        report = attacked["reports"][name]
        assert report["score"] == report["max_score"] == total("bp_delta_map"), report


def test_the_csv_is_the_graders_alone(attacked):
    assert attacked["csv_later"] == attacked["csv_at_exit"]
    assert b"aaa_classmate" in attacked["csv_at_exit"] and b"all,100" not in attacked["csv_later"]


def test_no_process_outlives_grading(attacked):
    assert _processes_with(attacked["marker"]) == []
    if os.geteuid() == 0:
        assert _sandbox_uid_processes() == []


def test_killing_or_freezing_the_grader_does_not_stop_the_batch(attacked):
    assert len(attacked["reports"]) == len(CLASS) + 2
    assert attacked["reports"]["zzz_classmate"]["score"] == total("bp_delta_map")
    e = feedback(attacked, "killer")
    assert e["points"] == 0  # zeros elsewhere; the run went on
    # freezing itself: the hard deadline outside ends it, and the next case runs in a new sandbox
    lecture = group("bp_delta_map", LECTURE_GROUP)
    assert (
        f"-{lecture} the lecture's case (3x3 input, 2x2 filter): ran longer than {TIMEOUT} s" in e["feedback"]
    )


def test_output_floods_are_advised_and_huge_files_fail_their_groups(attacked):
    e = feedback(attacked, "floods")
    assert e["points"] == 0  # its answers are wrong; the flood itself is advice (counted inside)
    assert e["advice"] == [a for a in e["advice"] if "printed or displayed more than 1 MB in one call" in a]
    assert len(e["advice"]) == 1
    assert re.search(r"raised OSError: \[Errno (27|28)\]", e["feedback"]), e["feedback"]


def test_fork_bombs_hit_the_process_limit(attacked):
    e = feedback(attacked, "forks")
    assert e["points"] == 0
    assert "BlockingIOError" in e["feedback"] or "started more than" in e["feedback"], e["feedback"]


def test_learner_text_cannot_forge_report_lines(attacked):
    text = attacked["forge_text"]
    scores = [ln for ln in text.splitlines() if ln.startswith("score:")]
    assert scores == [f"score: 0/{total('bp_delta_map')}"], text
    assert not [ln for ln in text.splitlines() if ln.startswith("bp_delta_map: 10")]
    assert "\x1b" not in text and "\u2028" not in text and "\r" not in text
    assert "score: 10/10" in text  # the forged line: shown, escaped, inside a feedback or note line
    assert all(len(ln) < 600 for ln in text.splitlines())


def test_forged_replies_on_the_channel_neither_help_nor_break_the_grader(attacked):
    report = attacked["reports"]["forger"]
    assert report["score"] < report["max_score"], report  # it cannot answer what it does not know
    assert not any(n.startswith("grading stopped") for n in report["notes"]), report["notes"]
    assert attacked["reports"]["zzz_classmate"]["score"] == total("bp_delta_map")


def test_no_classmate_is_within_reach_even_from_the_graders_working_folder(attacked):
    assert "FOUND" not in everything(attacked, "copier"), everything(attacked, "copier")
    assert feedback(attacked, "copier")["points"] == 0


def test_a_frozen_notebook_with_a_huge_next_cell_cannot_block_the_grader(attacked):
    report = attacked["reports"]["jammer"]
    assert any("ran longer than" in n and "re-ran the notebook" in n for n in report["notes"]), report[
        "notes"
    ]
    assert feedback(attacked, "jammer")["points"] == 0  # its bp_delta_map is still the stub's
    assert "not implemented" in feedback(attacked, "jammer")["feedback"]


def test_look_alike_arrays_complex_and_infinite_answers_are_wrong(attacked):
    e = feedback(attacked, "types")
    assert e["points"] == group("bp_delta_map", LECTURE_GROUP)  # only the lecture's case, a real array
    assert "returned complex numbers" in e["feedback"]
    assert "returned a Agreeable" in e["feedback"] and "returned a LooksLikeAnArray" in e["feedback"]
    assert "wrong values" in e["feedback"]


def test_tracebacks_point_at_the_learners_cell(attacked):
    e = feedback(attacked, "traceback")
    cell = cell_number(attacked["notebooks"]["traceback"], "bp_delta_map")
    assert f"(in bp_delta_map, line 2 of cell {cell}: d = dilate(delta, 0))" in e["feedback"], e["feedback"]
    assert "ops.py" not in e["feedback"] and "lessonkit/" not in e["feedback"]


def test_no_host_folder_is_named_in_a_report(attacked):
    """The mount table names the folders bind-mounted into the sandbox; the report names none of them."""
    from lessonkit.course.grading.sandbox import python_paths

    e = feedback(attacked, "mounts")
    assert "MOUNTS" in e["feedback"] and "<python>" in e["feedback"], e["feedback"]
    hosts = [str(p) for p in python_paths()] + [str(ROOT), sys.prefix, sys.base_prefix, "lessonkit-sandbox-"]
    for host in hosts:
        assert host not in everything(attacked, "mounts"), host


def test_the_sandbox_shows_no_host_folder_where_a_process_reads_its_own_paths(attacked):
    """The environment is mounted at neutral paths: executable, command line, sys.path, environment,
    memory map, mount points and module files name none of the host's folders (paths.txt)."""
    e = feedback(attacked, "paths")
    assert "PATHS CLEAN" in e["feedback"] and "FOUND" not in e["feedback"], e["feedback"]


def test_every_report_says_it_was_isolated(attacked):
    assert all(r["isolated"] for r in attacked["reports"].values())
    assert not any("not isolated" in n for r in attacked["reports"].values() for n in r["notes"])
