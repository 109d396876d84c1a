"""Time grading a class of 40 submissions, serial and in parallel: python tools/bench_grading.py.

Two classes, each graded with the CLI's defaults (30 s per call) and one fixed seed, serial and with
``-j 2`` (the two runs must agree):

- mixed: the class cycles through the solutions, the untouched exercises and every planted bug of
  tests/planted, among them an endless top-level loop and functions that hang, each of which costs
  its full 30 s timeout;
- without endless loops: the same sources less the planted bugs that hang, so the figure is the
  grader's own cost per notebook (sandbox, kernel, cases), not the timeouts'.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from itertools import cycle, islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import nbformat  # noqa: E402
from submissions import planted_notebook  # noqa: E402

# the planted bugs that loop forever (at the top level, or in a function the grader calls)
HANGS = ("bp_toplevel_hang", "primitives_mixed")


def build(folder: Path, size: int = 40, hangs: bool = True) -> None:
    sources = [("solution", p) for p in sorted((ROOT / "solutions").glob("*.ipynb"))]
    sources += [("stub", p) for p in sorted((ROOT / "exercises").glob("*.ipynb"))]
    sources += [
        ("bug", p) for p in sorted((ROOT / "tests" / "planted").glob("*.txt")) if hangs or p.stem not in HANGS
    ]
    for k, (kind, path) in enumerate(islice(cycle(sources), size)):
        if kind == "bug":
            stem, nb = planted_notebook(path)
            nbformat.write(nb, folder / f"{stem}__{k:02d}_{path.stem}.ipynb")
        else:
            shutil.copyfile(path, folder / f"{path.stem}__{k:02d}_{kind}.ipynb")


def grade(folder: Path, jobs: int) -> tuple[float, list]:
    start = time.perf_counter()
    cmd = [sys.executable, "-m", "lessonkit", "grade", str(folder), "--json", "--seed", "1", "-j", str(jobs)]
    cmd += ["--assignment", "each"]  # a mixed class: each notebook on the exercise it is named after
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT).stdout
    return time.perf_counter() - start, json.loads(out)


def main() -> None:
    for hangs, what in ((True, "mixed, with endless loops"), (False, "without endless loops")):
        with tempfile.TemporaryDirectory() as tmp:
            build(Path(tmp), hangs=hangs)
            serial_s, serial = grade(Path(tmp), 1)
            parallel_s, parallel = grade(Path(tmp), 2)
        assert serial == parallel, "parallel grading differs from serial"
        print(
            f"40 submissions ({what}): serial {serial_s:.1f} s, -j 2 {parallel_s:.1f} s "
            f"({serial_s / parallel_s:.2f}x, {parallel_s / 40:.2f} s per notebook with -j 2)"
        )


if __name__ == "__main__":
    main()
