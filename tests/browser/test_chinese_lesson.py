"""A Chinese lesson in a real JupyterLab: Run All without errors, its prose in Chinese, its maths typeset,
its figures drawn; a screenshot of its first figure for review."""

from __future__ import annotations

import re

import pytest
from labdriver import SCREENSHOTS

pytestmark = pytest.mark.browser

LESSON = "notebooks/zh-Hans/01_delta_by_hand.ipynb"

_RENDERED = """
() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const md = [...panel.querySelectorAll('.jp-MarkdownCell .jp-RenderedMarkdown')];
  return {
    headings: [...panel.querySelectorAll('.jp-RenderedMarkdown h1, .jp-RenderedMarkdown h2')]
        .map((h) => h.textContent),
    maths: panel.querySelectorAll('.jp-RenderedMarkdown mjx-container, .jp-RenderedMarkdown .MathJax').length,
    mathErrors: [...panel.querySelectorAll('mjx-merror, .MathJax_Error')].map((e) => e.textContent),
    rawDollars: md.map((m) => m.innerText).filter((t) => /\\$[^$\\s][^$]*\\$/.test(t)).length,
    figures: panel.querySelectorAll('.jp-OutputArea-output img').length,
  };
}
"""


def test_a_chinese_lesson_runs_and_reads_in_chinese(open_notebook):
    nb = open_notebook(LESSON)
    nb.page.keyboard.press("Control+b")  # hide the file browser
    nb.run_all()
    assert not nb.not_run(), f"cells {nb.not_run()} never ran (Run All stops at an error)"
    assert not nb.failures_in_dom(), nb.failures_in_dom()
    nb.page.wait_for_function(
        "() => document.querySelectorAll('.jp-RenderedMarkdown mjx-container').length > 10", timeout=30_000
    )
    seen = nb.page.evaluate(_RENDERED)
    assert seen["headings"] and all(re.search(r"[\u4e00-\u9fff]", h) for h in seen["headings"]), seen
    assert seen["maths"] > 10 and not seen["mathErrors"] and not seen["rawDollars"], seen
    assert seen["figures"] >= 3, seen
    first = nb.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output img").first
    first.scroll_into_view_if_needed()
    nb.page.mouse.wheel(0, -250)  # the heading and prose above the figure too
    nb.page.wait_for_timeout(300)
    nb.screenshot(SCREENSHOTS / "zh-Hans-01_delta_by_hand.png")
