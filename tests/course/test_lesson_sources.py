"""Every notebook matches its one source: lessons and solutions their Markdown, exercises the solutions.

A teacher edits ``notebooks/NN_*.md`` or ``solutions/NN_*.md`` (or the notebook in JupyterLab, which
jupytext pairs with it) and runs ``make lessons``; this test fails until they have.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from lessonkit.course.exercises_build import exercise_texts
from lessonkit.course.lessons_build import expected_cells, sources, stale

ROOT = Path(__file__).resolve().parents[2]
MARKDOWN = sources(ROOT)
EXERCISES = sorted((ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))


def test_every_lesson_and_solution_has_a_markdown_source():
    notebooks = sorted(
        p for folder in ("notebooks", "solutions") for p in (ROOT / folder).glob("[0-9][0-9]_*.ipynb")
    )
    assert [md.with_suffix(".ipynb") for md in MARKDOWN] == notebooks
    assert len([m for m in MARKDOWN if m.parent.name == "notebooks"]) == 9 and len(EXERCISES) == 6
    for folder in ("notebooks", "solutions"):
        assert 'formats = "ipynb,md:myst"' in (ROOT / folder / "jupytext.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "path",
    [md.with_suffix(".ipynb") for md in MARKDOWN] + EXERCISES,
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_notebook_is_up_to_date_with_its_source(path):
    if path.parent.name == "exercises":
        wanted = exercise_texts(ROOT / "solutions", ROOT / "exercises")[path]
        assert path.read_text(encoding="utf-8") == wanted, f"{path} is stale: run make lessons"
        return
    md = path.with_suffix(".md")
    why = stale(md)
    assert why is None, f"{path} is stale ({why}): run make lessons"
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), "not run top to bottom"
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    assert "widgets" not in nb.metadata and not any("execution" in c.metadata for c in nb.cells)


def test_a_changed_sentence_is_seen(tmp_path):
    """The check can fail: one edited Markdown sentence makes the pair stale."""
    md = tmp_path / "05_conv_layer.md"
    md.write_text(
        (ROOT / "notebooks" / "05_conv_layer.md")
        .read_text(encoding="utf-8")
        .replace("Here they become one object", "Here they become a single object", 1),
        encoding="utf-8",
    )
    (tmp_path / "05_conv_layer.ipynb").write_bytes((ROOT / "notebooks" / "05_conv_layer.ipynb").read_bytes())
    assert stale(md) == "its cells differ from the Markdown"
    changed = [c for c in expected_cells(md).cells if "a single object" in c.source]
    assert len(changed) == 1


def _copy(tmp_path, name="05_conv_layer", ran_with=None):
    """A lesson's pair in ``tmp_path``, its outputs recorded as made with this lessonkit (or ``ran_with``)."""
    from lessonkit.course.lessons_build import SYNCED_KEY, run_stamp

    for ext in (".md", ".ipynb"):
        (tmp_path / f"{name}{ext}").write_bytes((ROOT / "notebooks" / f"{name}{ext}").read_bytes())
    ipynb = tmp_path / f"{name}.ipynb"
    nb = nbformat.read(ipynb, as_version=4)
    nb.metadata[SYNCED_KEY]["ran"] = run_stamp(nb) | ({"lessonkit": ran_with} if ran_with else {})
    nbformat.write(nb, ipynb)
    return tmp_path / f"{name}.md", ipynb


def test_a_lesson_runs_again_when_lessonkit_changed_since_its_outputs_were_made(tmp_path):
    """Its cells are unchanged, but lessonkit (which prints and draws its outputs) is not: make lessons
    runs it again, without --force; with the same lessonkit it does nothing."""
    from lessonkit.course.lessons_build import SYNCED_KEY, build, lessonkit_digest

    md, ipynb = _copy(tmp_path, "06_pooling")
    assert build(md) == "in sync"
    md, ipynb = _copy(tmp_path, "06_pooling", ran_with="an older lessonkit")
    assert build(md).endswith("(lessonkit changed since it last ran)")
    assert nbformat.read(ipynb, as_version=4).metadata[SYNCED_KEY]["ran"]["lessonkit"] == lessonkit_digest()
    assert stale(md) is None and build(md) == "in sync"


def _edit_md(md, old="Here they become one object", new="Here they become a single object"):
    text = md.read_text(encoding="utf-8")
    assert old in text
    md.write_text(text.replace(old, new, 1), encoding="utf-8")


def _edit_ipynb(ipynb, sentence="A sentence a teacher added in JupyterLab."):
    nb = nbformat.read(ipynb, as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "markdown")
    first.source += f"\n\n{sentence}"
    nbformat.write(nb, ipynb)


def test_an_edit_in_the_markdown_reaches_the_notebook_and_nothing_else_changes(tmp_path):
    from lessonkit.course.lessons_build import build

    md, ipynb = _copy(tmp_path)
    before = nbformat.read(ipynb, as_version=4)
    _edit_md(md)
    assert build(md) == "notebook to be rebuilt from the Markdown; outputs kept"
    after = nbformat.read(ipynb, as_version=4)
    changed = [k for k, (a, b) in enumerate(zip(before.cells, after.cells, strict=True)) if a != b]
    assert len(changed) == 1 and "a single object" in after.cells[changed[0]].source
    assert stale(md) is None


def test_a_markdown_edit_survives_a_newer_notebook_time_stamp(tmp_path):
    """A checkout, a copy or ``touch`` can make the notebook newer; the edit in the .md still wins."""
    import os

    from lessonkit.course.lessons_build import build

    md, ipynb = _copy(tmp_path)
    _edit_md(md)
    os.utime(ipynb, (md.stat().st_mtime + 100,) * 2)
    assert build(md).startswith("notebook to be rebuilt from the Markdown")
    assert "a single object" in md.read_text(encoding="utf-8")
    assert any("a single object" in c.source for c in nbformat.read(ipynb, as_version=4).cells)
    assert stale(md) is None


def test_an_edit_saved_in_the_notebook_reaches_the_markdown_whatever_the_time_stamps(tmp_path):
    import os

    from lessonkit.course.lessons_build import build

    md, ipynb = _copy(tmp_path)
    _edit_ipynb(ipynb)
    os.utime(md, (ipynb.stat().st_mtime + 100,) * 2)  # the Markdown looks newer, yet is unchanged
    assert build(md).startswith("Markdown updated from the notebook")
    assert "A sentence a teacher added in JupyterLab." in md.read_text(encoding="utf-8")
    assert stale(md) is None
    assert md.stat().st_mtime >= ipynb.stat().st_mtime  # jupytext's guard will open the pair


def test_edits_on_both_sides_stop_the_build_and_lose_nothing(tmp_path):
    from lessonkit.course.lessons_build import SyncConflict, build_all

    root = tmp_path
    for folder in ("notebooks", "solutions"):
        (root / folder).mkdir()
    md, ipynb = _copy(root / "notebooks")
    _edit_md(md)
    _edit_ipynb(ipynb)
    md_text, nb_bytes = md.read_text(encoding="utf-8"), ipynb.read_bytes()
    with pytest.raises(SyncConflict) as err:
        build_all(root)
    message = str(err.value)
    assert str(md) in message and "a single object" in message and "A sentence a teacher added" in message
    assert md.read_text(encoding="utf-8") == md_text and ipynb.read_bytes() == nb_bytes
    assert not (root / "exercises").exists()  # nothing at all was written


def test_make_lessons_reports_a_conflict_and_fails(tmp_path, monkeypatch, capsys):
    from lessonkit.course import cli

    for folder in ("notebooks", "solutions"):
        (tmp_path / folder).mkdir()
    md, ipynb = _copy(tmp_path / "notebooks")
    _edit_md(md)
    _edit_ipynb(ipynb)
    monkeypatch.setattr(cli, "course_root", lambda: tmp_path)
    assert cli.main(["build-lessons"]) == 1
    assert "05_conv_layer.md" in capsys.readouterr().err


def test_a_jupyterlab_save_of_both_files_builds_cleanly(tmp_path):
    """jupytext's contents manager (what JupyterLab saves through) writes the .ipynb and the .md."""
    from jupytext import TextFileContentsManager

    from lessonkit.course.lessons_build import build

    md, ipynb = _copy(tmp_path)
    (tmp_path / "jupytext.toml").write_bytes((ROOT / "notebooks" / "jupytext.toml").read_bytes())
    manager = TextFileContentsManager(root_dir=str(tmp_path))
    model = manager.get(ipynb.name)
    model["content"].cells[0].source += "\n\nSaved in JupyterLab."
    manager.save(model, ipynb.name)
    assert "Saved in JupyterLab." in md.read_text(encoding="utf-8")
    assert build(md).startswith("in sync")
    assert stale(md) is None
    assert any("Saved in JupyterLab." in c.source for c in nbformat.read(ipynb, as_version=4).cells)


# ---------------------------------------------------------------- predictions stay unspoiled

LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PROMPT = re.compile(r'^lk\.predict\("([^"]+)", None\)$')
UNANSWERED = "write your prediction in place of None, then run this cell."


def _cells(path):
    return nbformat.read(path, as_version=4).cells


def _text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []))


def _prompt_key(cell):
    match = PROMPT.match(cell.source.strip()) if cell.cell_type == "code" else None
    return match.group(1) if match else None


def _is_heading(cell) -> bool:
    return cell.cell_type == "markdown" and cell.source.lstrip().startswith("#")


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_every_predict_prompt_is_followed_by_an_unanswered_lk_predict_cell(path):
    cells = _cells(path)
    for k, cell in enumerate(cells):
        if cell.cell_type != "markdown" or not re.search(r"\*\*?Predict\b", cell.source):
            continue
        later = []
        for c in cells[k + 1 :]:
            if _is_heading(c):
                break
            later.append(c)
        prompts = [c for c in later if _prompt_key(c)]
        assert prompts, (path.name, cell.source[:80])
        for prompt in prompts:
            assert _text(prompt) == f"{_prompt_key(prompt)}: {UNANSWERED}\n", (path.name, prompt.source)
            assert all(o.output_type == "stream" for o in prompt.outputs), (path.name, prompt.source)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_no_old_style_answers_are_left(path):
    """No folded Answer block, no "Your prediction" line, no collapsed prediction cell."""
    for cell in _cells(path):
        assert "<summary><b>Answer" not in cell.source and "**Your prediction:**" not in cell.source, (
            path.name
        )
        assert "prediction" not in cell.metadata.get("tags", []), (path.name, cell.source[:60])
        assert not cell.metadata.get("jupyter", {}).get("outputs_hidden"), (path.name, cell.source[:60])


def _answer_texts(key):
    """How the answer of ``key`` would read in an output: a shape or a set as Python prints it."""
    from lessonkit.course.predictions import QUESTIONS

    q = QUESTIONS[key]
    if q.kind == "shape":
        return [str(tuple(q.answer))]
    if q.kind == "set" and all(isinstance(v, tuple) for v in q.answer):
        return [str(sorted(q.answer)), str(set(q.answer))]
    return []


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_the_cell_after_a_prompt_shows_no_answer(path):
    """A gated cell stores only the locked message; any other next cell prints no answer and no figure."""
    from lessonkit.course.predictions import QUESTIONS

    cells = _cells(path)
    for k, cell in enumerate(cells[:-1]):
        key = _prompt_key(cell)
        if key is None:
            continue
        nxt = cells[k + 1]
        if nxt.cell_type != "code" or _prompt_key(nxt):
            continue
        first_sentence = QUESTIONS[key].reveal.split(". ")[0]
        assert first_sentence not in nxt.source and first_sentence not in _text(nxt), (path.name, key)
        if "lk.revealed(" in nxt.source:
            assert all(o.output_type == "stream" for o in nxt.outputs), (
                path.name,
                key,
                "a figure before the answer",
            )
            for line in _text(nxt).splitlines():
                if "lk.revealed" in nxt.source and "answer the prediction above first" in line:
                    continue
                assert not any(t in line for t in _answer_texts(key)), (path.name, key, line)
        for answer in _answer_texts(key):
            assert answer not in _text(nxt), (path.name, key, answer)


def test_a_gated_cell_stores_the_locked_message():
    """Every ``if lk.revealed(key):`` cell of a fresh run says which prediction to answer first."""
    for path in LESSONS:
        for cell in _cells(path):
            keys = re.findall(r'if lk\.revealed\("([^"]+)"\)', cell.source)
            if cell.cell_type != "code" or not keys:
                continue
            assert f"{keys[0]}: answer the prediction above first" in _text(cell), (
                path.name,
                cell.source[:80],
            )
