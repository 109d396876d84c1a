# ruff: noqa: E501  (this file holds notebook text: long markdown and formula lines)
"""Write lessons 03-05 (notebooks/03_*.ipynb .. 05_*.ipynb) from the cells below and execute them.

Usage: ``.venv/bin/python tools/build_lessons_03_05.py [03 04 05]`` (all three by default). Each
notebook is executed top to bottom in a fresh kernel (nbclient) from ``notebooks/``, its outputs
stored, widget state stripped, and the time it took printed.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tools/nbbuild.py, also when loaded by path
from nbbuild import KERNELSPEC as KERNELSPEC  # noqa: E402  (tests compare stored notebooks to it)
from nbbuild import NBVAL_IGNORE_OUTPUT, NOTEBOOKS, answer, code, execute_and_write, md  # noqa: E402

IGNORE = NBVAL_IGNORE_OUTPUT  # for cells printing float errors; an assert in the cell still runs


SETUP = """
%matplotlib inline
import numpy as np
import lessonkit as lk
from lessonkit.visual import apply_style
from lessonkit.visual import depth_weights as figs

apply_style()
np.set_printoptions(precision=4, suppress=True)
rng = np.random.default_rng(2026)  # every random number in this lesson comes from this seed
"""

# ----------------------------------------------------------------------------------------------
# 03 depth and filters

NB03 = [
    md(r"""
# 03 · Depth D and N filters: where an input channel's error comes from

Lessons 01 and 02 used one input channel and one filter. A real layer reads an input $a^{l-1}$ of
depth $D$ (shape $(D, H, W)$) and holds $N$ filters, stored as one array $W$ of shape
$(N, D, F_h, F_w)$: filter $n$ has one 2-D slice $W_{n,d}$ for every input channel $d$.

This lesson answers the lecture's **question 5**: which nodes of layer $l$ does one input channel
touch, and what does that make its error term? It ends with question 6 (implement it).

*How to use it:* questions come first; each answer is folded under **Answer** so you can try
first. Where a cell computes something you can predict, write your prediction down before running it.
Indices in the prose are 1-based like the lecture's; in code they start at 0 (channel $d_1$ is `x[0]`).
"""),
    code(SETUP),
    md(r"""
## 1. The forward pass with depth

Filter $n$ produces one feature map. It cross-correlates each input channel with its own slice and
adds the $D$ results and one bias:

$$net^l_n = \sum_{d=1}^{D} \mathrm{cross}\big(a^{l-1}_d,\; W_{n,d}\big) + w_{b,n}.$$

(The lecture names the slice $W_{d,n}$; we write $W_{n,d}$ because that is how the array is indexed,
`W[n, d]`. It is the same slice.) The cell checks this sum against `lk.conv_forward` for $D = 3$,
$N = 2$, a $3\times3$ input and $2\times2$ filters, with small whole numbers so you can follow by hand.
"""),
    code(r"""
D, N, H, F = 3, 2, 3, 2
x = rng.integers(-3, 4, size=(D, H, H)).astype(float)    # a^{l-1}, shape (D, H, W)
W = rng.integers(-2, 3, size=(N, D, F, F)).astype(float)  # N filters of depth D
b = np.array([1.0, -1.0])                                 # one bias per filter

net_by_sum = np.stack([sum(lk.correlate2d(x[d], W[n, d]) for d in range(D)) + b[n] for n in range(N)])
net = lk.conv_forward(x, W, b)
print("net^l has shape", net.shape, "= (N, H_out, W_out)")
print(net)
assert np.array_equal(net, net_by_sum)
"""),
    md(
        r"""
## 2. Which nodes of layer l does one input channel feed?

The lecture draws each channel as one node and each cross-correlation as one weighted edge.

**Question.** Channel $d_1$ of layer $l-1$: which nodes of layer $l$ does it affect?
*Predict, then open the answer.*
"""
        + "\n\n"
        + answer(
            "Answer",
            r"""
**All of them.** Every filter has a slice for every input channel, so $a^{l-1}_1$ reaches
$net^l_1$ through $W_{1,1}$ and $net^l_2$ through $W_{2,1}$. In general each input channel feeds
all $N$ feature maps of layer $l$. The left panel below draws it: the edges of $d_1$ are thick,
solid and labelled; the other channels' edges are thin and dotted.
""",
        )
    ),
    code("figs.depth_node_figure(D=3, N=2, channel=0)"),
    md(r"""
The check: nudge one pixel of each input channel and list the feature maps that move.
**Predict** what the cell prints before you run it.
"""),
    code(r"""
for d in range(D):
    bumped = x.copy()
    bumped[d, 1, 1] += 1.0
    moved = [n + 1 for n in range(N) if not np.allclose(lk.conv_forward(bumped, W, b)[n], net[n])]
    print(f"changing channel d{d + 1} of layer l-1 moves the feature maps n = {moved}")
    assert moved == list(range(1, N + 1))
"""),
    md(
        r"""
## 3. The error term of an input channel

Layer $l$'s error terms $\delta^l = dE/dnet^l$ are known: one map $\delta^l_n$ per filter, shape
$(N, H_{out}, W_{out})$.

**Question.** What should the error term of channel $d_1$ in layer $l-1$ be?
How many terms does it have, and what is each one?
"""
        + "\n\n"
        + answer(
            "Answer",
            r"""
$a^{l-1}_1$ reaches $E$ along $N$ paths, one through each feature map, so the total derivative
adds $N$ terms. Each term is the $D = N = 1$ result of lesson 01 with that filter's slice: pad
$\delta^l_n$ with $F-1$ zeros and cross-correlate it with the slice rotated by 180 degrees.

$$\frac{dE}{da^{l-1}_d} = \sum_{n=1}^{N} \mathrm{cross}\Big(\mathrm{pad}(\delta^l_n, F-1),\; \mathrm{rot180}(W_{n,d})\Big)$$

and, through layer $l-1$'s own activation $f$,

$$\delta^{l-1}_d = \frac{dE}{da^{l-1}_d} \circ f'(net^{l-1}_d).$$

(The lecture sums over $n = 0 \dots N-1$, counting filters from 0; it is the same sum.) The right
panel of the node diagram above shows the same thing backwards: $\delta^{l-1}_1$ gathers from every
$\delta^l_n$.
""",
        )
        + "\n\n"
        + r"""
**Predict** before running the next cells: what shape does $dE/da^{l-1}$ have, $(N, \dots)$ or $(D, \dots)$?
"""
        + "\n\n"
        + answer(
            "Answer",
            r"""
$(D, H, W) = (3, 3, 3)$: one map per *input channel*, shaped like $a^{l-1}$, whatever $N$ is.
The sum over $n$ is what removes the filter axis.
""",
        )
    ),
    code(r"""
delta = rng.integers(-3, 4, size=(N, 2, 2)).astype(float)  # δ^l, one 2x2 map per filter

# The formula, term by term, with the primitives of lesson 01:
by_formula = np.stack([
    sum(lk.correlate2d(lk.pad(delta[n], F - 1), lk.rot180(W[n, d])) for n in range(N))
    for d in range(D)
])
print("dE/da^{l-1} has shape", by_formula.shape)
assert by_formula.shape == x.shape
assert np.array_equal(by_formula, lk.bp_delta_map(delta, W, x.shape))
"""),
    md(r"""
The figure draws the sum for channel $d_1$: two terms, one per filter, each a padded $\delta^l_n$
(grey dotted ring = the $F-1$ padding zeros) against a rotated slice.
"""),
    code("figs.depth_sum_figure(delta, W, channel=0)"),
    md(r"""
Now the independent check, by central differences. Take the loss $E = \sum \delta^l \circ net^l$:
then $dE/dnet^l$ is exactly the `delta` above, and `lk.numerical_gradient` nudges every input
entry to measure $dE/da^{l-1}$ without any formula.
"""),
    code(
        r"""
def E_of_input(a):
    return float(np.sum(delta * lk.conv_forward(a, W, b)))

numeric = lk.numerical_gradient(E_of_input, x)
err = lk.rel_error(by_formula, numeric)
print(f"rel_error(sum over filters, numerical gradient) = {err:.1e}")
assert err < 1e-7
""",
        IGNORE,
    ),
    md(
        r"""
## 4. Through the activation: $\delta^{l-1}$

The sum above is $dE/da^{l-1}$. The error term of layer $l-1$ is the derivative with respect to its
*weighted input* $net^{l-1}$, where $a^{l-1} = f(net^{l-1})$, so multiply element by element by
$f'(net^{l-1})$ (not by $f'$ of the output $a^{l-1}$).

**Predict:** with the sigmoid, is any entry of $\delta^{l-1}$ larger in size than the matching entry
of $dE/da^{l-1}$?
"""
        + "\n\n"
        + answer(
            "Answer",
            r"""
No. The sigmoid's slope $f'(net) = f(net)(1 - f(net))$ is at most $1/4$, so every entry shrinks to a
quarter or less. The cell checks the formula against central differences in $net^{l-1}$.
""",
        )
    ),
    code(
        r"""
f = lk.Sigmoid()
net_prev = rng.normal(size=(D, H, H))                   # net^{l-1}; a^{l-1} = f(net^{l-1})

def E_of_net_prev(v):
    return float(np.sum(delta * lk.conv_forward(f.forward(v), W, b)))

dE_da = lk.bp_delta_map(delta, W, net_prev.shape)
delta_prev = dE_da * f.derivative(net_prev)             # δ^{l-1} = dE/da^{l-1} ∘ f'(net^{l-1})
err = lk.rel_error(delta_prev, lk.numerical_gradient(E_of_net_prev, net_prev))
print(f"rel_error(δ^(l-1), numerical gradient) = {err:.1e}")
print("largest f'(net^(l-1)) =", round(float(f.derivative(net_prev).max()), 4), "(never above 1/4)")
assert err < 1e-7
assert np.all(np.abs(delta_prev) <= np.abs(dE_da) / 4)
""",
        IGNORE,
    ),
    md(
        r"""
## 5. Depth together with stride and padding

The sum over filters does not care about stride or padding: each term is lesson 02's recipe applied
to one slice. Dilate $\delta^l_n$ by $S$ (insert $S-1$ zeros), pad it with $F_h-1$ rows and $F_w-1$
columns of zeros, cross-correlate with $\mathrm{rot180}(W_{n,d})$, and crop the $P$-wide ring that
belongs to the forward padding (when $S$ does not divide $H - F + 2P$, first extend the dilated map
with zeros at the bottom and right to the stride-1 size $H + 2P - F + 1$, as in lesson 02):

$$\frac{dE}{da^{l-1}_d} = \mathrm{crop}_P\Big(\sum_{n} \mathrm{cross}\big(\mathrm{pad}(\mathrm{dilate}(\delta^l_n, S)),\ \mathrm{rot180}(W_{n,d})\big)\Big).$$

**Predict** the shape of $\delta^l$ for $a^{l-1}$ of shape $(3, 5, 6)$, filters $3\times2$, $S = 2$,
$P = 1$, $N = 2$.
"""
        + "\n\n"
        + answer(
            "Answer",
            r"""
$H_{out} = \lfloor (5 - 3 + 2)/2 \rfloor + 1 = 3$ and $W_{out} = \lfloor (6 - 2 + 2)/2 \rfloor + 1 = 4$,
so $\delta^l$ is $(2, 3, 4)$.
""",
        )
    ),
    code(
        r"""
S, P = 2, 1
x2 = rng.normal(size=(3, 5, 6))
W2 = rng.normal(size=(2, 3, 3, 2))
b2 = rng.normal(size=2)
delta2 = rng.normal(size=lk.conv_forward(x2, W2, b2, stride=S, padding=P).shape)
print("δ^l has shape", delta2.shape)
assert delta2.shape == (2, 3, 4)

fh, fw = W2.shape[2:]
full = [np.pad(lk.dilate(delta2[n], S), ((fh - 1, fh - 1), (fw - 1, fw - 1))) for n in range(2)]
by_recipe = np.stack([
    sum(lk.correlate2d(full[n], lk.rot180(W2[n, d])) for n in range(2))[P:P + 5, P:P + 6]
    for d in range(3)
])
# E is linear in a^{l-1}, so a large step eps has no truncation error and little rounding error.
numeric = lk.numerical_gradient(lambda a: float(np.sum(delta2 * lk.conv_forward(a, W2, b2, S, P))), x2, eps=1e-3)
print(f"rel_error(recipe, numerical)      = {lk.rel_error(by_recipe, numeric):.1e}")
print(f"rel_error(bp_delta_map, numerical) = {lk.rel_error(lk.bp_delta_map(delta2, W2, x2.shape, S, P), numeric):.1e}")
assert lk.rel_error(by_recipe, numeric) < 1e-7
assert lk.rel_error(lk.bp_delta_map(delta2, W2, x2.shape, S, P), numeric) < 1e-7
""",
        IGNORE,
    ),
    md(r"""
## 6. Implement it (the lecture's question 6)

The lecture's task here is `ConvLayer.bpDeltaMap`. In this course it is
`lessonkit.bp_delta_map(delta, w, input_shape, stride=1, padding=0)`: the loop over input channels
$d$ and filters $n$ of section 3, with section 5's dilation and crop. Read it with `lk.bp_delta_map??`,
then write your own in the exercise notebook `exercises/02_bp_delta_map.ipynb`, whose check cell
tests it on the geometries above and on harder ones.

## Summary

* Each input channel feeds **every** feature map of layer $l$, through one filter slice each.
* So its error collects one term per filter:
  $\delta^{l-1}_d = \sum_n \mathrm{cross}(\mathrm{pad}(\delta^l_n, F-1), \mathrm{rot180}(W_{n,d})) \circ f'(net^{l-1}_d)$,
  with $\delta^l_n$ dilated first when $S > 1$ and the padding ring cropped when $P > 0$.
* Checked above against central differences: the sum over filters (section 3), the factor
  $f'(net^{l-1})$ (section 4) and the full recipe with stride and padding (section 5).

Next: [04 · Weight gradients](04_weight_gradients.ipynb), the second step of the backward pass.
"""),
]


# ----------------------------------------------------------------------------------------------
# 04 weight gradients

SETUP_SYM = (
    SETUP
    + """
import sympy
from IPython.display import display
from lessonkit import symbolic as sym
from lessonkit.symbolic import a, delta as d
"""
)

NB04 = [
    md(r"""
# 04 · Weight gradients: δ as a kernel over the input

The backward pass of a conv layer has two steps (lecture, question 2): send the error terms back
(lessons 01-03), then compute the gradient of every weight. This lesson is the second step, the
lecture's **questions 7, 8 and 9**. We know $\delta^l = dE/dnet^l$ and want $dE/dw_{i,j}$ and
$dE/dw_b$.

As before, questions come first and the answers are folded; predict before you run a cell that
computes something. Prose indices are 1-based (the lecture's); code indices are 0-based.

The lecture's lost figure for this part: the input $a^{l-1}$, the filter $W$, and the error terms
$\delta^l$, one per entry of $net^l$ (the $3\times3$ input, $2\times2$ filter, stride 1 case).
"""),
    code(SETUP_SYM),
    code("figs.weight_gradient_setup(H=3, W=3, F=2)"),
    md(
        r"""
## 1. Which $net^l$ does $w_{1,1}$ touch?

**Question.** $w_{1,1}$ changes $E$ only through $net^l$. Which of the four $net^l_{i,j}$ contain it?
*Predict, then open the answer.*
"""
        + "\n\n"
        + answer(
            "Answer",
            r"""
**All four.** The same filter slides to every output position (weight sharing), so every
$net^l_{i,j}$ has a $w_{1,1}$ term, each time multiplied by a different input:
$a_{1,1}, a_{1,2}, a_{2,1}, a_{2,2}$. The cell below writes the forward pass out symbolically
(`lk.symbolic.net_expressions`, sympy) and lists the $net$ that contain $w_{1,1}$.
""",
        )
    ),
    code(r"""
net = sym.net_expressions(H=3, W=3, Fh=2, Fw=2)
for (i, j), expr in net.items():
    display(figs.equation(f"net^l_{{{i},{j}}}", expr))
touched = [ij for ij, expr in net.items() if sym.w(1, 1) in expr.free_symbols]
print("net^l containing w_{1,1}:", touched)
assert len(touched) == 4
"""),
    md(
        r"""
## 2. $dE/dw_{1,1}$

**Question.** $E$ depends on all four $net^l_{i,j}$, and each depends on $w_{1,1}$. What is
$dE/dw_{1,1}$ in terms of $\delta^l$ and $a^{l-1}$?
"""
        + "\n\n"
        + answer(
            "Answer",
            r"""
By the total derivative, add one term per $net$:

$$\frac{dE}{dw_{1,1}} = \sum_{m,n} \frac{dE}{dnet_{m,n}}\frac{\partial net_{m,n}}{\partial w_{1,1}}
= \delta_{1,1} a_{1,1} + \delta_{1,2} a_{1,2} + \delta_{2,1} a_{2,1} + \delta_{2,2} a_{2,2}.$$

The cell derives it with sympy from the forward pass (`lk.symbolic.dE_dw`) and compares it with
the line above.
""",
        )
    ),
    code(r"""
g11 = sym.dE_dw(1, 1)
display(figs.equation(r"\frac{dE}{dw_{1,1}}", g11))
ours_11 = d(1, 1) * a(1, 1) + d(1, 2) * a(1, 2) + d(2, 1) * a(2, 1) + d(2, 2) * a(2, 2)
assert sympy.expand(g11 - ours_11) == 0
"""),
    md(
        r"""
## 3. $dE/dw_{1,2}$

**Question.** Same reasoning for $w_{1,2}$. Write down its four terms before you open the answer:
in each $net^l_{m,n}$, which input does $w_{1,2}$ multiply?
"""
        + "\n\n"
        + answer(
            "Answer",
            r"""
In $net_{1,1}$ it multiplies $a_{1,2}$; in $net_{1,2}$, $a_{1,3}$; in $net_{2,1}$, $a_{2,2}$;
in $net_{2,2}$, $a_{2,3}$. So

$$\frac{dE}{dw_{1,2}} = \delta_{1,1} a_{1,2} + \delta_{1,2} a_{1,3} + \delta_{2,1} a_{2,2} + \delta_{2,2} a_{2,3}.$$

The next cell derives it and compares it with the lecture's printed version and with
`lk.compute_gradient` on numbers.
""",
        )
    ),
    code(r"""
g12 = sym.dE_dw(1, 2)
display(figs.equation(r"\frac{dE}{dw_{1,2}}", g12))

ours_12 = d(1, 1) * a(1, 2) + d(1, 2) * a(1, 3) + d(2, 1) * a(2, 2) + d(2, 2) * a(2, 3)
lecture_12 = d(1, 1) * a(1, 2) + d(1, 2) * a(1, 3) + d(2, 1) * a(2, 3) + d(2, 2) * a(2, 3)  # as printed
display(figs.equation(r"\text{derivation} - \text{lecture's version}", sympy.expand(g12 - lecture_12)))
assert sympy.expand(g12 - ours_12) == 0      # our answer is the derivative
assert sympy.expand(g12 - lecture_12) != 0   # the lecture's printed one is not

# On numbers: the derivation agrees with lessonkit.compute_gradient, the lecture's version does not.
x1 = rng.integers(-5, 6, size=(3, 3)).astype(float)
delta1 = rng.integers(-5, 6, size=(2, 2)).astype(float)
dW1, db1 = lk.compute_gradient(delta1[None], x1[None], filter_shape=(1, 1, 2, 2))
value = sym.substitute(g12, x=x1, deltas=delta1)
print("derivation:", value, "  compute_gradient dW[0, 0, 0, 1]:", dW1[0, 0, 0, 1],
      "  lecture's version:", sym.substitute(lecture_12, x=x1, deltas=delta1))
assert value == dW1[0, 0, 0, 1]
assert sym.substitute(lecture_12, x=x1, deltas=delta1) != value
"""),
    md(r"""
> **⚠ Errata — the lecture's $dE/dw_{1,2}$.** The lecture prints the third term as
> $\delta_{2,1}\, a_{2,3}$. It should be $\delta_{2,1}\, a_{2,2}$: in
> $net_{2,1} = w_{1,1}a_{2,1} + w_{1,2}a_{2,2} + w_{2,1}a_{3,1} + w_{2,2}a_{3,2} + w_b$ the weight
> $w_{1,2}$ multiplies $a_{2,2}$. The cell above proves it: the symbolic derivative differs from the
> printed version by $\delta_{2,1}(a_{2,2} - a_{2,3})$, and the corrected formula
> $\delta_{1,1}a_{1,2} + \delta_{1,2}a_{1,3} + \delta_{2,1}a_{2,2} + \delta_{2,2}a_{2,3}$ equals both the
> derivative and `lk.compute_gradient` on numbers.
"""),
    md(
        r"""
## 4. The rule: $\delta^l$ as a kernel

**Question.** Compare $dE/dw_{1,1}$ and $dE/dw_{1,2}$: $\delta_{m,n}$ meets which input in each?
Guess the rule for any $dE/dw_{i,j}$.
"""
        + "\n\n"
        + answer(
            "Answer",
            r"""
Moving from $w_{1,1}$ to $w_{1,2}$ shifts every input one column right. In general

$$\frac{dE}{dw_{i,j}} = \sum_m \sum_n \delta_{m,n}\, a_{i+m-1,\, j+n-1} \qquad \text{(1-based)},$$

which the lecture writes as $a_{i+m, j+n}$: exact when $i, j, m, n$ count from 0, as in code.
It is a cross-correlation of the input with $\delta^l$: **$\delta^l$ is the kernel** and it slides
over $a^{l-1}$, one position per weight, $dE/dW = \mathrm{cross}(a^{l-1}, \delta^l)$.
The figure draws the four positions for the lecture's case.
""",
        )
    ),
    code(r"""
x_demo = np.arange(1.0, 10.0).reshape(3, 3)
delta_demo = np.array([[1.0, 0.0], [0.0, 2.0]])
figs.delta_kernel_figure(x_demo, delta_demo)
"""),
    md(r"""
The check: the 1-based rule against the sympy derivative for every weight of a larger case
($4\times5$ input, $2\times3$ filter), and the 0-based rule ($a_{i+m, j+n}$) against
`lk.compute_gradient` on numbers.
"""),
    code(r"""
Hx, Wx, Fh, Fw = 4, 5, 2, 3
for i in range(1, Fh + 1):
    for j in range(1, Fw + 1):
        rule = sum(d(m, n) * a(i + m - 1, j + n - 1)
                   for m in range(1, Hx - Fh + 2) for n in range(1, Wx - Fw + 2))
        assert sympy.expand(rule - sym.dE_dw(i, j, H=Hx, W=Wx, Fh=Fh, Fw=Fw)) == 0
print(f"1-based rule equals the derivative for all {Fh * Fw} weights")

xr = rng.normal(size=(Hx, Wx))
dr = rng.normal(size=(Hx - Fh + 1, Wx - Fw + 1))
rule0 = np.array([[sum(dr[m, n] * xr[i + m, j + n] for m in range(dr.shape[0]) for n in range(dr.shape[1]))
                   for j in range(Fw)] for i in range(Fh)])          # 0-based: a[i+m, j+n] exactly
dWr, _ = lk.compute_gradient(dr[None], xr[None], (1, 1, Fh, Fw))
assert np.allclose(rule0, dWr[0, 0], rtol=0, atol=1e-12)
assert np.allclose(rule0, lk.correlate2d(xr, dr), rtol=0, atol=1e-12)  # δ as the kernel
print("0-based rule equals compute_gradient and cross(a, δ)")
"""),
    md(
        r"""
## 5. The bias gradient

**Question.** $w_b$ appears in every $net^l_{i,j}$ with coefficient 1. What is $dE/dw_b$?
*Predict its value for* `delta_demo` *above before running the cell.*
"""
        + "\n\n"
        + answer(
            "Answer",
            r"""
$$\frac{dE}{dw_b} = \sum_{i,j} \delta_{i,j}\frac{\partial net_{i,j}}{\partial w_b} = \sum_{i,j} \delta_{i,j},$$

the sum of all error terms of that filter ($1 + 0 + 0 + 2 = 3$ for `delta_demo`). With $N$
filters there is one bias per filter: $dE/dw_{b,n} = \sum \delta^l_n$.
""",
        )
    ),
    code(
        r"""
gb = sym.dE_db()
display(figs.equation(r"\frac{dE}{dw_b}", gb))
assert sympy.expand(gb - sum(d(i, j) for i in (1, 2) for j in (1, 2))) == 0

_, db_demo = lk.compute_gradient(delta_demo[None], x_demo[None], (1, 1, 2, 2))
print("dE/dw_b for delta_demo:", db_demo[0])
assert db_demo[0] == delta_demo.sum()

# Numerically, for N = 2 filters: one sum per filter.
x3, w3, b3 = rng.normal(size=(2, 4, 4)), rng.normal(size=(2, 2, 2, 2)), rng.normal(size=2)
delta3 = rng.normal(size=(2, 3, 3))
numeric_db = lk.numerical_gradient(lambda bb: float(np.sum(delta3 * lk.conv_forward(x3, w3, bb))), b3, eps=1e-3)
err = lk.rel_error(lk.compute_gradient(delta3, x3, w3.shape)[1], numeric_db)
print(f"rel_error(sum of δ_n, numerical) = {err:.1e}")
assert err < 1e-7
""",
        IGNORE,
    ),
    md(
        r"""
## 6. Stride $S$: insert zeros again

**Question.** At stride 2, $\delta^l$ is smaller and its entries sit 2 input positions apart.
How do we reuse the stride-1 rule? *Predict the size of the dilated* $\delta^l$ *for a*
$5\times5$ *input, a* $3\times3$ *filter and* $S=2$.
"""
        + "\n\n"
        + answer(
            "Answer",
            r"""
As for the error terms (lesson 02): put $S-1$ zeros between neighbouring entries of $\delta^l$, which
restores the map a stride-1 layer would have had (zeros where stride $S$ skipped a position). Then
slide it over the input as before: $dE/dW = \mathrm{cross}(\mathrm{pad}(a^{l-1}, P),\, \mathrm{dilate}(\delta^l, S))$.
Here $\delta^l$ is $2\times2$ and dilates to $3\times3$ = the stride-1 map size $5 - 3 + 1$. When
$S$ does not divide $H - F + 2P$, the dilated map is short of the stride-1 size; the missing
bottom rows and right columns are zeros too (the forward pass never placed the filter there).
In symbols (1-based, $P = 0$):
$dE/dw_{i,j} = \sum_{m,n} \delta_{m,n}\, a_{i + S(m-1),\, j + S(n-1)}$.
""",
        )
    ),
    code(r"""
x5 = np.arange(1.0, 26.0).reshape(5, 5)
delta5 = np.array([[1.0, 2.0], [3.0, 4.0]])
figs.stride_weight_gradient_figure(x5, delta5, filter_size=(3, 3), stride=2)
"""),
    md(r"""
The same picture when the stride does not divide: $6\times6$ input, $3\times3$ filter, $S = 2$
($6 - 3 = 3$ is odd). $\delta^l$ is $2\times2$, dilated to $3\times3$, then one more row and column of
zeros bring it to the stride-1 size $4\times4$.
"""),
    code(r"""
x6 = np.arange(1.0, 37.0).reshape(6, 6)
delta6 = np.array([[1.0, -1.0], [2.0, 1.0]])
figs.stride_weight_gradient_figure(x6, delta6, filter_size=(3, 3), stride=2)
"""),
    code(
        r"""
# Symbolic: the stride rule against the derivative of the stride-2 forward pass (5x5, 3x3, S = 2).
S = 2
for i in range(1, 4):
    for j in range(1, 4):
        rule = sum(d(m, n) * a(i + S * (m - 1), j + S * (n - 1)) for m in (1, 2) for n in (1, 2))
        assert sympy.expand(rule - sym.dE_dw(i, j, H=5, W=5, Fh=3, Fw=3, stride=S)) == 0
print("stride-2 rule equals the derivative for all 9 weights")

# Numerically, with the stride that does not divide and with padding: dilate, extend, slide.
for (h, f, s, p) in [(6, 3, 2, 0), (7, 2, 3, 1)]:
    xs, ws = rng.normal(size=(1, h, h)), rng.normal(size=(1, 1, f, f))
    ds = rng.normal(size=lk.conv_forward(xs, ws, [0.0], s, p).shape)
    h1 = h + 2 * p - f + 1                                   # the stride-1 map's size
    d1 = np.zeros((h1, h1))
    dil = lk.dilate(ds[0], s)
    d1[:dil.shape[0], :dil.shape[1]] = dil
    by_rule = lk.correlate2d(lk.pad(xs[0], p), d1)
    numeric = lk.numerical_gradient(lambda ww: float(np.sum(ds * lk.conv_forward(xs, ww, [0.0], s, p))), ws, eps=1e-3)
    err = lk.rel_error(by_rule, numeric[0, 0])
    print(f"H={h} F={f} S={s} P={p}: rel_error(dilated δ as kernel, numerical) = {err:.1e}")
    assert err < 1e-7
    assert lk.rel_error(lk.compute_gradient(ds, xs, ws.shape, s, p)[0], numeric) < 1e-7
""",
        IGNORE,
    ),
    md(
        r"""
## 7. $N$ filters of depth $D$: $N \times D$ slices

**Question.** With $N$ filters of depth $D$, how many 2-D weight gradients are there, and what is
each one? *Predict the shape of* $dE/dW$ *for* $N = 2$, $D = 3$, $2\times2$ *filters.*
"""
        + "\n\n"
        + answer(
            "Answer",
            r"""
Slice $W_{n,d}$ touches only input channel $d$ and only feature map $n$, through one 2-D
cross-correlation. So its gradient is the 2-D rule with that pair:

$$\frac{dE}{dW_{n,d}} = \mathrm{cross}\big(\mathrm{pad}(a^{l-1}_d, P),\ \mathrm{dilate}(\delta^l_n, S)\big),$$

computed $N \times D$ times and stacked into a 4-D array of the filters' shape $(N, D, F_h, F_w)$,
here $(2, 3, 2, 2)$.
""",
        )
    ),
    code(r"""
N, D = 2, 3
x7 = rng.integers(-2, 3, size=(D, 3, 3)).astype(float)
W7 = rng.normal(size=(N, D, 2, 2))
delta7 = rng.integers(-2, 3, size=(N, 2, 2)).astype(float)

def assemble(x, delta):
    # dE/dW from N x D two-dimensional slices, stacked into (N, D, Fh, Fw) (stride 1, P = 0)
    return np.array([[lk.correlate2d(x[dd], delta[n]) for dd in range(x.shape[0])]
                     for n in range(delta.shape[0])])

dW7 = assemble(x7, delta7)
print("dE/dW has shape", dW7.shape)
assert dW7.shape == W7.shape
assert np.array_equal(dW7, lk.compute_gradient(delta7, x7, W7.shape)[0])
figs.gradient_slices_figure(dW7)
"""),
    code(
        r"""
# Central differences on random real numbers (whole numbers would make some entries exactly 0,
# where a relative error means nothing).
xr, dr = rng.normal(size=x7.shape), rng.normal(size=delta7.shape)
numeric = lk.numerical_gradient(lambda ww: float(np.sum(dr * lk.conv_forward(xr, ww, np.zeros(N)))), W7, eps=1e-3)
err = lk.rel_error(assemble(xr, dr), numeric)
print(f"rel_error(assembled N x D slices, numerical) = {err:.1e}")
assert err < 1e-7
""",
        IGNORE,
    ),
    md(r"""
## 8. Implement it (the lecture's question 9)

The lecture's task is `ConvLayer_compute_gradient` together with a `Filter` class that holds one
filter's weights, bias and their gradients. In this course they are
`lessonkit.compute_gradient(delta, x, filter_shape, stride=1, padding=0)` (sections 4-7 in one
function; read it with `lk.compute_gradient??`) and `lessonkit.Filter`, the objects in
`ConvLayer.filters`. Write your own in `exercises/03_compute_gradient.ipynb`; lesson 05 puts
everything into one layer.

## Summary

* Weight sharing: every weight touches **every** $net^l$, so its gradient sums over all of $\delta^l$.
* $dE/dw_{i,j} = \sum_{m,n} \delta_{m,n} a_{i+m-1, j+n-1}$ (1-based; $a_{i+m, j+n}$ from 0):
  $\delta^l$ is a kernel sliding over $a^{l-1}$.
* $dE/dw_b = \sum \delta^l$, one sum per filter.
* Stride $S$: dilate $\delta^l$ (and pad it with zeros to the stride-1 size), then the same rule.
* $N \times D$ slices, $dE/dW_{n,d} = \mathrm{cross}(\mathrm{pad}(a^{l-1}_d, P), \mathrm{dilate}(\delta^l_n, S))$,
  stacked into shape $(N, D, F_h, F_w)$.
* Errata: the lecture's third term of $dE/dw_{1,2}$ should be $\delta_{2,1}a_{2,2}$ (section 3).

Next: [05 · The whole conv layer](05_conv_layer.ipynb).
"""),
]

# ----------------------------------------------------------------------------------------------
# 05 the whole conv layer

NB05 = [
    md(r"""
# 05 · The whole conv layer: forward, backward, checked, used

Lessons 01-04 derived the two steps of a conv layer's backward pass. Here they become one object,
`lk.ConvLayer` (the lecture's `ConvLayer` with its `Filter`s), which we check against numerical
gradients on many geometries, including the ones where earlier implementations break, and then
train for a few steps. The lesson ends with the lecture's **question 10**: answer the opening
question, with a table of where each of the lecture's questions is answered in this course.
"""),
    code(SETUP),
    md(
        r"""
## 1. Forward

A `ConvLayer(in_depth=D, n_filters=N, filter_size=(Fh, Fw), stride=S, padding=P, activation=f)` holds
$W$ of shape $(N, D, F_h, F_w)$ and $N$ biases. Its forward pass computes
$net^l = \mathrm{conv\_forward}(a^{l-1}, W, b, S, P)$ and returns $a^l = f(net^l)$, keeping
$a^{l-1}$ and $net^l$ for the backward pass.

**Predict** the output shape for $a^{l-1}$ of shape $(3, 7, 6)$, $N = 2$ filters of $3\times2$,
$S = 2$, $P = 1$.
"""
        + "\n\n"
        + answer(
            "Answer",
            r"""
$H_{out} = \lfloor(7 - 3 + 2)/2\rfloor + 1 = 4$ and $W_{out} = \lfloor(6 - 2 + 2)/2\rfloor + 1 = 4$:
the output is $(N, H_{out}, W_{out}) = (2, 4, 4)$. Floor, not ceiling: a window that would stick out
of the padded input is not computed.
""",
        )
    ),
    code(r"""
layer = lk.ConvLayer(in_depth=3, n_filters=2, filter_size=(3, 2), stride=2, padding=1,
                     activation=lk.Tanh(), rng=0)
x = rng.normal(size=(3, 7, 6))
out = layer.forward(x)
print(layer)
print("output shape:", out.shape)
assert out.shape == (2, (7 - 3 + 2) // 2 + 1, (6 - 2 + 2) // 2 + 1) == (2, 4, 4)
assert np.array_equal(out, np.tanh(lk.conv_forward(x, layer.W, layer.b, stride=2, padding=1)))
print(layer.filters)          # the lecture's Filter objects: views into W, b and their gradients
print("filter 1 weights:", layer.filters[0].weights.shape, " bias:", layer.filters[0].bias)
"""),
    md(
        r"""
## 2. Backward

The layer above hands us $dE/da^l$. **Question.** Which array does $f'$ get applied to, and in which
order do the two steps run?
"""
        + "\n\n"
        + answer(
            "Answer",
            r"""
First turn $dE/da^l$ into this layer's error terms with the derivative of its *own* activation at
its *own* weighted input: $\delta^l = dE/da^l \circ f'(net^l)$. Then both steps use $\delta^l$:

* weight step (lesson 04): $dE/dW, dE/dw_b = \mathrm{compute\_gradient}(\delta^l, a^{l-1})$;
* error step (lessons 01-03): $dE/da^{l-1} = \mathrm{bp\_delta\_map}(\delta^l, W)$, returned to the
  layer below, which multiplies by *its* $f'(net^{l-1})$.

They are independent, so their order does not matter; both must use the weights of the forward
pass (update only afterwards).
""",
        )
    ),
    code(r"""
grad_out = rng.normal(size=out.shape)                     # dE/da^l from the layer above
dx = layer.backward(grad_out)

delta = grad_out * lk.Tanh().derivative(layer.net)        # δ^l = dE/da^l ∘ f'(net^l)
dW, db = lk.compute_gradient(delta, x, layer.W.shape, stride=2, padding=1)
assert np.array_equal(layer.dW, dW) and np.array_equal(layer.db, db)
assert np.array_equal(dx, lk.bp_delta_map(delta, layer.W, x.shape, stride=2, padding=1))
assert np.array_equal(layer.filters[1].weights_grad, dW[1])
print("dE/da^(l-1):", dx.shape, " dE/dW:", layer.dW.shape, " dE/dw_b:", layer.db.shape)
"""),
    md(
        r"""
## 3. Gradient check over many geometries

`lk.gradient_check(layer, x)` takes the loss $E = \sum R \circ a^l$ for a fixed random $R$, runs
`backward`, and compares **all three** gradients, $dE/da^{l-1}$, $dE/dW$ and $dE/dw_b$, with
central differences (`lk.numerical_gradient`), reporting the largest `rel_error` of each.

**Question.** Why check $dE/da^{l-1}$ too, when only $W$ and $b$ get updated?
"""
        + "\n\n"
        + answer(
            "Answer",
            r"""
Because $dE/da^{l-1}$ is what the layer below learns from. A backward pass that forgets
$\mathrm{rot180}$ still has a perfect $dW$ (the weight step never rotates), so a check of $dW$ alone
passes while every layer below receives wrong gradients. The demonstration after the table shows it.
""",
        )
        + "\n\n"
        + r"""
The geometries include the traps listed for this course: padding larger than $F-1$, non-square
filters, $F = 1$, depth and several filters, and strides that do not divide $H - F + 2P$.
**Predict:** in the case `H=6, F=3, S=2` the stride does not divide $6 - 3 = 3$; which input rows
does the forward pass never read, and what must their gradient be?
"""
        + "\n\n"
        + answer(
            "Answer",
            r"""
The windows start at rows 1 and 3 (1-based) and cover rows 1-5, so row 6 is never read:
its gradient must be exactly 0 in every channel and column. The cell after the table asserts it.
""",
        )
    ),
    code(
        r"""
cases = [  # name, D, N, (H, W), filter, S, P, activation
    ("lecture 3x3 / 2x2",       1, 1, (3, 3), 2,      1, 0, lk.Identity()),
    ("stride 2",                1, 1, (5, 5), 3,      2, 0, lk.Tanh()),
    ("S does not divide",       2, 3, (6, 7), 3,      2, 0, lk.Sigmoid()),
    ("padding 3 > F-1 = 1",     2, 2, (4, 4), 2,      1, 3, lk.Tanh()),
    ("non-square filter",       3, 2, (5, 6), (3, 2), 2, 1, lk.Tanh()),
    ("F = 1",                   3, 4, (4, 4), 1,      1, 0, lk.Sigmoid()),
    ("S=3 divides neither, P=2", 3, 2, (8, 6), (2, 3), 3, 2, lk.Tanh()),
]
results = []
print(f"{'case':24} {'D':>2} {'N':>2} {'HxW':>5} {'F':>4} {'S':>2} {'P':>2}   {'d(input)':>8} {'dW':>8} {'db':>8}")
for k, (name, D, N, hw, F, S, P, act) in enumerate(cases):
    lay = lk.ConvLayer(D, N, F, stride=S, padding=P, activation=act, rng=k)
    xk = rng.normal(size=(D, *hw))
    res = lk.gradient_check(lay, xk, rng=k)
    results.append(res)
    f_txt = f"{F}x{F}" if isinstance(F, int) else f"{F[0]}x{F[1]}"
    print(f"{name:24} {D:>2} {N:>2} {f'{hw[0]}x{hw[1]}':>5} {f_txt:>4} {S:>2} {P:>2}   "
          f"{res.d_input:8.1e} {res.dW:8.1e} {res.db:8.1e}")
""",
        IGNORE,
    ),
    code(r"""
assert all(res.passed(1e-7) for res in results)
print(f"all {len(results)} geometries pass: every rel_error of d(input), dW and db is below 1e-7")

# The rows a stride that does not divide never reads get exactly zero gradient.
lay = lk.ConvLayer(2, 3, 3, stride=2, rng=0)
x6 = rng.normal(size=(2, 6, 7))
dx6 = lay.backward(rng.normal(size=lay.forward(x6).shape))
print("gradient of input row 6 (1-based), every channel and column, is zero:", bool(np.all(dx6[:, 5, :] == 0)))
assert np.all(dx6[:, 5, :] == 0) and np.all(dx6[:, :5, :] != 0)
"""),
    md(r"""
Now the trap from the answer above: a layer whose backward pass forgets to rotate the filters.
**Predict** which of the three checks fail.
"""),
    code(r"""
class ForgotRot180(lk.ConvLayer):
    def backward(self, grad_output):
        super().backward(grad_output)            # dW and db are still right
        return lk.bp_delta_map(self.delta, lk.rot180(self.W), self.input.shape, self.stride, self.padding)

bad = lk.gradient_check(ForgotRot180(2, 2, 3, rng=0), rng.normal(size=(2, 5, 5)))
print("d(input) check passes:", bad.d_input < 1e-7)
print("dW check passes:      ", bad.dW < 1e-7)
print("db check passes:      ", bad.db < 1e-7)
assert bad.d_input > 1e-2 and bad.dW < 1e-7 and bad.db < 1e-7
"""),
    md(
        r"""
## 4. Using it: a few steps of gradient descent

The gradients are right, so they can train the layer. A "teacher" layer with hidden weights produces
targets; a "student" layer of the same shape starts from other weights and learns from
$E = \tfrac12 \lVert a^l - \text{target} \rVert^2$, so $dE/da^l = a^l - \text{target}$. One step per
example: `forward`, `backward`, `update(learning_rate)` (the lecture's `Filter.update` on every filter).

**Predict:** does the loss fall steadily, and roughly by how much in 30 passes over 4 examples?
"""
        + "\n\n"
        + answer(
            "Answer",
            r"""
It falls at every pass shown, fast at first and then more slowly, by more than a factor of 1000
here: the student can match the teacher exactly, because they have the same shape. If the gradients
were wrong (say, a sign error in $dE/dW$), the loss would stall or grow instead; the cell asserts
the factor of 1000.
""",
        )
    ),
    code(r"""
teacher = lk.ConvLayer(2, 3, (3, 2), stride=2, padding=1, activation=lk.Tanh(), rng=1)
student = lk.ConvLayer(2, 3, (3, 2), stride=2, padding=1, activation=lk.Tanh(), rng=2)
xs = rng.normal(size=(4, 2, 7, 6))
targets = [teacher.forward(xi) for xi in xs]

def loss():
    return sum(0.5 * np.sum((student.forward(xi) - t) ** 2) for xi, t in zip(xs, targets)) / len(xs)

history = [loss()]
for epoch in range(30):
    for xi, t in zip(xs, targets):
        student.backward(student.forward(xi) - t)
        student.update(0.05)
    history.append(loss())
print("loss every 5 passes:", [round(float(h), 4) for h in history[::5]])
assert history[-1] < history[0] / 1000
"""),
    md(
        r"""
## 5. Summary: the lecture's questions, answered

The lecture opens with a recap and one main question: **how do we derive the backward pass of a
convolutional layer?** Here are the answers in short, each formula checked by the cell after them;
then the table of where each question is worked out.
"""
        + "\n\n"
        + answer(
            "Recap: local connectivity, weight sharing, the forward pass, FC backprop",
            r"""
Each output of a conv layer sees only a small window of the input (local connectivity), and the
same filter is used at every position (weight sharing):
$net^l_n = \sum_d \mathrm{cross}(\mathrm{pad}(a^{l-1}_d, P), W_{n,d}, S) + w_{b,n}$, $a^l = f(net^l)$.
Backpropagation in a fully connected net computes the output layer's error terms
$\delta_k = dE/dnet_k$, sends them back layer by layer, and gets each layer's gradients from its
error terms and its input.
""",
        )
        + "\n\n"
        + answer(
            "The main question: how is a conv layer's backward pass derived?",
            r"""
With the same two steps as a fully connected hidden layer, each computed differently:

1. **Error terms** (changed by local connectivity): for every input channel $d$,
   $\delta^{l-1}_d = \sum_n \mathrm{cross}\big(\mathrm{pad}(\mathrm{dilate}(\delta^l_n, S), F-1),\ \mathrm{rot180}(W_{n,d})\big) \circ f'(net^{l-1}_d)$,
   with the $P$-wide padding ring cropped (and the dilated $\delta^l_n$ extended with zeros to the
   stride-1 size when $S$ does not divide $H - F + 2P$). Found from special cases ($dE/da_{1,1}$, $dE/da_{1,2}$),
   then stride (dilate $\delta$) and depth (sum over filters).
2. **Weight gradients** (changed by weight sharing): every weight touches every $net^l$, so
   $dE/dW_{n,d} = \mathrm{cross}\big(\mathrm{pad}(a^{l-1}_d, P),\ \mathrm{dilate}(\delta^l_n, S)\big)$, $\delta$ acting as
   the kernel, and $dE/dw_{b,n} = \sum \delta^l_n$.
""",
        )
        + "\n\n"
        + r"""
The cell checks the forward formula and both backward formulas, written out with the primitives,
on a two-layer stack ($\tanh$ layer $l-1$, sigmoid layer $l$ with $F = 3$, $S = 2$, $P = 2$):
$\delta^{l-1}$ against central differences in $net^{l-1}$, the rest against the layer's own `net`,
`dW` and `db`.
""",
    ),
    code(
        r"""
lower = lk.ConvLayer(2, 3, (2, 3), stride=1, padding=1, activation=lk.Tanh(), rng=3)   # layer l-1
upper = lk.ConvLayer(3, 2, 3, stride=2, padding=2, activation=lk.Sigmoid(), rng=4)     # layer l: F=3, S=2, P=2
own = np.random.default_rng(7)    # its own seed, so this check does not depend on the cells above
x0 = own.normal(size=(2, 5, 6))
R = own.normal(size=upper.forward(lower.forward(x0)).shape)       # E = sum(R ∘ a^l)
net_prev, a_prev = lower.net.copy(), lower.output.copy()         # net^{l-1} (3, 6, 6), a^{l-1} = tanh(net^{l-1})
F, S, P, H = 3, 2, 2, 6
Wl, bl = upper.W, upper.b

# Forward: net_n = sum_d cross(pad(a_d, P), W_{n,d}, S) + w_{b,n}
net_l = np.stack([sum(lk.correlate2d(lk.pad(a_prev[d], P), Wl[n, d], S) for d in range(3)) + bl[n] for n in range(2)])
assert np.allclose(net_l, upper.net, rtol=0, atol=1e-12)

# Error terms: dilate δ_n (and extend it with zeros to the stride-1 size), pad by F-1, cross with rot180(W_{n,d}),
# sum over n, crop the P-wide ring, multiply by f'(net^{l-1}).
delta_l = R * lk.Sigmoid().derivative(upper.net)                  # δ^l = dE/da^l ∘ f'(net^l)
h1 = H + 2 * P - F + 1                                             # stride-1 map: 8x8; dilate(δ, 2) is 7x7
d1 = [np.pad(lk.dilate(delta_l[n], S), ((0, h1 - 7), (0, h1 - 7))) for n in range(2)]
full = [lk.pad(d1[n], F - 1) for n in range(2)]
dE_da = np.stack([sum(lk.correlate2d(full[n], lk.rot180(Wl[n, d])) for n in range(2))[P:P + H, P:P + H]
                  for d in range(3)])
delta_prev = dE_da * lk.Tanh().derivative(net_prev)               # δ^{l-1}
E = lambda v: float(np.sum(R * upper.forward(np.tanh(v))))  # noqa: E731
# Two central differences combined (Richardson, as lk.gradient_check does): error ~ eps^4, not eps^2.
numeric = (4 * lk.numerical_gradient(E, net_prev, 1e-3) - lk.numerical_gradient(E, net_prev, 2e-3)) / 3
err = lk.rel_error(delta_prev, numeric)
print(f"rel_error(δ^(l-1) by the recipe, numerical) = {err:.1e}")
assert err < 1e-7
assert np.allclose(dE_da, lk.bp_delta_map(delta_l, Wl, net_prev.shape, S, P), rtol=0, atol=1e-12)

# Weight gradients: dE/dW_{n,d} = cross(pad(a_d, P), dilated δ_n), dE/dw_{b,n} = sum of δ_n
upper.forward(a_prev)
upper.backward(R)
dW_formula = np.array([[lk.correlate2d(lk.pad(a_prev[d], P), d1[n]) for d in range(3)] for n in range(2)])
assert np.allclose(dW_formula, upper.dW, rtol=0, atol=1e-12)
assert np.allclose(delta_l.sum(axis=(1, 2)), upper.db, rtol=0, atol=1e-12)
print("forward sum, dE/dW = cross(pad(a, P), dilate(δ, S)) and dE/dw_b = sum of δ: equal to the layer's")
""",
        IGNORE,
    ),
    md(r"""
### Where each of the lecture's questions is answered

| # | The lecture's question | Where |
|---|---|---|
| 1 | Recap: local connectivity, weight sharing, the forward pass, FC backprop, $\delta_k = dE/dnet_k$ | [00_start_here](00_start_here.ipynb), sections 1-3 (local connectivity and weight sharing; output size; FC backprop) |
| 2 | Steps of conv backprop; how they differ from an FC hidden layer | [00_start_here](00_start_here.ipynb), section 4 (the plan: two steps, each changed by one idea); the summary above |
| 3 | $3\times3$ input, $2\times2$ filter: $dE/da_{1,1}$, $dE/da_{1,2}$, the pattern, $\mathrm{cross}(\mathrm{pad}(\delta), \mathrm{rot180}(W))$, $f'(net)$ | [01_delta_by_hand](01_delta_by_hand.ipynb), sections 1-4 |
| 4 | Stride $S$: what changes, and inserting zeros to get back to stride 1 | [02_stride](02_stride.ipynb), sections 1-3 |
| 5 | Depth $D$, $N$ filters: which nodes a channel feeds; the sum over filters | [03_depth_and_filters](03_depth_and_filters.ipynb), sections 2-5 |
| 6 | Implement `bpDeltaMap` | [03_depth_and_filters](03_depth_and_filters.ipynb), section 6; exercise `02_bp_delta_map` |
| 7 | Weight gradient: $w_{i,j}$ touches every $net^l$; $dE/dw_{1,1}$, $dE/dw_{1,2}$; $\delta$ as kernel | [04_weight_gradients](04_weight_gradients.ipynb), sections 1-4 (with the errata box) |
| 8 | Bias gradient; stride $S$; $N \times D$ slices into a 4-D gradient | [04_weight_gradients](04_weight_gradients.ipynb), sections 5-7 |
| 9 | Implement `compute_gradient` and `Filter` | [04_weight_gradients](04_weight_gradients.ipynb), section 8; this lesson, sections 1-2; exercise `03_compute_gradient` |
| 10 | Summary: answer the opening question | this lesson, sections 3-5 |

Where to go next: the exercises (`exercises/`, start with `python -m lessonkit start`) ask you to
write `bp_delta_map` and `compute_gradient` yourself and check them as you go.
"""),
]

NOTEBOOKS_SPEC = {
    "03": ("03_depth_and_filters.ipynb", NB03),
    "04": ("04_weight_gradients.ipynb", NB04),
    "05": ("05_conv_layer.ipynb", NB05),
}


def build(key: str) -> float:
    name, cells = NOTEBOOKS_SPEC[key]
    elapsed = execute_and_write(cells, NOTEBOOKS / name, cell_id=f"l{key}-{{k:02d}}", report_slowest=3)
    print(f"{name}: executed in {elapsed:.1f} s")
    return elapsed


if __name__ == "__main__":
    for key in sys.argv[1:] or sorted(NOTEBOOKS_SPEC):
        build(key)
