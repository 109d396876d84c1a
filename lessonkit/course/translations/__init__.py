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

The package, one module per job: :mod:`.catalogs` (reading, writing and updating the PO files,
the messages of lessonkit and of the lessons' code), :mod:`.hant` (zh-Hant from zh-Hans),
:mod:`.markup` (what a translation must keep), :mod:`.editions` (the Chinese notebooks) and
:mod:`.shown` (what those notebooks print, checked for English and for mainland terms).
"""

from .catalogs import (
    EDITIONS,
    FIGURE_WORDS,
    FOLDERS,
    catalog_path,
    derive_hant,
    english_notebooks,
    lesson_messages,
    lessonkit_messages,
    messages_of,
    problems,
    read_catalog,
    update_catalog,
    update_catalogs,
    update_message_catalogs,
    write_catalog,
)
from .editions import LANGUAGE_CELL_TAG, PENDING, build_editions, language_cell, translated_notebook
from .hant import mainland_terms, to_hant
from .markup import markup_problems
from .shown import (
    ENGLISH_TERMS,
    english_output_lines,
    english_terms,
    english_words,
    hant_texts,
    mainland_term_uses,
    shown_lines,
)

__all__ = [
    "EDITIONS",
    "ENGLISH_TERMS",
    "FIGURE_WORDS",
    "FOLDERS",
    "LANGUAGE_CELL_TAG",
    "PENDING",
    "build_editions",
    "catalog_path",
    "derive_hant",
    "english_notebooks",
    "english_output_lines",
    "english_terms",
    "english_words",
    "hant_texts",
    "language_cell",
    "lesson_messages",
    "lessonkit_messages",
    "mainland_term_uses",
    "mainland_terms",
    "markup_problems",
    "messages_of",
    "problems",
    "read_catalog",
    "shown_lines",
    "to_hant",
    "translated_notebook",
    "update_catalog",
    "update_catalogs",
    "update_message_catalogs",
    "write_catalog",
]
