"""What the lesson builders (tools/build_lessons_*.py) share: cell helpers and execute-and-write.

Each builder holds its lessons' cells and calls :func:`execute_and_write` for one notebook: stable
cell ids, the kernelspec, a top-to-bottom run in a fresh kernel (nbclient) from ``notebooks/``,
saved widget state and nbclient's timestamps stripped, then validated and written.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
NBVAL_IGNORE_OUTPUT = ["nbval-ignore-output"]


def md(text: str):
    return nbformat.v4.new_markdown_cell(text.strip("\n"))


def code(text: str, tags=None):
    cell = nbformat.v4.new_code_cell(text.strip("\n"))
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def answer(summary: str, body: str, hint: str = "") -> str:
    """An answer that opens on demand (JupyterLab, GitHub and static HTML all render <details>).

    ``hint``, if given, follows the bold summary, e.g. ``"(try first, then click)"``.
    """
    label = f"<b>{summary}</b> {hint}" if hint else f"<b>{summary}</b>"
    return f"<details><summary>{label}</summary>\n\n{body.strip()}\n\n</details>"


def merge_streams(outputs):
    """Join consecutive stdout (or stderr) chunks, so how the kernel split them leaves no trace."""
    merged = []
    for out in outputs:
        if (
            merged
            and out.output_type == "stream"
            and merged[-1].output_type == "stream"
            and merged[-1].name == out.name
        ):
            merged[-1].text += out.text
        else:
            merged.append(out)
    return merged


def _seconds(timing) -> float | None:
    """How long a cell ran, from nbclient's execution metadata (None if it is not there)."""
    if not timing or "shell.execute_reply" not in timing or "iopub.execute_input" not in timing:
        return None
    took = datetime.fromisoformat(timing["shell.execute_reply"].rstrip("Z")) - datetime.fromisoformat(
        timing["iopub.execute_input"].rstrip("Z")
    )
    return took.total_seconds()


def execute_and_write(
    cells,
    path: Path,
    *,
    cell_id: str,
    execute: bool = True,
    timeout: int = 120,
    merge_outputs: bool = True,
    report_slowest: int = 0,
) -> float:
    """Write ``cells`` as a notebook at ``path``, executed first unless ``execute`` is False.

    ``cell_id`` is a format string taking the cell index ``k`` (e.g. ``"l03-{k:02d}"``): stable ids,
    so rebuilding gives the same file. ``merge_outputs`` joins consecutive stream chunks;
    ``report_slowest`` prints that many slowest cells. Returns the run time in seconds.
    """
    nb = nbformat.v4.new_notebook(cells=cells)
    for k, cell in enumerate(nb.cells):
        cell.id = cell_id.format(k=k)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    elapsed = 0.0
    if execute:
        start = time.perf_counter()
        resources = {"metadata": {"path": str(NOTEBOOKS)}}
        NotebookClient(nb, timeout=timeout, kernel_name="python3", resources=resources).execute()
        elapsed = time.perf_counter() - start
    nb.metadata.pop("widgets", None)
    slow = []
    for k, cell in enumerate(nb.cells):
        took = _seconds(cell.metadata.pop("execution", None))  # timestamps: not part of the lesson
        if took is not None:
            slow.append((took, k))
        if merge_outputs and cell.cell_type == "code":
            cell.outputs = merge_streams(cell.outputs)
    if report_slowest:
        print(
            "  slowest cells (s, index):",
            [(round(a, 1), k) for a, k in sorted(slow, reverse=True)[:report_slowest]],
        )
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return elapsed
