"""The layer_backward exercise (04_conv_layer): its cases, groups and known mistakes."""

from __future__ import annotations

from functools import partial

import numpy as np

from ...maths.conv import bp_delta_map, compute_gradient, conv_forward
from ...maths.validate import output_size
from .base import ACTIVATIONS, LECTURE, Case, CaseTable, Exercise, Mistake, draw, geom_label
from .bp_delta_map import bp_variant
from .compute_gradient import cg_variant


def _layer_case(values, group, spec, label=None) -> Case:
    activation, (D, N, H, W, Fh, Fw, S, P) = spec
    ho, wo = output_size(H, W, Fh, Fw, S, P)
    for _ in range(100):  # ReLU cases always have nets on both sides of 0, none at 0
        g, x, w, b = values((N, ho, wo)), values((D, H, W)), values((N, D, Fh, Fw)), values((N,))
        net = conv_forward(x, w, b, S, P)
        if activation != "relu" or (
            (net > 0).sum() >= 2 and (net < 0).sum() >= 2 and np.abs(net).min() > 1e-6
        ):
            break
    text = label or f"{activation}, " + geom_label(D, N, H, W, Fh, Fw, S, P)
    return Case(text, (g, x, w, b, activation), {"stride": S, "padding": P}, group)


def layer_backward_reference(grad_output, x, w, b, activation, stride=1, padding=0):
    """δ^l = dE/da^l ∘ f'(net^l); returns (dE/da^{l-1}, dW, db)."""
    act = ACTIVATIONS[activation]
    net = conv_forward(x, w, b, stride, padding)
    delta = np.asarray(grad_output, float) * act.derivative(net)
    dW, db = compute_gradient(delta, x, np.shape(w), stride, padding)
    return bp_delta_map(delta, w, np.shape(x), stride, padding), dW, db


def _layer_variant(grad_output, x, w, b, activation, stride=1, padding=0, *, fprime="net", bp=None, cg=None):
    """layer_backward with one thing done wrong."""
    act = ACTIVATIONS[activation]
    net = conv_forward(x, w, b, stride, padding)
    g = np.asarray(grad_output, float)
    if fprime == "net":
        delta = g * act.derivative(net)
    elif fprime == "output":
        delta = g * act.derivative(act.forward(net))
    else:
        delta = g
    dW, db = cg_variant(delta, x, np.shape(w), stride, padding, **(cg or {}))
    return bp_variant(delta, w, np.shape(x), stride, padding, **(bp or {})), dW, db


MISTAKES = (
    Mistake(
        "f' not applied: δ^l = dE/da^l ∘ f'(net^l) before anything is sent back",
        partial(_layer_variant, fprime="none"),
    ),
    Mistake(
        "f' evaluated at the output a^l = f(net^l) instead of at net^l",
        partial(_layer_variant, fprime="output"),
    ),
    Mistake(
        "bias averaged instead of summed: dE/dw_b is the sum of δ over the map",
        partial(_layer_variant, cg={"bias": "mean"}),
    ),
    Mistake("filter not rotated in dE/da^{l-1}", partial(_layer_variant, bp={"rotate": False})),
)


IDENTITY_RELU, SIGMOID_TANH = "identity and ReLU", "sigmoid and tanh (f' at net^l)"

TABLE = CaseTable(
    (
        (IDENTITY_RELU, "the lecture's case: ", ("identity", LECTURE)),
        (IDENTITY_RELU, "", ("relu", (1, 1, 4, 4, 2, 2, 1, 0))),
        (IDENTITY_RELU, "", ("relu", (2, 3, 7, 5, 2, 3, 2, 1))),
        (SIGMOID_TANH, "", ("sigmoid", (1, 2, 4, 4, 2, 2, 1, 2))),
        (SIGMOID_TANH, "", ("tanh", (2, 2, 9, 7, 2, 3, 3, 0))),
    ),
    {
        IDENTITY_RELU: lambda rng: ("relu", draw(rng, D=(1, 3), N=(1, 3), S=(1, 3), P=(0, 2))),
        SIGMOID_TANH: lambda rng: (
            ("sigmoid", "tanh")[int(rng.integers(0, 2))],
            draw(rng, D=(1, 3), N=(1, 3), S=(1, 3), P=(0, 2)),
        ),
    },
    _layer_case,
    lambda spec: f"{spec[0]}, " + geom_label(*spec[1]),
    seed=8,
)


BIAS = "db, the bias gradient"

EXERCISE = Exercise(
    "layer_backward",
    "04_conv_layer",
    layer_backward_reference,
    TABLE,
    {IDENTITY_RELU: 2, SIGMOID_TANH: 2, BIAS: 2},
    MISTAKES,
    outputs=("d_input", "dW", "db"),
    split=(None, None, BIAS),
)
