"""Hints on demand: ``lessonkit.hint(name)`` asks a question, ``lessonkit.hint(name, 2)`` says more.

The first hint of every exercise is also the text its stub raises (``raise NotImplementedError(...)``
in the exercise notebook, from the solution's ``### BEGIN SOLUTION:`` line; a test keeps the two
equal), so the check's "not implemented yet (hint: ...)" is the same question, in the learner's
language. A teacher can reword a hint here; both the notebook's stub and the catalogs follow
(``make lessons``).
"""

from __future__ import annotations

from .i18n import _, tr

__all__ = ["HINTS", "hint", "hint_text"]

HINTS: dict[str, tuple[str, ...]] = {
    "pad": (
        "how large is the padded array, and where inside it does x go?",
        "The result has H + 2p rows and W + 2p columns; x fills the block that starts p rows down and p "
        "columns in. Only the last two axes grow.",
    ),
    "rot180": (
        "which two axes does a half turn act on, and what happens to the order of the entries along each?",
        "A half turn reverses the rows and reverses the columns of the last two axes (a slice with step -1 "
        "reverses an axis). The leading axes keep their order.",
    ),
    "dilate": (
        "at stride S, on which row of the stride-1 map did output row i sit, and how many rows does "
        "the dilated map need?",
        "Output row i sat on row i*S, so the last one lands on row (H_out - 1)*S: the result has one "
        "row more than that, zeros everywhere except the rows and columns a step-S slice reaches.",
    ),
    "correlate2d": (
        "which block of x does output (i, j) read when the window moves S positions at a time?",
        "Output (i, j) reads the Fh x Fw block whose top-left corner is row i*S, column j*S, and sums "
        "its entries times the kernel's, the kernel as it is (not flipped).",
    ),
    "bp_delta_map": (
        "which outputs did the input entry a_{i,j} feed, and through which weights? What does the "
        "stride leave out, and what does the padding add?",
        "Lesson 03 answered that in steps: make δ a stride-1 map (where does each δ go, and how large "
        "must the map be for every geometry?), let every input entry gather from every output it fed "
        "(how much padding makes that a valid correlation, and with which orientation of W?), add over "
        "the N filters, and drop what belongs to the padding.",
    ),
    "compute_gradient": (
        "w_{u,v} multiplies which input in each output? Write dE/dw_{u,v} as a sum over the outputs "
        "and read that sum as a correlation of two arrays.",
        "Lesson 04: dE/dw[n, d] is a cross-correlation of the padded input channel d with δ of filter "
        "n, once δ is made a stride-1 map of the stride-1 size. The bias of filter n is in every "
        "output of that filter.",
    ),
    "conv_forward": (
        "which entries of the padded input does net[n, i, j] read, and over which channels does it sum?",
        "Pad x by P; net[n] is the sum over the D channels of channel d correlated with w[n, d] at "
        "stride S, plus b[n].",
    ),
    "layer_backward": (
        "you are given dE/da^l: what stands between a^l and net^l, and which of your functions take δ^l?",
        "δ^l is dE/da^l times f' evaluated at net^l (recompute net^l with conv_forward); bp_delta_map "
        "then gives dE/da^{l-1}, and compute_gradient gives dW and db.",
    ),
    "Filter": (
        "what shape must a filter of depth D have, and what should training start from so that two "
        "filters do not learn the same thing?",
        "weights: small random numbers of shape (depth, height, width), e.g. uniform in [-1e-4, 1e-4]; "
        "bias 0; the gradients zeros of the same shapes. update subtracts the learning rate times each "
        "gradient.",
    ),
    "max_pool_forward": (
        "where does the window of output (i, j) start, and which axes does the maximum run over?",
        "The window of output (i, j) starts at row i*stride and column j*stride and is size x size; "
        "take its largest entry over the last two axes, one value per channel.",
    ),
    "max_pool_backward": (
        "which entry of each window made its output, and what does an entry inside two windows get?",
        "Only the largest entry of a window moves its output (one for one): it gets that window's δ, "
        "the others 0. np.argmax of the window, with np.unravel_index, gives its row and column. "
        "Windows can overlap, so add (+=).",
    ),
    "mean_pool_forward": (
        "how many entries does a window average?",
        "Each output is the sum of its size x size window divided by size²; the windows are those of "
        "max pooling.",
    ),
    "mean_pool_backward": (
        "by how much does out[d, i, j] move when one entry of its window moves by 1?",
        "By 1/size²: every entry of the window gets δ[d, i, j]/size², added up where windows overlap; "
        "entries that no window reads get 0.",
    ),
    "im2col": (
        "which entries of the padded input does the field of output (i, j) of sample b hold, and in "
        "which column and which row does each of them go?",
        "Pad x by P; the field of sample b at output (i, j) is xp[b, :, i*S : i*S + Fh, j*S : j*S + Fw], "
        "of shape (D, Fh, Fw). Flattened (as w[n].ravel() flattens a filter) it is column "
        "(b*H_out + i)*W_out + j.",
    ),
    "col2im": (
        "im2col copied each input entry into every field that reads it: what must the adjoint do with "
        "those copies, and with the ones that fell on the padding?",
        "Start from zeros of the padded shape; add (+=) each column, reshaped to (D, Fh, Fw), onto the "
        "window it came from; then cut the P rows and columns of padding off every side.",
    ),
}


def hint_text(name: str, level: int = 1) -> str:
    """Hint ``level`` (1: a question, 2: more) of exercise ``name``, in the learner's language."""
    if name not in HINTS:
        raise ValueError(f"name must be an exercise ({', '.join(HINTS)}); got {name!r}")
    levels = HINTS[name]
    if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= len(levels):
        raise ValueError(f"level must be an integer from 1 to {len(levels)}; got {level!r}")
    return _(levels[level - 1])


def hint(name: str, level: int = 1) -> None:
    """Print hint ``level`` of exercise ``name`` (1: a question to think about; 2: more of the way).

    Examples
    --------
    >>> hint("pad")
    pad, hint 1 of 2: how large is the padded array, and where inside it does x go?
    More: lessonkit.hint("pad", 2)
    """
    text = hint_text(name, level)
    print(tr("{name}, hint {level} of {n}: {hint}", name=name, level=level, n=len(HINTS[name]), hint=text))
    if level < len(HINTS[name]):
        print(tr("More: {call}", call=f'lessonkit.hint("{name}", {level + 1})'))
