"""lessonkit: the maths, figures, widgets, checks and grader of the course "How a convolutional layer learns".

Notation follows the lecture: x = a^{l-1} (D, H, W); w = W (N, D, Fh, Fw); b (N,);
delta = δ^l = dE/dnet^l (N, H_out, W_out) with H_out = (H - Fh + 2P)//S + 1.
"""

from . import fast, losses, nn, optim  # noqa: F401  (submodules as attributes: lessonkit.fast...)
from .activations import Identity, ReLU, Sigmoid, Tanh
from .checks import check
from .conv import bp_delta_map, compute_gradient, conv_forward
from .gradcheck import numerical_gradient, rel_error
from .layer import ConvLayer, Filter, GradCheck, gradient_check
from .ops import correlate2d, dilate, pad, rot180

__all__ = [
    "pad",
    "rot180",
    "dilate",
    "correlate2d",
    "conv_forward",
    "bp_delta_map",
    "compute_gradient",
    "numerical_gradient",
    "rel_error",
    "Identity",
    "ReLU",
    "Sigmoid",
    "Tanh",
    "ConvLayer",
    "Filter",
    "GradCheck",
    "gradient_check",
    "check",
]

__version__ = "0.1.0"
