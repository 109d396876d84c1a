"""The lecture's forward pass written out symbolically (sympy), with its 1-based names.

``net_{i,j} = sum_{u,v} w_{u,v} a_{(i-1)S+u-P, (j-1)S+v-P} + w_b`` for one input channel and one
filter (D = N = 1); ``a`` entries that fall in the zero padding are 0. The chain rule is then
applied literally: dE/dx = sum_{m,n} δ_{m,n} ∂net_{m,n}/∂x. The notebooks compare these
expressions with the lecture's formulas and with the numpy functions of lessonkit.

sympy is imported inside the functions, so ``import lessonkit`` stays light. Indices here are
1-based like the lecture's; numpy arrays are 0-based (``a(i, j)`` is ``x[i-1, j-1]``).
"""

from __future__ import annotations

import functools
import operator
from typing import TYPE_CHECKING

from numpy.typing import ArrayLike

from .validate import non_negative_int, output_size, positive_int

if TYPE_CHECKING:
    import sympy

__all__ = ["a", "w", "delta", "w_b", "net_expressions", "dE_da", "dE_dw", "dE_db", "substitute", "to_latex"]


def _sym(name: str):
    """Return the sympy Symbol ``name`` (real)."""
    import sympy

    return sympy.Symbol(name, real=True)


def a(i: int, j: int) -> sympy.Symbol:
    """The symbol a_{i,j} (input a^{l-1}, 1-based).

    Examples
    --------
    >>> a(1, 2)
    a_{1,2}
    """
    return _sym(f"a_{{{i},{j}}}")


def w(i: int, j: int) -> sympy.Symbol:
    """The symbol w_{i,j} (filter weight, 1-based).

    Examples
    --------
    >>> w(2, 1)
    w_{2,1}
    """
    return _sym(f"w_{{{i},{j}}}")


def delta(i: int, j: int) -> sympy.Symbol:
    """The symbol δ_{i,j} = dE/dnet_{i,j} of layer l (1-based).

    Examples
    --------
    >>> delta(1, 1)
    delta_{1,1}
    """
    return _sym(f"delta_{{{i},{j}}}")


def w_b() -> sympy.Symbol:
    """The bias symbol w_b.

    Examples
    --------
    >>> w_b()
    w_b
    """
    return _sym("w_b")


def _geometry(H, W, Fh, Fw, stride, padding):
    """Validate the geometry and return it with the output size (H_out, W_out)."""
    H, W = positive_int(H, "H"), positive_int(W, "W")
    Fh, Fw = positive_int(Fh, "Fh"), positive_int(Fw, "Fw")
    s, p = positive_int(stride, "stride"), non_negative_int(padding, "padding")
    h_out, w_out = output_size(H, W, Fh, Fw, s, p, filter_name="the geometry")
    return H, W, Fh, Fw, s, p, h_out, w_out


def net_expressions(
    H: int = 3, W: int = 3, Fh: int = 2, Fw: int = 2, stride: int = 1, padding: int = 0
) -> dict:
    """net_{i,j} of layer l in terms of a_{r,c}, w_{u,v} and w_b, for every output (i, j).

    Parameters
    ----------
    H, W : int
        Input height and width (one channel).
    Fh, Fw : int
        Filter height and width.
    stride, padding : int
        S >= 1 and P >= 0.

    Returns
    -------
    dict
        ``{(i, j): sympy expression}`` with 1-based i in 1..H_out and j in 1..W_out,
        H_out = (H - Fh + 2P)//S + 1.

    Examples
    --------
    The lecture's 3x3 input and 2x2 filter:

    >>> net = net_expressions()
    >>> sorted(net)
    [(1, 1), (1, 2), (2, 1), (2, 2)]
    >>> net[1, 2]
    a_{1,2}*w_{1,1} + a_{1,3}*w_{1,2} + a_{2,2}*w_{2,1} + a_{2,3}*w_{2,2} + w_b
    """
    return dict(_net_items(*_geometry(H, W, Fh, Fw, stride, padding)))


@functools.lru_cache(maxsize=64)
def _net_items(H, W, Fh, Fw, s, p, h_out, w_out) -> tuple:
    """The (key, expression) pairs of :func:`net_expressions`, cached (sympy objects are immutable)."""
    out = {}
    for i in range(1, h_out + 1):
        for j in range(1, w_out + 1):
            expr = w_b()
            for u in range(1, Fh + 1):
                for v in range(1, Fw + 1):
                    r, c = (i - 1) * s + u - p, (j - 1) * s + v - p
                    if 1 <= r <= H and 1 <= c <= W:  # outside: a zero of the padding
                        expr = expr + w(u, v) * a(r, c)
            out[i, j] = expr
    return tuple(out.items())


def _chain(target, H, W, Fh, Fw, stride, padding):
    """sum_{m,n} δ_{m,n} ∂net_{m,n}/∂target."""
    import sympy

    net = net_expressions(H, W, Fh, Fw, stride, padding)
    return sympy.Add(*[delta(m, n) * sympy.diff(e, target) for (m, n), e in net.items()])


def dE_da(
    i: int, j: int, H: int = 3, W: int = 3, Fh: int = 2, Fw: int = 2, stride: int = 1, padding: int = 0
) -> sympy.Expr:
    """dE/da_{i,j} = sum_{m,n} δ_{m,n} ∂net_{m,n}/∂a_{i,j} (1-based i, j).

    Examples
    --------
    >>> dE_da(1, 1)
    delta_{1,1}*w_{1,1}
    >>> dE_da(1, 2)
    delta_{1,1}*w_{1,2} + delta_{1,2}*w_{1,1}
    """
    i, j = _check_index(i, j, H, W, "input")
    return _chain(a(i, j), H, W, Fh, Fw, stride, padding)


def dE_dw(
    i: int, j: int, H: int = 3, W: int = 3, Fh: int = 2, Fw: int = 2, stride: int = 1, padding: int = 0
) -> sympy.Expr:
    """dE/dw_{i,j} = sum_{m,n} δ_{m,n} ∂net_{m,n}/∂w_{i,j} (1-based i, j).

    Examples
    --------
    >>> dE_dw(1, 2)
    a_{1,2}*delta_{1,1} + a_{1,3}*delta_{1,2} + a_{2,2}*delta_{2,1} + a_{2,3}*delta_{2,2}
    """
    i, j = _check_index(i, j, Fh, Fw, "filter")
    return _chain(w(i, j), H, W, Fh, Fw, stride, padding)


def dE_db(H: int = 3, W: int = 3, Fh: int = 2, Fw: int = 2, stride: int = 1, padding: int = 0) -> sympy.Expr:
    """dE/dw_b = sum_{m,n} δ_{m,n} ∂net_{m,n}/∂w_b, the sum of all error terms.

    Examples
    --------
    >>> dE_db()
    delta_{1,1} + delta_{1,2} + delta_{2,1} + delta_{2,2}
    """
    return _chain(w_b(), H, W, Fh, Fw, stride, padding)


def _check_index(i, j, rows, cols, what):
    """Return (i, j) as ints if 1 <= i <= rows and 1 <= j <= cols, else a ValueError naming them."""
    try:
        ii, jj = operator.index(i), operator.index(j)  # int, numpy or sympy integers; not floats
    except TypeError:
        ii = jj = 0
    if isinstance(i, bool) or isinstance(j, bool) or not (1 <= ii <= rows and 1 <= jj <= cols):
        raise ValueError(
            f"(i, j) must be a 1-based {what} index with 1 <= i <= {rows} and 1 <= j <= {cols}; "
            f"got ({i!r}, {j!r})"
        )
    return ii, jj


def substitute(
    expr: sympy.Expr,
    *,
    x: ArrayLike | None = None,
    weights: ArrayLike | None = None,
    deltas: ArrayLike | None = None,
    bias: float | None = None,
) -> float:
    """Evaluate ``expr`` with numpy arrays put in for the symbols (0-based arrays, 1-based names).

    Parameters
    ----------
    expr : sympy expression
    x : array_like, shape (H, W), optional
        Values of a_{r,c} (``x[r-1, c-1]``).
    weights : array_like, shape (Fh, Fw), optional
        Values of w_{u,v}.
    deltas : array_like, shape (H_out, W_out), optional
        Values of δ_{m,n}.
    bias : float, optional
        Value of w_b.

    Returns
    -------
    float

    Examples
    --------
    >>> substitute(dE_da(1, 2), weights=[[1, 2], [3, 4]], deltas=[[10, 20], [30, 40]])
    40.0
    """
    import numpy as np
    import sympy

    subs = {}
    for arr, make in ((x, a), (weights, w), (deltas, delta)):
        if arr is not None:
            arr = np.asarray(arr, dtype=float)
            for (r, c), v in np.ndenumerate(arr):
                subs[make(r + 1, c + 1)] = sympy.Float(float(v))
    if bias is not None:
        subs[w_b()] = sympy.Float(float(bias))
    import sympy

    value = sympy.sympify(expr).xreplace(subs)
    if value.free_symbols:
        raise ValueError(f"expr still has symbols without values: {sorted(map(str, value.free_symbols))}")
    return float(value)


def to_latex(expr: sympy.Expr) -> str:
    r"""LaTeX of ``expr`` (an expression or a Matrix) with the error terms written ``\delta_{i,j}``.

    Plain ``sympy.latex`` would spell the symbol ``delta_{1,1}`` out as the word "delta".

    Examples
    --------
    >>> to_latex(dE_da(1, 2))
    '\\delta_{1,1} w_{1,2} + \\delta_{1,2} w_{1,1}'
    """
    import sympy

    expr = sympy.sympify(expr)
    names = {
        s: "\\delta_{" + s.name[len("delta_{") :] for s in expr.free_symbols if s.name.startswith("delta_{")
    }
    return sympy.latex(expr, symbol_names=names)
