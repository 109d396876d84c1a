"""HTML pages for grading: a learner's feedback, and the shell the class report shares with it.

Pages work offline: MathJax is copied once into a ``mathjax/`` folder beside them from the
``jupyter_server_mathjax`` package, as the static edition does (:mod:`lessonkit.course.mathjax`), and
every picture is inside the page. Markdown becomes HTML with markdown-it-py with raw HTML off, so
nothing a learner wrote can add a tag; the TeX-like fragments of the grader's messages
(``dE/da^{l-1}``, ``W_{n,d}``) are typeset.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .results import Report

__all__ = ["install_mathjax", "page", "markdown_html", "mark_tex", "feedback_html", "write_feedback_html"]

_TEX = re.compile(r"(?<![\w\\])((?:[A-Za-zδ]+/)?[A-Za-zδ]+(?:[\^_]\{[^{}<>\s]*\})+)")

STYLE = """
  body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 1.5rem auto; padding: 0 1rem;
         line-height: 1.5; color: #1a1a1a; }
  table { border-collapse: collapse; margin: .6rem 0; }
  th, td { border: 1px solid #bbb; padding: .3rem .6rem; vertical-align: top; text-align: left; }
  th { background: #f0f0f0; }
  code { background: #f4f4f4; padding: 0 .2rem; }
  img { max-width: 100%; height: auto; }
  .lk-small { color: #555; font-size: .9rem; }
"""


def install_mathjax(folder: str | os.PathLike[str]) -> str:
    """Copy MathJax into ``folder/mathjax`` (once; same files every time); return the script address."""
    from ..mathjax import install

    return install(Path(folder), "local")


def page(title: str, body: str, mathjax: str | None, lang: str = "en") -> str:
    """A whole HTML page: ``body`` is HTML already escaped; ``mathjax`` the script address, or None."""
    from ..mathjax import MATHJAX_CONFIG

    script = (
        MATHJAX_CONFIG + f'<script src="{html.escape(mathjax, quote=True)}"></script>\n' if mathjax else ""
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(lang, quote=True)}"><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n{script}</head>\n<body>\n{body}\n"
        "</body></html>\n"
    )


def markdown_html(text: str) -> str:
    """Markdown as HTML (raw HTML is escaped, never passed on), TeX-like fragments marked for MathJax."""
    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark", {"html": False}).enable("table").render(text)
    # only in text, never inside a tag or a code span
    parts = re.split(r"(<code>.*?</code>|<[^>]+>)", rendered, flags=re.S)
    return "".join(p if p.startswith("<") else mark_tex(p) for p in parts)


def mark_tex(text: str) -> str:
    """``text`` (HTML text, no tags) with its TeX-like fragments (``dE/da^{l-1}``) put in ``\\(...\\)``."""
    return _TEX.sub(r"\\(\1\\)", text)


def feedback_html(report: Report, mathjax: str | None = None) -> str:
    """A learner's feedback as one HTML page: the Markdown feedback, rendered."""
    from .reports import feedback_markdown

    lang = getattr(report, "language", "en") or "en"
    text = feedback_markdown(report)
    title = text.splitlines()[0].lstrip("# ").strip() if text else "Feedback"
    return page(title, markdown_html(text), mathjax, lang)


def write_feedback_html(reports: list, files: list) -> list:
    """Beside each Markdown feedback file in ``files``, its HTML page; one MathJax for the folder."""
    if not files:
        return []
    mathjax = install_mathjax(Path(files[0]).parent)
    written = []
    for report, md in zip(reports, files, strict=True):
        target = Path(md).with_suffix(".html")
        target.write_text(feedback_html(report, mathjax), encoding="utf-8")
        written.append(target)
    return written
