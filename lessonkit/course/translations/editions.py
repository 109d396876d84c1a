"""The Chinese notebooks: each English lesson, solution and exercise with its Markdown translated."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import posixpath
import re
from pathlib import Path
from typing import TYPE_CHECKING

from .catalogs import EDITIONS, catalog_path, english_notebooks, read_catalog

if TYPE_CHECKING:
    from nbformat import NotebookNode

# Shown above a cell whose translation is missing or stale (in both scripts; the cell stays English).
PENDING = {
    "zh-Hans": "> **翻译待更新**（translation pending）：这一段的中文译文还没有跟上英文原文，"
    "下面先显示英文。\n\n",
    "zh-Hant": "> **翻譯待更新**（translation pending）：這一段的中文譯文還沒有跟上英文原文，"
    "下面先顯示英文。\n\n",
}

LANGUAGE_CELL_TAG = "set-language"


def language_cell(lang: str) -> NotebookNode:
    """The code cell put at the top of a Chinese notebook: it sets lessonkit's language and prints
    nothing (the returned language goes to ``_``: a trailing ``;`` does not hide it from a kernel run
    without history, as nbval's is)."""
    import nbformat

    cell = nbformat.v4.new_code_cell(f'import lessonkit\n\n_ = lessonkit.set_language("{lang}")')
    cell.metadata["tags"] = [LANGUAGE_CELL_TAG]
    cell.id = f"set-language-{lang.lower()}"
    return cell


def translated_notebook(nb, catalog, lang: str, folder: str | None = None):
    """``nb`` with its Markdown in ``lang`` and the language cell on top (code cells unchanged).

    With ``folder`` (where the English notebook is: "notebooks" or "solutions"), relative links are
    pointed from ``<folder>/<lang>/`` at the same edition (a lesson's link to exercise 01 leads to
    the Chinese exercise), and each translated heading keeps its English anchor, so links such as
    ``00_start_here.ipynb#How-to-read-a-lesson`` still land.
    """
    out = copy.deepcopy(nb)
    for cell in out.cells:
        if cell.cell_type != "markdown" or not cell.source.strip():
            continue
        m = catalog.get(cell.source)
        if m is not None and m.string and not m.fuzzy:
            cell.source = _anchored(m.string, _anchors(cell.source))
        else:
            cell.source = PENDING[lang] + cell.source
        if folder is not None:
            cell.source = _relink(cell.source, folder, lang)
    out.cells.insert(0, language_cell(lang))
    out.metadata["language"] = lang
    return out


_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", re.M)
_LINK = re.compile(r"(\]\()([^)\s]+)(\))")
_EDITIONED = ("notebooks", "solutions", "exercises")


def _anchored(translation: str, anchors: list) -> str:
    r"""``translation`` with each English heading's anchor just above its translated heading (the
    n-th heading gets the n-th anchor), so a link lands on its own section even when one cell holds
    several; all of them on top when the two have different numbers of headings.

    Examples
    --------
    >>> _anchored("## 一\n\n文字\n\n### 二\n", ["One", "Two"])
    '<a id="One"></a>\n\n## 一\n\n文字\n\n<a id="Two"></a>\n\n### 二\n'
    """
    if not anchors:
        return translation
    headings = list(_HEADING.finditer(translation))
    if len(headings) != len(anchors):
        return "".join(f'<a id="{a}"></a>' for a in anchors) + "\n\n" + translation
    out, pos = [], 0
    for heading, anchor in zip(headings, anchors, strict=True):
        start = heading.start() + (len(heading.group(0)) - len(heading.group(0).lstrip("\n")))
        out.append(translation[pos:start] + f'<a id="{anchor}"></a>\n\n')
        pos = start
    return "".join(out) + translation[pos:]


def _anchors(english: str) -> list:
    """The ids JupyterLab and nbconvert give the English headings of a cell (spaces become -)."""
    ids = []
    for text in _HEADING.findall(english):
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text).replace("`", "").replace("*", "")
        ids.append(text.strip().replace(" ", "-"))
    return ids


def _relink(text: str, folder: str, lang: str) -> str:
    """Relative Markdown links of a cell moved from ``folder/`` to ``folder/lang/``."""

    def fix(match: re.Match) -> str:
        target = match.group(2)
        if re.match(r"[a-z][a-z0-9+.-]*:|#|/", target):
            return match.group(0)  # a web address, an anchor on the page, an absolute path
        path, sep, fragment = target.partition("#")
        course = posixpath.normpath(posixpath.join(folder, path))  # relative to the course
        parts = course.split("/")
        if len(parts) == 2 and parts[0] in _EDITIONED and parts[1].endswith(".ipynb"):
            course = f"{parts[0]}/{lang}/{parts[1]}"  # a notebook: its edition in this language
        new = posixpath.relpath(course, f"{folder}/{lang}")
        return match.group(1) + new + sep + fragment + match.group(3)

    return _LINK.sub(fix, text)


def _digest(*parts) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(json.dumps(part, sort_keys=True, ensure_ascii=False).encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()[:16]


def _english_outputs(nb) -> list:
    return [
        [{k: v for k, v in o.items() if k not in ("execution_count",)} for o in c.get("outputs", [])]
        for c in nb.cells
        if c.cell_type == "code"
    ]


def build_editions(
    root: str | os.PathLike[str], force: bool = False, timeout: int = 600, only: list | None = None
) -> list:
    """Write (and execute where needed) every Chinese lesson, solution and exercise; return notes.

    A notebook runs again when its code, the English notebook's outputs or lessonkit's catalog for
    its language changed since it last ran (or with ``force``); otherwise its outputs are kept and
    only its Markdown is rewritten.
    """
    import nbformat

    from ..exercises_build import build_notebook, notebook_text, write_texts
    from ..lessons_build import SYNCED_KEY, run_or_keep, run_stamp

    root = Path(root)
    notes = []
    for lang in EDITIONS:
        exercises: dict = {}
        for folder, path in english_notebooks(root):
            if only and not any(path.stem.startswith(o) for o in only):
                continue
            english = nbformat.read(path, as_version=4)
            catalog = read_catalog(catalog_path(root, lang, folder, path.stem), lang)
            nb = translated_notebook(english, catalog, lang, folder)
            # the English notebook's outputs too: what the edition's checks print follows them
            stamp = run_stamp(nb, english=_digest(_english_outputs(english)))
            target = root / folder / lang / path.name
            old = nbformat.read(target, as_version=4) if target.is_file() else None
            nb.metadata.pop(SYNCED_KEY, None)  # the English pair's sync record; editions have no .md
            what = run_or_keep(nb, old, stamp, target.parent, force, timeout)
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.validate(nb)
            nbformat.write(nb, target)
            notes.append(f"{target.relative_to(root)}: {what}")
            if folder == "solutions":
                exercise = build_notebook(nb, where=str(target))
                exercise.metadata.pop(SYNCED_KEY, None)
                exercises[root / "exercises" / lang / path.name] = notebook_text(exercise)
        if not only:  # with only some notebooks built, the others are not stale, only not rebuilt
            _, removed = write_texts(exercises, root / "exercises" / lang)
            notes += [f"{p.relative_to(root)}: removed (its solution is gone)" for p in removed]
        else:
            for dest, text in exercises.items():
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_text(text, encoding="utf-8")
    return notes
