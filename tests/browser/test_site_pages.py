"""The static edition in Chromium: MathJax (local) typesets every formula without errors, nothing is
fetched from the network, no page is wider than a laptop screen; a screenshot of each page's top."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from labdriver import ROOT, SCREENSHOTS
from nbformat.v4 import new_markdown_cell, new_notebook

from lessonkit.course.site import build_site

pytestmark = pytest.mark.browser

WIDTH = 1000  # a laptop window, not a wide monitor

_STATE = """
() => ({
  width: document.documentElement.scrollWidth,
  math: document.querySelectorAll('.MathJax, .MathJax_Display, .MathJax_SVG').length,
  mathErrors: [...document.querySelectorAll('.MathJax_Error, merror, [style*="color: red"]')]
      .map((e) => e.textContent).slice(0, 5),
  rawDollars: [...document.querySelectorAll('.jp-RenderedMarkdown')]
      .map((m) => m.innerText).filter((t) => /\\$[^$\\s][^$]*\\$/.test(t)).length,
})
"""


def _look(context, site: Path, pages: list[Path], shots: bool) -> tuple[list[str], list[str]]:
    """Open every page at a laptop's width; return (problems seen, addresses fetched off this disk)."""
    page = context.new_page()
    page.set_viewport_size({"width": WIDTH, "height": 900})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    problems = []
    try:
        for path in pages:
            page.goto(path.as_uri())
            if path.name != "index.html":
                page.wait_for_function(
                    "() => typeof MathJax !== 'undefined' && MathJax.Hub && "
                    "MathJax.Hub.queue.pending === 0 && MathJax.Hub.queue.running === 0 && "
                    "document.querySelector('#MathJax_Message') !== null",
                    timeout=60_000,
                )
                page.wait_for_timeout(300)
            state = page.evaluate(_STATE)
            name = path.relative_to(site).as_posix()
            if state["width"] > WIDTH:
                problems.append(f"{name}: page is {state['width']} px wide at a {WIDTH} px window")
            if state["mathErrors"]:
                problems.append(f"{name}: MathJax errors {state['mathErrors']}")
            if state["rawDollars"]:
                problems.append(f"{name}: {state['rawDollars']} markdown cells still show $...$")
            if shots:
                shot = SCREENSHOTS / f"site-{name.replace('/', '-').removesuffix('.html')}.png"
                shot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(shot))
    finally:
        page.close()
    remote = sorted({u for u in requests if not u.startswith(("file:", "data:", "blob:", "about:"))})
    return problems, remote


def test_site_pages_render_offline_with_their_formulas(tmp_path, lab_context):
    site = tmp_path / "site"
    problems, remote = _look(lab_context, site, build_site(site, root=ROOT), shots=True)
    assert not remote, f"pages fetched from the network: {remote}"
    assert not problems, "\n".join(problems)


def test_the_page_check_sees_a_bad_formula_and_a_wide_page(tmp_path, lab_context):
    course = tmp_path / "course"
    (course / "notebooks").mkdir(parents=True)
    wide = "<div style='position: absolute; left: 0; width: 3000px'>a box wider than the window</div>"
    cells = [new_markdown_cell("# Bad\n\nThis $\\undefinedmacro{x}$ and $a^2$.\n\n" + wide)]
    nbformat.write(new_notebook(cells=cells), course / "notebooks" / "00_bad.ipynb")
    site = tmp_path / "site"
    problems, remote = _look(lab_context, site, build_site(site, root=course), shots=False)
    assert not remote
    assert any("MathJax errors" in p and "undefinedmacro" in p for p in problems), problems
    assert any("px wide" in p for p in problems), problems
