"""What a Chinese notebook shows a learner: its printed lines (English words in them, outside code and
the lecture's English terms) and, in zh-Hant, every text checked for mainland terms."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from .catalogs import read_catalog
from .hant import mainland_terms

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
    from ..paths import course_root

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


def hant_texts(root: str | os.PathLike[str] | None = None) -> Iterable[tuple[str, str]]:
    """(where, text) for every piece of zh-Hant a learner reads: the zh-Hant lessons, exercises and
    solutions (cells and outputs) and the zh-Hant catalogs."""
    import nbformat

    from ..paths import course_root

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
