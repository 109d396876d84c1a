"""Draw every figure of lessons 00-04 at the lesson's numbers into test-artifacts/figures/ (PNG).

Run ``python tools/render_figures.py``: a reviewer can look at each figure without running a lesson.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lessonkit.figures import depth, forward, legend_figure, stride, weights
from lessonkit.figures.matrix import conv_matrix_figure
from lessonkit.figures.style import png_bytes

OUT = Path(__file__).resolve().parents[1] / "test-artifacts" / "figures"


def figures() -> dict:
    """Name -> Figure, with the numbers the lessons use."""
    w3 = np.array([[1.0, 0.0, 1.0], [0.0, 2.0, 0.0], [1.0, 0.0, -1.0]])
    x5 = (np.arange(25).reshape(5, 5) * 3 % 7).astype(float)
    rng = np.random.default_rng(0)
    return {
        "00-legend": legend_figure(),
        "00-lecture-example": forward.lecture_example_figure(),
        "01-conv-matrix": conv_matrix_figure(),
        "01-padded-delta": forward.padded_delta_figure(target=(0, 1)),
        "01-padded-delta-strip": forward.padded_delta_strip_figure(),
        "02-stride-compare": stride.stride_compare_figure(x5, w3, stride=2),
        "02-stride-backward-5x5": stride.stride_backward_figure(
            np.array([[1.0, 2.0], [3.0, 4.0]]), w3, 5, 5, 2
        ),
        "02-stride-backward-6x6": stride.stride_backward_figure(
            np.array([[1.0, 2.0], [3.0, 4.0]]), w3, 6, 6, 2
        ),
        "03-depth-nodes": depth.depth_node_figure(D=3, N=2, channel=0),
        "03-depth-sum": depth.depth_sum_figure(
            rng.integers(-2, 3, size=(2, 2, 2)).astype(float),
            rng.integers(-2, 3, size=(2, 3, 2, 2)).astype(float),
            channel=0,
        ),
        "04-setup": weights.weight_gradient_setup(),
        "04-delta-kernel": weights.delta_kernel_figure(np.arange(1.0, 10.0).reshape(3, 3), np.eye(2)),
        "04-stride-weight-gradient-6x6": weights.stride_weight_gradient_figure(
            np.arange(1.0, 37.0).reshape(6, 6),
            np.array([[1.0, -1.0], [2.0, 1.0]]),
            filter_size=(3, 3),
            stride=2,
        ),
        "04-gradient-slices": weights.gradient_slices_figure(
            rng.integers(-3, 4, size=(2, 3, 2, 2)).astype(float)
        ),
    }


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, fig in figures().items():
        (OUT / f"{name}.png").write_bytes(png_bytes(fig))
        print(OUT.relative_to(OUT.parents[1]) / f"{name}.png")


if __name__ == "__main__":
    main()
