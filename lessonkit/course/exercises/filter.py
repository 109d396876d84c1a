"""The Filter exercise (04_conv_layer): the lecture's Filter class, its cases, groups and known mistakes.

The graded "function" is a class. Each case makes ``Filter(width, height, depth)``, reads what a new
filter holds, sets weights and gradients, reads them back through the getters, takes one
``update(learning_rate)`` step and reads the result (:func:`lessonkit.course.exercises.base.run_case`).
"""

from __future__ import annotations

import numpy as np

from .base import Case, CaseTable, Exercise, Mistake


class LectureFilter:
    """The lecture's Filter: weights (depth, height, width), a bias, their gradients, and update."""

    def __init__(self, width, height, depth):
        rng = np.random.default_rng(0)  # any small start will do; the cases set the weights they read
        self.weights = rng.uniform(-1e-4, 1e-4, (depth, height, width))
        self.bias = 0.0
        self.weights_grad = np.zeros((depth, height, width))
        self.bias_grad = 0.0

    def get_weights(self):
        return self.weights

    def get_bias(self):
        return self.bias

    def update(self, learning_rate):
        self.weights = self.weights - learning_rate * self.weights_grad
        self.bias = self.bias - learning_rate * self.bias_grad


class _WidthFirst(LectureFilter):
    def __init__(self, width, height, depth):
        super().__init__(width, height, depth)
        self.weights = np.zeros((width, height, depth))
        self.weights_grad = np.zeros((width, height, depth))


class _HeightWidthDepth(LectureFilter):
    def __init__(self, width, height, depth):
        super().__init__(width, height, depth)
        self.weights = np.zeros((height, width, depth))
        self.weights_grad = np.zeros((height, width, depth))


class _Ascent(LectureFilter):
    def update(self, learning_rate):
        self.weights = self.weights + learning_rate * self.weights_grad
        self.bias = self.bias + learning_rate * self.bias_grad


class _NoRate(LectureFilter):
    def update(self, learning_rate):
        self.weights = self.weights - self.weights_grad
        self.bias = self.bias - self.bias_grad


class _BiasStays(LectureFilter):
    def update(self, learning_rate):
        self.weights = self.weights - learning_rate * self.weights_grad


class _BiasArray(LectureFilter):
    def __init__(self, width, height, depth):
        super().__init__(width, height, depth)
        self.bias = np.zeros(1)


class _ZeroStart(LectureFilter):
    def __init__(self, width, height, depth):
        super().__init__(width, height, depth)
        self.weights = np.zeros((depth, height, width))


# One sentence for both orders: on a square filter they cannot be told apart.
ORDER = (
    "weights made with the depth last: the lecture's order is (depth, height, width), "
    "like a^{l-1}'s (D, H, W)"
)

MISTAKES = (
    Mistake(ORDER, _WidthFirst),
    Mistake(ORDER, _HeightWidthDepth),
    Mistake("update climbs the gradient: gradient descent subtracts, w <- w - η ∂E/∂w", _Ascent),
    Mistake("update ignores the learning rate: w <- w - η ∂E/∂w, with η = learning_rate", _NoRate),
    Mistake(
        "weights start at zero: every filter of a layer would then get the same gradient and stay "
        "the same as the others; draw them uniformly from [-1e-4, 1e-4]",
        _ZeroStart,
    ),
    Mistake(
        "bias made an array of shape (1,): the lecture's bias w_b is one number, starting at 0",
        _BiasArray,
    ),
    Mistake("update leaves the bias alone: the bias learns too, w_b <- w_b - η ∂E/∂w_b", _BiasStays),
)


def _filter_case(values, group, spec, label) -> Case:
    width, height, depth, rate = spec
    shape = (depth, height, width)
    weights, bias = values(shape), float(values(()))
    weights_grad, bias_grad = values(shape), float(values(()))
    steps = (
        ("start", "weights"),
        ("get", "weights_grad"),
        ("get", "bias"),
        ("get", "bias_grad"),
        ("set", "weights", weights),
        ("set", "bias", bias),
        ("call", "get_weights", (), True),
        ("call", "get_bias", (), True),
        ("set", "weights_grad", weights_grad),
        ("set", "bias_grad", bias_grad),
        ("call", "update", (rate,), False),
        ("get", "weights"),
        ("get", "bias"),
    )
    return Case(label, (width, height, depth), group=group, steps=steps)


def _label(spec) -> str:
    width, height, depth, rate = spec
    return f"Filter(width={width}, height={height}, depth={depth}), update({rate:g})"


def _distinct(rng) -> tuple:
    width, height, depth = (int(v) for v in rng.choice(np.arange(1, 7), size=3, replace=False))
    return width, height, depth, float(np.round(rng.uniform(0.05, 1.0), 2))


NEW, GETTERS, UPDATE = (
    "a new Filter: weights (depth, height, width), zero gradients, zero bias",
    "get_weights and get_bias",
    "update: one gradient-descent step on weights and bias",
)

TABLE = CaseTable(
    (
        (NEW, "the lecture's 2x2 filter: ", (2, 2, 1, 0.1)),
        (NEW, "depth 2: ", (2, 2, 2, 0.5)),
        (NEW, "width, height and depth all different: ", (3, 2, 4, 0.1)),
        (NEW, "", (2, 3, 5, 0.25)),
    ),
    {NEW: _distinct},
    _filter_case,
    _label,
    seed=9,
)

EXERCISE = Exercise(
    "Filter",
    "04_conv_layer",
    LectureFilter,
    TABLE,
    {NEW: 2, GETTERS: 1, UPDATE: 2},
    MISTAKES,
    outputs=(
        "weights of a new Filter: [*shape, within ±1e-4, not all equal]",
        "weights_grad of a new Filter",
        "bias of a new Filter",
        "bias_grad of a new Filter",
        "get_weights()",
        "get_bias()",
        "weights after update",
        "bias after update",
    ),
    split=(None, None, None, None, GETTERS, GETTERS, UPDATE, UPDATE),
)
