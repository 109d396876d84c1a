"""A Gradescope autograder for one exercise: the bundle a teacher uploads, and what runs in it.

Gradescope runs every submission in a container of its own, so a class of any size is graded in
parallel there. The bundle follows Gradescope's autograder specification
(https://gradescope-autograders.readthedocs.io/en/latest/specs/):

- ``setup.sh`` installs Python, bubblewrap and this course's package (shipped in ``course/``) into
  a virtual environment on Gradescope's Ubuntu image;
- ``run_autograder`` grades the notebook in ``/autograder/submission`` with the course's grader: in
  a bubblewrap sandbox (an unprivileged user, no network) where the container allows one; where it
  does not, as an unprivileged user of its own with lessonkit's package, the solutions and the
  bundle's source made root's alone for the run, which the output's first line says; where not
  even that can be had (the grader is not root, or its Python is not reachable by other users),
  the notebook does not run at all: 0 points, the reason on the first line;
- the result goes to ``/autograder/results/results.json``: the total ``score``, ``output``,
  ``execution_time`` and ``tests``, one per group of hidden cases (visibility chosen when the bundle
  is built, ``after_published`` by default) plus one visible test per function for its public cases
  (the notebook's own check, 0 points), so the student always sees something and the total stays
  visible.

The ``/autograder`` prefix can be changed with the environment variable LESSONKIT_AUTOGRADER_ROOT
(for tests), and the Python that runs the grader with LESSONKIT_AUTOGRADER_PYTHON.
"""

from __future__ import annotations

import json
import os
import time
import zipfile
from pathlib import Path

from .. import PACKAGE
from ..config import course_file
from ..exercises import EXERCISES, exercise_notebook
from ..i18n import _, tr

__all__ = ["VISIBILITIES", "exercise_notebook", "build_bundle", "run"]

VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu).
set -euo pipefail
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv python3-pip bubblewrap
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --quiet /autograder/source/course
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission: grade /autograder/submission into results/results.json.
ROOT="${LESSONKIT_AUTOGRADER_ROOT:-/autograder}"
PYTHON="${LESSONKIT_AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}"
exec "$PYTHON" -m lessonkit gradescope-run --root "$ROOT"
"""


def build_bundle(
    exercise: str, output: str | os.PathLike[str], hidden_visibility: str = "after_published"
) -> Path:
    """Write the autograder zip for ``exercise`` to ``output``; return its path."""
    stem = exercise_notebook(exercise)
    if hidden_visibility not in VISIBILITIES:
        raise ValueError(
            f"hidden_visibility must be one of {', '.join(VISIBILITIES)}; got {hidden_visibility!r}"
        )
    output = Path(output)
    course = PACKAGE.parent
    config = {"exercise": stem, "hidden_visibility": hidden_visibility}
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in (("setup.sh", SETUP), ("run_autograder", RUN)):
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = 0o755 << 16
            zf.writestr(info, text)
        info = zipfile.ZipInfo("config.json", date_time=(2026, 1, 1, 0, 0, 0))
        info.external_attr = 0o644 << 16
        zf.writestr(info, json.dumps(config, indent=2) + "\n")
        if (course / "pyproject.toml").is_file():  # a source tree or an editable install
            for extra in ("pyproject.toml", "README.md"):
                zf.write(course / extra, f"course/{extra}")
        else:  # an installed lessonkit: its own requirements make the bundle's project file
            zf.writestr("course/pyproject.toml", _installed_pyproject())
        # the code and the message catalogs (Chinese feedback on Gradescope too)
        for path in sorted([*PACKAGE.rglob("*.py"), *PACKAGE.glob("locale/*.po")]):
            if "__pycache__" not in path.parts:
                zf.write(path, f"course/lessonkit/{path.relative_to(PACKAGE).as_posix()}")
        # the course file in force (--course, $LESSONKIT_COURSE or the package's): its points
        zf.write(course_file(), "course/lessonkit/course/course.toml")
    return output


def _installed_pyproject() -> str:
    """A project file for the bundle's copy of an installed lessonkit (no source tree at hand)."""
    from importlib.metadata import metadata, requires

    required = [r for r in requires("lessonkit") or [] if "extra ==" not in r]
    return (
        '[build-system]\nrequires = ["setuptools>=64"]\nbuild-backend = "setuptools.build_meta"\n\n'
        f'[project]\nname = "lessonkit"\nversion = {json.dumps(metadata("lessonkit")["Version"])}\n'
        f"dependencies = {json.dumps(required)}\n\n"
        '[tool.setuptools.packages.find]\ninclude = ["lessonkit*"]\n\n'
        '[tool.setuptools.package-data]\nlessonkit = ["locale/*.po", "course/course.toml"]\n'
    )


def run(root: str | os.PathLike[str] | None = None) -> dict:
    """Grade the submission under ``root`` (default /autograder) and write results/results.json.

    In a bubblewrap sandbox where the container allows one. Where it does not, the notebook runs as
    an unprivileged user of its own while lessonkit's package, the course's solutions and the
    bundle's source are readable by root only (their modes are put back afterwards). Where neither
    can be had, nothing of the notebook runs: the score is 0 and the output's first line says why.
    Either way ``results.json`` is written, by root, into a folder only root can write, after every
    process of the sandbox's users has been killed.
    """
    from .grader import NotebookError, grade_snapshot, read_notebook
    from .sandbox import can_drop_user, kill_sandbox_users, sandbox_problem

    start = time.monotonic()
    root = Path(root or os.environ.get("LESSONKIT_AUTOGRADER_ROOT", "/autograder"))
    config = json.loads((root / "source" / "config.json").read_text(encoding="utf-8"))
    stem, visibility = config["exercise"], config.get("hidden_visibility", "after_published")
    exercises = [ex for ex in EXERCISES.values() if ex.notebook == stem]
    out = root / "results"
    out.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        os.chmod(out, 0o700)  # only root (the grader) writes the results
    notebook = _submitted_notebook(root / "submission", stem)
    report, problem, unsafe = None, None, None
    no_sandbox = sandbox_problem()
    if no_sandbox is not None and not can_drop_user():
        who = "root" if os.geteuid() == 0 else _("the grader's own user")
        unsafe = tr(
            "not graded: no sandbox here ({why}) and the notebook would run as {who}; "
            "the autograder never runs a notebook unisolated (install bubblewrap, or run as root)",
            why=no_sandbox,
            who=who,
        )
    if unsafe is not None:
        problem = unsafe
    elif notebook is None:
        problem = f"no notebook (.ipynb) in your submission: upload {stem}.ipynb"
    else:
        locked = _lock_away(root) if no_sandbox is not None else []
        try:
            report = grade_snapshot(read_notebook(notebook), notebook, exercises=exercises, public=True)
        except NotebookError as exc:
            problem = f"your notebook could not be read ({exc}); upload {stem}.ipynb as saved by Jupyter"
        finally:
            kill_sandbox_users()
            for path, mode in locked:
                os.chmod(path, mode)
    results = _results(exercises, report, problem, visibility)
    if no_sandbox is not None and unsafe is None and report is not None:
        results["output"] = (
            f"graded without bubblewrap ({no_sandbox}): as an unprivileged user, with lessonkit, "
            "the solutions and the autograder's source readable by root only\n" + results["output"]
        )
    if unsafe is not None:  # the reason first, then the score
        results["output"] = "\n".join(
            [unsafe, *(ln for ln in results["output"].splitlines() if ln != unsafe)]
        )
    results["execution_time"] = round(time.monotonic() - start, 2)
    kill_sandbox_users()  # again: nothing of the notebook's is left to touch the results
    part = out / "results.json.part"
    part.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(part, out / "results.json")
    print(results["output"])
    return results


def _lock_away(root: Path) -> list:
    """Make lessonkit, the solutions and the bundle root's alone; return [(path, old mode)] to restore."""
    from .mounts import _hidden

    locked = []
    for path in [*_hidden(), root / "source"]:
        try:
            mode = path.stat().st_mode & 0o7777
        except OSError:
            continue
        os.chmod(path, 0o700)
        locked.append((path, mode))
    return locked


def _submitted_notebook(folder: Path, stem: str):
    from .grader import notebooks_under

    found = notebooks_under(folder)
    for p in found:
        if p.stem == stem:
            return p
    return found[0] if found else None


def _results(exercises: list, report, problem, visibility: str) -> dict:
    tests = []
    by_name = {e.name: e for e in report.exercises} if report is not None else {}
    for ex in exercises:
        result = by_name.get(ex.name)
        public = getattr(result, "public", None) or problem or "not graded"
        tests.append(
            {
                "name": f"{ex.name}: the public cases (your notebook's check)",
                "score": 0,
                "max_score": 0,
                "status": "passed" if public.startswith("all ") else "failed",
                "output": public,
                "visibility": "visible",
            }
        )
        for group, points in ex.groups.items():
            detail = next((g for g in (result.groups if result else []) if g["name"] == group), None)
            earned = detail["points"] if detail else 0
            reason = (detail["reason"] or "every hidden case right") if detail else (problem or "not graded")
            tests.append(
                {
                    "name": f"{ex.name}: {group}",
                    "score": earned,
                    "max_score": points,
                    "status": "passed" if earned == points else "failed",
                    "output": reason,
                    "visibility": visibility,
                }
            )
    score = report.score if report is not None else 0
    total = sum(ex.max_points for ex in exercises)
    lines = [f"Score: {score}/{total}"]
    if problem:
        lines.append(problem)
    if report is not None:
        lines += [f"{e.name}: {e.points}/{e.max_points}" for e in report.exercises]
        lines += [f"note: {n}" for n in report.notes]
    return {
        "score": score,
        "output": "\n".join(lines),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }
