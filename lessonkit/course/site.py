"""The static HTML edition of the course: ``python -m lessonkit.course.site OUTDIR`` (``make html``).

Renders the stored (executed) outputs of ``notebooks/*.ipynb`` and ``exercises/*.ipynb`` with
nbconvert's ``lab`` template, without running anything: an index page in lesson order (titles from
each notebook's first heading), previous/next links, links between notebooks rewritten from
``.ipynb`` to ``.html``, and a note where a live widget would be (the static figure the lesson puts
under each widget is a normal output and stays). MathJax is copied from the ``jupyter_server_mathjax``
package when it is installed, so formulas render with no network; otherwise the pages point at
nbconvert's default MathJax CDN address.

Why not Sphinx with MyST-NB (the engine of Jupyter Book 1)? A first try (Sphinx 9.2, MyST-NB 1.4)
built the lessons offline from their stored outputs in seconds, but the only MathJax available
offline here is MathJax 2 (``jupyter_server_mathjax``), which did not typeset Sphinx's ``\\(...\\)``
maths without further configuration, and this module's index order, previous/next links, link
rewriting and widget notes (with their tests) would have to be rebuilt there. Until that move is
made and tested, this builder stays.
"""

from __future__ import annotations

import argparse
import html
import os
import posixpath
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from .mathjax import CDN_MATHJAX, LOCAL_MATHJAX, MATHJAX_CONFIG  # noqa: F401  (part of this module's API)
from .mathjax import install as _mathjax

if TYPE_CHECKING:
    from nbformat import NotebookNode

__all__ = ["build_site", "notebook_title", "main"]

# (folder in the course, folder in the site, heading on the index page)
SECTIONS = (
    ("notebooks", "", "Lessons"),
    ("exercises", "exercises", "Exercises"),
)
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
# The editions: English at the site's top, each Chinese one in its own folder with the same layout.
LANGUAGES = ("en", "zh-Hans", "zh-Hant")
LANGUAGE_NAMES = {"en": "English", "zh-Hans": "简体中文", "zh-Hant": "繁體中文"}
# The site's own words in each edition (zh-Hant is zh-Hans through OpenCC when the site is built).
UI = {
    "en": {
        "title": "How a convolutional layer learns",
        "contents": "contents",
        "Lessons": "Lessons",
        "Exercises": "Exercises",
        "intro": "The static edition: every lesson as it looks after running it top to bottom. Read it "
        "anywhere; to change a number, move a slider or do the exercises, run the course in JupyterLab "
        "(<code>make lab</code>).",
        "widgets": "Widgets need a live kernel: on these pages each one is replaced by a note, and the "
        "figure under it shows one of its states.",
        "language": "Language",
    },
    "zh-Hans": {
        "title": "卷积层是如何学习的",
        "contents": "目录",
        "Lessons": "课程",
        "Exercises": "练习",
        "intro": "静态版：每一课自上而下运行之后的样子，随处可读；想改一个数、拖动滑块或做练习，请在 "
        "JupyterLab 中运行课程（<code>make lab</code>）。",
        "widgets": "交互控件需要运行中的内核：在这些页面上，每个控件换成了一段说明，"
        "其下方的图是它的一种状态。",
        "language": "语言",
    },
}
COURSE_TITLE = "How a convolutional layer learns"

WIDGET_NOTE = (
    '<div class="lk-widget-note" role="note"><strong>Interactive widget.</strong> '
    "Its sliders and buttons need a live Python kernel: open this notebook in JupyterLab "
    "(<code>make lab</code>) to use it. The figure below it shows one state.</div>"
)

PROGRESS_NOTE = (
    '<div class="lk-widget-note" role="note">While this cell runs in JupyterLab, a progress bar '
    "(a widget) shows here how far it has got.</div>"
)
# tqdm's text form of a progress bar, e.g. "training:  100%|██████████| 20/20 [00:09<00:00, ...]"
_PROGRESS = re.compile(r"\d+%\|")

CSS = """
<style id="lessonkit-site">
  body { max-width: 72rem; margin: 0 auto; padding: 0 1rem 2rem; }
  .lk-nav { display: flex; gap: 1rem; justify-content: space-between; align-items: baseline;
            flex-wrap: wrap; padding: .6rem .2rem; margin: 0 0 .5rem;
            border-bottom: 1px solid #ccc; font-family: system-ui, sans-serif; font-size: .95rem; }
  .lk-nav.lk-bottom { border-top: 1px solid #ccc; border-bottom: 0; margin-top: 1.5rem; }
  .lk-nav a { text-decoration: none; color: #0b5cad; }
  .lk-nav a:hover { text-decoration: underline; }
  .lk-nav .lk-here { color: #444; font-weight: 600; }
  .lk-lang { font-family: system-ui, sans-serif; font-size: .9rem; padding: .4rem .2rem 0; color: #444; }
  .lk-lang a { color: #0b5cad; } .lk-lang .lk-here { font-weight: 600; }
  .lk-widget-note { border-left: 4px solid #0072b2; background: #eef5fb; color: #123;
                    padding: .5rem .8rem; margin: .3rem 0; font-family: system-ui, sans-serif; }
  /* Long outputs scroll inside their box instead of stretching the page. */
  .jp-OutputArea-output pre { max-height: 32em; overflow: auto; white-space: pre; }
  /* Long code lines wrap rather than disappear off the right edge. */
  .jp-InputArea-editor pre { white-space: pre-wrap; overflow-wrap: anywhere; }
  /* Wide tables scroll sideways in their own box; columns size to their content. */
  .lk-table-scroll { max-width: 100%; overflow-x: auto; }
  .jp-RenderedHTMLCommon table { table-layout: auto; }
  .jp-OutputArea-output img, .jp-RenderedHTMLCommon img { max-width: 100%; height: auto; }
  .MathJax_Display, .MathJax_SVG_Display, .MathJax_CHTML { max-width: 100%; overflow-x: auto;
                                                           overflow-y: hidden; }
  .jp-RenderedHTMLCommon details { margin: .5rem 0; }
  .jp-RenderedHTMLCommon summary { cursor: pointer; font-weight: 600; }
  /* Outputs that answer a "Predict" question: folded until the reader opens them. */
  details.lk-prediction { margin: .2rem 0 .6rem; border-left: 4px solid #e69f00; padding-left: .5rem; }
  details.lk-prediction > summary { cursor: pointer; font-weight: 600; font-family: system-ui, sans-serif;
                                    color: #7a4f00; padding: .2rem 0; }
</style>
"""

INDEX = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
  body {{ font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem;
          line-height: 1.5; color: #1a1a1a; }}
  h1 {{ font-size: 1.8rem; margin-bottom: .2rem; }}
  ol {{ padding-left: 1.6rem; }} li {{ margin: .3rem 0; }}
  a {{ color: #0b5cad; }} .file {{ color: #666; font-size: .85rem; }}
  .note {{ border-left: 4px solid #0072b2; background: #eef5fb; padding: .5rem .8rem; }}
</style></head>
<body>
{switch}
<h1>{title}</h1>
<p>{intro}</p>
<p class="note">{widgets}</p>
{sections}
</body></html>
"""


@dataclass(frozen=True)
class _Page:
    """One notebook of the site: where it comes from, where it goes, what it is called."""

    source: PurePosixPath  # path in the course, e.g. notebooks/00_start_here.ipynb
    target: PurePosixPath  # path in the site, e.g. 00_start_here.html or zh-Hans/00_start_here.html
    title: str
    section: str
    lang: str = "en"


def notebook_title(nb: NotebookNode, fallback: str = "") -> str:
    """The text of a notebook's first markdown heading, without markdown markup.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A notebook (version 4).
    fallback : str
        Returned when no markdown cell has a heading.

    Returns
    -------
    str
        The heading's text, e.g. ``"01 · The delta map by hand"``.

    Examples
    --------
    >>> from nbformat.v4 import new_markdown_cell, new_notebook
    >>> nb = new_notebook(cells=[new_markdown_cell("Intro\\n\\n# 01 · `bp_delta_map` by *hand*\\n\\ntext")])
    >>> notebook_title(nb)
    '01 · bp_delta_map by hand'
    >>> notebook_title(new_notebook(), fallback="untitled")
    'untitled'
    """
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            match = re.match(r"\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", line)
            if match:
                text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", match.group(1))  # [text](link) -> text
                text = re.sub(r"<[^>]+>", "", text)
                # drop emphasis marks outside `code` spans; keep code as written (bp_delta_map)
                parts = text.split("`")
                for k in range(0, len(parts), 2):
                    parts[k] = re.sub(r"\*+|(?<!\w)_+|_+(?!\w)", "", parts[k])
                return "".join(parts).strip()
    return fallback


def _pages(root: Path, lang: str = "en") -> list[_Page]:
    """Every notebook of one edition, lessons first, each folder in file-name order."""
    import nbformat

    pages = []
    prefix = "" if lang == "en" else lang
    for folder, site_dir, section in SECTIONS:
        source_dir = PurePosixPath(folder) if lang == "en" else PurePosixPath(folder, lang)
        for path in sorted((root / source_dir).glob("*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            target = PurePosixPath(prefix, site_dir, path.stem + ".html")
            pages.append(_Page(source_dir / path.name, target, notebook_title(nb, path.stem), section, lang))
    return pages


def _ui(lang: str) -> dict:
    """The site's own words in ``lang`` (zh-Hant: zh-Hans through OpenCC)."""
    if lang == "zh-Hant":
        from .translations import to_hant

        return {key: to_hant(text) for key, text in UI["zh-Hans"].items()}
    return UI[lang]


def _switch(page: _Page, counterparts: dict) -> str:
    """Links to this page in the other editions (every page has one)."""
    items = []
    for lang in LANGUAGES:
        other = counterparts.get(lang)
        name = html.escape(LANGUAGE_NAMES[lang])
        if lang == page.lang:
            items.append(f'<span class="lk-here" lang="{lang}">{name}</span>')
        elif other is not None:
            href = posixpath.relpath(str(other.target), str(page.target.parent))
            items.append(f'<a href="{html.escape(href)}" hreflang="{lang}" lang="{lang}">{name}</a>')
    label = html.escape(_ui(page.lang)["language"])
    return f'<nav class="lk-lang" aria-label="{label}">{label}: ' + " · ".join(items) + "</nav>"


def _widgets_to_notes(nb) -> int:
    """Replace every widget view output by a note (a progress bar's by its own); return how many."""
    count = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_MIME in data:
                plain = data.get("text/plain", "")
                plain = plain if isinstance(plain, str) else "".join(plain)
                note = PROGRESS_NOTE if _PROGRESS.search(plain) else WIDGET_NOTE
                output["data"] = {"text/html": note}
                output.pop("metadata", None)
                output["metadata"] = {}
                count += 1
    nb.metadata.pop("widgets", None)
    return count


def _alt_texts(nb) -> None:
    """Give every figure without alt text one: what the code cell drawing it says first."""
    for cell in nb.cells:
        lines = [ln.strip().lstrip("#").strip() for ln in cell.source.splitlines() if ln.strip()]
        alt = "Figure drawn by the code above" + (f": {lines[0][:100]}" if lines else "")
        for output in cell.get("outputs", []):
            for mime in output.get("data", {}):
                if mime.startswith("image/"):
                    meta = output.setdefault("metadata", {}).setdefault(mime, {})
                    meta.setdefault("alt", alt)


_ATTR = re.compile(r"""\b(href|src)=(["'])([^"']*)\2""")
_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//|#|/)", re.I)


PREDICTION_SUMMARY = "Output: predict first, then open"


def fold_prediction_outputs(body: str) -> str:
    """Put the output of every cell tagged ``prediction`` inside a closed ``<details>`` fold.

    Those outputs answer a "Predict" question, so the web edition folds them as JupyterLab collapses
    them (``metadata.jupyter.outputs_hidden``); they are still in the page, and nbval still checks
    them in the notebook.

    Examples
    --------
    >>> html = ('<div class="jp-Cell jp-CodeCell celltag_prediction" id="c"><div class="in"></div>'
    ...         '<div class="jp-Cell-outputWrapper"><div><pre>4</pre></div></div></div>')
    >>> folded = fold_prediction_outputs(html)
    >>> folded.count("<details"), folded.index("<details") < folded.index("<pre>4")
    (1, True)
    """
    out, pos = [], 0
    cell = re.compile(r'<div class="jp-Cell jp-CodeCell[^"]*\bcelltag_prediction\b[^"]*"')
    wrapper = '<div class="jp-Cell-outputWrapper">'
    while (m := cell.search(body, pos)) is not None:
        start = body.find(wrapper, m.end())
        if start < 0:
            break
        end = _closing_div(body, start)
        out.append(body[pos:start])
        out.append(
            f'<details class="lk-prediction"><summary>{PREDICTION_SUMMARY}</summary>'
            + body[start:end]
            + "</details>"
        )
        pos = end
    out.append(body[pos:])
    return "".join(out)


WORKED_ANSWER = "Worked answer: predict first, then open"
_PREDICT = re.compile(r"""\blk\.predict\(\s*["']([^"']+)["']\s*,\s*None\s*\)""")


def add_worked_answers(nb, lang: str) -> None:
    """After every ``lk.predict(key, None)`` cell, a closed ``<details>`` fold with the worked answer.

    In a notebook the answer appears only once the learner has answered; a static page cannot run
    the check, so its reader gets the answer folded, to open after predicting. The text is
    :data:`lessonkit.course.predictions.QUESTIONS`' reveal, in the page's language.
    """
    from nbformat.v4 import new_markdown_cell

    from .i18n import _, speaking
    from .predictions import QUESTIONS

    cells = []
    for cell in nb.cells:
        cells.append(cell)
        found = _PREDICT.search(cell.source) if cell.cell_type == "code" else None
        if found and found.group(1) in QUESTIONS:
            with speaking(lang):
                summary = _("Worked answer: predict first, then open")  # = WORKED_ANSWER, as a literal msgid
                reveal = _(QUESTIONS[found.group(1)].reveal)
            fold = f'<details class="lk-prediction"><summary>{html.escape(summary)}</summary>'
            text = f"{fold}\n\n{reveal}\n\n</details>"
            cells.append(new_markdown_cell(text))
    nb.cells = cells


def _closing_div(html: str, start: int) -> int:
    """The index just after the ``</div>`` that closes the ``<div`` opened at ``start``."""
    depth = 0
    for tag in re.finditer(r"<div\b|</div>", html[start:]):
        depth += 1 if tag.group(0) == "<div" else -1
        if depth == 0:
            return start + tag.end()
    return len(html)


def _rewrite_links(text: str, page: _Page, by_source: dict, root: Path, outdir: Path) -> str:
    """Point relative links at the site: notebooks become their pages; other course files are copied."""

    def fix(match: re.Match) -> str:
        attr, quote, value = match.groups()
        url = html.unescape(value)
        if not url or _EXTERNAL.match(url):
            return match.group(0)
        path, sep, fragment = url.partition("#")
        path = path.split("?", 1)[0]
        source = PurePosixPath(posixpath.normpath(posixpath.join(str(page.source.parent), path)))
        if source in by_source:
            target = by_source[source].target
        elif not source.parts or source.parts[0] == ".." or not (root / source).is_file():
            return match.group(0)  # nothing to point at; the site test reports it
        else:  # a course file that is not a page (a figure, a .py, README): ship a copy
            target = PurePosixPath("files", source)
            (outdir / target).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / source, outdir / target)
        new = posixpath.relpath(str(target), str(page.target.parent))
        return f"{attr}={quote}{html.escape(new + sep + fragment)}{quote}"

    return _ATTR.sub(fix, text)


def _nav(pages: list[_Page], i: int, where: str) -> str:
    """Index / previous / next links for page i (within its section)."""
    page = pages[i]
    home = "index.html" if page.lang == "en" else f"{page.lang}/index.html"
    up = posixpath.relpath(home, str(page.target.parent))

    def link(j: int, arrow: str) -> str:
        other = pages[j]
        href = posixpath.relpath(str(other.target), str(page.target.parent))
        text = html.escape(other.title)
        return f'<a href="{html.escape(href)}" rel="{"prev" if arrow == "←" else "next"}">{arrow} {text}</a>'

    same = [j for j, p in enumerate(pages) if p.section == page.section and p.lang == page.lang]
    k = same.index(i)
    prev = link(same[k - 1], "←") if k > 0 else "<span></span>"
    nxt = link(same[k + 1], "→") if k + 1 < len(same) else "<span></span>"
    ui = _ui(page.lang)
    index = f'<a href="{html.escape(up)}">{html.escape(ui["title"])}: {html.escape(ui["contents"])}</a>'
    return f'<nav class="lk-nav lk-{where}" aria-label="lessons">{prev}{index}{nxt}</nav>'


def build_site(
    outdir: str | os.PathLike[str], root: str | os.PathLike[str] | None = None, mathjax: str = "local"
) -> list[Path]:
    """Write the static HTML edition of the course's notebooks into outdir.

    Parameters
    ----------
    outdir : path-like
        Folder to write (created if missing; files in it are overwritten).
    root : path-like, optional
        The course folder holding ``notebooks/`` (and ``exercises/``); default: this checkout.
    mathjax : str
        ``"local"`` copies MathJax from ``jupyter_server_mathjax`` (falls back to the CDN address when
        it is not installed), ``"cdn"`` uses nbconvert's CDN address, anything else is used as the
        MathJax address as it is.

    Returns
    -------
    list of Path
        The pages written: the index first, then each notebook's page in order.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import nbformat
    >>> from nbformat.v4 import new_markdown_cell, new_notebook
    >>> root = Path(tempfile.mkdtemp())
    >>> (root / "notebooks").mkdir()
    >>> nbformat.write(new_notebook(cells=[new_markdown_cell("# Hello\\n\\n[on](01_on.ipynb)")]),
    ...                root / "notebooks" / "00_hello.ipynb")
    >>> nbformat.write(new_notebook(cells=[new_markdown_cell("# On")]), root / "notebooks" / "01_on.ipynb")
    >>> pages = build_site(root / "site", root=root, mathjax="cdn")
    >>> [p.name for p in pages]
    ['index.html', '00_hello.html', '01_on.html']
    >>> 'href="01_on.html"' in (root / "site" / "00_hello.html").read_text()
    True
    """
    from nbconvert import HTMLExporter

    from . import PACKAGE

    root = Path(root) if root is not None else PACKAGE.parent
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    editions = [lang for lang in LANGUAGES if lang == "en" or (root / "notebooks" / lang).is_dir()]
    pages = [page for lang in editions for page in _pages(root, lang)]
    by_source = {p.source: p for p in pages}
    counterparts: dict = {}
    for page in pages:
        counterparts.setdefault((page.section, page.source.name), {})[page.lang] = page
    exporter = HTMLExporter(template_name="lab")
    exporter.mathjax_url = _mathjax(outdir, mathjax)
    written = []
    for lang in editions:
        home = outdir / ("index.html" if lang == "en" else f"{lang}/index.html")
        written.append(home)
        for i, page in enumerate(pages):
            if page.lang == lang:
                written.append(_write_page(page, i, pages, by_source, counterparts, exporter, root, outdir))
        home.parent.mkdir(parents=True, exist_ok=True)
        home.write_text(_index(lang, pages, counterparts), encoding="utf-8")
    return written


def _write_page(page, i, pages, by_source, counterparts, exporter, root, outdir) -> Path:
    """Render one notebook's page; return its path."""
    import nbformat

    nb = nbformat.read(root / page.source, as_version=4)
    _widgets_to_notes(nb)
    _alt_texts(nb)
    add_worked_answers(nb, page.lang)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": page.title}})
    # require.js is only for live widget embedding, which the site does not do: no CDN request
    body = body.replace(f'<script src="{exporter.require_js_url}"></script>', "")
    if exporter.mathjax_url.startswith("mathjax/"):
        body = body.replace("<!-- Load mathjax -->", MATHJAX_CONFIG + "<!-- Load mathjax -->", 1)
    body = _rewrite_links(body, page, by_source, root, outdir)
    body = fold_prediction_outputs(body)
    body = re.sub(r"<table\b", '<div class="lk-table-scroll"><table', body)
    body = body.replace("</table>", "</table></div>")
    body = body.replace("</head>", CSS + "</head>", 1)
    if page.lang != "en":
        body = re.sub(r'<html lang="[^"]*"', f'<html lang="{page.lang}"', body, count=1)
    switch = _switch(page, counterparts[(page.section, page.source.name)])
    top, bottom = switch + _nav(pages, i, "top"), _nav(pages, i, "bottom")
    body = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + top, body, count=1)
    body = body.replace("</body>", bottom + "</body>", 1)
    depth = len(page.target.parent.parts)  # a page in a folder loads MathJax from ../ (or ../../)
    if depth:
        body = body.replace('src="mathjax/', 'src="' + "../" * depth + "mathjax/")
    target = outdir / page.target
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(body, encoding="utf-8")
    return target


def _index(lang: str, pages: list, counterparts: dict) -> str:
    """The contents page of one edition, with links to the other editions' contents."""
    ui = _ui(lang)
    prefix = PurePosixPath("" if lang == "en" else lang)
    sections = []
    for _, _, section in SECTIONS:
        items = [
            f'<li><a href="{html.escape(posixpath.relpath(str(p.target), str(prefix)))}">'
            f'{html.escape(p.title)}</a> <span class="file">{html.escape(p.source.name)}</span></li>'
            for p in pages
            if p.section == section and p.lang == lang
        ]
        if items:
            sections.append(f"<h2>{html.escape(ui[section])}</h2>\n<ol>\n" + "\n".join(items) + "\n</ol>")
    editions = {p.lang for p in pages}
    others = []
    for other in LANGUAGES:
        if other in editions:
            home = "index.html" if other == "en" else f"{other}/index.html"
            href = posixpath.relpath(home, str(prefix))
            name = html.escape(LANGUAGE_NAMES[other])
            others.append(
                name if other == lang else f'<a href="{html.escape(href)}" hreflang="{other}">{name}</a>'
            )
    switch = f'<p class="lk-lang">{html.escape(ui["language"])}: ' + " · ".join(others) + "</p>"
    return INDEX.format(
        lang=lang,
        title=html.escape(ui["title"]),
        intro=ui["intro"],
        widgets=ui["widgets"],
        switch=switch,
        sections="\n".join(sections),
    )


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m lessonkit.course.site OUTDIR [--root DIR] [--mathjax local|cdn|URL]``."""
    parser = argparse.ArgumentParser(
        prog="python -m lessonkit.course.site", description=__doc__.splitlines()[0]
    )
    parser.add_argument("outdir", type=Path, nargs="?", default=Path("_site"))
    parser.add_argument("--root", type=Path, default=None, help="course folder (default: this checkout)")
    parser.add_argument("--mathjax", default="local", help="local (default), cdn, or a MathJax address")
    args = parser.parse_args(argv)
    pages = build_site(args.outdir, root=args.root, mathjax=args.mathjax)
    print(f"wrote {len(pages)} pages to {args.outdir}/ (open {args.outdir / 'index.html'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
