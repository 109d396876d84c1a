"""Hypothesis strategies for conv geometries: every case of the core issue's section 3."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st


@dataclass(frozen=True)
class Geometry:
    D: int
    N: int
    H: int
    W: int
    Fh: int
    Fw: int
    S: int
    P: int

    @property
    def out(self) -> tuple[int, int]:
        return (
            (self.H - self.Fh + 2 * self.P) // self.S + 1,
            (self.W - self.Fw + 2 * self.P) // self.S + 1,
        )

    def arrays(self, seed: int):
        """Random x (D, H, W), w (N, D, Fh, Fw), b (N,), delta (N, H_out, W_out)."""
        rng = np.random.default_rng(seed)
        x = rng.normal(size=(self.D, self.H, self.W))
        w = rng.normal(size=(self.N, self.D, self.Fh, self.Fw))
        b = rng.normal(size=self.N)
        delta = rng.normal(size=(self.N, *self.out))
        return x, w, b, delta


@st.composite
def geometries(draw, max_side: int = 7) -> Geometry:
    """Depth, filters, stride 1-4, padding 0-5 (often > F-1), rectangular filters, F = 1."""
    fh = draw(st.integers(1, 4))
    fw = draw(st.integers(1, 4))
    p = draw(st.integers(0, 5))
    h = draw(st.integers(max(1, fh - 2 * p), max_side))
    w = draw(st.integers(max(1, fw - 2 * p), max_side))
    return Geometry(
        D=draw(st.integers(1, 3)),
        N=draw(st.integers(1, 3)),
        H=h,
        W=w,
        Fh=fh,
        Fw=fw,
        S=draw(st.integers(1, 4)),
        P=p,
    )


seeds = st.integers(0, 2**32 - 1)
