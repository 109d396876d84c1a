"""The Chinese editions: complete catalogs, one glossary, zh-Hant from OpenCC, the English code cells."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import lessonkit
from lessonkit.course import i18n
from lessonkit.course import translations as tr
from lessonkit.course.exercises_build import build_notebook
from lessonkit.course.translations import editions

ROOT = Path(__file__).resolve().parents[3]
GLOSSARY = [
    line.split("\t")
    for line in (ROOT / "translations" / "glossary.tsv").read_text(encoding="utf-8").splitlines()
    if line and not line.startswith("#")
]


def _catalogs(lang: str) -> list:
    return sorted((ROOT / "translations" / lang).rglob("*.po")) + [
        ROOT / "lessonkit" / "locale" / f"{lang}.po"
    ]


def _prose(text: str) -> str:
    """``text`` without code, maths and code names (``compute_gradient`` is code, not "gradient")."""
    return re.sub(r"```.*?```|\$\$.*?\$\$|\$[^$]*\$|`[^`]*`|\w*_\w*", "", text, flags=re.S).lower()


def test_no_message_is_missing_or_stale():
    """Fails for any English cell or lessonkit message without an up-to-date zh-Hans translation."""
    left = tr.problems(ROOT, "zh-Hans")
    listing = "\n".join(f"{po}: {what}: {first}" for po, what, first in left)
    assert not left, f"{len(left)} messages to translate (run make lessons, then translate):\n{listing}"


@pytest.mark.parametrize("lang", tr.EDITIONS)
def test_each_lecture_term_is_translated_the_same_way_everywhere(lang):
    wrong = []
    for po in _catalogs(lang):
        for m in tr.read_catalog(po, lang):
            if not m.id or not m.string:
                continue
            for english, chinese in GLOSSARY:
                term = chinese if lang == "zh-Hans" else tr.to_hant(chinese)
                if english.lower() in _prose(m.id) and term not in m.string:
                    wrong.append(f"{po.name}: {english!r} not as {term!r} in: {m.id[:60]!r}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("lang", tr.EDITIONS)
def test_translations_keep_code_maths_links_tables_and_placeholders(lang):
    wrong = []
    for po in _catalogs(lang):
        for m in tr.read_catalog(po, lang):
            if not m.id or not m.string:
                continue
            wrong += [f"{po.name}: {p}: {m.id[:50]!r}" for p in tr.markup_problems(m.id, m.string)]
            if po.parent.name == "locale":
                fields = set(re.findall(r"\{(\w+)\}", m.id))
                if fields != set(re.findall(r"\{(\w+)\}", m.string)):
                    wrong.append(f"{po.name}: placeholders differ: {m.id[:50]!r}")
    assert not wrong, "\n".join(wrong)


def test_zh_hans_is_written_in_simplified_characters():
    """No Traditional character in a zh-Hans translation (the lecture's own terms included: the
    Simplified glossary gives them as 当前层 / 下一层, not as the lecture's 當前層 / 下一層)."""
    import opencc

    to_simplified = opencc.OpenCC("t2s")
    wrong = []
    for po in _catalogs("zh-Hans"):
        for m in tr.read_catalog(po, "zh-Hans"):
            if m.id and m.string and to_simplified.convert(m.string) != m.string:
                found = {a for a, b in zip(m.string, to_simplified.convert(m.string), strict=False) if a != b}
                wrong.append(f"{po.name}: {''.join(sorted(found))} in {m.id[:50]!r}")
    assert not wrong, "\n".join(wrong)


def _bold_leads(text: str) -> list:
    """The bold words that open each paragraph: ``**How this works.**`` -> "How this works"."""
    leads = []
    for paragraph in re.split(r"\n\s*\n", text):
        found = re.match(r"\s*\*\*([^*]+?)[.:。：]?\*\*", paragraph)
        leads.append(found.group(1).strip() if found else None)
    return leads


@pytest.mark.parametrize("lang", tr.EDITIONS)
def test_one_english_paragraph_lead_reads_the_same_in_every_notebook(lang):
    """A bold lead the English repeats across notebooks ("**How this works.**", "**Predict**") is one
    Chinese phrase everywhere, not 使用方法 in one exercise and 工作方式 in the next."""
    seen: dict = {}
    for po in _catalogs(lang):
        for m in tr.read_catalog(po, lang):
            if not m.id or not m.string or not isinstance(m.id, str):
                continue
            english, chinese = _bold_leads(m.id), _bold_leads(m.string)
            if len(english) != len(chinese):
                continue
            for lead, rendered in zip(english, chinese, strict=True):
                if lead and rendered:
                    seen.setdefault(lead, {}).setdefault(rendered, po.name)
    wrong = {lead: renderings for lead, renderings in seen.items() if len(renderings) > 1}
    assert not wrong, "\n".join(f"{lead!r}: {renderings}" for lead, renderings in wrong.items())


def test_zh_hant_is_opencc_of_zh_hans_with_the_course_phrases():
    for hans_po in _catalogs("zh-Hans"):
        hant_po = Path(str(hans_po).replace("zh-Hans", "zh-Hant"))
        hans = {m.id: m for m in tr.read_catalog(hans_po, "zh-Hans") if m.id}
        hant = {m.id: m for m in tr.read_catalog(hant_po, "zh-Hant") if m.id}
        assert set(hans) == set(hant), hant_po
        for key, m in hans.items():
            assert hant[key].string == tr.to_hant(m.string), (hant_po, key[:50])
            assert hant[key].fuzzy == m.fuzzy
    # where OpenCC's default is wrong for this course, the phrase table decides
    phrases = (ROOT / "translations" / "opencc" / "phrases.txt").read_text(encoding="utf-8").split("\n")
    for line in filter(None, phrases):
        simplified, traditional = line.split("\t")
        assert tr.to_hant(simplified) == traditional


def test_zh_hant_reads_as_taiwan_usage_not_mainland():
    terms = tr.mainland_terms(ROOT)
    assert {"運行", "單元格", "代碼", "網絡", "循環", "用例", "調用"} <= set(terms)
    found = tr.mainland_term_uses(ROOT)
    assert not found, "\n".join(found[:30])
    # and the converter gives the Taiwan word for the Simplified one of each
    import opencc

    to_simplified = opencc.OpenCC("t2s")
    for term, taiwan in terms.items():
        assert tr.to_hant(to_simplified.convert(term)) == taiwan, term


def test_a_changed_english_cell_goes_stale_and_shows_as_pending(tmp_path):
    """The whole cycle on a one-notebook course: translate, edit the English, see it stale and pending."""
    (tmp_path / "notebooks").mkdir()
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("The error term $\\delta^l$ of every output."),
            nbformat.v4.new_code_cell("x = 1"),
        ]
    )
    path = tmp_path / "notebooks" / "09_x.ipynb"
    nbformat.write(nb, path)
    tr.update_catalogs(tmp_path)
    po = tr.catalog_path(tmp_path, "zh-Hans", "notebooks", "09_x")
    assert [(f, w) for f, w, _ in tr.problems(tmp_path)][:1] == [(str(po.relative_to(tmp_path)), "missing")]
    catalog = tr.read_catalog(po, "zh-Hans")
    catalog.get(nb.cells[0].source).string = "每个输出的误差项 $\\delta^l$。"
    tr.write_catalog(catalog, po)
    assert not [p for p in tr.problems(tmp_path) if not p[0].startswith("lessonkit")]

    nb.cells[0].source = "The error term $\\delta^l$ of every output, once."  # an English edit
    nbformat.write(nb, path)
    tr.update_catalogs(tmp_path)
    stale = [p for p in tr.problems(tmp_path) if not p[0].startswith("lessonkit")]
    assert stale == [(str(po.relative_to(tmp_path)), "stale", nb.cells[0].source)]
    hant = tr.read_catalog(tr.catalog_path(tmp_path, "zh-Hant", "notebooks", "09_x"), "zh-Hant")
    assert hant.get(nb.cells[0].source).fuzzy  # zh-Hant follows zh-Hans, stale flag included
    built = tr.translated_notebook(nb, tr.read_catalog(po, "zh-Hans"), "zh-Hans")
    assert built.cells[1].source == tr.PENDING["zh-Hans"] + nb.cells[0].source
    assert [c.source for c in built.cells if c.cell_type == "code"][1:] == ["x = 1"]


@pytest.mark.parametrize("lang", tr.EDITIONS)
def test_chinese_notebooks_are_the_english_code_plus_one_language_cell(lang):
    for folder, english_path in tr.english_notebooks(ROOT):
        english = nbformat.read(english_path, as_version=4)
        chinese_path = ROOT / folder / lang / english_path.name
        chinese = nbformat.read(chinese_path, as_version=4)
        code = [c.source for c in chinese.cells if c.cell_type == "code"]
        assert code[0] == f'import lessonkit\n\n_ = lessonkit.set_language("{lang}")', chinese_path
        first = next(c for c in chinese.cells if c.cell_type == "code")
        assert first.get("outputs", []) == [], f"{chinese_path}: the language cell prints nothing"
        assert code[1:] == [c.source for c in english.cells if c.cell_type == "code"], chinese_path
        catalog = tr.read_catalog(tr.catalog_path(ROOT, lang, folder, english_path.stem), lang)
        expected = tr.translated_notebook(english, catalog, lang, folder)
        assert [c.source for c in chinese.cells] == [c.source for c in expected.cells], (
            f"{chinese_path} is out of date: run make lessons"
        )
        if folder == "solutions":
            exercise = nbformat.read(ROOT / "exercises" / lang / english_path.name, as_version=4)
            assert [c.source for c in exercise.cells] == [c.source for c in build_notebook(chinese).cells]


def test_say_prints_a_lesson_line_in_the_learner_language(capsys):
    template = "rel_error = {err:.1e} against the numerical gradient"
    assert template in tr.lessonkit_messages(), "lessons' say(...) lines are extracted for the catalog"
    for lang, expected in [
        ("en", template.format(err=2.5e-10)),
        ("zh-Hans", "与数值梯度相比，rel_error = 2.5e-10"),
    ]:
        with i18n.speaking(lang):
            lessonkit.say(template, err=2.5e-10)
        assert capsys.readouterr().out == expected + "\n"
    with i18n.speaking("zh-Hant"):
        lessonkit.say("a line nobody translated: {n}", n=3)
        assert lessonkit.tr("max pooling") == "最大池化"
    assert capsys.readouterr().out == "a line nobody translated: 3\n"


def test_lesson_messages_come_from_say_and_tr_in_code_cells(tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "solutions").mkdir()
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell('lk.say("not code: {x}")'),
            nbformat.v4.new_code_cell(
                '%time x = 1\nlk.say("shown: {x}", x=1)\nname = lk.tr("a case")\nprint("left alone")'
            ),
        ]
    )
    nbformat.write(nb, tmp_path / "notebooks" / "00_x.ipynb")
    assert tr.lesson_messages(tmp_path) == ["shown: {x}", "a case"]


def test_check_and_grader_feedback_follow_the_language(capsys):
    try:
        lessonkit.set_language("zh-Hans")
        lessonkit.check("rot180", lambda w: w)
        zh = capsys.readouterr().out
        lessonkit.set_language("zh-Hant")
        lessonkit.check("rot180", lambda w: w)
        hant = capsys.readouterr().out
    finally:
        lessonkit.set_language(None)
    lessonkit.check("rot180", lambda w: w)
    en = capsys.readouterr().out
    assert "Checking rot180 on" in en and "FAILED" in en
    assert "rot180" in zh and "Checking" not in zh and re.search(r"[\u4e00-\u9fff]", zh), zh
    assert hant == tr.to_hant(zh)  # the Traditional catalog is the converted one
    assert i18n.from_locale({"LC_ALL": "zh_TW.UTF-8"}) == "zh-Hant"
    with pytest.raises(ValueError, match=r"lang must be one of en, zh-Hans, zh-Hant or None; got 'fr'"):
        lessonkit.set_language("fr")


def test_a_message_without_translation_falls_back_to_english():
    try:
        lessonkit.set_language("zh-Hans")
        assert i18n._("no such message, nowhere") == "no such message, nowhere"
        assert i18n.tr("{x} and a broken translation", x=1) == "1 and a broken translation"
    finally:
        lessonkit.set_language(None)


def test_start_copies_the_chinese_exercises(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "lessonkit", "start", str(tmp_path / "mine"), "--lang", "zh-Hans"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    copied = sorted(p.name for p in (tmp_path / "mine").glob("*.ipynb"))
    assert copied == sorted(p.name for p in (ROOT / "exercises").glob("*.ipynb"))
    first = nbformat.read(tmp_path / "mine" / copied[0], as_version=4)
    assert first.cells[0].source.endswith('_ = lessonkit.set_language("zh-Hans")')


def test_links_lead_to_the_same_edition_and_english_anchors_still_land():
    assert editions._relink(
        "[ex](../exercises/01_primitives.ipynb) [next](02_stride.ipynb#Part-two)", "notebooks", "zh-Hans"
    ) == ("[ex](../../exercises/zh-Hans/01_primitives.ipynb) [next](02_stride.ipynb#Part-two)")
    assert editions._relink(
        "[r](../README.md) [w](https://x.org/a.ipynb) [t](#top)", "notebooks", "zh-Hant"
    ) == ("[r](../../README.md) [w](https://x.org/a.ipynb) [t](#top)")
    assert editions._anchors("## How to read a `lesson`\n\ntext\n### Reading the figures") == [
        "How-to-read-a-lesson",
        "Reading-the-figures",
    ]


def test_each_english_anchor_sits_on_its_own_translated_heading():
    """A link such as 00_start_here.ipynb#How-to-read-a-lesson lands on that section, not on the top of
    the cell holding it (several headings in one cell keep one anchor each, in order)."""
    anchored = 0
    for path in sorted(ROOT.glob("*/zh-Han*/*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "markdown":
                continue
            for m in re.finditer(r'<a id="[^"]+"></a>', cell.source):
                anchored += 1
                assert re.match(r"\n\n\s{0,3}#", cell.source[m.end() :]), (
                    path.name,
                    cell.source[m.start() : m.end() + 60],
                )
    assert anchored > 100
