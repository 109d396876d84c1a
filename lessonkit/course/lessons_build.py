"""Lessons and solutions from their one source: MyST Markdown files paired with notebooks (jupytext).

Every ``notebooks/NN_*.md`` and ``solutions/NN_*.md`` is the source of the ``.ipynb`` beside it
(``jupytext.toml`` pairs them, so JupyterLab with jupytext saves both). Building a notebook:

1. **sync**, by content, never by time stamp: the notebook's metadata records a digest of the
   cells both files held at the last build. When the two now differ, the side that still matches
   the record is the unchanged one and takes the other's cells (a teacher who edited the notebook
   in JupyterLab without jupytext keeps the edit; one who edited the Markdown in an editor gets it
   into the notebook). When both changed, :class:`SyncConflict` names the file and shows both
   versions, and no file is written;
2. **execute** it top to bottom in a fresh kernel (nbclient, from its own folder) when its code
   changed, or lessonkit did since it last ran (:func:`run_stamp`, recorded in the metadata), or
   always with ``force``: :func:`run_or_keep`, the one rule the Chinese editions follow too;
3. **clean and write**: stable cell ids (a short hash of the cell's source, so inserting a cell does
   not renumber the others), the kernelspec, no saved widget state, no execution timestamps,
   consecutive stream outputs merged; then ``exercises/`` is regenerated from ``solutions/``.

``check`` reports every notebook whose cells or ids do not match its Markdown (a test runs it).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nbformat import NotebookNode

__all__ = [
    "SOURCE_FOLDERS",
    "SyncConflict",
    "cells_digest",
    "plan",
    "code_sources",
    "keep_outputs",
    "scrub",
    "execute",
    "merge_streams",
    "KERNELSPEC",
    "sources",
    "expected_cells",
    "stale",
    "lessonkit_digest",
    "run_stamp",
    "run_or_keep",
    "build",
    "build_all",
]

SOURCE_FOLDERS = ("notebooks", "solutions")
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
FORMAT = "md:myst"


def sources(root: str | os.PathLike[str]) -> list:
    """The Markdown sources under ``root``'s lesson and solution folders, sorted."""
    return [p for folder in SOURCE_FOLDERS for p in sorted((Path(root) / folder).glob("[0-9][0-9]_*.md"))]


def _cell_ids(nb, stem: str) -> None:
    """Stable ids: the notebook's number and a hash of each cell's type and source (made unique)."""
    seen: dict = {}
    for cell in nb.cells:
        digest = hashlib.sha1(f"{cell.cell_type}\n{cell.source}".encode()).hexdigest()[:8]
        base = f"{stem[:2]}-{digest}"
        seen[base] = seen.get(base, 0) + 1
        cell.id = base if seen[base] == 1 else f"{base}-{seen[base]}"


def _inputs(nb) -> list:
    return [(c.cell_type, c.source, dict(c.metadata), c.get("id")) for c in nb.cells]


def expected_cells(md: Path) -> NotebookNode:
    """The notebook its Markdown source describes (cells, metadata and ids; no outputs)."""
    import jupytext

    nb = jupytext.read(md, fmt=FORMAT)
    _cell_ids(nb, md.stem)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata.pop("jupytext", None)
    return nb


def stale(md: Path) -> str | None:
    """Why ``md``'s notebook is out of date (missing, or its cells differ), or None."""
    import nbformat

    ipynb = md.with_suffix(".ipynb")
    if not ipynb.exists():
        return "no notebook"
    current = nbformat.read(ipynb, as_version=4)
    if _inputs(current) != _inputs(expected_cells(md)):
        return "its cells differ from the Markdown"
    if current.metadata.get("kernelspec") != KERNELSPEC:
        return "its kernelspec differs"
    if _recorded(current) != cells_digest(current):
        return "it holds no record of the last build"
    return None


class SyncConflict(ValueError):
    """A lesson's Markdown and its notebook were both edited since the last build."""


SYNCED_KEY = "lessonkit"  # notebook metadata: {"synced": digest of the cells at the last build}


def cells_digest(nb: NotebookNode) -> str:
    """A digest of what a notebook's cells hold (type, source, metadata; not ids, not outputs).

    The Markdown and the notebook of a lesson are compared by this digest, so a reformatted
    file or a new time stamp (a checkout, a copy, ``touch``) is never mistaken for an edit.
    """
    cells = [[c.cell_type, c.source, dict(c.metadata)] for c in nb.cells]
    return hashlib.sha256(json.dumps(cells, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def lessonkit_digest() -> str:
    """A digest of the lessonkit a notebook runs with (its code and message catalogs): a lesson whose
    cells are unchanged runs again when this changed since it last ran, since its outputs may."""
    from . import PACKAGE

    h = hashlib.sha256()
    for path in sorted([*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.po")]):
        h.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def run_stamp(nb: NotebookNode, **more: str) -> dict:
    """What a notebook's outputs depend on: its code and the lessonkit it runs with (and ``more``:
    a Chinese edition adds its English notebook's outputs). Kept in the metadata when it runs."""
    code = json.dumps(code_sources(nb), ensure_ascii=False).encode()
    return {"code": hashlib.sha256(code).hexdigest()[:16], "lessonkit": lessonkit_digest(), **more}


_CHANGED = {"code": "its code changed", "lessonkit": "lessonkit changed since it last ran"}


def run_or_keep(
    nb: NotebookNode,
    old: NotebookNode | None,
    stamp: dict,
    folder: Path,
    force: bool = False,
    timeout: int = 600,
) -> str:
    """The one rule every built notebook follows (lessons, solutions, both Chinese editions): run
    ``nb`` top to bottom in a fresh kernel when ``force``, when there is no ``old`` notebook, or when
    ``stamp`` (:func:`run_stamp`) differs from the one ``old`` ran with; else give it ``old``'s
    outputs. Then scrub it and record the stamp. Returns what happened, and why.
    """
    ran = _ran(old) if old is not None else {}
    changed = [key for key in stamp if ran.get(key) != stamp[key]]
    if force or old is None or changed:
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        start = time.perf_counter()
        execute(nb, folder, timeout)
        what = f"executed in {time.perf_counter() - start:.1f} s"
        if not force and old is not None:
            what += " (" + ", ".join(_CHANGED.get(key, f"its {key} changed") for key in changed) + ")"
    else:  # only Markdown, ids, tags or the kernelspec changed: keep the outputs as they are
        keep_outputs(nb, old)
        what = "outputs kept"
    scrub(nb)
    nb.metadata.setdefault(SYNCED_KEY, {})["ran"] = stamp
    return what


def _ran(nb) -> dict:
    """The :func:`run_stamp` a notebook's outputs were made with, as its metadata records it ({}: none)."""
    return nb.metadata.get(SYNCED_KEY, {}).get("ran") or {}


def _recorded(nb) -> str | None:
    """The digest of the cells both files held at the last build, kept in the notebook's metadata."""
    return nb.metadata.get(SYNCED_KEY, {}).get("synced")


def _cell_diff(md: Path, text_nb, ipynb_nb) -> str:
    """Both versions of every cell where the Markdown and the notebook differ, as a unified diff."""
    a = [f"[{c.cell_type}]\n{c.source}\n" for c in text_nb.cells]
    b = [f"[{c.cell_type}]\n{c.source}\n" for c in ipynb_nb.cells]
    lines = difflib.unified_diff(
        "".join(a).splitlines(keepends=True),
        "".join(b).splitlines(keepends=True),
        fromfile=str(md),
        tofile=str(md.with_suffix(".ipynb")),
    )
    return "".join(lines)


def plan(md: Path) -> str:
    """What syncing ``md`` with its notebook will do, decided by content alone.

    ``"in sync"`` (cells equal; only ids or metadata may need a rewrite), ``"notebook"`` (only the
    Markdown changed since the last build: rebuild the notebook from it), ``"markdown"`` (only the
    notebook changed: write its cells back to the Markdown). Raises :class:`SyncConflict`, naming the
    file and showing both versions of each differing cell, when both changed or there is no record of
    the last build to tell which one did.
    """
    import nbformat

    ipynb = md.with_suffix(".ipynb")
    if not ipynb.exists():
        return "notebook"
    nb = nbformat.read(ipynb, as_version=4)
    text = expected_cells(md)
    in_text, in_nb, last = cells_digest(text), cells_digest(nb), _recorded(nb)
    if in_text == in_nb:
        return "in sync"
    if in_nb == last:
        return "notebook"
    if in_text == last:
        return "markdown"
    why = "both were edited since the last build" if last else "there is no record of the last build"
    raise SyncConflict(
        f"{md} and {ipynb.name} hold different cells and {why}, so neither is overwritten.\n"
        f"To go on, make the two agree: copy the edits you want to keep into one file and undo the\n"
        f"other's, or delete {ipynb.name} to rebuild it from the Markdown; then run make lessons again.\n"
        f"The cells that differ (- Markdown, + notebook):\n{_cell_diff(md, text, nb)}"
    )


def _sync(md: Path, decision: str) -> str:
    """Carry out ``decision`` (from :func:`plan`): bring the unchanged side up to the changed one."""
    import jupytext
    import nbformat

    if decision == "markdown":
        nb = nbformat.read(md.with_suffix(".ipynb"), as_version=4)
        md.write_text(jupytext.writes(nb, fmt=FORMAT), encoding="utf-8")
        return "Markdown updated from the notebook"
    if decision == "notebook" and md.with_suffix(".ipynb").exists():
        return "notebook to be rebuilt from the Markdown"
    return "in sync"


def code_sources(nb: NotebookNode) -> list:
    """What decides the outputs: the code cells, in order (a Markdown edit needs no new run)."""
    return [c.source for c in nb.cells if c.cell_type == "code"]


def keep_outputs(nb: NotebookNode, old: NotebookNode) -> None:
    """Give ``nb``'s code cells the outputs of ``old``'s, in order (their code is the same)."""
    ran = [c for c in old.cells if c.cell_type == "code"]
    for new, cell in zip([c for c in nb.cells if c.cell_type == "code"], ran, strict=True):
        new.outputs, new.execution_count = cell.outputs, cell.execution_count
    nb.metadata["language_info"] = old.metadata.get("language_info", {"name": "python"})


def scrub(nb: NotebookNode) -> None:
    """Drop what is not part of a lesson (saved widget state, execution timestamps) and merge
    consecutive stream outputs, so a rebuilt notebook's text depends on its content alone."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = merge_streams(cell.outputs)


def execute(nb: NotebookNode, folder: Path, timeout: int = 600) -> None:
    """Run ``nb`` top to bottom in a fresh kernel, from ``folder``."""
    from nbclient import NotebookClient

    folder.mkdir(parents=True, exist_ok=True)
    NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    ).execute()


def merge_streams(outputs: list) -> list:
    """Consecutive stream outputs of one stream as one (as a notebook saved in JupyterLab holds them)."""
    merged: list = []
    for out in outputs:
        if merged and out.output_type == "stream" and merged[-1].output_type == "stream":
            if merged[-1].name == out.name:
                merged[-1].text += out.text
                continue
        merged.append(out)
    return merged


def build(md: Path, force: bool = False, timeout: int = 600) -> str:
    """Sync, execute (if its cells changed, or ``force``) and write one notebook; return what happened."""
    md = Path(md)
    return _build(md, plan(md), force, timeout)


def _build(md: Path, decision: str, force: bool, timeout: int) -> str:
    import nbformat

    synced = _sync(md, decision)
    ipynb = md.with_suffix(".ipynb")
    old = nbformat.read(ipynb, as_version=4) if ipynb.exists() else None
    nb = expected_cells(md)
    stamp = run_stamp(nb)
    if not force and stale(md) is None and old is not None and _ran(old) == stamp:
        return synced
    what = run_or_keep(nb, old, stamp, md.parent, force, timeout)
    nb.metadata[SYNCED_KEY]["synced"] = cells_digest(nb)
    nbformat.validate(nb)
    nbformat.write(nb, ipynb)
    # Not a decision (those go by content): jupytext's guard in JupyterLab refuses a notebook whose
    # .ipynb is newer than its .md, so the source is stamped no older than what was built from it.
    os.utime(md)
    return f"{synced}; {what}"


def build_all(root: str | os.PathLike[str], force: bool = False, only: list | None = None) -> list:
    """Build every lesson and solution (or those whose stem starts with one of ``only``), then the
    exercises; return ``(path, what happened)`` pairs."""
    from .exercises_build import write_all

    chosen = [
        md
        for md in sources(root)
        if not only or any(f"{md.parent.name}/{md.stem}".endswith(o) or md.stem.startswith(o) for o in only)
    ]
    decisions, conflicts = {}, []
    for md in chosen:  # every pair is checked before any file is written
        try:
            decisions[md] = plan(md)
        except SyncConflict as err:
            conflicts.append(str(err))
    if conflicts:
        raise SyncConflict("\n\n".join(conflicts))
    done = [(md, _build(md, decisions[md], force, timeout=600)) for md in chosen]
    root = Path(root)
    write_all(root / "solutions", root / "exercises")
    return done
