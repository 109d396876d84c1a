"""lessonkit.maths.symbolic: the chain rule applied to the written-out forward pass agrees with the numpy code."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

import lessonkit as lk
from lessonkit.maths import symbolic as sy

GEOMETRIES = [
    dict(H=3, W=3, Fh=2, Fw=2, stride=1, padding=0),  # the lecture's case
    dict(H=5, W=5, Fh=3, Fw=3, stride=2, padding=0),
    dict(H=4, W=5, Fh=2, Fw=3, stride=1, padding=1),
    dict(H=6, W=5, Fh=3, Fw=2, stride=2, padding=1),  # stride does not divide H - Fh + 2P
    dict(H=3, W=3, Fh=2, Fw=2, stride=1, padding=2),  # padding > F - 1
    dict(H=6, W=5, Fh=3, Fw=2, stride=2, padding=0),  # row 6 never read
]


def _random(g, seed):
    rng = np.random.default_rng(seed)
    h_out = (g["H"] - g["Fh"] + 2 * g["padding"]) // g["stride"] + 1
    w_out = (g["W"] - g["Fw"] + 2 * g["padding"]) // g["stride"] + 1
    x = rng.normal(size=(g["H"], g["W"]))
    wt = rng.normal(size=(g["Fh"], g["Fw"]))
    d = rng.normal(size=(h_out, w_out))
    return x, wt, d


@pytest.mark.parametrize("g", GEOMETRIES, ids=lambda g: "H{H}W{W}F{Fh}x{Fw}S{stride}P{padding}".format(**g))
def test_forward_matches_conv_forward(g):
    x, wt, _ = _random(g, 0)
    net = sy.net_expressions(**g)
    got = lk.conv_forward(x[None], wt[None, None], [0.7], g["stride"], g["padding"])[0]
    assert got.shape == (max(i for i, _ in net), max(j for _, j in net))
    for (i, j), e in net.items():
        assert sy.substitute(e, x=x, weights=wt, bias=0.7) == pytest.approx(got[i - 1, j - 1], abs=1e-12)


@pytest.mark.parametrize("g", GEOMETRIES, ids=lambda g: "H{H}W{W}F{Fh}x{Fw}S{stride}P{padding}".format(**g))
def test_symbolic_gradients_match_numpy(g):
    x, wt, d = _random(g, 1)
    s, p = g["stride"], g["padding"]
    da = lk.bp_delta_map(d[None], wt[None, None], (1, g["H"], g["W"]), s, p)[0]
    dW, db = lk.compute_gradient(d[None], x[None], (1, 1, g["Fh"], g["Fw"]), s, p)
    for i in range(1, g["H"] + 1):
        for j in range(1, g["W"] + 1):
            got = sy.substitute(sy.dE_da(i, j, **g), weights=wt, deltas=d)
            assert got == pytest.approx(da[i - 1, j - 1], abs=1e-12)
    for i in range(1, g["Fh"] + 1):
        for j in range(1, g["Fw"] + 1):
            got = sy.substitute(sy.dE_dw(i, j, **g), x=x, deltas=d)
            assert got == pytest.approx(dW[0, 0, i - 1, j - 1], abs=1e-12)
    assert sy.substitute(sy.dE_db(**g), deltas=d) == pytest.approx(db[0], abs=1e-12)


def test_unread_rows_have_zero_symbolic_gradient():
    g = dict(H=6, W=5, Fh=3, Fw=2, stride=2, padding=0)  # windows cover rows 1-3 and 3-5 only
    assert all(sy.dE_da(6, j, **g) == 0 for j in range(1, 6))  # row 6 is never read
    assert sy.dE_da(5, 1, **g) != 0


def test_lecture_formulas_and_the_erratum():
    d = {(m, n): sy.delta(m, n) for m in (1, 2) for n in (1, 2)}
    a, w = sy.a, sy.w
    assert sympy.simplify(sy.dE_da(1, 1) - d[1, 1] * w(1, 1)) == 0
    assert sympy.simplify(sy.dE_da(1, 2) - (d[1, 1] * w(1, 2) + d[1, 2] * w(1, 1))) == 0
    assert (
        sympy.simplify(
            sy.dE_dw(1, 1) - (d[1, 1] * a(1, 1) + d[1, 2] * a(1, 2) + d[2, 1] * a(2, 1) + d[2, 2] * a(2, 2))
        )
        == 0
    )
    right = d[1, 1] * a(1, 2) + d[1, 2] * a(1, 3) + d[2, 1] * a(2, 2) + d[2, 2] * a(2, 3)
    lecture = d[1, 1] * a(1, 2) + d[1, 2] * a(1, 3) + d[2, 1] * a(2, 3) + d[2, 2] * a(2, 3)
    assert sympy.simplify(sy.dE_dw(1, 2) - right) == 0
    assert sympy.simplify(sy.dE_dw(1, 2) - lecture) != 0
    assert sympy.simplify(sy.dE_db() - sum(d.values())) == 0


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match=r"stride must be a positive integer; got 0"):
        sy.net_expressions(stride=0)
    with pytest.raises(ValueError, match=r"padding must be a non-negative integer; got -1"):
        sy.dE_db(padding=-1)
    with pytest.raises(ValueError, match=r"\(Fh, Fw\) = \(4, 4\) is larger than the padded input"):
        sy.net_expressions(H=3, W=3, Fh=4, Fw=4)
    with pytest.raises(
        ValueError, match=r"1-based input index with 1 <= i <= 3 and 1 <= j <= 3; got \(0, 1\)"
    ):
        sy.dE_da(0, 1)
    with pytest.raises(ValueError, match=r"1-based input index .* got \(1.0, 1\)"):
        sy.dE_da(1.0, 1)
    assert sy.dE_da(sympy.Integer(1), np.int64(1)) == sy.dE_da(1, 1)
    with pytest.raises(ValueError, match=r"1-based filter index .* got \(3, 1\)"):
        sy.dE_dw(3, 1)
    with pytest.raises(ValueError, match=r"still has symbols without values: \['a_\{1,1\}'"):
        sy.substitute(sy.a(1, 1) + 1)


def test_to_latex_writes_delta_as_a_greek_letter():
    assert sy.to_latex(sy.dE_db()) == r"\delta_{1,1} + \delta_{1,2} + \delta_{2,1} + \delta_{2,2}"
    grid = sympy.Matrix([[sy.dE_da(1, 1), sy.a(1, 1)]])
    assert r"\delta_{1,1} w_{1,1}" in sy.to_latex(grid) and "delta_{" not in sy.to_latex(grid).replace(
        r"\delta", ""
    )
