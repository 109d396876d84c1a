"""Generate ``exercises/`` from ``solutions/``: each solution block becomes a NotImplementedError stub.

In a solution notebook the learner's part of a graded cell sits between two marker lines::

    def pad(x, p):
        \"\"\"...\"\"\"
        ### BEGIN SOLUTION: zero-pad the last two axes only
        ...
        ### END SOLUTION

The text after ``### BEGIN SOLUTION`` (after an optional colon) is the hint of the stub. Exercise
notebooks carry no outputs. The output is deterministic: the same solutions give the same bytes.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nbformat import NotebookNode

__all__ = [
    "MarkerError",
    "strip_solutions",
    "build_notebook",
    "notebook_text",
    "exercise_texts",
    "write_texts",
    "write_all",
]

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
DEFAULT_HINT = "write your code here"


class MarkerError(ValueError):
    """A solution cell whose markers are nested, unclosed or unopened."""


def strip_solutions(source: str, where: str = "cell") -> str:
    """Replace every marked block of ``source`` by ``raise NotImplementedError("<hint>")``.

    Parameters
    ----------
    source : str
        A code cell's source.
    where : str
        Where the cell is (file and cell index), for error messages.

    Returns
    -------
    str
        The stub source.

    Examples
    --------
    >>> src = "def f(x):\\n    ### BEGIN SOLUTION: double it\\n    return 2 * x\\n    ### END SOLUTION"
    >>> print(strip_solutions(src))
    def f(x):
        raise NotImplementedError("double it")
    """
    out: list[str] = []
    open_at = 0
    for number, line in enumerate(source.split("\n"), 1):
        text = line.strip()
        if text.startswith(BEGIN):
            if open_at:
                raise MarkerError(
                    f'{where}: nested "{BEGIN}" at line {number}; the one at line {open_at} is not closed yet'
                )
            open_at = number
            indent = line[: len(line) - len(line.lstrip())]
            hint = text[len(BEGIN) :].strip().lstrip(":").strip() or DEFAULT_HINT
            out.append(f"{indent}raise NotImplementedError({json.dumps(hint, ensure_ascii=False)})")
        elif text.startswith(END):
            if not open_at:
                raise MarkerError(f'{where}: "{END}" at line {number} has no "{BEGIN}" before it')
            open_at = 0
        elif not open_at:
            out.append(line)
    if open_at:
        raise MarkerError(f'{where}: "{BEGIN}" at line {open_at} is never closed by "{END}"')
    return "\n".join(out)


def build_notebook(nb: NotebookNode, where: str = "notebook") -> NotebookNode:
    """The exercise version of a solution notebook (an nbformat NotebookNode): stubs, no outputs."""
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    nb.metadata.pop("lessonkit", None)  # the lesson build's sync record belongs to the solution only
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        cell.source = strip_solutions(cell.source, f"{where}: cell {index}")
        cell.outputs = []
        cell.execution_count = None
        cell.metadata.pop("execution", None)
    return nb


def notebook_text(nb: NotebookNode) -> str:
    """A notebook as the text written to disk (nbformat's JSON and a final newline)."""
    import nbformat

    return nbformat.writes(nb, version=4) + "\n"


def exercise_texts(solutions: Path, exercises: Path) -> dict:
    """Map each exercise notebook path to the text the generator gives for it (writes nothing)."""
    import nbformat

    result = {}
    for path in sorted(Path(solutions).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        result[Path(exercises) / path.name] = notebook_text(build_notebook(nb, str(path)))
    return result


def write_texts(wanted: dict, folder: Path) -> tuple[list, list]:
    """Write each ``path: text`` of ``wanted`` whose file differs, and delete ``folder``'s other
    notebooks (an exercise whose solution is gone); return (written, removed) paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for path, text in wanted.items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    removed = [p for p in sorted(folder.glob("*.ipynb")) if p not in wanted]
    for path in removed:
        path.unlink()
    return written, removed


def write_all(solutions: Path, exercises: Path) -> tuple[list, list]:
    """Write the generated notebooks and delete stale ones; return (written, removed) paths."""
    return write_texts(exercise_texts(solutions, exercises), exercises)
