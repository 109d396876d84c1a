"""Data augmentation for the capstone: images moved by a pixel or placed anywhere on a larger canvas."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike

from ..maths.validate import as_float_array, non_negative_int, positive_int

__all__ = ["random_shift", "place_on_canvas"]


def random_shift(
    x: ArrayLike, max_shift: int = 1, rng: np.random.Generator | int | None = None
) -> np.ndarray:
    """Move every image of a batch by its own random offset of up to ``max_shift`` pixels (zeros fill in).

    A cheap data augmentation: a digit moved by one pixel is still the same digit, so the network
    learns not to care exactly where the strokes are.

    Parameters
    ----------
    x : numpy.ndarray, shape (B, D, H, W)
    max_shift : int, optional
        Offsets are drawn uniformly from ``-max_shift .. max_shift`` in each direction; 0 returns a copy.
    rng : numpy.random.Generator or int, optional

    Returns
    -------
    numpy.ndarray, shape and dtype of x (a new array)

    Examples
    --------
    >>> x = np.zeros((1, 1, 3, 3)); x[0, 0, 1, 1] = 1.0
    >>> y = random_shift(x, 1, rng=0)
    >>> float(y.sum()), y.shape
    (1.0, (1, 1, 3, 3))
    """
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"x must have 4 dimensions (B, D, H, W); got {x.ndim} with shape {x.shape}")
    m = non_negative_int(max_shift, "max_shift")
    if m == 0:
        return x.copy()
    rng = np.random.default_rng(rng)
    n_b, _, h, w = x.shape
    padded = np.zeros(x.shape[:2] + (h + 2 * m, w + 2 * m), dtype=x.dtype)
    padded[:, :, m : m + h, m : m + w] = x
    windows = sliding_window_view(padded, (h, w), axis=(2, 3))  # (B, D, 2m+1, 2m+1, H, W)
    dy, dx = rng.integers(0, 2 * m + 1, size=(2, n_b))
    return np.ascontiguousarray(windows[np.arange(n_b), :, dy, dx])


def place_on_canvas(
    x: ArrayLike, canvas: int, rng: np.random.Generator | int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Put each image of x (B, D, H, W) at a random place on a blank canvas x canvas image.

    The offsets are uniform, each from 0 to canvas - H (rows) and canvas - W (columns), drawn
    anew on every call. Returns the canvases, shape (B, D, canvas, canvas), and the (row, column)
    offsets, shape (B, 2).

    Examples
    --------
    >>> placed, where = place_on_canvas(np.ones((2, 1, 2, 2)), 4, rng=0)
    >>> placed.shape, int(placed[0].sum()), bool((where >= 0).all() and (where <= 2).all())
    ((2, 1, 4, 4), 4, True)
    """
    x = as_float_array(x, "x", ndim=4)
    size = positive_int(canvas, "canvas")
    n_b, d, h, w = x.shape
    if size < h or size < w:
        raise ValueError(f"canvas must be at least the images' (H, W) = ({h}, {w}); got {canvas}")
    rng = np.random.default_rng(rng)
    where = np.stack(
        [rng.integers(0, size - h + 1, size=n_b), rng.integers(0, size - w + 1, size=n_b)], axis=1
    )
    out = np.zeros((n_b, d, size, size))
    for k, (r, c) in enumerate(where):
        out[k, :, r : r + h, c : c + w] = x[k]
    return out, where
