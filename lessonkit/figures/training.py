"""Lesson 08 (capstone): the digits, training curves, confusion matrix, mistakes and learned filters.

Every function returns a pyplot-free :class:`matplotlib.figure.Figure`; show it with
:func:`lessonkit.figures.show`. Colour never carries meaning alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import NullFormatter, ScalarFormatter
from numpy.typing import ArrayLike

from .style import INK, MUTED, OKABE_ITO, SERIES, new_figure, words

__all__ = [
    "digits_figure",
    "training_curves_figure",
    "loss_curves_figure",
    "confusion_matrix_figure",
    "misclassified_figure",
    "filters_figure",
]


def _digit(ax: Axes, image, title: str | None = None, fontsize: float = 10) -> None:
    ax.imshow(np.asarray(image), cmap="gray_r", vmin=0, vmax=max(1.0, float(np.max(image))))
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=fontsize)


def digits_figure(images: ArrayLike, labels: ArrayLike, n: int = 20) -> Figure:
    """The first ``n`` digits (2-D images of any size, e.g. 8x8 or a 16x16 canvas; or flattened 8x8
    rows), dark = ink, with their labels."""
    images, labels = np.asarray(images)[:n], np.asarray(labels)[:n]
    cols = min(10, len(images))
    rows = int(np.ceil(len(images) / cols))
    fig = new_figure(1.05 * cols, 1.25 * rows)
    for k, (img, lab) in enumerate(zip(images, labels, strict=True)):
        _digit(fig.add_subplot(rows, cols, k + 1), img if img.ndim == 2 else img.reshape(8, 8), f"{lab}")
    fig.tight_layout()
    return fig


def training_curves_figure(
    history: dict,
    target: float | None = 0.97,
    baseline: float | None = None,
    baseline_label: str = "baseline",
) -> Figure:
    """Loss and accuracy per epoch: ``history`` has lists ``loss``, ``train_acc`` and ``val_acc``
    (or ``test_acc``, drawn as the held-out test set).

    Train and held-out differ by colour, marker and line style; a dotted line marks ``target`` and a
    dash-dot line ``baseline`` (e.g. another model's accuracy on the same held-out set).
    """
    epochs = np.arange(1, len(history["loss"]) + 1)
    fig = new_figure(11, 3.8)
    ax1, ax2 = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    ax1.plot(epochs, history["loss"], "o-", color=SERIES[0], label=words("training loss (mean over epoch)"))
    ax1.set_yscale("log")
    ax1.set_xlabel(words("epoch"))
    ax1.set_ylabel(words("softmax cross-entropy"))
    ax1.legend(fontsize=9)
    ax2.plot(epochs, history["train_acc"], "o-", color=SERIES[0], label=words("training set"))
    held_key, held_label = (
        ("val_acc", "validation set") if "val_acc" in history else ("test_acc", "held-out test set")
    )
    ax2.plot(epochs, history[held_key], "s--", color=SERIES[1], label=words(held_label))
    if target is not None:
        ax2.axhline(target, color=MUTED, ls=":", lw=1.5, label=f"{words('target')} {target:.0%}")
    if baseline is not None:
        ax2.axhline(
            baseline, color=SERIES[2], ls="-.", lw=1.5, label=f"{words(baseline_label)} {baseline:.1%}"
        )
    ax2.set_ylim(max(0.0, min(min(history["train_acc"]), min(history[held_key])) - 0.02), 1.005)
    ax2.set_xlabel(words("epoch"))
    ax2.set_ylabel(words("accuracy"))
    ax2.legend(fontsize=9, loc="lower right")
    for ax in (ax1, ax2):
        ax.grid(color="#E5E5E5")
        ax.set_xticks(epochs if len(epochs) <= 20 else epochs[::2])
    fig.tight_layout()
    return fig


def loss_curves_figure(
    curves: dict, xlabel: str = "training step", ylabel: str = "softmax cross-entropy"
) -> Figure:
    """One or more loss curves on one axis: ``curves`` maps a label to (x, losses).

    Each curve has its own colour, line style and width (when there are several, the first is wide
    and pale, the others dashed and narrow, with markers), so two curves that coincide still show as
    two. The loss axis is logarithmic when the losses span more than a factor of 10.

    Examples
    --------
    >>> fig = loss_curves_figure({"yours": ([0, 1, 2], [2.3, 1.1, 0.6])})
    >>> fig.axes[0].get_ylabel()
    'softmax cross-entropy'
    """
    if not curves:
        raise ValueError("curves must hold at least one (x, losses) pair; got an empty mapping")
    fig = new_figure(7.5, 3.6)
    ax = fig.add_subplot(1, 1, 1)
    styles = [("-", 2.5, None), ("--", 1.8, "o"), (":", 1.8, "s"), ("-.", 1.8, "^")]
    lows, highs = [], []
    for k, (label, (x, y)) in enumerate(curves.items()):
        ls, lw, marker = styles[k % len(styles)]
        if k == 0 and len(curves) > 1:
            lw = 6.0  # wide and pale under the others: coinciding curves still show as two
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        lows.append(float(np.min(y)))
        highs.append(float(np.max(y)))
        every = max(1, len(x) // 12)
        ax.plot(
            x,
            y,
            ls=ls,
            lw=lw,
            marker=marker,
            markevery=every,
            color=SERIES[k % len(SERIES)],
            alpha=0.5 if lw == 6.0 else 1.0,
            label=words(label),
        )
    if min(lows) > 0 and max(highs) / min(lows) > 10:  # a log axis only when the loss spans decades
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(ScalarFormatter())
        ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(words(xlabel))
    ax.set_ylabel(words(ylabel))
    ax.legend(fontsize=9)
    fig.tight_layout()
    return fig


def confusion_matrix_figure(cm: ArrayLike, labels: Sequence | None = None) -> Figure:
    """A confusion matrix: row = true class, column = predicted class, every count written in its cell."""
    cm = np.asarray(cm)
    n = cm.shape[0]
    labels = list(range(n)) if labels is None else list(labels)
    fig = new_figure(5.6, 5.0)
    ax = fig.add_subplot()
    ax.imshow(cm, cmap="Blues", vmin=0, vmax=max(1, cm.max()))
    for (r, c), v in np.ndenumerate(cm):
        if v:
            dark = v > 0.6 * cm.max()
            ax.text(
                c,
                r,
                str(v),
                ha="center",
                va="center",
                fontsize=9,
                color="white" if dark else INK,
                fontweight="bold" if r == c else "normal",
            )
    for r, c in zip(*np.nonzero(cm - np.diag(np.diag(cm))), strict=True):
        ax.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, edgecolor=OKABE_ITO["vermillion"], lw=2))
    ax.set_xticks(range(n), labels)
    ax.set_yticks(range(n), labels)
    ax.set_xlabel(words("predicted digit"))
    ax.set_ylabel(words("true digit"))
    ax.set_title(
        words("{right} of {total} right; mistakes outlined").format(
            right=int(np.trace(cm)), total=int(cm.sum())
        ),
        fontsize=11,
    )
    fig.tight_layout()
    return fig


def misclassified_figure(
    images: ArrayLike, true: ArrayLike, pred: ArrayLike, prob: ArrayLike | None = None, n: int = 12
) -> Figure:
    """The test digits the network got wrong: "true → predicted (probability)" above each."""
    images = np.asarray(images)[:n]
    true, pred = np.asarray(true), np.asarray(pred)
    prob = None if prob is None else np.asarray(prob)
    if len(images) == 0:
        fig = new_figure(4, 1)
        fig.text(0.5, 0.5, words("no mistakes on the test set"), ha="center", va="center")
        return fig
    cols = min(6, len(images))
    rows = int(np.ceil(len(images) / cols))
    fig = new_figure(1.6 * cols, 1.75 * rows)
    for k, img in enumerate(images):
        title = f"{true[k]} → {pred[k]}" + ("" if prob is None else f" ({prob[k]:.0%})")
        _digit(fig.add_subplot(rows, cols, k + 1), img.reshape(8, 8), title)
    fig.suptitle(words("misclassified test digits: true → predicted (network's probability)"), fontsize=11)
    fig.tight_layout()
    return fig


def filters_figure(
    w: ArrayLike, feature_maps: ArrayLike | None = None, image: ArrayLike | None = None
) -> Figure:
    """First-layer filters (N, 1, Fh, Fw) on a diverging scale; optionally their maps for one image.

    Filters sit 8 to a row, each tile about an inch wide, purple positive, orange negative, white 0;
    the colour bar (titled) gives the numbers. ``feature_maps`` (N, H, W) are the layer's outputs
    (after ReLU) for ``image`` (H, W): each row of filters is followed by a row of their maps, and
    the image itself stands at the end.

    Examples
    --------
    >>> fig = filters_figure(np.random.default_rng(0).normal(size=(16, 1, 3, 3)))
    >>> len(fig.axes), fig.axes[-1].get_title()
    (17, 'weight')
    """
    w = np.asarray(w)[:, 0]
    maps = None if feature_maps is None else np.asarray(feature_maps)
    n = w.shape[0]
    cols = min(n, 8)
    groups = -(-n // cols)  # rows of filters
    per_group = 1 if maps is None else 2
    rows = groups * per_group
    tile = 1.05
    fig = new_figure(tile * (cols + (2.2 if maps is not None else 1.3)) + 0.4, tile * 1.12 * rows + 0.9)
    lim = float(np.abs(w).max())
    gs = fig.add_gridspec(
        rows,
        cols + 2,
        width_ratios=[1] * cols + [1.0 if maps is not None else 0.1, 0.18],
        left=0.05,
        right=0.93,
        top=1 - 0.75 / (tile * 1.12 * rows + 0.9),
        bottom=0.04,
        wspace=0.12,
        hspace=0.35,
    )
    shown = None
    for k in range(n):
        g, c = divmod(k, cols)
        ax = fig.add_subplot(gs[g * per_group, c])
        shown = ax.imshow(w[k], cmap="PuOr", vmin=-lim, vmax=lim)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(words("filter {k}").format(k=k), fontsize=8, pad=2)
        if maps is not None:
            ax2 = fig.add_subplot(gs[g * per_group + 1, c])
            ax2.imshow(maps[k], cmap="gray_r", vmin=0)
            ax2.set_xticks([])
            ax2.set_yticks([])
            if c == 0:
                ax2.set_ylabel(words("its map"), fontsize=9)
    if image is not None and maps is not None:
        _digit(fig.add_subplot(gs[1, cols + 0 : cols + 1]), image, None)
        fig.axes[-1].set_xlabel(words("input"), fontsize=9)
    cax = fig.add_subplot(gs[0 : per_group * groups, cols + 1])
    assert shown is not None
    fig.colorbar(shown, cax=cax)
    cax.set_title(words("weight"), fontsize=9)
    cax.tick_params(labelsize=7)
    title = words("learned first-layer filters")
    if maps is not None:
        title = words(
            "learned first-layer filters, each above what it makes of the input digit "
            "(after ReLU; darker = larger)"
        )
    fig.suptitle(title, fontsize=11)
    return fig
