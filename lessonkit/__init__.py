"""lessonkit: the maths, network, figures and grading of the course "How a convolutional layer learns".

Notation follows the lecture: x = a^{l-1} (D, H, W); w = W (N, D, Fh, Fw); b (N,);
delta = δ^l = dE/dnet^l (N, H_out, W_out) with H_out = (H - Fh + 2P)//S + 1.

The folders show the design:

- :mod:`lessonkit.maths`: the lecture's maths, one sample at a time, importing only numpy;
- :mod:`lessonkit.network`: the batched network (the im2col fast path, layers, losses, optimisers);
- :mod:`lessonkit.course`: the exercises, the learner's check, the grader, the CLI and the builds;
- :mod:`lessonkit.figures`: figures and widgets (matplotlib and ipywidgets live only there).
"""

import sys as _sys

from .course.checks import check, safely
from .course.i18n import set_language
from .course.learner import learner_functions, workspace
from .maths.activations import Identity, ReLU, Sigmoid, Tanh
from .maths.conv import bp_delta_map, compute_gradient, conv_forward
from .maths.gradcheck import numerical_gradient, rel_error
from .maths.layer import ConvLayer, Filter, GradCheck, gradient_check
from .maths.ops import correlate2d, dilate, pad, rot180
from .network import fast, losses, nn, optim  # noqa: F401  (submodules as attributes: lessonkit.fast...)

# lessonkit.fast, .nn, .losses and .optim were top-level modules before the package had folders;
# notebooks and checks written then still import them, so they stay importable under those names
# (the same module objects, not copies).
for _name in ("fast", "losses", "nn", "optim"):
    _sys.modules[f"{__name__}.{_name}"] = globals()[_name]
del _name

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
    "safely",
    "learner_functions",
    "set_language",
    "workspace",
]

__version__ = "0.1.0"
