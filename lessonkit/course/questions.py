"""The lessons' predictions: each "Predict" prompt's answer, worked answer and known wrong answers.

Data only, kept apart from the machinery that judges and reveals them
(:mod:`lessonkit.course.predictions`): a teacher who edits a prompt's answer or adds one edits this
file. Every English text is a message of lessonkit's catalogs, so a Chinese notebook's learner reads
it in Chinese.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["KINDS", "QUESTIONS", "Question"]

KINDS = ("number", "shape", "formula", "choice", "set")


@dataclass(frozen=True)
class Question:
    """One prediction: its kind, the answer, the worked answer (Markdown) and known wrong answers.

    ``wrong`` holds ``(answer, why)`` pairs, an answer in the same form as ``answer``; ``show`` is
    called after the worked answer is shown (to draw a figure or print a table), if given.
    """

    kind: str
    answer: object
    reveal: str
    wrong: tuple = ()
    choices: tuple = ()
    show: Callable[[], object] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {self.kind!r}")


# ---------------------------------------------------------------- the lessons' predictions
#
# Keys are "<lesson>-<name>". A reveal is Markdown (the lessons' maths notation); a wrong answer's
# sentence says what that answer means, not what the answer is.

QUESTIONS: dict[str, Question] = {
    # ------------------------------------------------------------ 00 · start here
    "00-window": Question(
        "set",
        frozenset({(1, 1), (1, 2), (2, 1), (2, 2)}),
        "- **Local connectivity:** each output $net_{i,j}$ depends only on a small window of the input (its "
        "*receptive field*, $F \\times F$ cells), not on every input as in a fully connected (FC) layer.\n"
        "- **Weight sharing:** every output uses the *same* filter $W$ (and bias $w_b$) on its own window. "
        "A $2\\times2$ filter has 4 weights, whatever the size of the input.\n\n"
        "In the lecture's example, $net_{1,1}$ reads only $a_{1,1}, a_{1,2}, a_{2,1}, a_{2,2}$, and all four "
        "outputs use the same $w_{1,1}, \\dots, w_{2,2}$. The next cell draws it: the lecture's first (lost) "
        "figure.",
        wrong=(
            (
                frozenset((i, j) for i in (1, 2, 3) for j in (1, 2, 3)),
                "that is a fully connected layer's answer: a conv output reads only the window under its "
                "filter",
            ),
            (frozenset({(1, 1)}), "the filter covers a 2×2 window, not one cell: one input per weight"),
        ),
    ),
    "00-net12": Question(
        "formula",
        "w(1,1)*a(1,2) + w(1,2)*a(1,3) + w(2,1)*a(2,2) + w(2,2)*a(2,3) + w_b",
        "Slide the filter over the input and, at each position, multiply cell by cell and add the bias:\n\n"
        "$$net_{i,j} = \\sum_{u=1}^{F}\\sum_{v=1}^{F} w_{u,v}\\, a_{(i-1)S+u,\\,(j-1)S+v} + w_b,$$\n\n"
        "where $a$ is the **padded** input $\\mathrm{pad}(a^{l-1}, P)$ (its rows and columns numbered from 1 "
        "including the zero ring; here $P = 0$, so it is $a^{l-1}$ itself). So $net_{1,2} = w_{1,1}a_{1,2} + "
        "w_{1,2}a_{1,3} + w_{2,1}a_{2,2} + w_{2,2}a_{2,3} + w_b$. `lessonkit.maths.symbolic` writes this sum "
        "out with the lecture's names; the next cell prints all four outputs and checks $net_{1,2}$ against "
        "the formula.",
        wrong=(
            (
                "w(1,1)*a(1,2) + w(1,2)*a(1,3) + w(2,1)*a(2,2) + w(2,2)*a(2,3)",
                "the bias is missing: every output adds its filter's bias w_b",
            ),
            (
                "w(1,1)*a(1,1) + w(1,2)*a(1,2) + w(2,1)*a(2,1) + w(2,2)*a(2,2) + w_b",
                "that is net_{1,1}: the window of net_{1,2} starts one column to the right",
            ),
            (
                "w(2,2)*a(1,2) + w(2,1)*a(1,3) + w(1,2)*a(2,2) + w(1,1)*a(2,3) + w_b",
                "that flips the filter (a convolution); the forward pass is a cross-correlation: w_{1,1} "
                "meets "
                "the window's top-left cell",
            ),
        ),
    ),
    "00-rows-padded": Question(
        "number",
        4,
        "$H_{out} = \\lfloor (H - F + 2P)/S \\rfloor + 1 = \\lfloor (7 - 3 + 2)/2 \\rfloor + 1 = "
        "\\lfloor 6/2 \\rfloor + 1 = 4$. The padded input has $H + 2P = 9$ rows; the windows start at rows "
        "1, 3, 5 and 7 of it, and the last one, rows 7-9, still fits.",
        wrong=(
            (3, "one row short: count both rings of padding (2P) and the first window (the +1)"),
            (7, "that is stride 1: the window moves S = 2 rows at a time"),
            (
                5,
                "that divides the padded height by S: subtract the filter first, (H - F + 2P)/S, then add "
                "1 for the first window",
            ),
        ),
    ),
    "00-rows-floor": Question(
        "number",
        2,
        "$\\lfloor (6 - 3 + 0)/2 \\rfloor + 1 = \\lfloor 3/2 \\rfloor + 1 = 2$. The floor matters: the "
        "window "
        "cannot take a third step (it would need rows 5-7, and there are only 6), so the last input row is "
        "never read. Lesson 02 shows that row then gets a zero gradient.",
        wrong=(
            (3, "that rounds up: a third window would need rows 5 to 7, and the input has 6"),
            (2.5, "a number of rows is whole: the floor drops a window that does not fit"),
            (4, "that is stride 1: the window moves S = 2 rows at a time"),
            (1, "that forgets the +1: the first window is an output too"),
        ),
    ),
    # ------------------------------------------------------------ 01 · the error terms by hand
    "01-dE-da11": Question(
        "formula",
        "d(1,1)*w(1,1)",
        "Only $net_{1,1} = w_{1,1}a_{1,1} + w_{1,2}a_{1,2} + w_{2,1}a_{2,1} + w_{2,2}a_{2,2} + w_b$ contains "
        "$a_{1,1}$, so\n\n"
        "$$\\frac{\\partial E}{\\partial a_{1,1}} = \\frac{\\partial E}{\\partial net_{1,1}}"
        "\\frac{\\partial net_{1,1}}{\\partial a_{1,1}} = \\delta_{1,1} w_{1,1}.$$",
        wrong=(
            (
                "d(1,1)*w(1,1) + d(1,2)*w(1,2) + d(2,1)*w(2,1) + d(2,2)*w(2,2)",
                "a_{1,1} sits in one window only, net_{1,1}'s: the other outputs do not read it",
            ),
            (
                "d(1,1)*w(2,2)",
                "that is the rotated weight: a_{1,1} is the top-left cell of net_{1,1}'s window, where "
                "w_{1,1} sits",
            ),
            (
                "w(1,1)",
                "that is ∂net_{1,1}/∂a_{1,1} alone: the chain rule multiplies it by ∂E/∂net_{1,1} = δ_{1,1}",
            ),
        ),
    ),
    "01-dE-da12": Question(
        "formula",
        "d(1,1)*w(1,2) + d(1,2)*w(1,1)",
        "$a_{1,2}$ appears in $net_{1,1}$ (multiplied by $w_{1,2}$) and in $net_{1,2}$ (multiplied by "
        "$w_{1,1}$). Both paths add up:\n\n"
        "$$\\frac{\\partial E}{\\partial a_{1,2}} = \\delta_{1,1} w_{1,2} + \\delta_{1,2} w_{1,1}.$$",
        wrong=(
            (
                "d(1,1)*w(1,1) + d(1,2)*w(1,2)",
                "those are the unrotated weights: in net_{1,2}'s window a_{1,2} is the top-left cell, so it "
                "meets w_{1,1} there",
            ),
            ("d(1,1)*w(1,2)", "a_{1,2} is also in net_{1,2}'s window: both paths to E add up"),
            ("d(1,2)*w(1,1)", "a_{1,2} is also in net_{1,1}'s window: both paths to E add up"),
        ),
    ),
    "01-dE-da23": Question(
        "formula",
        "d(1,2)*w(2,2) + d(2,2)*w(1,2)",
        "$a_{2,3}$ is in the windows of $net_{1,2}$ (rows 1-2, columns 2-3: bottom-right cell, weight "
        "$w_{2,2}$) and of $net_{2,2}$ (rows 2-3, columns 2-3: top-right cell, weight $w_{1,2}$). So\n\n"
        "$$\\frac{\\partial E}{\\partial a_{2,3}} = \\delta_{1,2} w_{2,2} + \\delta_{2,2} w_{1,2}.$$",
        wrong=(
            (
                "d(1,2)*w(1,2) + d(2,2)*w(2,2)",
                "those are the unrotated weights: each δ_{m,n} goes with the weight that met a_{2,3} in "
                "window (m, n), not with w_{m,n}",
            ),
            ("d(1,2)*w(2,2)", "a_{2,3} is also in net_{2,2}'s window: both paths to E add up"),
            ("d(2,2)*w(1,2)", "a_{2,3} is also in net_{1,2}'s window: both paths to E add up"),
        ),
    ),
    "01-rule": Question(
        "choice",
        "b",
        "Surround $\\delta^l$ with a ring of $F-1 = 1$ zeros, rotate the filter by 180 degrees, and "
        "cross-correlate the two:\n\n"
        "$$\\frac{\\partial E}{\\partial a^{l-1}} = \\mathrm{cross}\\big(\\mathrm{pad}(\\delta^l, F-1),\\; "
        "\\mathrm{rot180}(W)\\big).$$\n\n"
        "Each $2\\times2$ window of the padded $\\delta$ holds exactly the outputs that the input cell "
        "under it "
        "feeds, and the rotated filter lines each $\\delta_{m,n}$ up with the weight that connected them. "
        "The "
        "next cell draws it, the lecture's second lost figure (highlighted: the window that gives "
        "$\\partial E/\\partial a_{1,2}$). With padding $F-1$ the output is $3\\times3$ again, the size of "
        "the "
        'input: a "full" cross-correlation.',
        wrong=(
            (
                "a",
                "those are the unrotated weights: read the middle cell's weights from bottom-right to "
                "top-left",
            ),
            (
                "c",
                "without padding the result is 1×1, one number for nine inputs: the corner cells need "
                "zeros around δ",
            ),
            ("d", "a ring of F zeros gives a 4×4 result, one row and column more than the input"),
        ),
        choices=("a", "b", "c", "d"),
    ),
    "01-top-left": Question(
        "number",
        1.0,
        "$\\delta_{1,1} w_{1,1} = 1 \\cdot 1 = 1$: the top-left window of $\\mathrm{pad}(\\delta, 1)$ "
        "holds only "
        "$\\delta_{1,1}$, in its bottom-right corner, and $\\mathrm{rot180}(W)$ puts $w_{1,1}$ there. The "
        "next cell prints the whole $3\\times3$ result and checks it against `lk.bp_delta_map` and a "
        "numerical "
        "gradient.",
        wrong=(
            (
                4,
                "that is δ_{1,1} w_{2,2}: the unrotated filter; rot180(W) puts w_{1,1} at the "
                "bottom-right, where δ_{1,1} sits",
            ),
            (0.5, "that is δ_{2,2} w_{1,1}: the top-left input feeds net_{1,1} only"),
        ),
    ),
    # ------------------------------------------------------------ 02 · stride
    "02-stride2-shape": Question(
        "shape",
        (2, 2),
        "At stride 1 the map is $(5-3)/1 + 1 = 3$ by 3; at stride 2 it is $\\lfloor (5-3)/2\\rfloor + 1 = "
        "2$ by 2: "
        "the windows start at rows and columns 1 and 3.",
        wrong=(
            ((3, 3), "that is stride 1's map: at stride 2 the window jumps two cells at a time"),
            ((1, 1), "that forgets the +1: the first window is an output too"),
        ),
    ),
    "02-kept": Question(
        "set",
        frozenset({(1, 1), (1, 3), (3, 1), (3, 3)}),
        "At stride 2 the window visits every second position of the stride-1 walk, so the stride-2 map is "
        "the stride-1 map with every second row and column dropped: $net^{(S)}_{i,j} = "
        "net^{(1)}_{(i-1)S+1,\\,(j-1)S+1}$, the corners $(1,1), (1,3), (3,1), (3,3)$ here. The next cell "
        "draws "
        "it, the lecture's third lost figure.",
        wrong=(
            (
                frozenset({(1, 1), (1, 2), (2, 1), (2, 2)}),
                "those are the first four positions: the stride-2 window skips every second one",
            ),
        ),
    ),
    "02-feeds": Question(
        "set",
        frozenset({(1, 1)}),
        "At $S = 2$ the windows start at rows and columns 1 and 3 (1-based), so they cover rows 1-3 and 3-5. "
        "Row 2 and column 2 lie only in the first window of each, so $a_{2,2}$ feeds $net_{1,1}$ alone "
        "(through $w_{2,2}$): $\\partial E/\\partial a_{2,2} = \\delta_{1,1} w_{2,2}$ has one term, where at "
        "stride 1 it had four.",
        wrong=(
            (
                frozenset({(1, 1), (1, 2), (2, 1), (2, 2)}),
                "those are the four outputs it feeds at stride 1: at stride 2 the windows start at rows and "
                "columns 1 and 3 only",
            ),
        ),
    ),
    "02-delta-shape": Question(
        "shape",
        (2, 2),
        "$\\lfloor (6-3)/2 \\rfloor + 1 = 2$: the windows start at rows 1 and 3 and cover rows 1-5. Row 6 "
        "and "
        "column 6 are never read, so the loss does not depend on them: their gradient is exactly 0.\n\n"
        "Dilating the $2\\times2$ $\\delta$ gives only $3\\times3$, but the stride-1 map of this input "
        "would be "
        "$4\\times4$. So after dilating we also append zero rows and columns at the bottom and right up to "
        "the "
        "stride-1 size, $H + 2P - F + 1$; `lk.bp_delta_map` does this. Without it the result would have the "
        "wrong shape — a classic bug.",
        wrong=(
            ((3, 3), "that rounds up: a third window would need rows 5 to 7, and the input has 6"),
            ((4, 4), "that is stride 1's map: at stride 2 the window jumps two cells at a time"),
        ),
    ),
    "02-unread-gradient": Question(
        "number",
        0,
        "Row 6 and column 6 are read by no window, so no $net$ and hence not $E$ depends on them: "
        "$\\partial E/\\partial a_{6,j} = \\partial E/\\partial a_{i,6} = 0$ exactly. The next cell prints "
        "the "
        "numerical gradient's last row and column.",
    ),
    # ------------------------------------------------------------ 03 · depth and several filters
    "03-channel-feeds": Question(
        "set",
        frozenset({1, 2}),
        "**All of them.** Every filter has a slice for every input channel, so $a^{l-1}_1$ reaches "
        "$net^l_1$ through $W_{1,1}$ and $net^l_2$ through $W_{2,1}$. In general each input channel feeds "
        "all $N$ feature maps of layer $l$. The left panel of the next figure draws it: the edges of $d_1$ "
        "are "
        "thick, solid and labelled; the other channels' edges are thin and dotted.",
        wrong=(
            (
                frozenset({1}),
                "that pairs channel d with filter d alone: every filter has a slice for every input channel",
            ),
        ),
    ),
    "03-terms": Question(
        "number",
        2,
        "$a^{l-1}_1$ reaches $E$ along $N = 2$ paths, one through each feature map, so the total derivative "
        "adds $N$ terms. Each term is the $D = N = 1$ result of lesson 01 with that filter's slice: pad "
        "$\\delta^l_n$ with $F-1$ zeros and cross-correlate it with the slice rotated by 180 degrees.\n\n"
        "$$\\frac{\\partial E}{\\partial a^{l-1}_d} = \\sum_{n=1}^{N} \\mathrm{cross}\\Big(\\mathrm{pad}"
        "(\\delta^l_n, F-1),\\; \\mathrm{rot180}(W_{n,d})\\Big)$$\n\n"
        "and, through layer $l-1$'s own activation $f$,\n\n"
        "$$\\delta^{l-1}_d = \\frac{\\partial E}{\\partial a^{l-1}_d} \\circ f'(net^{l-1}_d).$$\n\n"
        "(The lecture sums over $n = 0 \\dots N-1$, counting filters from 0; it is the same sum.) The right "
        "panel of the node diagram above shows the same thing backwards: $\\delta^{l-1}_1$ gathers from "
        "every "
        "$\\delta^l_n$.",
        wrong=(
            (1, "that is lesson 01's single filter: here the channel reaches E through every feature map"),
            (3, "that is D, the number of input channels: the sum runs over the paths of one channel"),
        ),
    ),
    "03-dE-da-shape": Question(
        "shape",
        (3, 3, 3),
        "$(D, H, W) = (3, 3, 3)$: one map per *input channel*, shaped like $a^{l-1}$, whatever $N$ is. The "
        "sum "
        "over $n$ is what removes the filter axis.",
        wrong=(
            ((2, 3, 3), "that has one map per filter (N = 2): the sum over the filters removes that axis"),
            ((2, 3, 3, 3), "the N terms are added up, not stacked: the sum over n removes the filter axis"),
            (
                (3, 2, 2),
                "those are δ's 2×2 maps: the full cross-correlation with F - 1 padding gives the input's "
                "size back",
            ),
        ),
    ),
    "03-sigmoid-shrinks": Question(
        "choice",
        "no",
        "No. The sigmoid's slope $f'(net) = f(net)(1 - f(net))$ is at most $1/4$, so every entry shrinks "
        "to a "
        "quarter or less. The next cell checks the formula against central differences in $net^{l-1}$.",
        wrong=(
            (
                "yes",
                "that would need a slope f'(net) above 1 somewhere: how large can σ(net)(1 - σ(net)) be?",
            ),
        ),
        choices=("yes", "no"),
    ),
    "03-delta-shape": Question(
        "shape",
        (2, 3, 4),
        "$H_{out} = \\lfloor (5 - 3 + 2)/2 \\rfloor + 1 = 3$ and $W_{out} = \\lfloor (7 - 2 + 2)/2 "
        "\\rfloor + 1 = 4$, "
        "so $\\delta^l$ is $(N, H_{out}, W_{out}) = (2, 3, 4)$.",
        wrong=(
            ((3, 3, 4), "that has D = 3 maps: δ^l has one map per filter"),
            ((2, 2, 3), "two sizes one short: count both padding rings (2P) and the first window (+1)"),
            ((2, 3, 5), "that rounds up the columns: a fifth window would stick out of the padded input"),
            ((2, 5, 8), "that is stride 1's size: the window moves S = 2 cells at a time"),
        ),
    ),
    "03-extension-columns": Question(
        "number",
        1,
        "Dilated, each $\\delta^l_n$ is $5\\times7$ ($2 \\cdot 3 - 1$ by $2 \\cdot 4 - 1$); the stride-1 "
        "size is "
        "$(5 + 2 - 3 + 1) \\times (7 + 2 - 2 + 1) = 5\\times8$, so the extension adds one column of zeros on "
        "the right and no row ($S = 2$ does not divide $7 - 2 + 2 = 7$, and divides $5 - 3 + 2 = 4$).",
        wrong=(
            (0, "compare the dilated width, 2·4 - 1, with the stride-1 width W + 2P - F_w + 1"),
            (
                2,
                "the dilated map is 2·W_out - 1 wide: it has S - 1 zeros between entries, none after the "
                "last one",
            ),
        ),
    ),
    # ------------------------------------------------------------ 04 · weight gradients
    "04-touched": Question(
        "set",
        frozenset({(1, 1), (1, 2), (2, 1), (2, 2)}),
        "**All four.** The same filter slides to every output position (weight sharing), so every "
        "$net^l_{i,j}$ has a $w_{1,1}$ term, each time multiplied by a different input: "
        "$a_{1,1}, a_{1,2}, a_{2,1}, a_{2,2}$. The next cell writes the forward pass out symbolically "
        "(`lk.symbolic.net_expressions`, sympy) and lists the $net$ that contain $w_{1,1}$.",
        wrong=(
            (
                frozenset({(1, 1)}),
                "that reads the weight's index as an output's: by weight sharing the filter slides to every "
                "output position",
            ),
        ),
    ),
    "04-dE-dw11": Question(
        "formula",
        "d(1,1)*a(1,1) + d(1,2)*a(1,2) + d(2,1)*a(2,1) + d(2,2)*a(2,2)",
        "By the total derivative, add one term per $net$:\n\n"
        "$$\\frac{\\partial E}{\\partial w_{1,1}} = \\sum_{m,n} \\frac{\\partial E}{\\partial net_{m,n}}"
        "\\frac{\\partial net_{m,n}}{\\partial w_{1,1}} = \\delta_{1,1} a_{1,1} + \\delta_{1,2} a_{1,2} + "
        "\\delta_{2,1} a_{2,1} + \\delta_{2,2} a_{2,2}.$$\n\n"
        "The next cell derives it with sympy from the forward pass (`lk.symbolic.dE_dw`) and compares it "
        "with "
        "the line above.",
        wrong=(
            ("d(1,1)*a(1,1)", "that is net_{1,1}'s path alone: w_{1,1} is in all four net, one term each"),
            (
                "d(1,1)*w(1,1) + d(1,2)*w(1,2) + d(2,1)*w(2,1) + d(2,2)*w(2,2)",
                "∂net/∂w is the input the weight multiplies, not a weight",
            ),
        ),
    ),
    "04-dE-dw12": Question(
        "formula",
        "d(1,1)*a(1,2) + d(1,2)*a(1,3) + d(2,1)*a(2,2) + d(2,2)*a(2,3)",
        "In $net_{1,1}$ it multiplies $a_{1,2}$; in $net_{1,2}$, $a_{1,3}$; in $net_{2,1}$, $a_{2,2}$; in "
        "$net_{2,2}$, $a_{2,3}$. So\n\n"
        "$$\\frac{\\partial E}{\\partial w_{1,2}} = \\delta_{1,1} a_{1,2} + \\delta_{1,2} a_{1,3} + "
        "\\delta_{2,1} a_{2,2} + \\delta_{2,2} a_{2,3}.$$\n\n"
        "The lecture prints the third term as $\\delta_{2,1}\\, a_{2,3}$. It should be $\\delta_{2,1}\\, "
        "a_{2,2}$: "
        "in $net_{2,1} = w_{1,1}a_{2,1} + w_{1,2}a_{2,2} + w_{2,1}a_{3,1} + w_{2,2}a_{3,2} + w_b$ the weight "
        "$w_{1,2}$ multiplies $a_{2,2}$. The next cell derives the derivative, shows that it differs from "
        "the "
        "printed version by $\\delta_{2,1}(a_{2,2} - a_{2,3})$, and compares both with `lk.compute_gradient` "
        "on numbers.",
        wrong=(
            (
                "d(1,1)*a(1,2) + d(1,2)*a(1,3) + d(2,1)*a(2,3) + d(2,2)*a(2,3)",
                "that is the lecture's printed version, with its slip in one term: check which input w_{1,2} "
                "multiplies in each net",
            ),
            (
                "d(1,1)*a(1,1) + d(1,2)*a(1,2) + d(2,1)*a(2,1) + d(2,2)*a(2,2)",
                "that is ∂E/∂w_{1,1}: w_{1,2} sits one column to the right in every window",
            ),
        ),
    ),
    "04-dE-dw21": Question(
        "formula",
        "d(1,1)*a(2,1) + d(1,2)*a(2,2) + d(2,1)*a(3,1) + d(2,2)*a(3,2)",
        "Moving from $w_{1,1}$ to $w_{1,2}$ shifts every input one column right; moving to $w_{2,1}$ "
        "shifts it "
        "one row down: $\\partial E/\\partial w_{2,1} = \\delta_{1,1} a_{2,1} + \\delta_{1,2} a_{2,2} + "
        "\\delta_{2,1} a_{3,1} + \\delta_{2,2} a_{3,2}$. In general\n\n"
        "$$\\frac{\\partial E}{\\partial w_{i,j}} = \\sum_m \\sum_n \\delta_{m,n}\\, a_{i+m-1,\\, j+n-1} "
        "\\qquad \\text{(1-based)},$$\n\n"
        "which the lecture writes as $a_{i+m, j+n}$: exact when $i, j, m, n$ count from 0, as in code. It is "
        "a cross-correlation of the input with $\\delta^l$: **$\\delta^l$ is the kernel** and it slides over "
        "$a^{l-1}$, one position per weight, $\\partial E/\\partial W = \\mathrm{cross}(a^{l-1}, "
        "\\delta^l)$. "
        "The next figure draws the four positions for the lecture's case.",
        wrong=(
            (
                "d(1,1)*a(1,2) + d(1,2)*a(1,3) + d(2,1)*a(2,2) + d(2,2)*a(2,3)",
                "that is ∂E/∂w_{1,2}: w_{2,1} sits one row down from w_{1,1}, not one column right",
            ),
            (
                "d(1,1)*a(3,2) + d(1,2)*a(3,3) + d(2,1)*a(4,2) + d(2,2)*a(4,3)",
                "that is the 0-based rule a_{i+m,j+n} with 1-based indices: one row and column too far "
                "(there "
                "is no row 4)",
            ),
        ),
    ),
    "04-bias": Question(
        "number",
        3,
        "$$\\frac{\\partial E}{\\partial w_b} = \\sum_{i,j} \\delta_{i,j}\\frac{\\partial net_{i,j}}"
        "{\\partial w_b} = \\sum_{i,j} \\delta_{i,j},$$\n\n"
        "the sum of all error terms of that filter ($1 + 0 + 0 + 2 = 3$ for `delta_demo`). With $N$ filters "
        "there is one bias per filter: $\\partial E/\\partial w_{b,n} = \\sum \\delta^l_n$.",
        wrong=(
            (
                1,
                "that is ∂net_{i,j}/∂w_b, the coefficient of w_b in one net: E collects one such term from "
                "every net",
            ),
            (4, "that counts the net that contain w_b: each adds its δ_{i,j} times 1, not 1"),
        ),
    ),
    "04-dilated-size": Question(
        "shape",
        (3, 3),
        "As for the error terms (lesson 02): put $S-1$ zeros between neighbouring entries of $\\delta^l$, "
        "which "
        "restores the map a stride-1 layer would have had (zeros where stride $S$ skipped a position). Then "
        "slide it over the input as before:\n\n"
        "$$\\frac{\\partial E}{\\partial W} = \\mathrm{cross}\\big(\\mathrm{pad}(a^{l-1}, P),\\ "
        "\\hat\\delta^l\\big),$$\n\n"
        "where $\\hat\\delta^l$ is $\\mathrm{dilate}(\\delta^l, S)$ **extended** with zeros at the bottom "
        "and right to "
        "the stride-1 size $(H + 2P - F_h + 1) \\times (W + 2P - F_w + 1)$. Here $\\delta^l$ is "
        "$2\\times2$ and "
        "dilates to $3\\times3$, already the stride-1 size $5 - 3 + 1$. When $S$ does not divide $H - F + "
        "2P$, the "
        "dilated map is short of the stride-1 size; the missing bottom rows and right columns are zeros "
        "too (the "
        "forward pass never placed the filter there), and without them $\\partial E/\\partial W$ would "
        "come out "
        "with the wrong shape. In symbols (1-based, $P = 0$): $\\partial E/\\partial w_{i,j} = \\sum_{m,n} "
        "\\delta_{m,n}\\, a_{i + S(m-1),\\, j + S(n-1)}$.",
        wrong=(
            ((2, 2), "that is δ^l itself, before the zeros go in"),
            ((4, 4), "that puts S zeros between neighbours: dilation inserts S - 1"),
            ((5, 5), "that is the input's size: the dilated δ^l has the size of the stride-1 map, H - F + 1"),
        ),
    ),
    "04-dW-shape": Question(
        "shape",
        (2, 3, 2, 2),
        "Slice $W_{n,d}$ touches only input channel $d$ and only feature map $n$, through one 2-D "
        "cross-correlation. So its gradient is the 2-D rule with that pair:\n\n"
        "$$\\frac{\\partial E}{\\partial W_{n,d}} = \\mathrm{cross}\\big(\\mathrm{pad}(a^{l-1}_d, P),\\ "
        "\\hat\\delta^l_n\\big),$$\n\n"
        "with $\\hat\\delta^l_n$ the dilated and extended $\\delta^l_n$ of section 6, computed $N \\times D$ "
        "times and stacked into a 4-D array of the filters' shape $(N, D, F_h, F_w)$, here $(2, 3, 2, 2)$.",
        wrong=(
            ((3, 2, 2, 2), "that is (D, N, ...): the gradient has the filters' own shape, (N, D, F_h, F_w)"),
            ((2, 2, 2), "that drops the depth: each filter has D slices, and each slice its own gradient"),
            ((3, 2, 2), "that sums over the filters: each filter has its own weights, so its own gradient"),
        ),
    ),
    # ------------------------------------------------------------ 05 · the whole conv layer
    "05-shape": Question(
        "shape",
        (2, 4, 4),
        "$H_{out} = \\lfloor(7 - 3 + 2)/2\\rfloor + 1 = 4$ and $W_{out} = \\lfloor(6 - 2 + 2)/2\\rfloor + "
        "1 = 4$: the "
        "output is $(N, H_{out}, W_{out}) = (2, 4, 4)$. Floor, not ceiling: a window that would stick out "
        "of the "
        "padded input is not computed.",
        wrong=(
            ((3, 4, 4), "that has D = 3 maps: the output has one map per filter"),
            ((2, 3, 3), "both sizes one short: count both padding rings (2P) and the first window (+1)"),
            ((2, 7, 7), "that is stride 1's size: the window moves S = 2 cells at a time"),
        ),
    ),
    "05-unread-row": Question(
        "number",
        6,
        "The windows start at rows 1 and 3 (1-based) and cover rows 1-5, so row 6 is never read: its "
        "gradient "
        "must be exactly 0 in every channel and column. The cell after the table asserts it.",
        wrong=(
            (5, "the second window starts at row 3 and has F = 3 rows"),
            (1, "the first window starts at row 1: it is read"),
        ),
    ),
    "05-forgot-rot180": Question(
        "choice",
        "d(input)",
        "Only the $\\partial E/\\partial a^{l-1}$ check fails. The weight step never rotates ($\\delta$ "
        "slides over "
        "the input as a kernel), so a backward pass that forgets $\\mathrm{rot180}$ still has a perfect "
        "$dW$ and "
        "$db$: a check of $dW$ alone passes while every layer below receives wrong gradients. That is why "
        "the "
        "gradient check compares $\\partial E/\\partial a^{l-1}$ too, although only $W$ and $b$ get "
        "updated: it is "
        "what the layer below learns from.",
        wrong=(
            ("all three", "dW and db come from δ^l and a^{l-1}: does the rotation enter them?"),
            ("dW", "the weight step slides δ over the input and rotates nothing"),
            ("d(input) and dW", "the weight step slides δ over the input and rotates nothing"),
            ("none", "the check compares with central differences, which know nothing of the shortcut"),
        ),
        choices=("none", "d(input)", "dW", "db", "d(input) and dW", "dW and db", "all three"),
    ),
    "05-loss": Question(
        "choice",
        "by more than 1000 times",
        "It falls at every pass shown, fast at first and then more slowly, by more than a factor of 1000 "
        "here: "
        "the student can match the teacher exactly, because they have the same shape. If the gradients were "
        "wrong (say, a sign error in $\\partial E/\\partial W$), the loss would stall or grow instead; the "
        "cell "
        "asserts the factor of 1000.",
        wrong=(
            (
                "it grows",
                "that is what a sign error in the gradients does; these gradients passed every check",
            ),
            (
                "it stalls",
                "that is what wrong gradients do; these passed every check, and the student has the "
                "teacher's shape",
            ),
            (
                "by 2 to 10 times",
                "the student has the teacher's shape, so it can match the targets exactly: the loss can go "
                "near 0",
            ),
            (
                "by 10 to 1000 times",
                "the student has the teacher's shape, so it can match the targets exactly: the loss can go "
                "near 0",
            ),
        ),
        choices=(
            "it grows",
            "it stalls",
            "by 2 to 10 times",
            "by 10 to 1000 times",
            "by more than 1000 times",
        ),
    ),
    # ------------------------------------------------------------ 06 · pooling
    "06-shape": Question(
        "shape",
        (2, 3, 2),
        "Each channel is pooled on its own, so the depth stays $D = 2$. Along the rows the windows "
        "start at $0, 2, 4$: $\\lfloor (7 - 3)/2 \\rfloor + 1 = 3$; along the columns at $0, 2$: "
        "$\\lfloor (6 - 3)/2 \\rfloor + 1 = 2$ (column 5 is read by no window). Shape $(2, 3, 2)$.",
        wrong=(
            ((1, 3, 2), "pooling keeps the channels apart: each of the D channels is pooled on its own"),
            ((2, 2, 2), "the rows: windows start at rows 0, 2 and 4, and the last one, rows 4 to 6, fits"),
            (
                (2, 3, 3),
                "the columns: a window starting at column 4 would need column 6, which a width of 6 lacks",
            ),
        ),
    ),
    "06-max-one-window": Question(
        "choice",
        "a21",
        "Near these values $out = a_{2,1}$: nudging $a_{2,1}$ by $\\varepsilon$ moves $out$ by "
        "$\\varepsilon$, and nudging any other entry moves nothing (it stays below the maximum). So "
        "$\\partial out/\\partial a_{2,1} = 1$, the other three are $0$, and $\\partial E/\\partial "
        "a_{2,1} = "
        "\\delta^l$ while the other three entries get $0$.",
        wrong=(
            ("all four", "that is mean pooling's answer; here the output is one of the four entries"),
            ("none", "the output is the largest entry itself: a nudge of it moves the output one for one"),
        ),
        choices=("a11", "a12", "a21", "a22", "all four", "none"),
    ),
    "06-mean-one-window": Question(
        "number",
        0.25,
        "$out = (a_{1,1} + a_{1,2} + a_{2,1} + a_{2,2})/4$, so every $\\partial out/\\partial a_{u,v} = "
        "1/4$, whatever the values: each entry of the window gets $\\delta^l/4$.",
        wrong=((1, "that is the derivative of the sum; the average divides the sum by the 4 entries"),),
    ),
    "06-overlap": Question(
        "number",
        10,
        "The centre $a_{2,2}$ is the largest entry of all four windows, so it fed all four outputs, "
        "each one for one. The chain rule adds the paths: $\\partial E/\\partial a_{2,2} = 1 + 2 + 3 + 4 = "
        "10$. "
        "This is the same sum over every output an input feeds that gave $\\partial E/\\partial a$ in "
        "lesson 01.",
        wrong=(
            (
                4,
                "that is the δ of the last window alone: an entry in several windows gets the sum of their δ",
            ),
            (
                1,
                "that is the δ of the first window alone: an entry in several windows gets the sum of their "
                "δ",
            ),
        ),
    ),
    # ------------------------------------------------------------ 07 · vectorizing
    "07-forward-calls": Question(
        "number",
        16384,
        "The forward pass makes one call per (sample, filter, channel): $B \\cdot N \\cdot D = 32 \\cdot 32 "
        "\\cdot 16 = 16\\,384$ calls. `bp_delta_map` and `compute_gradient` make as many again each: about "
        "49 000 calls for one training step of one layer. Each call is a few microseconds of Python and "
        "numpy "
        "bookkeeping around a tiny $8\\times8$ computation, so the bookkeeping, not the arithmetic, takes "
        "the "
        "time. The cure is to hand numpy (and the BLAS library under it) **few, large** operations.",
        wrong=(
            (1024, "that is one call per (sample, filter): each filter has D slices, one call each"),
            (512, "that is one call per (sample, channel): each of the N filters makes its own call"),
            (32, "that is one call per sample: the loop reference correlates one 2-D slice at a time"),
        ),
    ),
    "07-im2col-shape": Question(
        "shape",
        (128, 144),
        "A receptive field now spans all $D$ channels, so each row holds $D F_h F_w$ numbers, and there is "
        "one "
        "row per (sample, output position): the matrix is $(B\\,H_{out}W_{out}) \\times (D F_h F_w)$. Each "
        "filter "
        "$W_n$ flattens to one column of length $D F_h F_w$; the $N$ columns side by side form a "
        "$(D F_h F_w) \\times N$ matrix. Their product, $(B\\,H_{out}W_{out}) \\times N$, holds every net "
        "value of "
        "every filter for every sample. Here $H_{out} = (8 - 3 + 2)//2 + 1 = 4$, so the im2col matrix is "
        "$(8 \\cdot 16) \\times (16 \\cdot 9) = 128 \\times 144$, the filters $144 \\times 32$, net $128 "
        "\\times 32$.",
        wrong=(
            ((144, 128), "that is the transpose: one row per field, one column per number in a field"),
            ((128, 9), "that is one channel's field: a receptive field spans all D channels"),
            ((16, 144), "that is one sample: there is one row per (sample, output position)"),
            ((512, 144), "that is stride 1's 8×8 positions per sample: at S = 2 there are 4×4"),
        ),
    ),
    "07-dW-product": Question(
        "choice",
        "a",
        "$\\partial E/\\partial \\mathcal{W} = \\Delta^T A$. Entry $(n, (d, i, j))$ sums, over every "
        "receptive "
        "field (every sample and every output position $(m, n')$), δ of filter $n$ at that position times "
        "the "
        "input value at offset $(i, j)$ inside the field, which is $a_{d,\\, Sm+i,\\, Sn'+j}$ of the padded "
        "input. That is $\\sum_m \\sum_{n'} \\delta_{m,n'} a_{i+m, j+n'}$ at stride 1: δ sliding over the "
        "input "
        "as a kernel, now also summed over the batch. The bias gradient is the column sums of $\\Delta$: the "
        "sum of δ.",
        wrong=(
            ("b", "the same numbers, transposed: 𝒲 has one row per filter, so its gradient does too"),
            (
                "c",
                "that gives what each field sends back to its inputs, the gradient with respect to A (the "
                "next question)",
            ),
            ("d", "that is the forward pass: net"),
        ),
        choices=("a", "b", "c", "d"),
    ),
    "07-copies": Question(
        "choice",
        "add them",
        "$\\Delta\\,\\mathcal{W}$ (one product) gives, for every field, the gradient with respect to each "
        "number "
        "in that row: what the field sends back to each of its pixels. A pixel that was copied into several "
        "rows receives from all of them, so the rows are **added back** onto the image where they came from. "
        "That operation is *col2im*, the transpose of im2col: im2col is linear, $\\mathrm{vec}(A) = C\\,a$ "
        "with "
        "$C$ a matrix of zeros and ones that copies each pixel of $a$ into every place of $A$ whose field "
        "contains it, and col2im is $C^T$ ($C$ holds no weights, unlike lesson 01's $M$ in §2). Where fields "
        "overlap the contributions add up; padding positions are dropped; pixels no field reads get 0.",
        wrong=(
            (
                "average them",
                "each copy is its own path from the pixel to E, and the chain rule adds the paths",
            ),
            (
                "keep one of them",
                "the pixel reaches E through every field that contains it, and each path counts",
            ),
        ),
        choices=("add them", "average them", "keep one of them"),
    ),
}
