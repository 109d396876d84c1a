"""lessonkit.predict and lessonkit.hint: answers judged before anything is revealed, hints on demand."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

import lessonkit as lk
from lessonkit.course import predictions
from lessonkit.course.exercises import EXERCISES
from lessonkit.course.hints import HINTS
from lessonkit.course.i18n import speaking
from lessonkit.course.predictions import QUESTIONS, Question, judge_prediction

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.md"))


@pytest.fixture
def fresh(monkeypatch):
    """No prediction revealed yet, and a formula question of lesson 01's kind registered."""
    monkeypatch.setattr(predictions, "_REVEALED", set())
    monkeypatch.setitem(
        QUESTIONS,
        "test-formula",
        Question(
            "formula",
            "d(1,1)*w(1,2) + d(1,2)*w(1,1)",
            "WORKED ANSWER",
            wrong=(("d(1,1)*w(1,1) + d(1,2)*w(1,2)", "those are the unrotated weights"),),
        ),
    )


def test_unanswered_says_where_the_answer_goes_and_reveals_nothing(fresh, capsys):
    lk.predict("test-formula", None)
    out = capsys.readouterr().out
    assert out == "test-formula: write your prediction in place of None, then run this cell.\n"
    assert not lk.revealed("test-formula")


@pytest.mark.parametrize(
    "answer",
    ["d(1,2)*w(1,1) + d(1,1)*w(1,2)", "delta(1,1)*w(1,2)+δ(1,2)*w(1,1)", "w(1,2)*d(1,1) + w(1,1)*d(1,2)"],
)
def test_a_formula_is_compared_symbolically(fresh, capsys, answer):
    lk.predict("test-formula", answer)
    out = capsys.readouterr().out
    assert out.startswith("test-formula: right.\n") and "WORKED ANSWER" in out
    assert lk.revealed("test-formula")


def test_the_unrotated_formula_is_named(fresh, capsys):
    lk.predict("test-formula", "d(1,2)*w(1,2)+d(1,1)*w(1,1)")
    out = capsys.readouterr().out
    assert "not yet: those are the unrotated weights" in out and "WORKED ANSWER" not in out
    assert 'lessonkit.predict("test-formula", show=True)' in out


def test_an_unknown_wrong_formula_gets_its_term_count(fresh, capsys):
    lk.predict("test-formula", "d(1,1)*w(1,1)")
    assert "not yet: yours has 1 terms; the answer has 2" in capsys.readouterr().out


def test_show_reveals_after_a_wrong_answer(fresh, capsys):
    lk.predict("test-formula", "d(1,1)", show=True)
    out = capsys.readouterr().out
    assert "not yet" in out and "WORKED ANSWER" in out and lk.revealed("test-formula")


def test_unreadable_answers_say_what_form_is_wanted(fresh, capsys):
    lk.predict("06-shape", "two by three")
    assert "could not read 'two by three' as the answer" in capsys.readouterr().out
    lk.predict("06-max-one-window", "the top one")
    assert "the choices are a11, a12, a21, a22, all four, none" in capsys.readouterr().out


def test_a_bad_key_is_a_value_error_naming_the_keys():
    with pytest.raises(
        ValueError, match=r"^key must be a prediction of the lessons \(.*06-shape.*\); got 'nope'$"
    ):
        lk.predict("nope", 1)


@pytest.mark.parametrize("key", list(QUESTIONS))
def test_every_question_accepts_its_answer_and_names_its_wrong_ones(key):
    q = QUESTIONS[key]
    assert judge_prediction(key, q.answer).status == "right"
    for wrong, why in q.wrong:
        verdict = judge_prediction(key, wrong)
        assert verdict.status == "not yet" and verdict.why == why, (key, wrong)


def test_the_pooling_answers_are_what_lessonkit_computes():
    """The registry's answers come from nowhere else: recompute each one."""
    assert QUESTIONS["06-shape"].answer == lk.max_pool_forward(np.zeros((2, 7, 6)), 3, 2).shape
    one = np.array([[[1.0, 3.0], [7.0, 2.0]]])
    reached = np.argwhere(lk.max_pool_backward(np.ones((1, 1, 1)), one, 2, 2)[0] != 0) + 1
    assert [f"a{r}{c}" for r, c in reached] == [QUESTIONS["06-max-one-window"].answer]
    assert (
        lk.mean_pool_backward(np.ones((1, 1, 1)), (1, 2, 2), 2, 2)[0, 0, 1]
        == QUESTIONS["06-mean-one-window"].answer
    )
    centre = np.array([[[0.0, 1.0, 0.0], [2.0, 9.0, 3.0], [0.0, 4.0, 0.0]]])
    d = lk.max_pool_backward(np.array([[[1.0, 2.0], [3.0, 4.0]]]), centre, 2, 1)
    assert d[0, 1, 1] == QUESTIONS["06-overlap"].answer


def _predict_calls(md: Path) -> list:
    return re.findall(r'lk\.predict\("([^"]+)", None\)', md.read_text(encoding="utf-8"))


def test_every_prompt_in_the_lessons_is_registered_and_ships_unanswered():
    keys = [key for md in LESSONS for key in _predict_calls(md)]
    assert keys, "no lesson uses lk.predict"
    assert set(keys) <= set(QUESTIONS), sorted(set(keys) - set(QUESTIONS))
    for md in LESSONS:
        nb = nbformat.read(md.with_suffix(".ipynb"), as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code" and "lk.predict(" in cell.source and ", None)" in cell.source:
                text = "".join(o.get("text", "") for o in cell.outputs)
                assert text.endswith("write your prediction in place of None, then run this cell.\n"), md.name


def test_no_worked_answer_is_in_sight_in_a_lesson():
    """A reveal's text is in lessonkit only: not in a lesson's source or in a stored output."""
    for md in LESSONS:
        nb_text = json.dumps(nbformat.read(md.with_suffix(".ipynb"), as_version=4))
        source = md.read_text(encoding="utf-8")
        for key in _predict_calls(md):
            first = QUESTIONS[key].reveal.split(". ")[0]
            assert first not in source and json.dumps(first)[1:-1] not in nb_text, (md.name, key)


def test_hints_ask_first_and_say_more_on_request(capsys):
    lk.hint("max_pool_backward")
    out = capsys.readouterr().out
    assert out.startswith("max_pool_backward, hint 1 of 2: which entry of each window made its output")
    assert out.endswith('More: lessonkit.hint("max_pool_backward", 2)\n')
    lk.hint("max_pool_backward", 2)
    assert "np.argmax" in capsys.readouterr().out


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: lk.hint("bp_delta"), r"^name must be an exercise \(pad, rot180, .*\); got 'bp_delta'$"),
        (lambda: lk.hint("pad", 3), r"^level must be an integer from 1 to 2; got 3$"),
        (lambda: lk.hint("pad", True), r"^level must be an integer from 1 to 2; got True$"),
    ],
)
def test_bad_hint_arguments_name_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_every_exercise_has_hints_and_its_stub_raises_the_first():
    assert set(HINTS) == set(EXERCISES)
    for path in sorted((ROOT / "exercises").glob("*.ipynb")):
        source = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
        for name, ex in EXERCISES.items():
            if ex.notebook != path.stem:
                continue
            start = re.search(rf"^(?:def|class) {name}\b", source, flags=re.M)
            assert start, (path.name, name)
            raised = re.search(r'raise NotImplementedError\((".*?")\)', source[start.end() :])
            assert json.loads(raised.group(1)) == HINTS[name][0], (path.name, name)


def test_hints_and_the_check_read_in_chinese(capsys):
    with speaking("zh-Hans"):
        lk.hint("pad")
        out = capsys.readouterr().out
    assert re.search(r"[\u4e00-\u9fff]", out), out
