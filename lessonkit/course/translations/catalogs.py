"""The gettext catalogs: one per notebook and language (``translations/<lang>/<folder>/<stem>.po``),
and lessonkit's own (``lessonkit/locale/<lang>.po``), each kept in step with its English."""

from __future__ import annotations

import contextlib
import io
import os
import warnings
from collections.abc import Iterable
from pathlib import Path

from .hant import to_hant

EDITIONS = ("zh-Hans", "zh-Hant")
FOLDERS = ("notebooks", "solutions")


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


def _message_catalog(lang: str) -> Path:
    from ..i18n import LOCALE

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

    from ..paths import course_root

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

    from .. import PACKAGE
    from ..exercises import EXERCISES
    from ..hints import HINTS
    from ..predictions import QUESTIONS

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
    from ...figures.style import KINDS, STAR_MEANING

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
    from ...network.bench import HEADING

    found.append(HEADING)  # the benchmark table's heading row, which lesson 07 prints translated
    return list(dict.fromkeys(found))


def update_message_catalogs() -> dict:
    """Bring ``lessonkit/locale/zh-Hans.po`` in step with :func:`lessonkit_messages`; derive zh-Hant."""
    hans = _message_catalog("zh-Hans")
    counts = update_catalog(hans, lessonkit_messages(), "zh-Hans")
    derive_hant(hans, _message_catalog("zh-Hant"))
    return counts
