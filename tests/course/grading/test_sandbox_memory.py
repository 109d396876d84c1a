"""The memory attacks (tests/attacks/memory*.txt), graded as a class of their own with the sandbox on.

They run apart from the other attacks for one reason: each must fill its memory before its call's
deadline, and on a loaded machine filling 1.5 GB can take longer than the few seconds the other
class allows. Here the deadline is long (a minute), so only the memory limit can end these calls;
a sandbox that failed to enforce it would show as "ran longer than", never as a pass.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from submissions import planted_notebook

from lessonkit.course.grading import cgroups
from lessonkit.course.grading.sandbox import sandbox_problem

ROOT = Path(__file__).resolve().parents[3]
ATTACKS = ROOT / "tests" / "attacks"
TIMEOUT = 60  # s: far beyond the time it takes to fill MEMORY, however busy the machine
MEMORY = 1536  # MB per notebook; also each process's address space, which numpy's import needs
UNMAPPED = ["memory_memfd", "memory_sysv", "memory_nested"]  # memory no process's size shows

pytestmark = [
    pytest.mark.grader,
    pytest.mark.skipif(
        sandbox_problem() is not None, reason=f"bubblewrap cannot run here: {sandbox_problem()}"
    ),
]


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict:
    """Grade the memory attacks in one CLI run; their reports by attack name."""
    folder = tmp_path_factory.mktemp("memory") / "submissions"
    folder.mkdir()
    names = ["memory"]
    if cgroups.available() is None:  # without a control group nothing stops them but the deadline
        names += UNMAPPED
    for name in names:
        stem, nb = planted_notebook(ATTACKS / f"{name}.txt")
        nbformat.write(nb, folder / f"{stem}__{name}.ipynb")
    cmd = [sys.executable, "-m", "lessonkit", "grade", str(folder), "--json", "--seed", "7", "-j", "2"]
    cmd += ["--timeout", str(TIMEOUT), "--memory", str(MEMORY), "--assignment", "02_bp_delta_map"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, cwd=folder)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {Path(r["path"]).stem.split("__")[1]: r for r in json.loads(proc.stdout)}


def feedback(reports: dict, name: str) -> str:
    (item,) = [e for e in reports[name]["exercises"] if e["name"] == "bp_delta_map"]
    return item["feedback"]


def test_memory_is_limited_per_process_and_per_notebook(reports):
    text = feedback(reports, "memory")
    assert reports["memory"]["score"] == 0
    assert "raised MemoryError" in text and f"the memory limit is {MEMORY} MB" in text, text
    assert f"used more than {MEMORY} MB of memory" in text, text
    assert "ran longer than" not in text, text


@pytest.mark.parametrize("route", UNMAPPED)
def test_memory_no_process_maps_is_limited_too(reports, route):
    """memfd files, System V segments and nested namespaces count against the sandbox's memory."""
    if cgroups.available() is not None:
        pytest.skip(f"no control group here ({cgroups.available()}): memory is bounded per process only")
    text = feedback(reports, route)
    assert f"used more than {MEMORY} MB of memory" in text, text
    assert "ran longer than" not in text, text
    assert reports[route]["score"] == 0


def test_every_memory_report_says_it_was_isolated(reports):
    assert all(r["isolated"] for r in reports.values())
