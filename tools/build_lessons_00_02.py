"""Write lessons 00-02 (notebooks/00_*.ipynb .. 02_*.ipynb) from the cells below and execute them.

Usage: ``.venv/bin/python tools/build_lessons_00_02.py [00 01 02]`` (all three by default). Each
notebook is executed top to bottom in a fresh kernel (nbclient) from ``notebooks/``, its outputs
stored, saved widget state stripped, and the time the run took printed.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tools/nbbuild.py, also when loaded by path
from nbbuild import NBVAL_IGNORE_OUTPUT, NOTEBOOKS, code, execute_and_write, md  # noqa: E402
from nbbuild import answer as _answer  # noqa: E402

WIDGET = NBVAL_IGNORE_OUTPUT  # live widget cells: their output is a model id


def answer(body: str, summary: str = "Answer") -> str:
    """An answer that opens on demand; these first lessons ask to try first."""
    return _answer(summary, body, hint="(try first, then click)")


SETUP = """
import numpy as np
import sympy
from IPython.display import Math, display

import lessonkit as lk
from lessonkit import symbolic as sy
from lessonkit.visual import figures, show, widgets

np.set_printoptions(precision=4, suppress=True)
rng = np.random.default_rng(2026)  # every random number in this lesson comes from this seed
"""

HOW_TO = """
*How to read this lesson:* each of the lecture's questions comes first; its answer is folded under
**Answer** so you can try before you look. When a cell computes something you can predict, write
your prediction down before running it. Indices in the prose are 1-based like the lecture's
($a_{1,1}$ is the top-left input); in code they start at 0 (`x[0, 0]`).
"""

# ----------------------------------------------------------------------------------------------
# 00 start here

NB00 = [
    md(r"""
# 00 · Start here: how a convolutional layer learns

This course derives, checks and implements the **backward pass of a convolutional layer**, following
one lecture of a deep-learning foundations class step by step. Its main question:

> **How do we derive the backward pass of a convolutional layer?**

By the end you can compute, for any stride, padding, depth and number of filters, the error terms
of the layer below ($\delta^{l-1}$) and the gradient of every weight and bias, and you have
checked each formula against numbers.
"""),
    md(
        r"""
## How the course works

| folder | what is in it | what you do |
|---|---|---|
| `notebooks/` | the lessons 00-05 (this is 00) | read, predict, run; every formula is checked by a cell |
| `exercises/` | notebooks with functions to implement (`bp_delta_map`, `compute_gradient`, ...) | fill in the marked part; a check cell right below gives instant feedback |
| `solutions/` | the same notebooks, solved | compare after you tried |
| `lessonkit/` | the course's Python package: the maths, figures and widgets | import it; the lessons never copy its code into cells |

- **Checks.** Every formula stated in a lesson is verified in the same notebook, either by symbolic
  equality (sympy) or against a *numerical gradient* (central differences), with the relative
  error printed and asserted. `make test` re-runs every notebook and compares its outputs.
- **Widgets** (sliders) need a live kernel. Under each widget there is a static figure of one state,
  so the lesson also reads on GitHub or in the HTML edition.
- **Lessons:** 00 recap and notation · 01 the error terms by hand (3×3 input, 2×2 filter) ·
  02 stride · 03 depth and several filters · 04 weight and bias gradients · 05 the whole layer.
"""
        + HOW_TO
    ),
    code(SETUP),
    md(r"""
## Notation and glossary

We use the lecture's symbols everywhere, in prose and in code. The last column gives the lecture's
own (Chinese) term, so you can match this course with the lecture notes.

| symbol | meaning | in code | lecture's term |
|---|---|---|---|
| layer $l-1$, layer $l$ | the conv layer whose error terms we compute, and the next layer | | 當前層 / 下一層 |
| $a^{l-1}$ | outputs (activations) of layer $l-1$, the input of the conv, shape $(D, H, W)$ | `x` | 輸出 |
| $net^l$ | weighted input of layer $l$, shape $(N, H_{out}, W_{out})$ | `net` | 加權輸入 |
| $\delta^l = \partial E/\partial net^l$ | error term ("delta map", sensitivity map) | `delta` | 誤差項 |
| $W$, $w_b$ | filters, shape $(N, D, F_h, F_w)$, and the bias of each filter | `w`, `b` | 權重 / 偏置項 |
| $D$, $N$ | input depth, number of filters | | 深度 / Filter 個數 |
| $S$, $P$ | stride, zero padding | `stride`, `padding` | 步長 / 補0 |
| $F$ ($F_h$, $F_w$) | filter size (height, width) | | Filter 大小 |
| cross$(\cdot,\cdot)$ | valid 2-D cross-correlation | `lk.correlate2d` | 互相關 |
| rot180 | rotate a filter by 180 degrees | `lk.rot180` | 翻轉180度 |
| $\circ$ | element-wise product | `*` | element wise product |
| $f$, $f'$ | activation function and its derivative | `lk.ReLU()`, ... | 激活函數 / 導數 |

Output size: $H_{out} = \lfloor (H - F + 2P)/S \rfloor + 1$, and the same for the width.
"""),
    md(
        r"""
## 1. Recap: local connectivity and weight sharing

**Question.** What do *local connectivity* and *weight sharing* mean in a convolutional layer?
"""
        + "\n\n"
        + answer(r"""
- **Local connectivity:** each output $net_{i,j}$ depends only on a small window of the input (its
  *receptive field*, $F \times F$ cells), not on every input as in a fully connected (FC) layer.
- **Weight sharing:** every output uses the *same* filter $W$ (and bias $w_b$) on its own window.
  A $2\times2$ filter has 4 weights, whatever the size of the input.

In the lecture's example below, $net_{1,1}$ reads only $a_{1,1}, a_{1,2}, a_{2,1}, a_{2,2}$, and all
four outputs use the same $w_{1,1}, \dots, w_{2,2}$. This is the lecture's first (lost) figure.
""")
    ),
    code("show(figures.lecture_example_figure())"),
    md(
        r"""
**Question.** How is the forward pass computed? Write $net_{1,2}$ for the figure above.
"""
        + "\n\n"
        + answer(r"""
Slide the filter over the input and, at each position, multiply cell by cell and add the bias:

$$net_{i,j} = \sum_{u=1}^{F}\sum_{v=1}^{F} w_{u,v}\, a_{(i-1)S+u,\,(j-1)S+v} + w_b,$$

so $net_{1,2} = w_{1,1}a_{1,2} + w_{1,2}a_{1,3} + w_{2,1}a_{2,2} + w_{2,2}a_{2,3} + w_b$.
`lessonkit.symbolic` writes this sum out with the lecture's names; the next cell prints all four
outputs and checks $net_{1,2}$ against the formula.
""")
    ),
    code(r"""
net = sy.net_expressions(H=3, W=3, Fh=2, Fw=2, stride=1, padding=0)
for (i, j), expr in net.items():
    display(Math(f"net_{{{i},{j}}} = " + sy.to_latex(expr)))

a, w, w_b = sy.a, sy.w, sy.w_b()
by_hand = w(1, 1) * a(1, 2) + w(1, 2) * a(1, 3) + w(2, 1) * a(2, 2) + w(2, 2) * a(2, 3) + w_b
assert sympy.simplify(net[1, 2] - by_hand) == 0
"""),
    md(r"""
The same thing with numbers: `lk.conv_forward` takes $x$ of shape $(D, H, W)$, filters of shape
$(N, D, F_h, F_w)$ and one bias per filter. The cell compares it with the symbolic sums, numbers
substituted.
"""),
    code(r"""
x = np.arange(1.0, 10.0).reshape(3, 3)    # a_{1,1} .. a_{3,3}
W = np.array([[1.0, 0.0], [-1.0, 2.0]])   # w_{1,1} .. w_{2,2}
net_numbers = lk.conv_forward(x[None], W[None, None], b=[0.5])[0]
print(net_numbers)
from_symbols = np.array([[sy.substitute(net[i, j], x=x, weights=W, bias=0.5) for j in (1, 2)] for i in (1, 2)])
assert np.array_equal(net_numbers, from_symbols)
"""),
    md(
        r"""
## 2. Output size, stride and padding

The filter moves $S$ cells at a time (the *stride*), and the input may be surrounded by $P$ rings of
zeros (the *padding*). The padded input has $H + 2P$ rows; the last window must still fit inside it.

**Predict** before running the next cell: for $H = 7$, $F = 3$, $S = 2$, $P = 1$, how many rows does
the feature map have? And for $H = 6$, $F = 3$, $S = 2$, $P = 0$?
"""
        + "\n\n"
        + answer(r"""
$H_{out} = \lfloor (H - F + 2P)/S \rfloor + 1$: $\lfloor 6/2 \rfloor + 1 = 4$ and
$\lfloor 3/2 \rfloor + 1 = 2$. The floor matters: in the second case the window cannot take a third
step (it would need rows 5-7, and there are only 6), so the last input row is never read. Lesson 02
shows that row then gets a zero gradient.
""")
    ),
    code(r"""
def output_rows(H, F, S, P):
    return (H - F + 2 * P) // S + 1

for H, F, S, P in [(7, 3, 2, 1), (6, 3, 2, 0), (3, 2, 1, 0), (5, 3, 1, 1), (4, 1, 3, 2)]:
    shape = lk.conv_forward(np.ones((1, H, H)), np.ones((1, 1, F, F)), [0.0], S, P).shape
    print(f"H={H} F={F} S={S} P={P}:  H_out = ({H} - {F} + 2*{P})//{S} + 1 = {output_rows(H, F, S, P)}")
    assert shape == (1, output_rows(H, F, S, P), output_rows(H, F, S, P))
"""),
    md(r"""
**Try it.** The widget steps the filter over the input: pick the output cell with the last slider
and watch which window (receptive field) it reads; change $H$, $F$, $S$, $P$ and watch $H_{out}$.
A filter larger than the padded input gives no output, and the widget says so.
"""),
    code("rf = widgets.receptive_field_widget(h=5, f=3)\nrf", tags=WIDGET),
    md(r"""
Without a kernel the widget above is empty; here is one state of it, set from code: $H = 5$,
$F = 3$, $S = 2$, $P = 1$, output $net_{2,3}$ (cell number 5 in reading order).
"""),
    code(r"""
rf.set_values(stride=2, padding=1, step=5)
assert rf.state == {"valid": True, "h_out": 3, "w_out": 3, "cell": (2, 3)}
print(rf.state)
show(rf)   # a static copy of the widget's current picture
"""),
    md(
        r"""
## 3. Recap: backpropagation in a fully connected layer

**Question.** What is the backward-pass algorithm of a fully connected network?
"""
        + "\n\n"
        + answer(r"""
First compute the error terms of the output layer; then go backwards, layer by layer, computing each
layer's error terms from those of the layer after it, down to the first hidden layer; finally get
each layer's weight gradients from its error terms and its input.
""")
    ),
    md(
        r"""
**Question.** What is the error term of a neuron $k$?
"""
        + "\n\n"
        + answer(r"""
$$\delta_k = \frac{\partial E}{\partial net_k},$$

the derivative of the loss with respect to the neuron's *weighted input* (before the activation).
For a sigmoid output layer with $E = \tfrac12 \sum_k (t_k - y_k)^2$ and $y = f(net)$ this gives
$\delta_k = (y_k - t_k)\, f'(net_k)$. The next cell checks exactly that against a numerical gradient.
""")
    ),
    code(r"""
V = rng.normal(size=(3, 4))                # an FC layer: 4 inputs, 3 neurons
c = rng.normal(size=3)
a_in = rng.normal(size=4)
t = np.array([0.0, 1.0, 0.0])              # the target
f = lk.Sigmoid()

def E_of_net(net_k):                       # the loss as a function of the weighted inputs
    return 0.5 * np.sum((t - f.forward(net_k)) ** 2)

net_k = V @ a_in + c
delta_k = (f.forward(net_k) - t) * f.derivative(net_k)
err = lk.rel_error(delta_k, lk.numerical_gradient(E_of_net, net_k))
print(f"delta_k = {delta_k.round(4)}")
print(f"rel_error = {err:.1e} against the numerical gradient")
assert err < 1e-7
"""),
    md(
        r"""
## 4. The plan: two steps, each changed by one idea

**Question.** What are the steps of a convolutional layer's backward pass? Are they the steps of an
FC hidden layer, and if not, what differs?
"""
        + "\n\n"
        + answer(r"""
Two steps, the same two as for an FC hidden layer:

1. Given the error terms $\delta^l$ of the next layer, compute the error terms $\delta^{l-1}$ of this
   layer (lessons 01-03).
2. Compute the gradient of every weight of the filter (and of the bias) (lesson 04).

How each step is *computed* differs: **local connectivity** changes step 1 (each input only reaches
the outputs whose window covers it), and **weight sharing** changes step 2 (each weight is used by
every output, so its gradient is a sum over all of them). Lesson 05 puts both into one layer.
""")
    ),
    md(r"""
Next: [01 · The error terms by hand](01_delta_by_hand.ipynb).
"""),
]

# ----------------------------------------------------------------------------------------------
# 01 delta by hand

NB01 = [
    md(
        r"""
# 01 · The error terms by hand: 3×3 input, 2×2 filter

**Main question of this part:** how do we compute the error terms backwards?

We start with the simplest case, as the lecture does: stride $S = 1$, input depth $D = 1$, one
filter ($N = 1$), a $3\times3$ input and a $2\times2$ filter, so a $2\times2$ feature map. Layer
$l-1$ is the conv layer's input side, layer $l$ its output; we assume every $\delta^l_{i,j}$ is
already known and compute every $\delta^{l-1}_{i,j}$.
"""
        + HOW_TO
    ),
    code(SETUP),
    code("show(figures.lecture_example_figure(out=(0, 1)))"),
    md(
        r"""
## 1. Split the error term with the chain rule

**Question.** What is $\delta^{l-1}_{i,j}$, the error term of row $i$, column $j$ of layer $l-1$?
"""
        + "\n\n"
        + answer(r"""
By definition and the chain rule through $a^{l-1}_{i,j} = f(net^{l-1}_{i,j})$:

$$\delta^{l-1}_{i,j} = \frac{\partial E}{\partial net^{l-1}_{i,j}}
= \frac{\partial E}{\partial a^{l-1}_{i,j}}\;\frac{\partial a^{l-1}_{i,j}}{\partial net^{l-1}_{i,j}}.$$

The second factor is $f'(net^{l-1}_{i,j})$ (section 5). The first one is the real work: sections 2-4.
""")
    ),
    md(
        r"""
## 2. Two special cases

**Question.** Which outputs of layer $l$ does $a_{1,1}$ take part in, and what is
$\partial E/\partial a_{1,1}$? **Predict** before you run the cell.
"""
        + "\n\n"
        + answer(r"""
Only $net_{1,1} = w_{1,1}a_{1,1} + w_{1,2}a_{1,2} + w_{2,1}a_{2,1} + w_{2,2}a_{2,2} + w_b$ contains
$a_{1,1}$, so

$$\frac{\partial E}{\partial a_{1,1}} = \frac{\partial E}{\partial net_{1,1}}\frac{\partial net_{1,1}}{\partial a_{1,1}} = \delta_{1,1} w_{1,1}.$$
""")
    ),
    md(r"""
We do not type this by hand: `sy.dE_da(i, j)` writes out the forward pass and applies the chain
rule literally, $\sum_{m,n} \delta_{m,n}\, \partial net_{m,n}/\partial a_{i,j}$, over *all* outputs.
"""),
    code(r"""
d, w, a = sy.delta, sy.w, sy.a
display(Math(r"\frac{\partial E}{\partial a_{1,1}} = " + sy.to_latex(sy.dE_da(1, 1))))
assert sympy.simplify(sy.dE_da(1, 1) - d(1, 1) * w(1, 1)) == 0
"""),
    md(
        r"""
**Question.** And $\partial E/\partial a_{1,2}$? Which outputs does $a_{1,2}$ feed, through which
weights? **Predict**, then run.
"""
        + "\n\n"
        + answer(r"""
$a_{1,2}$ appears in $net_{1,1}$ (multiplied by $w_{1,2}$) and in $net_{1,2}$ (multiplied by
$w_{1,1}$). Both paths add up:

$$\frac{\partial E}{\partial a_{1,2}} = \delta_{1,1} w_{1,2} + \delta_{1,2} w_{1,1}.$$
""")
    ),
    code(r"""
display(Math(r"\frac{\partial E}{\partial a_{1,2}} = " + sy.to_latex(sy.dE_da(1, 2))))
assert sympy.simplify(sy.dE_da(1, 2) - (d(1, 1) * w(1, 2) + d(1, 2) * w(1, 1))) == 0
"""),
    md(r"""
**Try it.** Pick an input cell and see which outputs it feeds and through which weight; the text
under the sliders gives $\partial E/\partial a_{i,j}$. With stride or a larger filter, some cells
feed fewer outputs, and some none at all.
"""),
    code("cells = widgets.input_cell_widget(h=3, f=2)\ncells", tags=WIDGET),
    md(r"""
One state of the widget, for reading without a kernel: the centre cell $a_{2,2}$ feeds all four
outputs, each through a different weight.
"""),
    code(r"""
cells.set_values(row=2, col=2)
assert cells.state["terms"] == [(1, 1, 2, 2), (1, 2, 2, 1), (2, 1, 1, 2), (2, 2, 1, 1)]
print(cells.label.value)
show(cells)   # a static copy of the widget's current picture
"""),
    md(r"""
## 3. Spot the pattern

Here are all nine $\partial E/\partial a_{i,j}$, written out by sympy.
"""),
    code(r"""
grid = sympy.Matrix(3, 3, lambda r, c: sy.dE_da(r + 1, c + 1))   # entry (r, c) is dE/da_{r+1, c+1}
Math(r"\left[\frac{\partial E}{\partial a_{i,j}}\right] = " + sy.to_latex(grid))
"""),
    md(
        r"""
**Question.** What rule produces all nine at once? Hint: look at which $\delta$ goes with which $w$
in the corners, and read the weights of the middle cell from bottom-right to top-left.
"""
        + "\n\n"
        + answer(r"""
Surround $\delta^l$ with a ring of $F-1 = 1$ zeros, rotate the filter by 180 degrees, and
cross-correlate the two:

$$\frac{\partial E}{\partial a^{l-1}} = \mathrm{cross}\big(\mathrm{pad}(\delta^l, F-1),\; \mathrm{rot180}(W)\big).$$

Each $2\times2$ window of the padded $\delta$ holds exactly the outputs that the input cell under it
feeds, and the rotated filter lines each $\delta_{m,n}$ up with the weight that connected them. This
is the lecture's second lost figure (below, highlighted: the window that gives
$\partial E/\partial a_{1,2}$). With padding $F-1$ the output is $3\times3$ again, the size of the
input: a "full" cross-correlation.
""")
    ),
    code("show(figures.padded_delta_figure(target=(0, 1)))"),
    md(r"""
First check, symbolically: build the padded $\delta$ and the rotated filter as sympy matrices,
cross-correlate them, and compare with the nine chain-rule results above, cell by cell.
"""),
    code(r"""
padded = sympy.zeros(4, 4)
for m in range(2):
    for n in range(2):
        padded[m + 1, n + 1] = d(m + 1, n + 1)
rotated = sympy.Matrix(2, 2, lambda u, v: w(2 - u, 2 - v))      # rot180(W), 1-based names
cross = sympy.Matrix(3, 3, lambda r, c: sum(padded[r + u, c + v] * rotated[u, v] for u in range(2) for v in range(2)))
assert all(sympy.simplify(cross[r, c] - grid[r, c]) == 0 for r in range(3) for c in range(3))
print("cross(pad(delta, 1), rot180(W)) equals the chain rule in all 9 cells")
"""),
    md(r"""
Second check, with numbers: the formula built from `lk.pad`, `lk.rot180` and `lk.correlate2d`,
lessonkit's `lk.bp_delta_map`, and a numerical gradient. For the loss we take
$E(a) = \sum_{m,n} \delta_{m,n}\, net_{m,n}(a)$: its $\partial E/\partial net$ is exactly the
$\delta$ we chose, so its gradient with respect to $a$ must be what the formula gives.

**Predict:** the top-left entry of the result is $\delta_{1,1} w_{1,1}$. What is it here?
"""),
    code(r"""
x = rng.normal(size=(3, 3))            # a^{l-1}
W = np.array([[1.0, 2.0], [3.0, 4.0]])
delta = np.array([[1.0, -1.0], [2.0, 0.5]])

formula = lk.correlate2d(lk.pad(delta, 1), lk.rot180(W))
library = lk.bp_delta_map(delta[None], W[None, None], input_shape=(1, 3, 3))[0]
E = lambda a: np.sum(delta * lk.conv_forward(a[None], W[None, None], [0.0])[0])
numeric = lk.numerical_gradient(E, x)
print(formula)
err = max(lk.rel_error(formula, numeric), lk.rel_error(library, numeric))
print(f"rel_error = {err:.1e} against the numerical gradient")
assert err < 1e-7 and formula[0, 0] == delta[0, 0] * W[0, 0]
"""),
    md(r"""
The rule is not special to $3\times3$ and $2\times2$: the same cell on a $6\times5$ input with a
$3\times3$ filter (padding $F-1 = 2$).
"""),
    code(r"""
x = rng.normal(size=(6, 5))
W = rng.normal(size=(3, 3))
delta = rng.normal(size=(4, 3))
formula = lk.correlate2d(lk.pad(delta, 2), lk.rot180(W))
E = lambda a: np.sum(delta * lk.conv_forward(a[None], W[None, None], [0.0])[0])
err = lk.rel_error(formula, lk.numerical_gradient(E, x))
print(f"6x5 input, 3x3 filter: rel_error = {err:.1e}")
assert formula.shape == (6, 5) and err < 1e-7
"""),
    md(
        r"""
**Question.** Why rotate the filter, and why pad by exactly $F-1$?
"""
        + "\n\n"
        + answer(r"""
- *Rotation:* in the forward pass $w_{1,1}$ meets the **top-left** cell of each window. Seen from an
  input cell, the output whose window has it at the top-left is the **bottom-right** one among the
  outputs it feeds. So when we gather the outputs around an input cell, the weights appear in
  reverse order: the filter rotated by 180°.
- *Padding $F-1$:* a corner input cell feeds a single output, and only an $F\times F$ window that
  overhangs the $\delta$ map by $F-1$ cells on that side can pick out just that one. Fewer zeros
  would lose the border cells of the input, more would add cells that do not exist.
""")
    ),
    md(
        r"""
## 4. From $\partial E/\partial a$ to $\delta^{l-1}$: multiply by $f'(net^{l-1})$

**Question.** What is $\partial a^{l-1}_{i,j} / \partial net^{l-1}_{i,j}$?
"""
        + "\n\n"
        + answer(r"""
Since $a^{l-1}_{i,j} = f(net^{l-1}_{i,j})$, it is $f'(net^{l-1}_{i,j})$. Putting the two factors
together, for whole matrices:

$$\delta^{l-1} = \mathrm{cross}\big(\mathrm{pad}(\delta^l, F-1), \mathrm{rot180}(W)\big) \circ f'(net^{l-1}),$$

where $\circ$ multiplies entry by entry. Note: $f'$ is taken at $net^{l-1}$, the weighted input of
layer $l-1$, not at its output $a^{l-1}$.
""")
    ),
    md(r"""
The check: a layer $l-1$ with weighted input $net^{l-1}$ ($4\times4$) and activation $f$, followed by
the conv ($3\times3$ filter), and the loss $E = \tfrac12\sum (net^l - t)^2$, so that
$\delta^l = net^l - t$. We compare the formula with the numerical gradient of $E$ with respect to
$net^{l-1}$, for ReLU and for sigmoid, and show what goes wrong if $f'$ is taken at $a^{l-1}$.
"""),
    code(r"""
net_prev = rng.normal(size=(4, 4))        # net^{l-1}
W = rng.normal(size=(3, 3))
t = rng.normal(size=(2, 2))               # a target for net^l

for f in (lk.ReLU(), lk.Sigmoid()):
    def E(v):
        net_l = lk.conv_forward(f.forward(v)[None], W[None, None], [0.1])[0]
        return 0.5 * np.sum((net_l - t) ** 2)
    a_prev = f.forward(net_prev)
    delta_l = lk.conv_forward(a_prev[None], W[None, None], [0.1])[0] - t
    dE_da = lk.correlate2d(lk.pad(delta_l, 2), lk.rot180(W))
    delta_prev = dE_da * f.derivative(net_prev)
    numeric = lk.numerical_gradient(E, net_prev)
    err = lk.rel_error(delta_prev, numeric)
    wrong = lk.rel_error(dE_da * f.derivative(a_prev), numeric)   # f' at the output: a classic slip
    print(f"{f!r:10} rel_error = {err:.1e};  with f'(a) instead of f'(net): wrong by more than 1e-3? {wrong > 1e-3}")
    assert err < 1e-7 and (wrong > 1e-3) == isinstance(f, lk.Sigmoid)
"""),
    md(r"""
For ReLU the slip goes unnoticed: $a = \max(0, net)$ is positive exactly where $net$ is, so
$f'(a) = f'(net)$. For sigmoid it gives wrong error terms — and a test with ReLU alone would miss it.

## Summary

- $\partial E/\partial a^{l-1}_{i,j}$ sums $\delta_{m,n} w_{u,v}$ over the outputs $(m, n)$ whose
  window covers $(i, j)$ — local connectivity decides which terms appear.
- All of them at once: $\mathrm{cross}(\mathrm{pad}(\delta^l, F-1), \mathrm{rot180}(W))$.
- $\delta^{l-1} = \partial E/\partial a^{l-1} \circ f'(net^{l-1})$.

Next: [02 · Stride](02_stride.ipynb), where the feature map skips positions.
"""),
]

# ----------------------------------------------------------------------------------------------
# 02 stride

NB02 = [
    md(
        r"""
# 02 · Stride: put the skipped zeros back

Lesson 01 used stride 1. With stride $S$ the filter jumps $S$ cells at a time, the feature map is
smaller, and the rule of lesson 01 cannot be applied to $\delta^l$ as it is. This lesson answers the
lecture's question: **what changes with stride $S$, and how do we turn it back into the stride-1
case?**
"""
        + HOW_TO
    ),
    code(SETUP),
    md(
        r"""
## 1. Stride 2 against stride 1

**Question.** A $5\times5$ input and a $3\times3$ filter. How large is the feature map at stride 1,
and at stride 2? How are the two maps related? **Predict**, then look.
"""
        + "\n\n"
        + answer(r"""
$(5-3)/1 + 1 = 3$ and $\lfloor (5-3)/2\rfloor + 1 = 2$. At stride 2 the window visits every second
position of the stride-1 walk, so the stride-2 map is the stride-1 map with every second row and
column dropped: $net^{(S)}_{i,j} = net^{(1)}_{(i-1)S+1,\,(j-1)S+1}$. This is the lecture's third lost
figure.
""")
    ),
    code(r"""
x = (np.arange(25).reshape(5, 5) * 3 % 7).astype(float)
W = np.array([[1.0, 0.0, 1.0], [0.0, 2.0, 0.0], [1.0, 0.0, -1.0]])
show(figures.stride_compare_figure(x, W, stride=2))
"""),
    code(r"""
net1 = lk.conv_forward(x[None], W[None, None], [0.0], stride=1)[0]
net2 = lk.conv_forward(x[None], W[None, None], [0.0], stride=2)[0]
print(net1.shape, net2.shape)
assert np.array_equal(net2, net1[::2, ::2])
"""),
    md(
        r"""
## 2. Back to stride 1 by inserting zeros

**Question.** How do we handle stride 2 in the backward pass, reusing what we know for stride 1?
"""
        + "\n\n"
        + answer(r"""
The stride-$S$ outputs are a subset of the stride-1 outputs. The skipped outputs do not exist, so
they contribute nothing to the loss: treat their error terms as **zero**. Put each $\delta^l_{m,n}$
back at the place it would have in the stride-1 map, i.e. insert $S-1$ zeros between neighbouring
entries (`lk.dilate(delta, S)`), and the stride-1 rule applies unchanged:

$$\frac{\partial E}{\partial a^{l-1}} = \mathrm{cross}\big(\mathrm{pad}(\mathrm{dilate}(\delta^l, S), F-1), \mathrm{rot180}(W)\big).$$
""")
    ),
    md(r"""
Symbolic check first. `sy.dE_da(..., stride=2)` applies the chain rule to the stride-2 forward pass.
Take the stride-1 result instead, set the error terms of the skipped outputs to zero and rename
the kept ones ($\delta^{(1)}_{2m-1,2n-1} \to \delta^{(2)}_{m,n}$): the two must agree in every cell.
"""),
    code(r"""
g = dict(H=5, W=5, Fh=3, Fw=3)
back_to_stride_2 = {}
for m in range(1, 4):
    for n in range(1, 4):
        kept = m % 2 == 1 and n % 2 == 1
        back_to_stride_2[sy.delta(m, n)] = sy.delta((m + 1) // 2, (n + 1) // 2) if kept else 0
for i in range(1, 6):
    for j in range(1, 6):
        stride_2 = sy.dE_da(i, j, stride=2, **g)
        via_stride_1 = sy.dE_da(i, j, stride=1, **g).xreplace(back_to_stride_2)
        assert sympy.simplify(stride_2 - via_stride_1) == 0
display(Math(r"S = 2:\quad \frac{\partial E}{\partial a_{3,3}} = " + sy.to_latex(sy.dE_da(3, 3, stride=2, **g))))
"""),
    md(r"""
The same in pictures and numbers: $\delta^l$ ($2\times2$), dilated to $3\times3$ (inserted zeros
cross-hatched), padded by $F-1 = 2$ (dotted ring), cross-correlated with the rotated filter.
"""),
    code(r"""
delta = np.array([[1.0, 2.0], [3.0, 4.0]])
show(figures.stride_backward_figure(delta, W, 5, 5, stride=2))
"""),
    code(r"""
formula = lk.correlate2d(lk.pad(lk.dilate(delta, 2), 2), lk.rot180(W))
library = lk.bp_delta_map(delta[None], W[None, None], (1, 5, 5), stride=2)[0]
E = lambda a: np.sum(delta * lk.conv_forward(a[None], W[None, None], [0.0], stride=2)[0])
numeric = lk.numerical_gradient(E, x)
err = max(lk.rel_error(formula, numeric), lk.rel_error(library, numeric))
print(f"rel_error = {err:.1e} against the numerical gradient")
assert err < 1e-7
"""),
    md(
        r"""
## 3. When the stride does not divide $H - F + 2P$

**Question.** A $6\times6$ input, $3\times3$ filter, stride 2, no padding. **Predict:** how large is
$\delta^l$, which input cells does no window read, and what is their gradient?
"""
        + "\n\n"
        + answer(r"""
$\lfloor (6-3)/2 \rfloor + 1 = 2$: the windows start at rows 1 and 3 and cover rows 1-5. Row 6 and
column 6 are never read, so the loss does not depend on them: their gradient is exactly 0.

Dilating the $2\times2$ $\delta$ gives only $3\times3$, but the stride-1 map of this input would be
$4\times4$. So after dilating we also append zero rows and columns at the bottom and right up to
the stride-1 size, $H + 2P - F + 1$; `lk.bp_delta_map` does this. Without it the result would have
the wrong shape — a classic bug.
""")
    ),
    code(r"""
x6 = rng.normal(size=(6, 6))
delta = rng.normal(size=(2, 2))
grad = lk.bp_delta_map(delta[None], W[None, None], (1, 6, 6), stride=2)[0]
E = lambda a: np.sum(delta * lk.conv_forward(a[None], W[None, None], [0.0], stride=2)[0])
numeric = lk.numerical_gradient(E, x6)
err = lk.rel_error(grad, numeric)
print("last row:", numeric[-1].round(10), " last column:", numeric[:, -1].round(10))
print(f"rel_error = {err:.1e}")
assert err < 1e-7 and not grad[-1].any() and not grad[:, -1].any()
"""),
    code(r"""
show(figures.stride_backward_figure(np.array([[1.0, 2.0], [3.0, 4.0]]), W, 6, 6, stride=2))
"""),
    md(r"""
With padding the same steps work on the padded input; at the end we crop the $P$-wide ring, because
those zeros are not inputs. $5\times5$ input, $F = 3$, $S = 2$, $P = 1$:
"""),
    code(r"""
delta = rng.normal(size=(3, 3))
grad = lk.bp_delta_map(delta[None], W[None, None], (1, 5, 5), stride=2, padding=1)[0]
E = lambda a: np.sum(delta * lk.conv_forward(a[None], W[None, None], [0.0], stride=2, padding=1)[0])
err = lk.rel_error(grad, lk.numerical_gradient(E, x))
print(f"rel_error = {err:.1e}")
assert err < 1e-7
"""),
    md(r"""
**Try it.** Change the input size, the stride and the padding: the widget dilates $\delta$,
fills it up to the stride-1 size, pads it by $F-1$, correlates with the rotated filter and crops $P$.
"""),
    code("sp = widgets.stride_padding_widget(h=5, f=3, stride=2)\nsp", tags=WIDGET),
    md(r"""
One state of it, set from code: $H = 6$, $S = 2$, $P = 1$.
"""),
    code(r"""
sp.set_values(height=6, padding=1)
assert sp.state["delta_shape"] == (3, 3) and sp.state["stride_one_shape"] == (6, 6)
print(sp.label.value)
show(sp)   # a static copy of the widget's current picture
"""),
    md(r"""
## Summary

- At stride $S$ the feature map keeps every $S$-th output of the stride-1 map.
- Backwards: `dilate` $\delta^l$ (insert $S-1$ zeros), fill up to the stride-1 size, then apply the
  stride-1 rule, and crop the padding. Inputs no window reads get gradient 0.

Next: [03 · Depth and several filters](03_depth_and_filters.ipynb).
"""),
]

LESSONS = {"00": ("00_start_here", NB00), "01": ("01_delta_by_hand", NB01), "02": ("02_stride", NB02)}


def build(key: str, execute: bool = True) -> float:
    """Write one notebook, execute it in a fresh kernel, store it; return the run time in seconds."""
    name, cells = LESSONS[key]
    return execute_and_write(
        cells,
        NOTEBOOKS / f"{name}.ipynb",
        cell_id=f"lesson{key}-cell{{k:02d}}",
        execute=execute,
        merge_outputs=False,
    )


if __name__ == "__main__":
    keys = sys.argv[1:] or list(LESSONS)
    for key in keys:
        print(f"{LESSONS[key][0]}: executed in {build(key):.1f} s")
