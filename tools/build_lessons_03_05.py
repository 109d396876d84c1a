"""Write lessons 03-05 (notebooks/03_*.ipynb .. 05_*.ipynb) from the cells below and execute them.

Usage: ``.venv/bin/python tools/build_lessons_03_05.py [03 04 05]`` (all three by default). Each
notebook is executed top to bottom in a fresh kernel (nbclient) from ``notebooks/``, its outputs
stored, widget state stripped, and the time it took printed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
IGNORE = ["nbval-ignore-output"]  # for cells printing float errors; an assert in the cell still runs


def md(text: str):
    return nbformat.v4.new_markdown_cell(text.strip("\n"))


def code(text: str, tags=None):
    cell = nbformat.v4.new_code_cell(text.strip("\n"))
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def answer(summary: str, body: str) -> str:
    """An answer that opens on demand (works in JupyterLab, on GitHub and in static HTML)."""
    return f"<details><summary><b>{summary}</b></summary>\n\n{body.strip()}\n\n</details>"


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
    md(r"""
## 2. Which nodes of layer l does one input channel feed?

The lecture draws each channel as one node and each cross-correlation as one weighted edge.

**Question.** Channel $d_1$ of layer $l-1$: which nodes of layer $l$ does it affect?
*Predict, then open the answer.*
""" + "\n\n" + answer("Answer", r"""
**All of them.** Every filter has a slice for every input channel, so $a^{l-1}_1$ reaches
$net^l_1$ through $W_{1,1}$ and $net^l_2$ through $W_{2,1}$. In general each input channel feeds
all $N$ feature maps of layer $l$. The left panel below draws it: the edges of $d_1$ are thick,
solid and labelled; the other channels' edges are thin and dotted.
""")),
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
    md(r"""
## 3. The error term of an input channel

Layer $l$'s error terms $\delta^l = dE/dnet^l$ are known: one map $\delta^l_n$ per filter, shape
$(N, H_{out}, W_{out})$.

**Question.** What should the error term of channel $d_1$ in layer $l-1$ be?
How many terms does it have, and what is each one?
""" + "\n\n" + answer("Answer", r"""
$a^{l-1}_1$ reaches $E$ along $N$ paths, one through each feature map, so the total derivative
adds $N$ terms. Each term is the $D = N = 1$ result of lesson 01 with that filter's slice: pad
$\delta^l_n$ with $F-1$ zeros and cross-correlate it with the slice rotated by 180 degrees.

$$\frac{dE}{da^{l-1}_d} = \sum_{n=1}^{N} \mathrm{cross}\Big(\mathrm{pad}(\delta^l_n, F-1),\; \mathrm{rot180}(W_{n,d})\Big)$$

and, through layer $l-1$'s own activation $f$,

$$\delta^{l-1}_d = \frac{dE}{da^{l-1}_d} \circ f'(net^{l-1}_d).$$

(The lecture sums over $n = 0 \dots N-1$, counting filters from 0; it is the same sum.) The right
panel of the node diagram above shows the same thing backwards: $\delta^{l-1}_1$ gathers from every
$\delta^l_n$.
""") + "\n\n" + r"""
**Predict** before running the next cells: what shape does $dE/da^{l-1}$ have, $(N, \dots)$ or $(D, \dots)$?
""" + "\n\n" + answer("Answer", r"""
$(D, H, W) = (3, 3, 3)$: one map per *input channel*, shaped like $a^{l-1}$, whatever $N$ is.
The sum over $n$ is what removes the filter axis.
""")),
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
    code(r"""
def E_of_input(a):
    return float(np.sum(delta * lk.conv_forward(a, W, b)))

numeric = lk.numerical_gradient(E_of_input, x)
err = lk.rel_error(by_formula, numeric)
print(f"rel_error(sum over filters, numerical gradient) = {err:.1e}")
assert err < 1e-7
""", IGNORE),
    md(r"""
## 4. Through the activation: $\delta^{l-1}$

The sum above is $dE/da^{l-1}$. The error term of layer $l-1$ is the derivative with respect to its
*weighted input* $net^{l-1}$, where $a^{l-1} = f(net^{l-1})$, so multiply element by element by
$f'(net^{l-1})$ (not by $f'$ of the output $a^{l-1}$).

**Predict:** with the sigmoid, is any entry of $\delta^{l-1}$ larger in size than the matching entry
of $dE/da^{l-1}$?
""" + "\n\n" + answer("Answer", r"""
No. The sigmoid's slope $f'(net) = f(net)(1 - f(net))$ is at most $1/4$, so every entry shrinks to a
quarter or less. The cell checks the formula against central differences in $net^{l-1}$.
""")),
    code(r"""
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
""", IGNORE),
    md(r"""
## 5. Depth together with stride and padding

The sum over filters does not care about stride or padding: each term is lesson 02's recipe applied
to one slice. Dilate $\delta^l_n$ by $S$ (insert $S-1$ zeros), pad it with $F_h-1$ rows and $F_w-1$
columns of zeros, cross-correlate with $\mathrm{rot180}(W_{n,d})$, and crop the $P$-wide ring that
belongs to the forward padding:

$$\frac{dE}{da^{l-1}_d} = \mathrm{crop}_P\Big(\sum_{n} \mathrm{cross}\big(\mathrm{pad}(\mathrm{dilate}(\delta^l_n, S)),\ \mathrm{rot180}(W_{n,d})\big)\Big).$$

**Predict** the shape of $\delta^l$ for $a^{l-1}$ of shape $(3, 5, 6)$, filters $3\times2$, $S = 2$,
$P = 1$, $N = 2$.
""" + "\n\n" + answer("Answer", r"""
$H_{out} = \lfloor (5 - 3 + 2)/2 \rfloor + 1 = 3$ and $W_{out} = \lfloor (6 - 2 + 2)/2 \rfloor + 1 = 4$,
so $\delta^l$ is $(2, 3, 4)$.
""")),
    code(r"""
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
""", IGNORE),
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

NOTEBOOKS_SPEC = {"03": ("03_depth_and_filters.ipynb", NB03)}


def build(key: str) -> float:
    name, cells = NOTEBOOKS_SPEC[key]
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    start = time.perf_counter()
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    elapsed = time.perf_counter() - start
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nbformat.validate(nb)
    nbformat.write(nb, NOTEBOOKS / name)
    print(f"{name}: executed in {elapsed:.1f} s")
    return elapsed


if __name__ == "__main__":
    for key in sys.argv[1:] or sorted(NOTEBOOKS_SPEC):
        build(key)
