"""Every lesson in a real JupyterLab in Chromium: Run All without errors, and every widget reacts."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
import pytest
from labdriver import ROOT, SCREENSHOTS

pytestmark = pytest.mark.browser

LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_kernel_is_the_projects_python(lab):
    """The python3 kernel the notebooks ask for runs this interpreter (the venv's), not another one."""
    spec = lab.api("kernelspecs")["kernelspecs"]["python3"]["spec"]
    assert spec["argv"][0] == sys.executable


def _check_widgets(nb, stem: str) -> list[dict]:
    """Move every control of every widget view, each from the widget's first state (the widget's cell
    is run again between controls, as a learner would to reset it); each move must change what the
    widget shows. Widgets without any input (progress bars) are only recorded. A move can land on a state that draws the same picture, so a control gets two
    tries (e.g. a slider: one step right, else one step left) before the test fails."""
    seen = []
    for k, first in enumerate(nb.widgets()):
        cell = first["cell"]
        if nb.display_only(first["id"]):  # e.g. tqdm's progress bar: nothing to move
            seen.append({"cell": cell, "moves": [], "display_only": True})
            continue
        n_controls = len(nb.controls(first["id"]))
        assert n_controls, f"{stem}: widget in cell {cell} has no control the test knows how to move"
        moves = []
        for c in range(n_controls):
            if c:  # back to the widget's first state
                nb.run_cell(cell)
            widget = next(w for w in nb.widgets() if w["cell"] == cell)
            control = nb.controls(widget["id"])[c]
            before = nb.snapshot(widget["id"])
            for attempt in range(2):
                done = nb.move(control, attempt)
                after = nb.wait_changed(widget["id"], before)
                if after is not None:
                    break
            failures = nb.failures_in_dom()
            assert not failures, f"{stem}: moving {control['label']!r} ({done}) broke an output: {failures}"
            assert after is not None, (
                f"{stem}: cell {cell}: moving control {control['label']!r} ({done}) "
                "did not change the widget's image or text"
            )
            moves.append(f"{control['kind']} {control['label']!r}: {done}")
        nb.widget(widget["id"]).screenshot(path=str(SCREENSHOTS / f"{stem}-widget{k}.png"))
        seen.append({"cell": cell, "moves": moves})
    return seen


def _collapsed_outputs(nb) -> int:
    """How many code cells show JupyterLab's placeholder for collapsed outputs."""
    return nb.page.evaluate(
        "() => document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell "
        ".jp-OutputPlaceholder').length"
    )


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_runs_and_its_widgets_react(lesson: Path, open_notebook, browser_report):
    t0 = time.monotonic()
    nb = open_notebook(f"notebooks/{lesson.name}")
    opened = time.monotonic() - t0
    nb.page.keyboard.press("Control+b")  # hide the file browser: more notebook in the screenshots
    # Outputs that answer a "Predict" question open collapsed (metadata.jupyter.outputs_hidden), so
    # the answer is not on screen before the learner predicts; running the cells shows them.
    predictions = sum(
        "prediction" in c.metadata.get("tags", []) for c in nbformat.read(lesson, as_version=4).cells
    )
    assert _collapsed_outputs(nb) == predictions, (lesson.stem, _collapsed_outputs(nb), predictions)
    seconds = nb.run_all()
    assert _collapsed_outputs(nb) == 0, (lesson.stem, "still collapsed after Run All", _collapsed_outputs(nb))

    assert not nb.not_run(), f"cells {nb.not_run()} never ran (Run All stops at an error)"
    assert not nb.failures_in_dom(), nb.failures_in_dom()
    nb.save()
    assert not nb.saved_error_outputs(), nb.saved_error_outputs()

    t1 = time.monotonic()
    widgets = _check_widgets(nb, lesson.stem)
    widget_seconds = time.monotonic() - t1
    if widgets:  # show the first widget, moved, in the lesson's screenshot
        nb.widget(nb.widgets()[0]["id"]).scroll_into_view_if_needed()
    shot = nb.screenshot(SCREENSHOTS / f"{lesson.stem}.png")
    browser_report[lesson.stem] = {
        "open_seconds": round(opened, 1),
        "run_all_seconds": round(seconds, 1),
        "widget_seconds": round(widget_seconds, 1),
        "code_cells": sum(c["code"] for c in nb.cells()),
        "widgets": widgets,
        "screenshot": str(shot.relative_to(ROOT)),
        "console_errors": nb.console_errors[:20],
    }
