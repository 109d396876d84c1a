"""One exercise in the browser, opened from my-work/ after `python -m lessonkit start` as a learner does:
the stub's check says "not implemented"; typing a solution makes it pass. The same in the Simplified
Chinese edition (`start --lang zh-Hans`), whose check speaks Chinese."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys

import nbformat
import pytest
from labdriver import ROOT, SCREENSHOTS

pytestmark = pytest.mark.browser

EXERCISE = "01_primitives.ipynb"
MARKER = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION.*(\n|\Z)", re.M)


def _graded_cell(nb) -> tuple[int, str]:
    """Index and function name of the first graded cell (the first stub) of an exercise notebook."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and "raise NotImplementedError" in cell.source:
            return i, re.search(r"^def (\w+)\(", cell.source, re.M).group(1)
    raise AssertionError("no graded cell (raise NotImplementedError) in the exercise")


def _solution(name: str) -> tuple[str, object]:
    """The solution cell of ``name`` from solutions/ without its BEGIN/END markers (what a learner
    would type), and the function it defines, run here after the notebook's own set-up cells."""
    nb = nbformat.read(ROOT / "solutions" / EXERCISE, as_version=4)
    namespace: dict = {}
    for cell in nb.cells:
        if cell.cell_type != "code" or "check(" in cell.source:
            continue
        if re.search(rf"^def {name}\(", cell.source, re.M):
            source = MARKER.sub("", cell.source)
            exec(source, namespace)
            return source, namespace[name]
        if "def " not in cell.source:  # set-up cells (imports) only
            exec(cell.source, namespace)
    raise AssertionError(f"solutions/{EXERCISE} has no cell defining {name}")


def _expected_success(name: str, fn, lang: str) -> str:
    """The last line lessonkit.check prints for a correct function, in ``lang``: the line to look for."""
    import lessonkit
    from lessonkit.course.i18n import speaking

    with contextlib.redirect_stdout(io.StringIO()), speaking(lang):
        result = lessonkit.check(name, fn)
    assert result, result.text
    return result.text.strip().splitlines()[-1]


def _not_implemented(lang: str, name: str) -> str:
    """What the check says of a stub, in ``lang`` ("rot180: not implemented yet", less the full stop)."""
    from lessonkit.course.i18n import speaking, tr

    with speaking(lang):
        return tr("{name}: not implemented yet.", name=name).rstrip(".。")


@pytest.fixture(scope="module")
def chinese_workspace(lab):
    """`python -m lessonkit start my-work-zh --lang zh-Hans`, as a Chinese-reading learner starts."""
    cmd = [sys.executable, "-m", "lessonkit", "start", str(lab.root_dir / "my-work-zh"), "--lang", "zh-Hans"]
    subprocess.run(cmd, check=True, cwd=ROOT)
    return "my-work-zh"


@pytest.mark.parametrize("lang", ["en", "zh-Hans"])
def test_typing_a_solution_turns_the_check_green(lang, open_notebook, request):
    edition = "" if lang == "en" else f"{lang}/"
    path = ROOT / "exercises" / f"{edition}{EXERCISE}"
    if not path.exists() or not (ROOT / "solutions" / EXERCISE).exists():
        pytest.skip(f"exercises/{edition}{EXERCISE} or solutions/{EXERCISE} not there yet")
    index, name = _graded_cell(nbformat.read(path, as_version=4))
    solution, fn = _solution(name)
    success = _expected_success(name, fn, lang)
    workspace = "my-work" if lang == "en" else request.getfixturevalue("chinese_workspace")

    nb = open_notebook(f"{workspace}/{EXERCISE}")
    nb.run_all()
    assert not nb.not_run(), f"a stub stopped Run All: cells {nb.not_run()} never ran"
    assert not nb.failures_in_dom(), nb.failures_in_dom()
    check = next(
        c["index"] for c in nb.cells() if c["code"] and c["index"] > index and "check(" in c["source"]
    )
    stub_text = nb.cell_output_text(check)
    assert _not_implemented(lang, name) in stub_text, stub_text
    assert success not in stub_text
    if lang != "en":  # the check speaks Chinese, not English
        assert re.search(r"[\u4e00-\u9fff]", stub_text) and "not implemented" not in stub_text, stub_text

    nb.replace_cell_source(index, solution)
    nb.run_cell(index)
    nb.run_cell(check)
    text = nb.cell_output_text(check)
    nb.page.locator(".jp-Notebook .jp-Cell").nth(check).scroll_into_view_if_needed()
    shot = f"exercise-{EXERCISE.removesuffix('.ipynb')}-solved" + ("" if lang == "en" else f"-{lang}")
    nb.screenshot(SCREENSHOTS / f"{shot}.png")
    assert success in text, text
    assert "not implemented" not in text and _not_implemented(lang, name) not in text
    nb.save()  # the served copy now holds the typed solution, exactly as typed
    saved = nbformat.read(nb.server.root_dir / workspace / EXERCISE, as_version=4).cells[index].source
    assert saved.strip() == solution.strip()
