"""Write lessons 06 and 07 (notebooks/06_vectorizing.ipynb, notebooks/07_capstone.ipynb) and execute them.

Usage: ``.venv/bin/python tools/build_lessons_06_07.py [06 07]`` (both by default). Each notebook is
executed top to bottom in a fresh kernel (nbclient) from ``notebooks/``, its outputs stored, widget
state stripped, and the time it took printed.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tools/nbbuild.py, also when loaded by path
from nbbuild import NBVAL_IGNORE_OUTPUT, NOTEBOOKS, answer, code, execute_and_write, md  # noqa: E402

IGNORE = NBVAL_IGNORE_OUTPUT  # timings and training results; a plain cell after asserts on them


# ----------------------------------------------------------------------------------------------
# 06 vectorizing

NB06 = [
    md(r"""
# 06 · Making it fast: the same maths as matrix products

Lessons 01-05 computed a conv layer the way the lecture derives it: for every filter $n$ and every
input channel $d$, one 2-D cross-correlation, and for the backward pass the rules

$$\frac{\partial E}{\partial a^{l-1}_d} = \sum_{n} \mathrm{cross}\big(\mathrm{pad}(\mathrm{dilate}(\delta^l_n, S), F-1),\ \mathrm{rot180}(W_{n,d})\big),
\qquad
\frac{\partial E}{\partial w_{i,j}} = \sum_m \sum_n \delta_{m,n}\, a_{i+m,\,j+n}.$$

That code is right for every geometry, and slow. To train a real network (lesson 07) we need the
same numbers, for a whole batch of $B$ inputs at once, hundreds of times faster. This lesson shows
how `lessonkit.fast` gets there **without changing the maths**: each of the three computations
becomes one matrix product.

*How to use it:* questions come first; answers are folded under **Answer**. Timings depend on your
machine, so the cells that measure them are not compared when the notebook is tested; a plain cell
after each one checks only a loose ratio.
"""),
    code(r"""
%matplotlib inline
import time

import numpy as np
from threadpoolctl import threadpool_limits

import lessonkit as lk
from lessonkit import bench, fast
from lessonkit.visual import apply_style, show
from lessonkit.visual import training as figs

apply_style()
np.set_printoptions(precision=4, suppress=True)
threadpool_limits(1)  # one BLAS thread: fair timings, and no fight for cores on a shared machine
rng = np.random.default_rng(2026)  # every random number in this lesson comes from this seed
"""),
    md(r"""
## 1. Why the loop version is slow

**Question.** A batch of $B = 32$ images, $D = 16$ channels, $N = 32$ filters (the second layer of
lesson 07's network). How many calls of `correlate2d` does the loop reference make for one forward
pass of the batch? And for the two backward steps?
"""),
    md(
        answer(
            "Answer",
            r"""
The forward pass makes one call per (sample, filter, channel): $B \cdot N \cdot D = 32 \cdot 32 \cdot 16 = 16\,384$
calls. `bp_delta_map` and `compute_gradient` make as many again each: about 49 000 calls for one
training step of one layer. Each call is a few microseconds of Python and numpy bookkeeping around a
tiny $8\times8$ computation, so the bookkeeping, not the arithmetic, takes the time. The cure is to
hand numpy (and the BLAS library under it) **few, large** operations.
""",
        )
    ),
    code(
        r"""
case = bench.Case("lesson 07, layer 2, B=8", B=8, D=16, H=8, W=8, N=32, Fh=3, Fw=3, S=2, P=1)
x, w, b, delta = case.arrays(np.float64)


def loop_reference():
    for xi, di in zip(x, delta):
        lk.conv_forward(xi, w, b, case.S, case.P)
        lk.bp_delta_map(di, w, xi.shape, case.S, case.P)
        lk.compute_gradient(di, xi, w.shape, case.S, case.P)


def vectorized():
    fast.conv_forward(x, w, b, case.S, case.P)
    fast.conv_backward(delta, x, w, case.S, case.P)


t_loop = bench.time_call(loop_reference, repeats=1, number=1, warmup=False)[0]
t_fast = bench.time_call(vectorized, repeats=5)[0]
print(f"loop reference: {t_loop * 1e3:8.1f} ms per batch (forward + backward)")
print(f"lessonkit.fast: {t_fast * 1e3:8.3f} ms per batch")
print(f"ratio: {t_loop / t_fast:.0f}x")
""",
        IGNORE,
    ),
    code(r"""
assert t_loop / t_fast > 20  # loose on purpose: on a quiet machine it is in the hundreds
"""),
    md(r"""
## 2. im2col: every receptive field as one row

Look at the forward pass from the filter's side. At output position $(i, j)$ the filter sees one
receptive field, an $F_h \times F_w$ window of the (padded) input, and net is the sum of the
window times the filter, element by element: a **dot product**. So:

1. copy every receptive field into one row of a matrix (*im2col*, "image to columns"; our rows are
   the fields);
2. flatten the filter into a column;
3. one matrix product gives every net value at once; fold the column back into the feature map.

The figure does it for a $4\times4$ input and a $2\times2$ filter: 9 receptive fields, 9 rows of 4
numbers. Coloured, hatched windows on the left are the matching rows in the middle.
"""),
    code(r"""
show(figs.im2col_figure())
"""),
    md(r"""
**Question.** With depth $D$, batch $B$ and $N$ filters, what are the shapes of the im2col matrix
and of the filter matrix, and what does their product hold? Predict them for lesson 07's second
layer: $B = 8$, $D = 16$, $8\times8$ inputs, $N = 32$ filters of $3\times3$, $S = 2$, $P = 1$.
"""),
    md(
        answer(
            "Answer",
            r"""
A receptive field now spans all $D$ channels, so each row holds $D F_h F_w$ numbers, and there is one
row per (sample, output position): the matrix is $(B\,H_{out}W_{out}) \times (D F_h F_w)$. Each
filter $W_n$ flattens to one column of length $D F_h F_w$; the $N$ columns side by side form a
$(D F_h F_w) \times N$ matrix. Their product, $(B\,H_{out}W_{out}) \times N$, holds every net value
of every filter for every sample. Here $H_{out} = (8 - 3 + 2)//2 + 1 = 4$, so the im2col matrix is
$(8 \cdot 16) \times (16 \cdot 9) = 128 \times 144$, the filters $144 \times 32$, net $128 \times 32$.
""",
        )
    ),
    code(r"""
rows = fast.im2col(x, 3, 3, stride=2, padding=1)
net = (rows @ w.reshape(32, -1).T + b).reshape(8, 4, 4, 32).transpose(0, 3, 1, 2)
print("im2col matrix:", rows.shape, " filters as columns:", w.reshape(32, -1).T.shape, " net:", net.shape)

loop_net = np.stack([lk.conv_forward(xi, w, b, stride=2, padding=1) for xi in x])
err = np.abs(net - loop_net).max()
print("same as the loop version:", err < 1e-12)
assert rows.shape == (128, 144) and err < 1e-12
"""),
    md(r"""
`lessonkit.fast.conv_forward` is exactly this, with one detail for speed: it stores the matrix
transposed (one field per *column*), so that copying the windows out of the image runs along image
rows, which is several times faster in numpy. The product is the same.

## 3. The backward pass in matrix form

Write $A$ for the im2col matrix (one row per field), $\mathcal{W}$ for the filters as an
$N \times (D F_h F_w)$ matrix, and $\Delta$ for δ laid out like net: one row per field, one column
per filter. The forward pass is $\text{net} = A\,\mathcal{W}^T + b$. Both backward rules of the
lecture are now one product each.

**Question.** Which product gives $\partial E / \partial W$, and why is it the lecture's
"δ as a kernel over the input" rule?
"""),
    md(
        answer(
            "Answer",
            r"""
$\partial E/\partial \mathcal{W} = \Delta^T A$. Entry $(n, (d, i, j))$ sums, over every receptive
field (every sample and every output position $(m, n')$), δ of filter $n$ at that position times the
input value at offset $(i, j)$ inside the field, which is $a_{d,\, Sm+i,\, Sn'+j}$ of the padded
input. That is $\sum_m \sum_{n'} \delta_{m,n'} a_{i+m, j+n'}$ at stride 1: δ sliding over the input as
a kernel, now also summed over the batch. The bias gradient is the column sums of $\Delta$: the
sum of δ.
""",
        )
    ),
    code(r"""
d_mat = delta.transpose(0, 2, 3, 1).reshape(-1, 32)  # Δ: one row per field, one column per filter
dW = (d_mat.T @ rows).reshape(w.shape)
db = d_mat.sum(axis=0)

grads = [lk.compute_gradient(di, xi, w.shape, stride=2, padding=1) for di, xi in zip(delta, x)]
dW_loop = sum(g[0] for g in grads)
db_loop = sum(g[1] for g in grads)
print("dW equal:", np.abs(dW - dW_loop).max() < 1e-10, "  db equal:", np.abs(db - db_loop).max() < 1e-10)
assert np.abs(dW - dW_loop).max() < 1e-10 and np.abs(db - db_loop).max() < 1e-10
"""),
    md(r"""
**Question.** And $\partial E / \partial a^{l-1}$? The forward pass *copied* each input pixel into
every row whose field contains it. What must the backward pass do with those copies?
"""),
    md(
        answer(
            "Answer",
            r"""
$\Delta\,\mathcal{W}$ (one product) gives, for every field, the gradient with respect to each
number in that row: what the field sends back to each of its pixels. A pixel that was copied into
several rows receives from all of them, so the rows are **added back** onto the image where they
came from. That operation is *col2im*, the transpose of im2col: if im2col is the matrix $M$ with
$\text{rows} = M\,a$, then col2im is $M^T$. Where fields overlap the contributions add up; padding
positions are dropped; pixels no field reads get 0.
""",
        )
    ),
    md(r"""
The counts below are col2im of a matrix of ones: how many fields read each pixel. With stride 1
the middle pixels are read four times; with stride 2 on a $5\times5$ input the last row and column
are never read (lesson 02's non-dividing stride), so their gradient is exactly 0.
"""),
    code(r"""
show(figs.col2im_figure())
"""),
    code(r"""
dx_fields = d_mat @ w.reshape(32, -1)  # (B*H_out*W_out, D*Fh*Fw): what each field sends back
dx = fast.col2im(dx_fields, x.shape, 3, 3, stride=2, padding=1)

# The lecture's rule, sample by sample: cross(pad(dilate(δ, S), F-1), rot180(W)), cropped.
dx_loop = np.stack([lk.bp_delta_map(di, w, xi.shape, stride=2, padding=1) for di, xi in zip(delta, x)])
print("col2im(Δ W) equals the lecture's rule:", np.abs(dx - dx_loop).max() < 1e-10)

# col2im is the transpose of im2col: <im2col(a), R> = <a, col2im(R)> for any a and R.
R = rng.normal(size=rows.shape)
lhs, rhs = np.sum(rows * R), np.sum(x * fast.col2im(R, x.shape, 3, 3, stride=2, padding=1))
print("transpose identity holds:", abs(lhs - rhs) < 1e-9)
assert np.abs(dx - dx_loop).max() < 1e-10 and abs(lhs - rhs) < 1e-9
"""),
    md(r"""
### The lecture's rule, itself as one matrix product

The lecture's formula can be vectorized directly too: dilate δ, pad it with $F-1$ zeros, take every
$F_h \times F_w$ window of *that* as a row (im2col again), and multiply by $\mathrm{rot180}(W)$.
Every input pixel then *gathers* what it needs, with no overlapping writes.
`fast.bp_delta_map_as_matmul` does exactly this; it gives the same numbers.

**Question.** Why does `fast.conv_backward` use col2im instead? (Think about the zeros that
`dilate` inserts when $S = 2$.)
"""),
    md(
        answer(
            "Answer",
            r"""
With stride $S$, three quarters ($1 - 1/S^2$) of the dilated δ are inserted zeros, and the gather form
multiplies every one of them: $S^2$ times the arithmetic of col2im. Its window matrix also has
$N F_h F_w$ numbers per *input* pixel, where col2im's has $D F_h F_w$ per *output* position. col2im
instead needs a scatter-add; `lessonkit.fast` does it with a loop over the $F_h F_w$ kernel offsets
(9 steps for $3\times3$), each one vectorized over the whole batch, because for a fixed offset the
pixels the fields touch never overlap. The measurement below shows the difference.
""",
        )
    ),
    code(r"""
gather = fast.bp_delta_map_as_matmul(delta, w, x.shape, stride=2, padding=1)
print("same numbers:", np.abs(gather - dx_loop).max() < 1e-10)
assert np.abs(gather - dx_loop).max() < 1e-10
"""),
    code(
        r"""
t_col2im = bench.time_call(lambda: fast.conv_backward(delta, x, w, 2, 1), repeats=7)[0]
t_gather = bench.time_call(lambda: fast.bp_delta_map_as_matmul(delta, w, x.shape, 2, 1), repeats=7)[0]
print(f"conv_backward (dx, dW and db, col2im): {t_col2im * 1e3:.3f} ms")
print(f"gather form (dx only):                 {t_gather * 1e3:.3f} ms")
""",
        IGNORE,
    ),
    md(r"""
## 4. Check against the loop version, every geometry

The test suite checks `lessonkit.fast` against the loop functions with Hypothesis over random
geometries. Here are the awkward cases from the lessons: padding larger than $F-1$, padding 0,
rectangular filters, $F = 1$, and strides that do not divide $H - F_h + 2P$.
"""),
    code(r"""
geometries = [  # (B, D, H, W, N, Fh, Fw, S, P)
    (3, 2, 5, 5, 3, 3, 3, 1, 4),  # padding > F - 1
    (2, 1, 6, 4, 2, 3, 2, 2, 0),  # padding 0, rectangular filter
    (4, 3, 7, 7, 2, 1, 1, 3, 1),  # F = 1, stride 3
    (2, 2, 6, 6, 1, 2, 2, 3, 0),  # stride 3 does not divide 6 - 2: last row and column unread
]
for B, D, H, W, N, Fh, Fw, S, P in geometries:
    xg, wg = rng.normal(size=(B, D, H, W)), rng.normal(size=(N, D, Fh, Fw))
    bg = rng.normal(size=N)
    net_fast = fast.conv_forward(xg, wg, bg, S, P)
    dg = rng.normal(size=net_fast.shape)
    dx_f, dW_f, db_f = fast.conv_backward(dg, xg, wg, S, P)
    net_l = np.stack([lk.conv_forward(xi, wg, bg, S, P) for xi in xg])
    dx_l = np.stack([lk.bp_delta_map(di, wg, xi.shape, S, P) for di, xi in zip(dg, xg)])
    gl = [lk.compute_gradient(di, xi, wg.shape, S, P) for di, xi in zip(dg, xg)]
    worst = max(
        np.abs(net_fast - net_l).max(),
        np.abs(dx_f - dx_l).max(),
        np.abs(dW_f - sum(g[0] for g in gl)).max(),
        np.abs(db_f - sum(g[1] for g in gl)).max(),
    )
    print(f"B={B} D={D} {H}x{W}, N={N} {Fh}x{Fw}, S={S} P={P}:  agree to 1e-10: {worst < 1e-10}")
    assert worst < 1e-10
"""),
    md(r"""
## 5. The benchmark

`python -m lessonkit.bench` times forward + backward of one layer for the loop reference,
`lessonkit.fast` and, when PyTorch happens to be installed (it is not a dependency of the course),
`torch.nn.functional.conv2d` with autograd, at the same thread count and dtype. Here we run it on
lesson 07's three conv layers with a batch of 4 (the loop reference is too slow for more in a
lesson). The README records a full run.
"""),
    code(
        r"""
cases = [
    bench.Case("07 conv1, B=4", B=4, D=1, H=8, W=8, N=16, Fh=3, Fw=3, S=1, P=1),
    bench.Case("07 conv2, B=4", B=4, D=16, H=8, W=8, N=32, Fh=3, Fw=3, S=2, P=1),
    bench.Case("07 conv3, B=4", B=4, D=32, H=4, W=4, N=32, Fh=3, Fw=3, S=2, P=1),
]
results = bench.run(cases, dtypes=("float64",), threads=1, repeats=5, loop_repeats=1)
print(bench.format_table(results))
show(figs.benchmark_figure(results, dtype="float64"))
""",
        IGNORE,
    ),
    code(r"""
speedups = [r["loop_min"] / r["fast_min"] for r in results]
assert min(speedups) > 10, speedups  # loose: the README's full run shows 150x to 12000x at B=32
"""),
    md(r"""
## Summary

* The forward pass is one matrix product: im2col (every receptive field as one row) times the
  filters as columns.
* $\partial E/\partial W$ is δ (one row per field) transposed times the same im2col matrix: the
  lecture's "δ as a kernel over the input", for the whole batch at once; $\partial E/\partial b$ is
  the sum of δ.
* $\partial E/\partial a^{l-1}$ is col2im of δ times the filters: col2im, the transpose of im2col,
  adds every field's share back onto its pixels. It equals the lecture's
  $\mathrm{cross}(\mathrm{pad}(\mathrm{dilate}(\delta)), \mathrm{rot180}(W))$, which can also be
  written as one product, but wastes work on the zeros of dilation.
* Same numbers as the loop functions (to $10^{-10}$), hundreds of times faster. Lesson 07 uses
  this to train a real network.
"""),
]


# ----------------------------------------------------------------------------------------------
# 07 capstone

NB07 = [
    md(r"""
# 07 · Capstone: train a convolutional network on handwritten digits

Everything so far computed gradients of one layer. Now the backward pass does real work: a small
network learns to read the $8\times8$ handwritten digits that ship with scikit-learn (1797 images,
no download), in well under a minute, on this machine's CPU, with the maths of lessons 01-05 made
fast in lesson 06.

The network is *all-convolutional*: instead of pooling layers it shrinks the image with **stride-2
convolutions** (lesson 02), then one dense layer turns the last feature maps into 10 scores and a
softmax turns those into probabilities.

| layer | does | output shape (per image) |
|---|---|---|
| input | a digit, pixel values scaled to 0..1 | $1 \times 8 \times 8$ |
| conv 1 | 16 filters $3\times3$, $S = 1$, $P = 1$, ReLU | $16 \times 8 \times 8$ |
| conv 2 | 32 filters $3\times3$, $S = 2$, $P = 1$, ReLU | $32 \times 4 \times 4$ |
| conv 3 | 32 filters $3\times3$, $S = 2$, $P = 1$, ReLU | $32 \times 2 \times 2$ |
| flatten | | $128$ |
| dense | $10 \times 128$ weights + 10 biases | $10$ scores (net) |
| softmax | probabilities; the loss is the cross-entropy | $10$ |

The layers are `lessonkit.nn.Conv` (calling `lessonkit.fast`), `lessonkit.nn.Activation` (the
course's `ReLU`), `lessonkit.nn.Dense`; the loss is `lessonkit.losses.softmax_cross_entropy` and the
optimiser `lessonkit.optim.Adam`. Each is a few lines of numpy, and each is gradient-checked below.
"""),
    code(r"""
%matplotlib inline
import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import confusion_matrix
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits
from tqdm.auto import tqdm

import lessonkit as lk
from lessonkit import fast, losses, nn, optim
from lessonkit.visual import apply_style, show
from lessonkit.visual import training as figs

apply_style()
np.set_printoptions(precision=4, suppress=True)
threadpool_limits(1)  # small matrices: one BLAS thread is fastest, and fair on a shared machine
SEED = 2026  # every random number in this lesson comes from this seed
"""),
    md(r"""
## 1. The data

Each image is $8\times8$ pixels with values 0..16. We scale them to 0..1, add the depth axis
($D = 1$), and keep a fifth of the images aside as a **test set** the network never trains on,
with every digit in the same proportion in both parts (stratified).
"""),
    code(r"""
digits = load_digits()
X = (digits.images / 16.0)[:, None, :, :]  # (1797, 1, 8, 8): B, D, H, W
y = digits.target
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=SEED)
print("training images:", X_train.shape, " test images:", X_test.shape)
show(figs.digits_figure(X_train[:, 0], y_train, n=20))
"""),
    md(r"""
## 2. Before training: are the gradients right?

A network that trains badly may have a wrong gradient, a bad learning rate, or too little data,
and the loss curve cannot tell which. So we check the gradients first, in float64.

**First**, the fast conv path against the lecture's loop functions, on one real batch of 8
digits: a layer shaped like conv 1 on the images themselves, and one shaped like conv 2 (stride 2,
padding 1) on what the first produces. δ stands for whatever comes back from the layers above.
"""),
    code(r"""
rng = np.random.default_rng(SEED)
digits8 = X_train[:8]  # (8, 1, 8, 8), float64
w1, b1 = rng.normal(size=(16, 1, 3, 3)), rng.normal(size=16)
a1 = np.maximum(fast.conv_forward(digits8, w1, b1, stride=1, padding=1), 0)  # conv 1 + ReLU
w2, b2 = rng.normal(size=(32, 16, 3, 3)), rng.normal(size=32)

for name, a, w, b, S, P in [("conv 1", digits8, w1, b1, 1, 1), ("conv 2", a1, w2, b2, 2, 1)]:
    net = fast.conv_forward(a, w, b, stride=S, padding=P)
    delta = rng.normal(size=net.shape)  # some δ^l coming back from the layers above
    dx, dw, db = fast.conv_backward(delta, a, w, stride=S, padding=P)
    dx_loop = np.stack([lk.bp_delta_map(d, w, ai.shape, S, P) for d, ai in zip(delta, a)])
    per_sample = [lk.compute_gradient(d, ai, w.shape, S, P) for d, ai in zip(delta, a)]
    dw_loop, db_loop = sum(g[0] for g in per_sample), sum(g[1] for g in per_sample)
    worst = max(np.abs(dx - dx_loop).max(), np.abs(dw - dw_loop).max(), np.abs(db - db_loop).max())
    print(f"{name}: fast dE/da, dE/dW, dE/db equal the loop functions' to 1e-10: {worst < 1e-10}")
    assert worst < 1e-10
"""),
    md(r"""
**Second**, the dense layer, the softmax cross-entropy and the whole network against central
differences (`lk.numerical_gradient`'s idea, on randomly chosen entries of every parameter). For
the softmax cross-entropy with logits $z$ and true class $y$ the gradient is the output layer's
δ, $\partial E/\partial z = \mathrm{softmax}(z) - \mathrm{onehot}(y)$ (divided by the batch size,
since the loss is a batch mean).
"""),
    code(r"""
z, labels = rng.normal(size=(4, 10)), np.array([3, 1, 4, 1])
loss, dz = losses.softmax_cross_entropy(z, labels)
num = lk.numerical_gradient(lambda v: losses.softmax_cross_entropy(v, labels)[0], z, eps=1e-5)
print("softmax cross-entropy: rel_error < 1e-7:", lk.rel_error(dz, num) < 1e-7)

dense = nn.Dense(128, 10, rng=rng)
feats, g = rng.normal(size=(4, 128)), rng.normal(size=(4, 10))
dense.forward(feats)
d_feats = dense.backward(g)
linear = lambda f: float(np.sum(g * dense.forward(f)))  # noqa: E731  (E = sum(g * out): dE/dout = g)
num_feats = lk.numerical_gradient(linear, feats, eps=1.0)  # exact for a linear E
print("dense layer dE/dx: rel_error < 1e-7:", lk.rel_error(d_feats, num_feats) < 1e-7)
assert lk.rel_error(dz, num) < 1e-7 and lk.rel_error(d_feats, num_feats) < 1e-7
"""),
    code(
        r"""
def make_network(dtype, seed):
    r = np.random.default_rng(seed)
    return nn.Sequential([
        nn.Conv(1, 16, 3, stride=1, padding=1, rng=r, dtype=dtype), nn.Activation(lk.ReLU()),
        nn.Conv(16, 32, 3, stride=2, padding=1, rng=r, dtype=dtype), nn.Activation(lk.ReLU()),
        nn.Conv(32, 32, 3, stride=2, padding=1, rng=r, dtype=dtype), nn.Activation(lk.ReLU()),
        nn.Flatten(),
        nn.Dense(128, 10, rng=r, dtype=dtype),
    ])


check_net = make_network(np.float64, SEED)
for layer in check_net.layers:  # biases start at 0; move them off 0 so no ReLU sits exactly on its kink
    for p in layer.params[1:]:
        p[...] = rng.normal(scale=0.1, size=p.shape)
errors = nn.check_gradients(check_net, X_train[:4], y_train[:4], n_entries=30, rng=SEED)
for name, err in errors.items():
    print(f"{name:20s} max rel_error {err:.0e}")
""",
        IGNORE,
    ),
    code(r"""
assert max(errors.values()) < 1e-5, errors  # central differences of a ReLU network in float64
"""),
    md(r"""
The relative errors are small. Not all reach $10^{-7}$: a few gradient entries are tiny, and for
those the central difference's own round-off (about $10^{-16} E / \varepsilon$) is what we see,
not a mistake in backprop. The unit tests check a network with identity activations to $10^{-7}$.
(We moved the biases off zero first: a fresh network has $b = 0$, and on the blank border of a digit
$net = 0$ exactly, where ReLU has a kink and a central difference averages its two slopes.)

## 3. Training

One **epoch** shows the network every training image once, in shuffled batches of 32. For each
batch: forward pass, loss, backward pass (the lessons' δ rules in every conv layer), and one Adam
step. The learning rate follows a cosine curve (`optim.cosine_lr`) from $3\cdot10^{-3}$ down
towards 0, so the last epochs settle instead of jumping around.

Training runs in float32 (half the memory traffic of float64; the checks above used float64).
"""),
    code(
        r"""
EPOCHS, BATCH, LR = 20, 32, 3e-3
net = make_network(np.float32, SEED)
opt = optim.Adam(net.params, lr=LR)
train_rng = np.random.default_rng(SEED)
Xtr, Xte = X_train.astype(np.float32), X_test.astype(np.float32)
history = {"loss": [], "train_acc": [], "test_acc": []}

start = time.perf_counter()
bar = tqdm(range(EPOCHS), desc="training", unit="epoch")
for epoch in bar:
    opt.lr = optim.cosine_lr(LR, epoch, EPOCHS)
    order = train_rng.permutation(len(Xtr))
    total = 0.0
    for i in range(0, len(order), BATCH):
        idx = order[i : i + BATCH]
        scores = net.forward(Xtr[idx])
        loss, dscores = losses.softmax_cross_entropy(scores, y_train[idx])
        net.backward(dscores)  # δ flows back through dense, ReLU and the three conv layers
        opt.step(net.grads)
        total += loss * len(idx)
    history["loss"].append(total / len(Xtr))
    history["train_acc"].append(float(np.mean(net.predict(Xtr) == y_train)))
    history["test_acc"].append(float(np.mean(net.predict(Xte) == y_test)))
    bar.set_postfix(loss=f"{history['loss'][-1]:.3f}", test_acc=f"{history['test_acc'][-1]:.3f}")
seconds = time.perf_counter() - start

test_accuracy = history["test_acc"][-1]
print(f"trained {net.n_params} parameters for {EPOCHS} epochs in {seconds:.1f} s")
print(f"test accuracy: {test_accuracy:.2%} ({int(round(test_accuracy * len(y_test)))} of {len(y_test)})")
""",
        IGNORE,
    ),
    code(r"""
assert test_accuracy >= 0.97, test_accuracy
assert seconds < 60, seconds
"""),
    md(r"""
*Try it:* `nn.random_shift(batch, 1, rng=train_rng)` moves every training image by up to one pixel
(data augmentation). On these small, centred $8\times8$ digits we measured that it *lowered* the
test accuracy by about half a point (one pixel is an eighth of the image, and shifted strokes fall
off the edge); on larger images it usually helps. Change the forward line and see.

## 4. What the network learned

**Loss and accuracy per epoch.** The training loss falls fast in the first epochs; the test
accuracy (images never used for training) follows the training accuracy closely, so the network
has not merely memorised its training images.
"""),
    code(r"""
show(figs.training_curves_figure(history, target=0.97))
"""),
    md(r"""
**Confusion matrix.** Row = the true digit, column = the network's answer; the diagonal counts the
right answers, every other non-empty cell is a kind of mistake.
"""),
    code(r"""
pred = net.predict(Xte)
cm = confusion_matrix(y_test, pred)
show(figs.confusion_matrix_figure(cm))
"""),
    md(r"""
**The mistakes.** The test digits it got wrong, with the probability the softmax gave its answer.
Several are hard for a person too at $8\times8$ pixels.
"""),
    code(r"""
wrong = np.flatnonzero(pred != y_test)
confidence = losses.softmax(net.forward(Xte[wrong])).max(axis=1) if len(wrong) else None
show(figs.misclassified_figure(X_test[wrong, 0], y_test[wrong], pred[wrong], confidence))
"""),
    md(r"""
**Learned filters.** The 16 filters of the first conv layer, $3\times3$ each (orange negative,
purple positive), and below each one what it makes of one test digit after ReLU: the feature map
$a = \mathrm{ReLU}(net)$ of lesson 00, now with weights the network found itself. Many are edge or
stroke detectors: positive on one side, negative on the other.
"""),
    code(r"""
conv1 = net.layers[0]
maps = np.maximum(conv1.forward(Xte[:1]), 0)[0]
show(figs.filters_figure(conv1.W, feature_maps=maps, image=X_test[0, 0]))
"""),
    md(r"""
## Summary

* A 3-conv-layer network with stride-2 convolutions instead of pooling, a dense layer and a softmax
  reads handwritten digits with about 98% test accuracy after seconds of training on a CPU.
* Every gradient it used is one the lessons derived: $\mathrm{cross}(\mathrm{pad}(\delta),
  \mathrm{rot180}(W))$ for the error terms, δ as a kernel for the weights, the sum of δ for the
  bias, dilation for stride 2, all batched as matrix products (lesson 06), and the fully connected
  layer's δ rules for the dense layer.
* Before training we checked that the fast path gives the loop functions' gradients and that
  every module agrees with numerical gradients.
"""),
]


NOTEBOOKS_SPEC = {"06": ("06_vectorizing.ipynb", NB06), "07": ("07_capstone.ipynb", NB07)}


def build(key: str) -> float:
    name, cells = NOTEBOOKS_SPEC[key]
    elapsed = execute_and_write(cells, NOTEBOOKS / name, cell_id=f"l{key}-{{k:02d}}", timeout=300)
    print(f"{name}: executed in {elapsed:.1f} s")
    return elapsed


if __name__ == "__main__":
    for key in sys.argv[1:] or sorted(NOTEBOOKS_SPEC):
        build(key)
