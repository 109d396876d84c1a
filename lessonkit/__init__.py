"""lessonkit: the maths, network, figures and grading of the course "How a convolutional layer learns".

Notation follows the lecture: x = a^{l-1} (D, H, W); w = W (N, D, Fh, Fw); b (N,);
delta = δ^l = dE/dnet^l (N, H_out, W_out) with H_out = (H - Fh + 2P)//S + 1.

The folders show the design:

- :mod:`lessonkit.maths`: the lecture's maths, one sample at a time, importing only numpy;
- :mod:`lessonkit.network`: the batched network (the im2col fast path, layers, losses, optimisers);
- :mod:`lessonkit.course`: the exercises, the learner's check, the grader, the CLI and the builds;
- :mod:`lessonkit.figures`: figures and widgets (matplotlib and ipywidgets live only there).
"""

# Every name is imported on first use (PEP 562), so ``import lessonkit.maths.ops`` loads the maths
# alone, not the course, the grader and matplotlib. ``lessonkit.fast``, ``.nn``, ``.losses`` and
# ``.optim`` (top-level modules before the package had folders) are the ``lessonkit.network`` ones.
_HOME = {
    "check": "course.checks",
    "hint": "course.hints",
    "predict": "course.predictions",
    "revealed": "course.predictions",
    "safely": "course.checks",
    "set_language": "course.i18n",
    "say": "course.i18n",
    "tr": "course.i18n",
    "learner_functions": "course.learner",
    "workspace": "course.learner",
    "Identity": "maths.activations",
    "ReLU": "maths.activations",
    "Sigmoid": "maths.activations",
    "Tanh": "maths.activations",
    "bp_delta_map": "maths.conv",
    "compute_gradient": "maths.conv",
    "conv_forward": "maths.conv",
    "numerical_gradient": "maths.gradcheck",
    "rel_error": "maths.gradcheck",
    "ConvLayer": "maths.layer",
    "Filter": "maths.layer",
    "GradCheck": "maths.layer",
    "gradient_check": "maths.layer",
    "correlate2d": "maths.ops",
    "dilate": "maths.ops",
    "pad": "maths.ops",
    "rot180": "maths.ops",
    "max_pool_forward": "maths.pooling",
    "max_pool_backward": "maths.pooling",
    "mean_pool_forward": "maths.pooling",
    "mean_pool_backward": "maths.pooling",
}
_SUBMODULES = {
    "fast": "network.fast",
    "losses": "network.losses",
    "nn": "network.nn",
    "optim": "network.optim",
}


def __getattr__(name: str) -> object:
    """Import a re-exported name (or a legacy submodule) the first time it is used."""
    from importlib import import_module

    if name in _SUBMODULES:
        value = import_module(f"{__name__}.{_SUBMODULES[name]}")
    elif name in _HOME:
        value = getattr(import_module(f"{__name__}.{_HOME[name]}"), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list:
    return sorted([*globals(), *_HOME, *_SUBMODULES])


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
    "max_pool_forward",
    "max_pool_backward",
    "mean_pool_forward",
    "mean_pool_backward",
    "check",
    "hint",
    "predict",
    "revealed",
    "safely",
    "learner_functions",
    "set_language",
    "say",
    "tr",
    "workspace",
]

__version__ = "0.1.0"
