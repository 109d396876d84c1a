"""Every lesson figure drawn in Chinese: words in Chinese, and not one glyph missing (no empty boxes),
also where Chinese words sit beside $maths$, which matplotlib draws in a single font."""

from __future__ import annotations

import importlib.util
import logging
import re
import warnings
from pathlib import Path

import matplotlib as mpl
import pytest
from IPython.core.pylabtools import print_figure

from lessonkit.course import i18n
from lessonkit.figures import vectorizing
from lessonkit.figures.matrix import im2col_transpose_figure
from lessonkit.figures.style import cjk_font

# Many figures, widgets or seeds each: part of make test, not of the quick loop (make test-fast).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def _lesson_figures() -> dict:
    """The figures tools/render_figures.py draws (lessons 00-04, the lessons' numbers), and lesson 07's."""
    spec = importlib.util.spec_from_file_location("render_figures", ROOT / "tools" / "render_figures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.figures() | {
        "06-im2col": vectorizing.im2col_figure(),
        "06-col2im": vectorizing.col2im_figure(),
        "06-im2col-transpose": im2col_transpose_figure(),
    }


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant"])
def test_every_lesson_figure_draws_its_chinese_words_with_no_missing_glyph(lang, caplog):
    with i18n.speaking(lang):
        if cjk_font() is None:
            pytest.skip("no Chinese font here (apt-get install fonts-noto-cjk; .ci/run does)")
        missing, chinese = {}, 0
        with mpl.rc_context(), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for name, fig in _lesson_figures().items():
                caplog.clear()
                with caplog.at_level(logging.WARNING, logger="matplotlib"):
                    print_figure(fig, "png")  # as a notebook cell shows a figure it returns
                texts = [t.get_text() for t in fig.findobj(mpl.text.Text)]
                chinese += any(re.search(r"[\u4e00-\u9fff]", t) for t in texts)
                lost = [r.getMessage() for r in caplog.records if "glyph" in r.getMessage()]
                lost += [str(w.message) for w in caught if "missing from" in str(w.message)]
                caught.clear()
                if lost:
                    missing[name] = lost[:2]
    assert not missing, missing
    assert chinese >= 12, chinese  # nearly every figure has words; the legend alone has none drawn


def test_a_chinese_font_installed_after_matplotlib_cached_its_font_list_is_found(monkeypatch):
    """matplotlib's font list on disk predates the font (apt-get install after the first run): the
    figures find the font's file all the same, instead of silently keeping English words."""
    from matplotlib import font_manager

    from lessonkit.figures import style

    if cjk_font() is None:
        pytest.skip("no Chinese font on this machine")
    stale = [f for f in font_manager.fontManager.ttflist if not style._CJK_FILE.search(Path(f.fname).name)]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", stale)
    style._add_fonts_installed_since_the_cache.cache_clear()
    with i18n.speaking("zh-Hans"):
        assert cjk_font() in style.CJK_FONTS
    style._add_fonts_installed_since_the_cache.cache_clear()
