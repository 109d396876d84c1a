"""Typeset equations for the lessons: a sympy expression shown as ``lhs = expr`` with δ written as δ."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sympy
    from IPython.display import Math


__all__ = [
    "equation",
]


def equation(lhs: str, expr: sympy.Expr) -> Math:
    r"""Show ``lhs = expr`` as typeset maths, with the δ symbols of lessonkit.maths.symbolic written as δ.

    lessonkit.maths.symbolic names its error terms ``delta_{i,j}``; plain sympy LaTeX would print the word
    "delta", so this maps each to ``\delta_{i,j}``.

    Parameters
    ----------
    lhs : str
        LaTeX of the left-hand side, e.g. ``r"\frac{dE}{dw_{1,2}}"``.
    expr : sympy expression

    Returns
    -------
    IPython.display.Math

    Examples
    --------
    >>> from lessonkit.maths import symbolic as sym
    >>> equation("x", sym.delta(1, 2) * sym.a(1, 1)).data
    'x = a_{1,1} \\delta_{1,2}'
    """
    import sympy
    from IPython.display import Math

    names = {s: "\\" + s.name for s in expr.free_symbols if s.name.startswith("delta_")}
    return Math(f"{lhs} = {sympy.latex(expr, symbol_names=names)}")
