"""The static HTML edition (lessonkit.course.site): every page exists, every internal link resolves, figures and
widget notes are where the notebooks have them, and nothing is fetched from the network."""

from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from lessonkit.course.predictions import QUESTIONS
from lessonkit.course.site import WIDGET_MIME, build_site, main, notebook_title

# Building the web edition takes seconds per worker: make test runs these, make test-fast does not.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))


class _Links(HTMLParser):
    """Collects href/src values, element ids, and <script src> of one page."""

    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.ids: set[str] = set()
        self.scripts: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "src"):
            if attrs.get(name) is not None:
                self.links.append((tag, attrs[name]))
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if attrs.get("name") and tag == "a":
            self.ids.add(attrs["name"])
        if tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"])


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _internal(url: str) -> bool:
    return not re.match(r"^(?:[a-z][a-z0-9+.-]*:|//)", url, re.I)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    pages = build_site(out, root=ROOT)
    return out, pages


def test_every_notebook_has_a_page_and_the_index_lists_lessons_in_order(site):
    out, pages = site
    assert pages[0] == out / "index.html"
    expected = [out / f"{p.stem}.html" for p in LESSONS] + [
        out / "exercises" / f"{p.stem}.html" for p in EXERCISES
    ]
    assert pages[1 : 1 + len(expected)] == expected  # then each Chinese edition, laid out the same
    assert all(p.is_file() and p.stat().st_size > 0 for p in pages)
    index = (out / "index.html").read_text(encoding="utf-8")
    hrefs = re.findall(r'<li><a href="([^"]+)">([^<]*)</a>', index)
    assert [h for h, _ in hrefs] == [str(p.relative_to(out)) for p in expected]
    titles = [notebook_title(nbformat.read(p, as_version=4), p.stem) for p in LESSONS + EXERCISES]
    import html

    assert [html.unescape(t) for _, t in hrefs] == titles


def test_every_internal_link_resolves(site):
    out, pages = site
    broken = []
    parsed = {p: _parse(p) for p in pages}
    for page, links in parsed.items():
        for tag, url in links.links:
            if not url or not _internal(url) or url.startswith("data:"):
                continue
            path, _, fragment = url.partition("#")
            target = page if not path else (page.parent / unquote(path.split("?")[0])).resolve()
            if not target.is_file():
                broken.append(f"{page.relative_to(out)}: <{tag}> {url} (no file)")
            elif fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else _parse(target).ids
                if fragment not in ids and unquote(fragment) not in ids:  # as browsers look them up
                    broken.append(f"{page.relative_to(out)}: {url} (no id {fragment!r} there)")
    assert not broken, "\n".join(broken)


def test_links_between_lessons_point_at_pages_and_pages_chain_previous_next(site):
    out, pages = site
    lesson_pages = [out / f"{p.stem}.html" for p in LESSONS]
    for i, page in enumerate(lesson_pages):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r'href="[^"]*\d\d_\w+\.ipynb', text), f"{page.name} still links a .ipynb"
        nxt = re.findall(r'href="([^"]+)" rel="next"', text)
        prv = re.findall(r'href="([^"]+)" rel="prev"', text)
        if i + 1 < len(lesson_pages):
            assert set(nxt) == {lesson_pages[i + 1].name}  # top and bottom navigation
        else:
            assert not nxt
        assert set(prv) == ({lesson_pages[i - 1].name} if i else set())


def _count_outputs(nb) -> tuple[int, int]:
    """(PNG figures outside widgets, widget views) among a notebook's stored outputs."""
    figures = widgets = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_MIME in data:
                widgets += 1
            elif "image/png" in data:
                figures += 1
    return figures, widgets


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_each_lesson_page_has_its_figures_and_a_note_for_each_widget(site, lesson):
    out, _ = site
    text = (out / f"{lesson.stem}.html").read_text(encoding="utf-8")
    figures, widgets = _count_outputs(nbformat.read(lesson, as_version=4))
    assert text.count('src="data:image/png;base64,') == figures
    assert text.count('class="lk-widget-note"') == widgets
    assert WIDGET_MIME not in text


def test_pages_need_no_network(site):
    out, pages = site
    pytest.importorskip("jupyter_server_mathjax")  # without it the pages point at MathJax's CDN
    assert (out / "mathjax" / "MathJax.js").is_file()
    for page in [p for p in pages if p.name != "index.html"]:  # each edition's contents page has none
        scripts = _parse(page).scripts
        assert scripts and all(_internal(s) for s in scripts), (page.name, scripts)
        assert any(s.split("?")[0].endswith("mathjax/MathJax.js") for s in scripts)


# --- the builder on a small course made here: links to other course files, widgets, folders --------


def test_builder_rewrites_links_copies_course_files_and_replaces_widgets(tmp_path):
    course = tmp_path / "course"
    (course / "notebooks").mkdir(parents=True)
    (course / "exercises").mkdir()
    (course / "README.md").write_text("# readme\n")
    widget = new_output("display_data", data={WIDGET_MIME: {"model_id": "abc"}, "text/plain": "IntSlider()"})
    progress = new_output(
        "display_data", data={WIDGET_MIME: {"model_id": "p"}, "text/plain": "training:   0%|          | 0/20"}
    )
    lesson0 = new_notebook(
        cells=[
            new_markdown_cell(
                "# 00 · **Start**\n\n[next](01_next.ipynb#Part-two) · [ex](../exercises/01_ex.ipynb) · "
                "[readme](../README.md) · [web](https://example.org/x.ipynb) · [top](#00-·-Start)"
            ),
            new_code_cell("w", outputs=[widget]),
            new_code_cell("train()", outputs=[progress]),
        ],
        metadata={"widgets": {"state": {}}},
    )
    nbformat.write(lesson0, course / "notebooks" / "00_start.ipynb")
    nbformat.write(
        new_notebook(cells=[new_markdown_cell("# 01 Next\n\n## Part two\n\n[back](00_start.ipynb)")]),
        course / "notebooks" / "01_next.ipynb",
    )
    nbformat.write(new_notebook(cells=[new_markdown_cell("# Ex 1")]), course / "exercises" / "01_ex.ipynb")
    out = tmp_path / "site"
    assert main([str(out), "--root", str(course), "--mathjax", "cdn"]) == 0

    page0 = (out / "00_start.html").read_text(encoding="utf-8")
    assert 'href="01_next.html#Part-two"' in page0
    assert 'href="exercises/01_ex.html"' in page0
    assert 'href="files/README.md"' in page0 and (out / "files" / "README.md").read_text() == "# readme\n"
    assert 'href="https://example.org/x.ipynb"' in page0  # external links are left alone
    assert page0.count('class="lk-widget-note"') == 2 and "IntSlider()" not in page0
    assert page0.count("need a live Python kernel") == 1 and page0.count("a progress bar") == 1
    ex = (out / "exercises" / "01_ex.html").read_text(encoding="utf-8")
    assert 'href="../index.html"' in ex
    assert 'href="../00_start.html"' not in ex  # previous/next stay within the exercises
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.index("00 · Start") < index.index("01 Next") < index.index("Ex 1")
    assert "<h2>Lessons</h2>" in index and "<h2>Exercises</h2>" in index
    page1 = _parse(out / "01_next.html")
    assert "Part-two" in page1.ids
    assert ("a", "00_start.html") in page1.links


def test_a_link_to_a_missing_notebook_is_left_for_the_link_check_to_find(tmp_path):
    course = tmp_path / "course"
    (course / "notebooks").mkdir(parents=True)
    nbformat.write(
        new_notebook(cells=[new_markdown_cell("# 00\n\n[gone](07_gone.ipynb)")]),
        course / "notebooks" / "00.ipynb",
    )
    build_site(tmp_path / "site", root=course, mathjax="cdn")
    links = _parse(tmp_path / "site" / "00.html").links
    assert ("a", "07_gone.ipynb") in links
    assert not (tmp_path / "site" / posixpath.basename("07_gone.html")).exists()


def test_exercise_pages_write_their_maths_as_the_lessons_do(site):
    """The exercises' formulas are TeX for MathJax, not raw δ^l or dE/da_{1,2}."""
    out, _ = site
    for name in ("02_bp_delta_map", "03_compute_gradient", "04_conv_layer"):
        page = (out / "exercises" / f"{name}.html").read_text(encoding="utf-8")
        assert r"\partial E/\partial" in page and r"\delta" in page, name
        text = re.sub(r"<pre.*?</pre>|<code.*?</code>", "", page, flags=re.S)  # code keeps its names
        assert "dE/da" not in text and "δ^l" not in text, name


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_each_prediction_has_its_worked_answer_folded_in_the_web_edition(site, lesson):
    """A static page cannot run lk.predict: after each prompt its worked answer is folded, closed."""
    out, _ = site
    page = (out / f"{lesson.stem}.html").read_text(encoding="utf-8")
    keys = re.findall(
        r'lk\.predict\("([^"]+)", None\)', lesson.with_suffix(".md").read_text(encoding="utf-8")
    )
    folds = re.findall(
        r'<details class="lk-prediction"><summary>([^<]*)</summary>(.*?)</details>', page, re.S
    )
    assert len(folds) == len(keys), lesson.stem
    for key, (summary, body) in zip(keys, folds, strict=True):
        assert summary == "Worked answer: predict first, then open"
        words = re.findall(r"[A-Za-z]{4,}", re.sub(r"\$[^$]*\$|`[^`]*`", " ", QUESTIONS[key].reveal))[:3]
        assert all(w in body for w in words), (key, words)


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant"])
def test_each_chinese_edition_has_every_page_a_language_switch_and_typeset_maths(site, lang):
    out, pages = site
    english = [p for p in pages if p.parent.name != lang and lang not in p.parts and p.name != "index.html"]
    english = [p for p in english if "zh-Hans" not in p.parts and "zh-Hant" not in p.parts]
    chinese = [out / lang / p.relative_to(out) for p in english]
    assert chinese and all(p in pages for p in chinese)
    assert out / lang / "index.html" in pages
    for en_page, zh_page in zip(english, chinese, strict=True):
        text = zh_page.read_text(encoding="utf-8")
        assert f'<html lang="{lang}"' in text
        switch = re.search(r'<nav class="lk-lang"[^>]*>(.*?)</nav>', text, re.S).group(1)
        back = posixpath.relpath(str(en_page), str(zh_page.parent))
        assert f'href="{back}" hreflang="en"' in switch, (zh_page, switch)  # to the same page in English
        assert re.search(r"[\u4e00-\u9fff]", re.sub(r"<[^>]+>", "", text))  # Chinese prose
        en_switch = re.search(
            r'<nav class="lk-lang"[^>]*>(.*?)</nav>', en_page.read_text(encoding="utf-8"), re.S
        )
        assert posixpath.relpath(str(zh_page), str(en_page.parent)) in en_switch.group(1)
    lesson = (out / lang / "04_weight_gradients.html").read_text(encoding="utf-8")
    assert r"\partial E" in lesson and "mathjax/MathJax.js" in lesson  # TeX for the local MathJax
    assert 'src="../mathjax/' in lesson
    exercise = (out / lang / "exercises" / "02_bp_delta_map.html").read_text(encoding="utf-8")
    assert 'src="../../mathjax/' in exercise and ">set_language<" in exercise  # the language cell
