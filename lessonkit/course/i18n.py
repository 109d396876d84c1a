"""The learner's language: lessonkit's messages in English, Simplified or Traditional Chinese.

Messages are gettext catalogs (``lessonkit/locale/<language>.po``, read with babel): every message a
learner or a teacher reads from ``lessonkit.check``, the example-cell guard, ``learner_functions``
and the grader's feedback is written ``_("... {name} ...").format(name=...)`` in the code, and looked
up here. A message with no translation, or one marked fuzzy (its English changed since it was
translated), is shown in English.

The language is the one given to :func:`set_language` (the first cell of a Chinese notebook calls
it), else the first Chinese or English one named by the usual locale variables (``LANGUAGE``,
``LC_ALL``, ``LC_MESSAGES``, ``LANG``), else English. The grader, which writes the feedback of many
notebooks at once (one thread each), speaks each notebook's language with :func:`speaking`, which
holds for the calling thread only.

Why not the standard library's ``gettext``: it reads compiled ``.mo`` files, which would be a second,
generated copy of every catalog in the repository; babel reads the ``.po`` files themselves.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = [
    "LANGUAGES",
    "set_language",
    "language",
    "english",
    "speaking",
    "notebook_language",
    "_",
    "N_",
    "tr",
    "say",
]

# The one place a feedback language is registered: add its tag here and lessonkit/locale/<tag>.po
# (CONTRIBUTING.md, "Adding a feedback language"); the command line, the grader and check follow.
LANGUAGES = ("en", "zh-Hans", "zh-Hant")
LOCALE = Path(__file__).resolve().parent.parent / "locale"

_chosen: str | None = None
_thread = threading.local()  # .lang: the language :func:`speaking` chose for this thread


def set_language(lang: str | None) -> str:
    """Show lessonkit's messages in ``lang`` ("en", "zh-Hans" or "zh-Hant"); None: from the locale.

    Returns the language now in use.

    Examples
    --------
    >>> set_language("zh-Hans")
    'zh-Hans'
    >>> set_language(None) in LANGUAGES
    True
    """
    global _chosen
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)} or None; got {lang!r}")
    _chosen = lang
    return language()


@contextlib.contextmanager
def english() -> Iterator[None]:
    """While active, messages are English (for text that is parsed, not shown)."""
    with speaking("en"):
        yield


@contextlib.contextmanager
def speaking(lang: str | None) -> Iterator[None]:
    """While active, messages are in ``lang`` in this thread only (None: no change).

    Examples
    --------
    >>> with speaking("zh-Hant"):
    ...     language()
    'zh-Hant'
    """
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)} or None; got {lang!r}")
    saved = getattr(_thread, "lang", None)
    _thread.lang = lang if lang is not None else saved
    try:
        yield
    finally:
        _thread.lang = saved


def language() -> str:
    """The language lessonkit's messages are shown in now."""
    here = getattr(_thread, "lang", None)
    if here is not None:
        return here
    return _chosen if _chosen is not None else from_locale(os.environ)


def chosen() -> str | None:
    """The language :func:`set_language` chose, or None when it follows the locale."""
    return _chosen


_SET_LANGUAGE = re.compile(r"""\bset_language\(\s*["']([A-Za-z-]+)["']\s*\)""")


def notebook_language(nb: Any) -> str | None:
    """The language a notebook chose: its first ``set_language("...")`` call in a code cell, if any.

    Examples
    --------
    >>> from nbformat.v4 import new_code_cell, new_notebook
    >>> notebook_language(new_notebook(cells=[new_code_cell('lessonkit.set_language("zh-Hans")')]))
    'zh-Hans'
    >>> notebook_language(new_notebook(cells=[new_code_cell("x = 1")])) is None
    True
    """
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            found = _SET_LANGUAGE.search(cell.get("source", ""))
            if found and found.group(1) in LANGUAGES:
                return found.group(1)
    return None


def from_locale(environ) -> str:
    """The language the locale variables ask for: ``zh_CN.UTF-8`` -> "zh-Hans", ``zh_TW`` -> "zh-Hant".

    Examples
    --------
    >>> from_locale({"LANG": "zh_TW.UTF-8"}), from_locale({"LANGUAGE": "fr:zh_CN"}), from_locale({})
    ('zh-Hant', 'zh-Hans', 'en')
    """
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        for item in str(environ.get(variable, "")).split(":"):
            code = item.split(".")[0].split("@")[0].replace("-", "_").lower()
            if code in ("zh_tw", "zh_hk", "zh_mo", "zh_hant") or code.startswith("zh_hant"):
                return "zh-Hant"
            if code.startswith("zh"):
                return "zh-Hans"
            if code.startswith("en") or code in ("c", "posix"):
                return "en"
            for lang in LANGUAGES:  # any other registered language: fr_FR.UTF-8 -> "fr", pt_BR -> "pt-BR"
                tag = lang.lower().replace("-", "_")
                if code and (code == tag or code.startswith(tag + "_") or tag.startswith(code + "_")):
                    return lang
    return "en"


@functools.cache
def catalog(lang: str) -> dict:
    """msgid -> translation for ``lang``: translated, not fuzzy; empty for English or no catalog."""
    path = LOCALE / f"{lang}.po"
    if lang == "en" or not path.is_file():
        return {}
    from babel.messages.pofile import read_po

    with path.open("rb") as f:
        po = read_po(f)
    return {m.id: m.string for m in po if m.id and m.string and not m.fuzzy and isinstance(m.id, str)}


def _(message: str) -> str:
    """``message`` in the current language (English when it has no up-to-date translation)."""
    return catalog(language()).get(message, message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogs without translating it (gettext's ``gettext_noop``): for a
    message kept as data and translated later with :func:`_` or :func:`tr`."""
    return message


def tr(message: str, **values: object) -> str:
    """``_(message).format(**values)``; a translation whose fields do not fit falls back to English."""
    try:
        return _(message).format(**values)
    except (KeyError, IndexError, ValueError):
        return message.format(**values)


def say(message: str, /, **values: object) -> None:
    """Print ``message`` in the learner's language, its ``{fields}`` filled from ``values``.

    The lessons print every line through it, so a Chinese notebook, whose code cells are the English
    ones, prints Chinese: the message is looked up in lessonkit's catalog (extracted from the lessons'
    and solutions' code by :func:`lessonkit.course.translations.lessonkit_messages`).

    Examples
    --------
    >>> with speaking("en"):
    ...     say("rel_error = {err:.1e} against the numerical gradient", err=2.5e-10)
    rel_error = 2.5e-10 against the numerical gradient
    """
    print(tr(message, **values))
