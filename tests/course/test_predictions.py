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
    """A reveal's text is in lessonkit only: not in any lesson's source or stored output (any edition)."""
    assert len(LESSONS) == 9
    for md in LESSONS:
        notebooks = [md.with_suffix(".ipynb")] + [
            md.parent / lang / f"{md.stem}.ipynb" for lang in ("zh-Hans", "zh-Hant")
        ]
        nb_texts = [json.dumps(nbformat.read(nb, as_version=4)) for nb in notebooks]
        source = md.read_text(encoding="utf-8")
        for key, q in QUESTIONS.items():
            start = q.reveal[:60]  # the opening of the worked answer
            assert start not in source, (md.name, key)
            assert all(json.dumps(start)[1:-1] not in text for text in nb_texts), (md.name, key)


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


# ---------------------------------------------------------------- lessons 00-05 and 07: the answers recomputed


def _formula(text):
    return predictions.READ["formula"](text)


def _same_formula(text, expr):
    import sympy

    return sympy.expand(_formula(text) - expr) == 0


def test_the_forward_pass_answers_are_what_lessonkit_computes():
    from lessonkit.maths import symbolic as sy

    net = sy.net_expressions(H=3, W=3, Fh=2, Fw=2)
    read = {(i, j) for i in range(1, 4) for j in range(1, 4) if sy.a(i, j) in net[1, 1].free_symbols}
    assert read == QUESTIONS["00-window"].answer
    assert _same_formula(QUESTIONS["00-net12"].answer, net[1, 2])
    for key, (H, F, S, P) in {"00-rows-padded": (7, 3, 2, 1), "00-rows-floor": (6, 3, 2, 0)}.items():
        shape = lk.conv_forward(np.ones((1, H, H)), np.ones((1, 1, F, F)), [0.0], S, P).shape
        assert shape[1] == QUESTIONS[key].answer, key


def _deltas():
    from lessonkit.maths import symbolic as sy

    return {sy.delta(m, n): (m, n) for m in range(1, 4) for n in range(1, 4)}


def _weights():
    from lessonkit.maths import symbolic as sy

    return {sy.w(u, v): (u, v) for u in range(1, 4) for v in range(1, 4)}


def test_the_error_term_answers_are_what_lessonkit_computes():
    import sympy

    from lessonkit.maths import symbolic as sy

    for key, (i, j) in {"01-dE-da11": (1, 1), "01-dE-da12": (1, 2), "01-dE-da23": (2, 3)}.items():
        assert _same_formula(QUESTIONS[key].answer, sy.dE_da(i, j)), key
        # the "unrotated" wrong answer pairs each δ_{m,n} with w_{m,n}, as many terms as the answer
        for wrong, why in QUESTIONS[key].wrong:
            if why.startswith("those are the unrotated weights"):
                terms = sympy.Add.make_args(sympy.expand(_formula(wrong)))
                assert len(terms) == len(sympy.Add.make_args(sy.dE_da(i, j)))
                for term in terms:
                    (dm,) = [s for s in term.free_symbols if s in _deltas()]
                    (wm,) = [s for s in term.free_symbols if s not in _deltas()]
                    assert _deltas()[dm] == _weights()[wm], (key, term)
    # the rule: only option b is the numerical gradient, on a 3x3 input and a 2x2 filter
    rng = np.random.default_rng(0)
    x, W, delta = rng.normal(size=(3, 3)), rng.normal(size=(2, 2)), rng.normal(size=(2, 2))
    E = lambda a: np.sum(delta * lk.conv_forward(a[None], W[None, None], [0.0])[0])  # noqa: E731
    numeric = lk.numerical_gradient(E, x)
    options = {
        "a": lk.correlate2d(lk.pad(delta, 1), W),
        "b": lk.correlate2d(lk.pad(delta, 1), lk.rot180(W)),
        "c": lk.correlate2d(delta, lk.rot180(W)),
        "d": lk.correlate2d(lk.pad(delta, 2), lk.rot180(W)),
    }
    right = [k for k, v in options.items() if v.shape == x.shape and lk.rel_error(v, numeric) < 1e-7]
    assert right == [QUESTIONS["01-rule"].answer] and set(options) == set(QUESTIONS["01-rule"].choices)
    W, delta = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, -1.0], [2.0, 0.5]])
    top_left = lk.bp_delta_map(delta[None], W[None, None], input_shape=(1, 3, 3))[0][0, 0]
    assert top_left == QUESTIONS["01-top-left"].answer == delta[0, 0] * W[0, 0]


def test_the_stride_answers_are_what_lessonkit_computes():
    from lessonkit.figures.forward import input_feeds
    from lessonkit.maths import symbolic as sy

    W = np.ones((1, 1, 3, 3))
    assert (
        lk.conv_forward(np.zeros((1, 5, 5)), W, [0.0], stride=2).shape[1:]
        == QUESTIONS["02-stride2-shape"].answer
    )
    one = sy.net_expressions(H=5, W=5, Fh=3, Fw=3, stride=1)
    two = sy.net_expressions(H=5, W=5, Fh=3, Fw=3, stride=2)
    kept = {mn for mn, expr in one.items() if expr in two.values()}
    assert kept == QUESTIONS["02-kept"].answer and len(kept) == len(two)
    feeds = {(m + 1, n + 1) for m, n, _, _ in input_feeds(1, 1, 5, 5, 3, 3, stride=2)}
    assert feeds == QUESTIONS["02-feeds"].answer
    assert (
        lk.conv_forward(np.zeros((1, 6, 6)), W, [0.0], stride=2).shape[1:]
        == QUESTIONS["02-delta-shape"].answer
    )
    grad = lk.bp_delta_map(np.random.default_rng(0).normal(size=(1, 2, 2)), W, (1, 6, 6), stride=2)[0]
    unread = np.concatenate([grad[-1], grad[:, -1]])
    assert np.all(unread == QUESTIONS["02-unread-gradient"].answer) and np.all(grad[:5, :5] != 0)


def test_the_depth_answers_are_what_lessonkit_computes():
    rng = np.random.default_rng(0)
    D, N = 3, 2
    x, W, b = rng.normal(size=(D, 3, 3)), rng.normal(size=(N, D, 2, 2)), rng.normal(size=N)
    bumped = x.copy()
    bumped[0, 1, 1] += 1.0
    moved = {
        n + 1
        for n in range(N)
        if not np.allclose(lk.conv_forward(bumped, W, b)[n], lk.conv_forward(x, W, b)[n])
    }
    assert moved == QUESTIONS["03-channel-feeds"].answer
    assert len(moved) == QUESTIONS["03-terms"].answer
    assert lk.bp_delta_map(rng.normal(size=(N, 2, 2)), W, x.shape).shape == QUESTIONS["03-dE-da-shape"].answer
    slope = lk.Sigmoid().derivative(np.linspace(-20, 20, 40001))
    assert ("yes" if slope.max() > 1 else "no") == QUESTIONS["03-sigmoid-shrinks"].answer
    x2, W2 = np.zeros((3, 5, 7)), np.zeros((2, 3, 3, 2))
    delta2 = lk.conv_forward(x2, W2, np.zeros(2), stride=2, padding=1)
    assert delta2.shape == QUESTIONS["03-delta-shape"].answer
    dilated = lk.dilate(delta2[0], 2)
    stride_one_width = lk.conv_forward(x2, W2, np.zeros(2), stride=1, padding=1).shape[2]
    assert dilated.shape[0] == lk.conv_forward(x2, W2, np.zeros(2), stride=1, padding=1).shape[1]
    assert stride_one_width - dilated.shape[1] == QUESTIONS["03-extension-columns"].answer


def test_the_weight_gradient_answers_are_what_lessonkit_computes():
    from lessonkit.maths import symbolic as sy

    net = sy.net_expressions(H=3, W=3, Fh=2, Fw=2)
    assert {ij for ij, expr in net.items() if sy.w(1, 1) in expr.free_symbols} == QUESTIONS[
        "04-touched"
    ].answer
    for key, (i, j) in {"04-dE-dw11": (1, 1), "04-dE-dw12": (1, 2), "04-dE-dw21": (2, 1)}.items():
        assert _same_formula(QUESTIONS[key].answer, sy.dE_dw(i, j)), key
    printed = "d(1,1)*a(1,2) + d(1,2)*a(1,3) + d(2,1)*a(2,3) + d(2,2)*a(2,3)"  # the lecture's, with its slip
    assert dict(QUESTIONS["04-dE-dw12"].wrong)[printed].startswith("that is the lecture's printed version")
    assert not _same_formula(printed, sy.dE_dw(1, 2))
    delta_demo = np.array([[1.0, 0.0], [0.0, 2.0]])
    _, db = lk.compute_gradient(delta_demo[None], np.arange(1.0, 10.0).reshape(1, 3, 3), (1, 1, 2, 2))
    assert db[0] == QUESTIONS["04-bias"].answer
    delta5 = lk.conv_forward(np.zeros((1, 5, 5)), np.zeros((1, 1, 3, 3)), [0.0], stride=2)[0]
    assert lk.dilate(delta5, 2).shape == QUESTIONS["04-dilated-size"].answer == (5 - 3 + 1,) * 2
    dW, _ = lk.compute_gradient(np.ones((2, 2, 2)), np.ones((3, 3, 3)), (2, 3, 2, 2))
    assert dW.shape == QUESTIONS["04-dW-shape"].answer


def test_the_conv_layer_answers_are_what_lessonkit_computes():
    rng = np.random.default_rng(2026)
    layer = lk.ConvLayer(
        in_depth=3, n_filters=2, filter_size=(3, 2), stride=2, padding=1, activation=lk.Tanh(), rng=0
    )
    assert layer.forward(rng.normal(size=(3, 7, 6))).shape == QUESTIONS["05-shape"].answer
    lay = lk.ConvLayer(2, 3, 3, stride=2, rng=0)
    dx = lay.backward(rng.normal(size=lay.forward(rng.normal(size=(2, 6, 7))).shape))
    assert [r + 1 for r in range(6) if np.all(dx[:, r, :] == 0)] == [QUESTIONS["05-unread-row"].answer]

    class ForgotRot180(lk.ConvLayer):
        def backward(self, grad_output):
            super().backward(grad_output)
            return lk.bp_delta_map(self.delta, lk.rot180(self.W), self.input.shape, self.stride, self.padding)

    bad = lk.gradient_check(ForgotRot180(2, 2, 3, rng=0), rng.normal(size=(2, 5, 5)))
    failing = [
        name for name, err in (("d(input)", bad.d_input), ("dW", bad.dW), ("db", bad.db)) if err > 1e-7
    ]
    assert failing == [QUESTIONS["05-forgot-rot180"].answer]

    teacher = lk.ConvLayer(2, 3, (3, 2), stride=2, padding=1, activation=lk.Tanh(), rng=1)
    student = lk.ConvLayer(2, 3, (3, 2), stride=2, padding=1, activation=lk.Tanh(), rng=2)
    xs = rng.normal(size=(4, 2, 7, 6))
    targets = [teacher.forward(xi) for xi in xs]

    def loss():
        return sum(0.5 * np.sum((student.forward(xi) - t) ** 2) for xi, t in zip(xs, targets, strict=True))

    history = [loss()]
    for _ in range(30):
        for xi, t in zip(xs, targets, strict=True):
            student.backward(student.forward(xi) - t)
            student.update(0.05)
        history.append(loss())
    assert all(later < earlier for earlier, later in zip(history, history[1:], strict=False))
    assert history[0] / history[-1] > 1000 and QUESTIONS["05-loss"].answer == "by more than 1000 times"


def test_the_vectorizing_answers_are_what_lessonkit_computes(monkeypatch):
    from lessonkit.maths import conv
    from lessonkit.network import fast

    calls = []
    original = conv.correlate2d
    monkeypatch.setattr(conv, "correlate2d", lambda *args: calls.append(1) or original(*args))
    lk.conv_forward(np.zeros((16, 8, 8)), np.zeros((32, 16, 3, 3)), np.zeros(32), 2, 1)
    assert 32 * len(calls) == QUESTIONS["07-forward-calls"].answer  # one sample of B = 32
    monkeypatch.undo()

    rng = np.random.default_rng(0)
    x, w = rng.normal(size=(8, 16, 8, 8)), rng.normal(size=(32, 16, 3, 3))
    rows = fast.im2col(x, 3, 3, stride=2, padding=1)
    assert rows.shape == QUESTIONS["07-im2col-shape"].answer
    delta = rng.normal(size=(8, 32, 4, 4))
    d_mat = delta.transpose(0, 2, 3, 1).reshape(-1, 32)
    loop = sum(
        lk.compute_gradient(di, xi, w.shape, stride=2, padding=1)[0] for di, xi in zip(delta, x, strict=True)
    )
    assert np.allclose((d_mat.T @ rows).reshape(w.shape), loop) and QUESTIONS["07-dW-product"].answer == "a"
    added = fast.col2im(d_mat @ w.reshape(32, -1), x.shape, 3, 3, stride=2, padding=1)
    rule = np.stack(
        [lk.bp_delta_map(di, w, xi.shape, stride=2, padding=1) for di, xi in zip(delta, x, strict=True)]
    )
    assert np.allclose(added, rule) and QUESTIONS["07-copies"].answer == "add them"


def test_every_question_is_asked_by_exactly_one_lesson():
    asked = [key for md in LESSONS for key in _predict_calls(md)]
    assert sorted(asked) == sorted(QUESTIONS), sorted(set(QUESTIONS) ^ set(asked))
    for md in LESSONS:
        for key in _predict_calls(md):
            assert key.startswith(md.name[:2] + "-"), (md.name, key)
