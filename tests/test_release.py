"""The student edition (``python -m lessonkit release``): no solution text, and it works installed.

Built once for all three languages. The package keeps lessonkit's own reference code (the lessons
import it, and the learner's check compares with it); the grader's similarity flags are the answer
to a pasted copy of it, not the edition. Then installed non-editable in a fresh venv (tests/freshvenv.py),
where ``start`` copies the exercises, a learner's check runs and the grader grades.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from freshvenv import fresh_venv, run
from points import notebook_total

from lessonkit.course.exercises_build import strip_solutions
from lessonkit.course.release import release

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _solution_lines() -> set:
    """Every distinctive line of code that the exercises' builder removes from the solutions."""
    found, given = set(), set()  # given: lines the exercises keep (a stub's own setup line)
    for path in (ROOT / "solutions").glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                kept = set(strip_solutions(cell.source).splitlines())
                given |= {ln.strip() for ln in kept}
                found |= {
                    ln.strip() for ln in cell.source.splitlines() if ln not in kept and len(ln.strip()) >= 24
                }
    return {ln for ln in found - given if not ln.startswith(("### BEGIN SOLUTION", "### END SOLUTION"))}


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release") / "edition"
    release(out, "all")
    return out


def test_no_solution_notebook_test_or_source_is_in_it(edition):
    names = {p.relative_to(edition).as_posix() for p in edition.rglob("*") if p.is_file()}
    assert not [n for n in names if n.startswith(("solutions/", "tests/", "translations/"))]
    assert not [
        n
        for n in names
        if n.endswith((".md", ".txt", ".toml"))
        and n not in ("README.md", "pyproject.toml", "lessonkit/course/course.toml")
    ]
    assert {
        "notebooks/00_start_here.ipynb",
        "exercises/zh-Hant/02_bp_delta_map.ipynb",
        "lessonkit/locale/zh-Hans.po",
    } <= names


def _leaks(edition: Path, top: str) -> list:
    lines = _solution_lines()
    assert len(lines) > 10  # the markers were found
    found = []
    for path in sorted((edition / top).rglob("*")) if top else [edition / "README.md"]:
        if path.is_file():
            if path.suffix == ".ipynb":  # every line of every cell, outputs included
                nb = nbformat.read(path, as_version=4)
                text = "\n".join(
                    [c.source for c in nb.cells] + [str(o) for c in nb.cells for o in c.get("outputs", [])]
                )
            else:
                text = path.read_text(encoding="utf-8", errors="replace")
            have = {ln.strip() for ln in text.splitlines()}
            found += [(path.relative_to(edition).as_posix(), ln) for ln in sorted(lines & have)]
    return found


@pytest.mark.parametrize("top", ["notebooks", ""])
def test_no_solution_text_is_in_the_lessons_or_the_readme(edition, top):
    assert not _leaks(edition, top)


def test_no_solution_text_is_in_the_exercises(edition):
    """Their 'what a failing check looks like' demos check a wrong primitive of exercise 01."""
    assert not _leaks(edition, "exercises")


def test_release_never_overwrites(edition):
    with pytest.raises(ValueError, match=r"outdir must be a new or empty folder .*; got '.*edition'"):
        release(edition, "en")
    with pytest.raises(ValueError, match=r"lang must be one of en, zh-Hans, zh-Hant or 'all'; got 'fr'"):
        release(edition.parent / "other", "fr")


def test_installed_edition_starts_checks_and_grades(edition, tmp_path):
    python = fresh_venv(tmp_path, str(edition))
    work = tmp_path / "class"
    work.mkdir()
    run([str(python), "-m", "lessonkit", "start"], work)
    assert (work / "my-work" / "02_bp_delta_map.ipynb").is_file()
    check = "import lessonkit\ndef pad(x, p):\n    raise NotImplementedError\nlessonkit.check('pad', pad)\n"
    out = run([str(python), "-c", check], work).stdout
    assert "pad: not implemented yet" in out, out
    notebook = work / "my-work" / "01_primitives.ipynb"
    graded = run([str(python), "-m", "lessonkit", "grade", str(notebook), "--no-sandbox"], work).stdout
    assert f"score: 0/{notebook_total('01_primitives')}" in graded, graded
