"""The browser checks can fail: a raising cell, a widget whose callback raises and a widget that
never changes are each caught (on notebooks written here, in the served copy only)."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

pytestmark = pytest.mark.browser

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def _write(lab, name: str, *sources: str) -> str:
    nb = new_notebook(metadata={"kernelspec": KERNELSPEC})
    nb.cells = [new_markdown_cell(f"# {name}")] + [new_code_cell(s) for s in sources]
    (lab.root_dir / "selftest").mkdir(exist_ok=True)
    nbformat.write(nb, lab.root_dir / "selftest" / name)
    return f"selftest/{name}"


def test_a_raising_cell_is_reported(lab, open_notebook):
    rel = _write(lab, "raises.ipynb", "import warnings\nwarnings.warn('only a warning')", "1 / 0", "x = 1")
    nb = open_notebook(rel)
    nb.run_all()
    assert nb.not_run() == [3]  # Run All stopped after the error
    failures = nb.failures_in_dom()
    assert [f["index"] for f in failures] == [2] and "ZeroDivisionError" in failures[0]["text"]
    nb.save()
    assert nb.saved_error_outputs() == ["cell 2: ZeroDivisionError: division by zero"]


def test_a_widget_callback_error_and_a_dead_widget_are_reported(lab, open_notebook):
    rel = _write(
        lab,
        "widgets.ipynb",
        "import ipywidgets as w\n"
        "def show(k=1):\n"
        "    if k != 1:\n"
        "        raise ValueError(f'k={k}')\n"
        "    print('k is', k)\n"
        "w.interact(show, k=(0, 3));",
        "w.VBox([w.IntSlider(2, 0, 5, description='dead'), w.HTML('<b>never changes</b>')])",
    )
    nb = open_notebook(rel)
    nb.run_all()
    assert not nb.failures_in_dom()
    raising, dead = nb.widgets()
    control = nb.controls(raising["id"])[0]
    before = nb.snapshot(raising["id"])
    nb.move(control, 0)
    assert nb.wait_changed(raising["id"], before) is not None
    failures = nb.failures_in_dom()
    assert failures and "ValueError: k=2" in failures[0]["text"], failures

    control = nb.controls(dead["id"])[0]
    before = nb.snapshot(dead["id"])
    assert "slider 2.0 -> 3.0" in nb.move(control, 0)
    assert nb.wait_changed(dead["id"], before, timeout=3) is None
