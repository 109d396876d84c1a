"""The Chinese editions: gettext catalogs of the notebooks' Markdown, and notebooks built from them.

One catalog (a PO file, read and written with babel) per notebook and language:
``translations/<lang>/<folder>/<stem>.po`` for every lesson (``notebooks/``) and solution
(``solutions/``; the exercises are made from the solutions, so they share them). Each message is one
Markdown cell of the English notebook, whole. The English notebooks are the source:

- :func:`update_catalogs` adds each new cell to the zh-Hans catalogs. A cell whose English changed
  keeps its old translation, marked fuzzy (babel's fuzzy matching, with the old English kept as the
  previous msgid); a cell that is gone is dropped.
- zh-Hans is translated by people. zh-Hant is never translated: :func:`derive_hant` converts each
  zh-Hans message with OpenCC (Taiwan characters and Taiwan phrases, ``s2twp``), with the course's
  own phrase table first (``translations/opencc/phrases.txt``: a reviewed Taiwan glossary, and the
  lecture's terms kept as the lecture writes them).
- :func:`build_editions` writes ``notebooks/<lang>/``, ``solutions/<lang>/`` and ``exercises/<lang>/``:
  the English notebook's cells, each Markdown cell replaced by its translation (or, when it has
  none or a stale one, the English with a visible "translation pending" note), and one code cell
  at the top that sets lessonkit's language. The code cells are the English ones, byte for byte.
  The notebooks are executed like the English ones, so their checks speak the edition's language.

lessonkit's own messages (``lessonkit/locale/<lang>.po``) are kept the same way
(:func:`update_message_catalogs`).
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import io
import json
import os
import posixpath
import re
import tempfile
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nbformat import NotebookNode

__all__ = [
    "EDITIONS",
    "PENDING",
    "language_cell",
    "english_notebooks",
    "catalog_path",
    "update_catalogs",
    "derive_hant",
    "to_hant",
    "problems",
    "build_editions",
    "update_message_catalogs",
    "lessonkit_messages",
    "markup_problems",
]

EDITIONS = ("zh-Hans", "zh-Hant")
FOLDERS = ("notebooks", "solutions")

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


def english_notebooks(root: str | os.PathLike[str]) -> list:
    """(folder, English notebook path) of every lesson and solution, in course order."""
    root = Path(root)
    return [(folder, path) for folder in FOLDERS for path in sorted((root / folder).glob("*.ipynb"))]


def catalog_path(root: str | os.PathLike[str], lang: str, folder: str, stem: str) -> Path:
    """``translations/<lang>/<folder>/<stem>.po``."""
    return Path(root) / "translations" / lang / folder / f"{stem}.po"


def messages_of(nb) -> list:
    """The notebook's Markdown cells, whole, in order, each once."""
    return list(dict.fromkeys(c.source for c in nb.cells if c.cell_type == "markdown" and c.source.strip()))


# ---------------------------------------------------------------- catalogs


def _new_catalog(lang: str, project: str):
    from babel.messages.catalog import Catalog

    return Catalog(
        locale=lang.replace("-", "_"),
        project=project,
        version="1",
        copyright_holder="the course's authors",
        msgid_bugs_address="",
        fuzzy=False,
    )


def read_catalog(path: Path, lang: str):
    """The catalog at ``path`` (an empty one when there is none)."""
    from babel.messages.pofile import read_po

    if not path.is_file():
        return _new_catalog(lang, path.stem)
    with path.open("rb") as f:
        return read_po(f, locale=lang.replace("-", "_"))


def write_catalog(catalog, path: Path) -> None:
    """Write a PO file: no line wrapping, no obsolete entries, no dates (the same input, the same bytes)."""
    from babel.messages.pofile import write_po

    catalog.creation_date = catalog.revision_date = _FIXED_DATE
    catalog.fuzzy = False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".po.tmp")
    with tmp.open("wb") as f:
        write_po(f, catalog, width=0, omit_header=False, ignore_obsolete=True, include_previous=True)
    tmp.replace(path)


def _fixed_date():
    from datetime import datetime, timezone

    return datetime(2026, 1, 1, tzinfo=timezone.utc)


_FIXED_DATE = _fixed_date()


def update_catalog(path: Path, messages: Iterable[str], lang: str) -> dict:
    """Bring the catalog at ``path`` in step with ``messages``; return counts of what changed."""
    from babel.messages.catalog import Catalog

    catalog = read_catalog(path, lang)
    before = {m.id: (m.string, m.fuzzy) for m in catalog if m.id}
    template = Catalog(project=catalog.project)
    for text in messages:
        template.add(text)
    catalog.update(template, no_fuzzy_matching=False, update_header_comment=False)
    after = {m.id: (m.string, m.fuzzy) for m in catalog if m.id}
    write_catalog(catalog, path)
    return {
        "added": sum(1 for k in after if k not in before),
        "dropped": sum(1 for k in before if k not in after),
        "fuzzy": sum(1 for string, fuzzy in after.values() if fuzzy),
    }


def update_catalogs(root: str | os.PathLike[str]) -> list:
    """Update every zh-Hans notebook catalog from its English notebook; derive zh-Hant; return notes."""
    import nbformat

    notes = []
    for folder, path in english_notebooks(root):
        nb = nbformat.read(path, as_version=4)
        hans = catalog_path(root, "zh-Hans", folder, path.stem)
        counts = update_catalog(hans, messages_of(nb), "zh-Hans")
        derive_hant(hans, catalog_path(root, "zh-Hant", folder, path.stem))
        if counts["added"] or counts["dropped"]:
            notes.append(
                f"{hans}: {counts['added']} new, {counts['dropped']} dropped, {counts['fuzzy']} fuzzy"
            )
    return notes


# ---------------------------------------------------------------- zh-Hant from zh-Hans


def _phrases(root: Path) -> Path:
    return root / "translations" / "opencc" / "phrases.txt"


_CONVERTERS: dict = {}


def to_hant(text: str, root: str | os.PathLike[str] | None = None) -> str:
    """``text`` (zh-Hans) in Taiwan's Traditional usage: OpenCC's s2twp, the course's phrase table first.

    Examples
    --------
    >>> to_hant("误差项的计算，补0后互相关")
    '誤差項的計算，補0後互相關'
    """
    from . import PACKAGE

    root = Path(root) if root is not None else PACKAGE.parent
    phrases = _phrases(root)
    key = (str(phrases), phrases.stat().st_mtime_ns if phrases.is_file() else 0)
    if key not in _CONVERTERS:
        _CONVERTERS.clear()
        _CONVERTERS[key] = _converter(phrases)
    return _CONVERTERS[key].convert(text)


def _converter(phrases: Path):
    """OpenCC's s2twp with the phrase table (a text dictionary) put first; OpenCC finds its own
    dictionaries only next to its config file, so the config is rewritten with their full paths."""
    import opencc

    share = Path(opencc._opencc_share_dir)
    config = json.loads((share / "s2twp.json").read_text(encoding="utf-8"))

    def absolute(node):
        if isinstance(node, dict):
            if node.get("type") == "ocd2":
                node["file"] = str(share / node["file"])
            for value in node.values():
                absolute(value)
        elif isinstance(node, list):
            for value in node:
                absolute(value)

    absolute(config)
    made = []
    if phrases.is_file():
        mine = {"type": "text", "file": str(phrases)}
        config["segmentation"]["dict"]["dicts"].insert(0, mine)
        config["conversion_chain"][0]["dict"]["dicts"].insert(0, mine)
        # the table's right-hand side is final: s2twp's Taiwan-phrase step maps each to itself
        values = {
            v
            for line in phrases.read_text(encoding="utf-8").splitlines()
            if "\t" in line and not line.startswith("#")
            for v in line.split("\t", 1)[1].split()
        }
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as keep:
            keep.write("".join(f"{v}\t{v}\n" for v in sorted(values)))
        made.append(keep.name)
        for step in config["conversion_chain"][1:]:
            step["dict"]["dicts"].insert(0, {"type": "text", "file": keep.name})
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump(config, f)
    made.append(f.name)
    try:
        return opencc.OpenCC(f.name)
    finally:
        for name in made:
            os.unlink(name)


def derive_hant(hans_path: Path, hant_path: Path) -> None:
    """Write the zh-Hant catalog: every zh-Hans message converted, its fuzzy flag kept."""
    hans = read_catalog(hans_path, "zh-Hans")
    hant = _new_catalog("zh-Hant", hans.project)
    for m in hans:
        if not m.id:
            continue
        string = to_hant(m.string) if m.string else ""
        hant.add(m.id, string, flags=m.flags, previous_id=m.previous_id, auto_comments=m.auto_comments)
    write_catalog(hant, hant_path)


# ---------------------------------------------------------------- what is left to translate


def problems(root: str | os.PathLike[str], lang: str = "zh-Hans") -> list:
    """(catalog, "missing" | "stale", first line of the English) for every message not up to date.

    A message is missing when the catalog lacks it or has no translation, stale when it is fuzzy.
    """
    import nbformat

    found = []
    for folder, path in english_notebooks(root):
        po = catalog_path(root, lang, folder, path.stem)
        catalog = read_catalog(po, lang)
        for text in messages_of(nbformat.read(path, as_version=4)):
            m = catalog.get(text)
            what = "missing" if m is None or not m.string else "stale" if m.fuzzy else None
            if what:
                found.append((str(po.relative_to(root)), what, text.strip().splitlines()[0][:80]))
    for lang_po in [_message_catalog(lang)]:
        catalog = read_catalog(lang_po, lang)
        for text in lessonkit_messages():
            m = catalog.get(text)
            what = "missing" if m is None or not m.string else "stale" if m.fuzzy else None
            if what:
                found.append((f"lessonkit/locale/{lang}.po", what, text.splitlines()[0][:80]))
    return found


# ---------------------------------------------------------------- what a translation must keep

_FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
_DISPLAY = re.compile(r"\$\$.+?\$\$", re.S)
_INLINE = re.compile(r"(?<![\\$])\$(?!\$)([^$]+?)(?<!\\)\$")  # may span lines
_CODE = re.compile(r"`([^`\n]+)`")
_TARGET = re.compile(r"\]\(([^)\s]+)")
_MATHS_WORDS = re.compile(r"\\text\{[^{}]*\}|\\ |\s+")


def _symbols(maths: list) -> list:
    """Maths without its words and spacing: ``\\text{...}`` is prose, which a translation translates."""
    return [_MATHS_WORDS.sub("", m) for m in maths]


def markup_problems(english: str, translation: str) -> list:
    """What a translation of a Markdown cell changed that it must keep: code blocks, maths, code
    spans, link targets, the table's columns (an empty list when all is kept).

    Examples
    --------
    >>> markup_problems("Use `pad(x, p)` on $a^{l-1}$.", "对 $a^{l-1}$ 用 `pad(x, p)`。")
    []
    >>> markup_problems("Use `pad(x, p)`.", "用 `pad(x,p)`。")
    ["code spans differ: missing ['pad(x, p)'], added ['pad(x,p)']"]
    >>> markup_problems(r"$\\text{layer } l$", r"$\\text{第 } l \\text{ 层}$")  # words in maths are prose
    []
    """
    found = []

    def compare(what: str, a: list, b: list) -> None:
        if sorted(a) != sorted(b):
            missing = [x for x in a if x not in b]
            added = [x for x in b if x not in a]
            found.append(f"{what} differ: missing {missing[:3]}, added {added[:3]}")

    compare(
        "code blocks",
        [m.group(0) for m in _FENCE.finditer(english)],
        [m.group(0) for m in _FENCE.finditer(translation)],
    )
    e, t = _FENCE.sub("", english), _FENCE.sub("", translation)
    compare("display maths", _symbols(_DISPLAY.findall(e)), _symbols(_DISPLAY.findall(t)))
    e, t = _DISPLAY.sub("", e), _DISPLAY.sub("", t)
    compare("code spans", _CODE.findall(e), _CODE.findall(t))
    e, t = _CODE.sub("", e), _CODE.sub("", t)
    compare("inline maths", _symbols(_INLINE.findall(e)), _symbols(_INLINE.findall(t)))
    compare("link targets", _TARGET.findall(e), _TARGET.findall(t))
    columns = [line.count("|") for line in english.splitlines() if line.lstrip().startswith("|")]
    if columns != [line.count("|") for line in translation.splitlines() if line.lstrip().startswith("|")]:
        found.append("table rows or columns differ")
    return found


# ---------------------------------------------------------------- the Chinese notebooks


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

    from .exercises_build import build_notebook, notebook_text, write_texts
    from .lessons_build import SYNCED_KEY, run_or_keep, run_stamp

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


# ---------------------------------------------------------------- lessonkit's own messages


def _message_catalog(lang: str) -> Path:
    from .i18n import LOCALE

    return LOCALE / f"{lang}.po"


# Words the figures draw that are not literal ``words(...)`` calls in lessonkit/figures (those are
# extracted): the lessons' own axis and series labels passed to the figures.
FIGURE_WORDS = [
    "validation set",
    "held-out test set",
    "training step",
    "training images seen",
    "Adam step (batch of 4 images)",
    "your layers, trained one image at a time",
    "one image at a time (lessonkit's loop functions)",
    "one image at a time (yours)",
    "mean loss of the last 100 images",
    "target",  # inside an f-string, which the extractor does not read
    "baseline",
    "logistic regression, validation",
]
# The names of the six kinds of special cell in the figures' key (lessonkit.figures.style.KINDS).
FIGURE_WORDS += ["padding", "stride zeros", "fill zeros", "cropped", "never read", "skipped"]


def lesson_messages(root: str | os.PathLike[str] | None = None) -> list:
    """The lines the English lessons' and solutions' code cells print: the first argument of every
    ``say(...)`` and ``tr(...)`` call (babel's Python extractor on each code cell), in course order.

    They live in lessonkit's catalog, not the notebook's: the code cells are the same in every
    edition, and :func:`lessonkit.say` looks each line up where it runs.
    """
    import jupytext
    from babel.messages.extract import extract

    from .paths import course_root

    found: list = []
    for _folder, path in english_notebooks(root if root is not None else course_root()):
        source = path.with_suffix(".md")  # the lesson's text, which a teacher edits (else the notebook)
        for cell in jupytext.read(source if source.is_file() else path).cells:
            if cell.cell_type != "code" or "say(" not in cell.source and "tr(" not in cell.source:
                continue
            # IPython's own syntax (%magic, !shell, name?) is not Python: those lines are left out.
            code = "\n".join(
                "" if line.lstrip().startswith(("%", "!")) or line.rstrip().endswith("?") else line
                for line in cell.source.splitlines()
            )
            with contextlib.redirect_stderr(io.StringIO()), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for _line, message, _comments, _context in extract(
                    "python", io.BytesIO(code.encode()), keywords={"say": None, "tr": None}
                ):
                    if isinstance(message, str):
                        found.append(message)
    return list(dict.fromkeys(found))


def lessonkit_messages() -> list:
    """Every message lessonkit may show a learner or a teacher, in a stable order.

    The ``_(...)`` and ``tr(...)`` calls in lessonkit's code (its course and its figures' widgets) and
    the ``words(...)`` calls in its figures (found by babel's extractor), then the
    exercises' data: the public cases' labels, the outputs' names, the groups and the known
    mistakes' causes; the hints and the predictions' texts; the lines the lessons print
    (:func:`lesson_messages`).
    """
    from babel.messages.extract import extract_from_dir

    from . import PACKAGE
    from .exercises import EXERCISES
    from .hints import HINTS
    from .predictions import QUESTIONS

    found: list = []
    # babel warns about every call with an f-string among its values (``tr("...", x=f"...")``); the
    # message, the first argument, is extracted all the same, so the warnings are not shown.
    with contextlib.redirect_stderr(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        extracted = list(
            extract_from_dir(
                str(PACKAGE / "course"),
                method_map=[("**.py", "python")],
                keywords={"_": None, "tr": None, "N_": None},
                comment_tags=(),
            )
        )
        # The words the figures draw (lessonkit.figures.style.words), and the widgets' controls,
        # lines of text and titles (``_`` and ``tr`` in lessonkit.figures.widgets).
        extracted += extract_from_dir(
            str(PACKAGE / "figures"),
            method_map=[("**.py", "python")],
            keywords={"words": None, "_": None, "tr": None},
            comment_tags=(),
        )
    for _file, _line, message, _comments, _context in extracted:
        if isinstance(message, str):
            found.append(message)
    found += ["hidden", "public"]  # where a case comes from, in the grader's feedback
    found += FIGURE_WORDS
    from ..figures.style import KINDS, STAR_MEANING

    found += [kind.meaning for kind in KINDS.values()] + [STAR_MEANING]  # the figures' key (legend_figure)
    for ex in EXERCISES.values():
        found += [case.label for case in ex.public()]
        found += [name for name in ex.outputs if len(ex.outputs) > 1]
        found += list(ex.groups)
        found += [m.cause for m in ex.mistakes]
    found += [text for texts in HINTS.values() for text in texts]
    for q in QUESTIONS.values():
        found += [q.reveal, *(why for _answer, why in q.wrong)]
    found += lesson_messages()
    from ..network.bench import HEADING

    found.append(HEADING)  # the benchmark table's heading row, which lesson 07 prints translated
    return list(dict.fromkeys(found))


def update_message_catalogs() -> dict:
    """Bring ``lessonkit/locale/zh-Hans.po`` in step with :func:`lessonkit_messages`; derive zh-Hant."""
    hans = _message_catalog("zh-Hans")
    counts = update_catalog(hans, lessonkit_messages(), "zh-Hans")
    derive_hant(hans, _message_catalog("zh-Hant"))
    return counts


# ---------------------------------------------------------------- what a Chinese notebook prints

ENGLISH_TERMS = Path("translations") / "english-terms.txt"
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
# What counts as code, not English, in a printed line: a backticked or quoted span, a name with an
# underscore, a digit or a dot in it (rel_error, conv1, lessonkit.fast), and a name called or indexed
# (cross(, dW[).
_CODE_IN_LINE = re.compile(
    r"`[^`]*`|'[^'\s]*'|\"[^\"\s]*\""
    r"|\b[A-Za-z_]*(?:_|\d|\.(?=\w))[\w.]*"
    r"|\b[A-Za-z]\w*(?=[(\[])"
)
_WORD = re.compile(r"[A-Za-z]{2,}")
_RICH = ("text/html", "text/latex", "text/markdown", "image/png", "image/svg+xml",
         "application/vnd.jupyter.widget-view+json")  # fmt: skip


def english_terms(root: str | os.PathLike[str] | None = None) -> list:
    """The terms the lecture keeps in English (Filter, feature map, ReLU, ...) and Python's words
    (True, None): ``translations/english-terms.txt``, one per line, longest first."""
    from .paths import course_root

    path = Path(root if root is not None else course_root()) / ENGLISH_TERMS
    terms = [t.strip() for t in path.read_text(encoding="utf-8").splitlines()]
    return sorted({t for t in terms if t and not t.startswith("#")}, key=len, reverse=True)


def shown_lines(nb) -> Iterable[tuple[int, str]]:
    """(cell index, line) of every non-empty line a notebook's outputs show as plain text: its
    printed streams, and the text of a result that has no richer form (a figure, a widget, HTML or
    maths, which a learner sees instead of the text)."""
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            if out.get("output_type") == "stream":
                text = out.get("text", "")
            elif out.get("output_type") == "error":
                text = "\n".join(out.get("traceback", []))
            else:
                data = out.get("data", {})
                text = "" if any(kind in data for kind in _RICH) else data.get("text/plain", "")
            text = "".join(text) if isinstance(text, list) else text
            for line in text.splitlines():
                if line.strip():
                    yield index, line


def english_words(line: str, terms: Sequence[str]) -> list:
    """The English words of a printed line, outside code, numbers, symbols and ``terms``; empty for
    a line with Chinese in it.

    Examples
    --------
    >>> english_words("rel_error = 2.6e-10 against the numerical gradient", ["ReLU"])
    ['against', 'the', 'numerical', 'gradient']
    >>> english_words("与数值梯度相比，rel_error = 2.6e-10", [])
    []
    >>> english_words("ReLU() rel_error = 9.4e-09: True", ["True"])
    []
    """
    if _CJK.search(line):
        return []
    rest = _CODE_IN_LINE.sub(" ", line)
    for term in terms:
        rest = re.sub(rf"(?<![A-Za-z]){re.escape(term)}(?![A-Za-z])", " ", rest)
    return _WORD.findall(rest)


def english_output_lines(paths: Iterable[Path], root: str | os.PathLike[str] | None = None) -> dict:
    """How the printed lines of ``paths`` (Chinese notebooks) read: ``{"lines": n, "chinese": n,
    "neutral": n, "english": [(path, cell, line), ...]}`` (neutral: numbers, code, symbols and
    allow-listed terms only)."""
    import nbformat

    terms = english_terms(root)
    counts: dict = {"lines": 0, "chinese": 0, "neutral": 0, "english": []}
    for path in paths:
        for index, line in shown_lines(nbformat.read(path, as_version=4)):
            counts["lines"] += 1
            if _CJK.search(line):
                counts["chinese"] += 1
            elif english_words(line, terms):
                counts["english"].append((path, index, line))
            else:
                counts["neutral"] += 1
    return counts


def mainland_terms(root: str | os.PathLike[str] | None = None) -> dict:
    """Mainland word -> Taiwan word: ``translations/opencc/mainland-terms.txt``."""
    from .paths import course_root

    path = (
        Path(root if root is not None else course_root()) / "translations" / "opencc" / "mainland-terms.txt"
    )
    lines = path.read_text(encoding="utf-8").splitlines()
    return dict(line.split("\t") for line in lines if line and not line.startswith("#"))


def hant_texts(root: str | os.PathLike[str] | None = None) -> Iterable[tuple[str, str]]:
    """(where, text) for every piece of zh-Hant a learner reads: the zh-Hant lessons, exercises and
    solutions (cells and outputs) and the zh-Hant catalogs."""
    import nbformat

    from .paths import course_root

    root = Path(root if root is not None else course_root())
    for folder in ("notebooks", "exercises", "solutions"):
        for path in sorted((root / folder / "zh-Hant").glob("*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            for i, cell in enumerate(nb.cells):
                yield f"{path.relative_to(root)} cell {i}", cell.source
                for out in cell.get("outputs", []):
                    text = out.get("text") or out.get("data", {}).get("text/plain", "")
                    yield f"{path.relative_to(root)} cell {i} output", "".join(text)
    for po in [
        *sorted((root / "translations" / "zh-Hant").rglob("*.po")),
        root / "lessonkit" / "locale" / "zh-Hant.po",
    ]:
        for m in read_catalog(po, "zh-Hant"):
            if m.id:
                yield f"{po.relative_to(root)}: {str(m.id)[:40]}", m.string


def mainland_term_uses(root: str | os.PathLike[str] | None = None) -> list:
    """ "where: term (Taiwan: word)" for every mainland term in the zh-Hant a learner reads (goal: none)."""
    terms = mainland_terms(root)
    return [
        f"{where}: {term} (Taiwan: {terms[term]})"
        for where, text in hant_texts(root)
        for term in terms
        if term in text
    ]
