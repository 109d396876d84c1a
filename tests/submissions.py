"""Build learner submissions (notebooks) from the planted ``.txt`` files of tests/planted and tests/attacks."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def planted_notebook(spec: Path, tokens: dict | None = None):
    """(exercise notebook stem, notebook) that a planted ``.txt`` submission describes.

    It starts from ``exercises/<stem>.ipynb``, replaces the cell defining each ``# %% replace <name>``
    function by that section and appends every ``# %% append`` section as a new code cell; ``tokens``
    (e.g. ``{"@CSV@": "/tmp/x.csv"}``) are substituted first.
    """
    text = spec.read_text(encoding="utf-8")
    for token, value in (tokens or {}).items():
        text = text.replace(token, str(value))
    stem = re.search(r"^# notebook: (\S+)", text, flags=re.M).group(1)
    nb = nbformat.read(ROOT / "exercises" / f"{stem}.ipynb", as_version=4)
    for header, body in re.findall(r"^# %% ([^\n]+)\n(.*?)(?=^# %% |\Z)", text, flags=re.M | re.S):
        body = body.strip("\n")
        if header.startswith("replace "):
            name = header.split()[1]
            cells = [
                c
                for c in nb.cells
                if c.cell_type == "code" and re.search(rf"^(def {name}\(|class {name}\b)", c.source, re.M)
            ]
            assert len(cells) == 1, (spec.name, name)
            cells[0].source = body
        else:
            assert header.strip() == "append", header
            nb.cells.append(nbformat.v4.new_code_cell(body))
    return stem, nb


def cell_number(nb, name: str) -> int:
    """The 1-based number of the cell that defines ``name``."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and re.search(rf"^(def {name}\(|class {name}\b)", cell.source, re.M):
            return i + 1
    raise LookupError(name)
