"""What a translation of a Markdown cell must keep: code blocks, maths, code spans, link targets and
tables."""

from __future__ import annotations

import re

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
