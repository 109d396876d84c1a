"""Time one conv layer's forward + backward: the loop reference, lessonkit.fast and (if installed) PyTorch.

Run ``python -m lessonkit.network.bench`` (``--help`` for options). All contenders run in the same process,
with their timing rounds interleaved, at the same thread count (BLAS pinned with threadpoolctl when
it is installed, PyTorch with ``torch.set_num_threads``) and on the same float dtype, so the ratios
compare like with like. The
loop reference is the lecture's functions (:func:`lessonkit.conv_forward`,
:func:`lessonkit.bp_delta_map`, :func:`lessonkit.compute_gradient`) applied sample by sample; it
always computes in float64. PyTorch is not a dependency of the course; without it its columns
read "-".

Timings depend on the machine and on whatever else runs on it: they are measured, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..maths import conv
from ..maths.validate import output_size
from . import fast

__all__ = ["Workload", "WORKLOADS", "time_call", "time_interleaved", "run", "format_table", "main"]


@dataclass(frozen=True)
class Workload:
    """One conv layer's geometry: a batch x (B, D, H, W) through N filters (Fh, Fw), stride S, padding P."""

    name: str
    B: int
    D: int
    H: int
    W: int
    N: int
    Fh: int
    Fw: int
    S: int = 1
    P: int = 0

    def arrays(
        self, dtype: npt.DTypeLike, seed: int = 0
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Random x, w, b and delta of this geometry in ``dtype``."""
        rng = np.random.default_rng(seed)
        h_out, w_out = output_size(self.H, self.W, self.Fh, self.Fw, self.S, self.P)
        x = rng.normal(size=(self.B, self.D, self.H, self.W)).astype(dtype)
        w = rng.normal(size=(self.N, self.D, self.Fh, self.Fw)).astype(dtype)
        b = rng.normal(size=self.N).astype(dtype)
        delta = rng.normal(size=(self.B, self.N, h_out, w_out)).astype(dtype)
        return x, w, b, delta


#: The capstone's three conv layers at its training batch size, then two larger, common shapes.
WORKLOADS = [
    Workload("capstone conv1", B=32, D=1, H=8, W=8, N=16, Fh=3, Fw=3, S=1, P=1),
    Workload("capstone conv2", B=32, D=16, H=8, W=8, N=32, Fh=3, Fw=3, S=2, P=1),
    Workload("capstone conv3", B=32, D=32, H=4, W=4, N=32, Fh=3, Fw=3, S=2, P=1),
    Workload("28x28, 3x3", B=32, D=8, H=28, W=28, N=16, Fh=3, Fw=3, S=1, P=1),
    Workload("32x32x3, 5x5 s2", B=16, D=3, H=32, W=32, N=32, Fh=5, Fw=5, S=2, P=2),
]


def time_call(
    fn: Callable[[], object], repeats: int = 7, number: int | None = None, warmup: bool = True
) -> tuple[float, float]:
    """timeit-style timing: ``(min, median)`` seconds per call over ``repeats`` rounds of ``number`` calls.

    ``number`` is chosen (as timeit's autorange does) so that one round takes at least 0.05 s, unless
    given. ``warmup`` runs ``fn`` once, untimed, first.

    Examples
    --------
    >>> best, median = time_call(lambda: sum(range(100)), repeats=3, number=10)
    >>> 0 < best <= median
    True
    """
    if warmup:
        fn()  # caches, lazy imports, thread pools
    if number is None:
        number = _autorange(fn)
    rounds = [_round(fn, number) for _ in range(repeats)]
    return min(rounds), statistics.median(rounds)


def _round(fn: Callable[[], object], number: int) -> float:
    """Seconds per call over ``number`` back-to-back calls."""
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def _autorange(fn: Callable[[], object]) -> int:
    """Calls per round: doubled from 1 until a round takes 0.05 s (at most 10 000), like timeit's."""
    number = 1
    while _round(fn, number) * number < 0.05 and number < 10_000:
        number *= 2
    return number


def time_interleaved(fns: Sequence[Callable[[], object]], repeats: int = 7) -> list[tuple[float, float]]:
    """Like :func:`time_call` for several contenders, alternating their rounds.

    Round k of every contender runs right after round k of the previous one, so a load that comes
    and goes on a shared machine hits them alike; each gets its own ``number`` of calls per round.

    Examples
    --------
    >>> (a, _), (b, _) = time_interleaved([lambda: sum(range(10)), lambda: sum(range(1000))], repeats=3)
    >>> a < b
    True
    """
    for fn in fns:
        fn()  # warm-up
    numbers = [_autorange(fn) for fn in fns]
    rounds: list[list[float]] = [[] for _ in fns]
    for _ in range(repeats):
        for k, (fn, number) in enumerate(zip(fns, numbers, strict=True)):
            rounds[k].append(_round(fn, number))
    return [(min(r), statistics.median(r)) for r in rounds]


def _loop_step(case: Workload, x, w, b, delta) -> Callable[[], object]:
    def step():
        for xi, di in zip(x, delta, strict=True):
            conv.conv_forward(xi, w, b, case.S, case.P)
            conv.bp_delta_map(di, w, xi.shape, case.S, case.P)
            conv.compute_gradient(di, xi, w.shape, case.S, case.P)

    return step


def _fast_step(case: Workload, x, w, b, delta) -> Callable[[], object]:
    def step():
        fast.conv_forward(x, w, b, case.S, case.P)
        return fast.conv_backward(delta, x, w, case.S, case.P)

    return step


def _torch_step(torch, case: Workload, x, w, b, delta) -> Callable[[], object]:
    tx, tw, tb = (torch.from_numpy(a).requires_grad_(True) for a in (x, w, b))
    tdelta = torch.from_numpy(delta)
    conv2d = torch.nn.functional.conv2d

    def step():
        tx.grad = tw.grad = tb.grad = None
        out = conv2d(tx, tw, tb, stride=case.S, padding=case.P)
        out.backward(tdelta)
        return tx.grad, tw.grad, tb.grad

    return step


def _import_torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


@contextlib.contextmanager
def _threads(n: int, torch):
    """Pin BLAS (threadpoolctl, if installed) and PyTorch to ``n`` threads for the block."""
    old_torch = torch.get_num_threads() if torch is not None else None
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        limiter = contextlib.nullcontext()
    else:
        limiter = threadpool_limits(limits=n)
    with limiter:
        if torch is not None:
            torch.set_num_threads(n)
        try:
            yield
        finally:
            if torch is not None:
                torch.set_num_threads(old_torch)


def run(
    cases: Sequence[Workload] | None = None,
    dtypes: Sequence[str] = ("float32", "float64"),
    threads: int = 1,
    repeats: int = 7,
    loop: bool = True,
    torch: bool = True,
    loop_repeats: int = 3,
) -> list[dict]:
    """Time forward+backward of every case and dtype; one dict per (case, dtype) with seconds.

    Keys: ``case``, ``dtype``, ``fast_min``, ``fast_median``, ``loop_min``/``loop_median`` (float64
    loop reference, measured once per case and repeated on each of its rows; None if ``loop`` is
    False), ``torch_min``/``torch_median`` (None without PyTorch), ``threads``, and ``loop_runs`` and
    ``runs``: how many timed runs each minimum is the best of (loop reference; fast and torch).

    Examples
    --------
    >>> rows = run([Workload("tiny", 2, 1, 5, 5, 2, 3, 3)], dtypes=("float64",), repeats=2, torch=False)
    >>> rows[0]["loop_min"] > 0 and rows[0]["fast_min"] > 0
    True
    """
    cases = WORKLOADS if cases is None else cases
    torch_mod = _import_torch() if torch else None
    rows = []
    with _threads(threads, torch_mod):
        for case in cases:
            loop_t: tuple[float | None, float | None] = (None, None)
            if loop:
                arrays = case.arrays(np.float64)
                loop_t = time_call(_loop_step(case, *arrays), repeats=loop_repeats, number=1, warmup=False)
            for dtype in dtypes:
                arrays = case.arrays(np.dtype(dtype))
                steps = [_fast_step(case, *arrays)]
                if torch_mod is not None:
                    steps.append(_torch_step(torch_mod, case, *arrays))
                times = time_interleaved(steps, repeats=repeats)
                fast_t = times[0]
                torch_t = times[1] if torch_mod is not None else (None, None)
                rows.append(
                    {
                        "case": case,
                        "dtype": str(np.dtype(dtype)),
                        "threads": threads,
                        "loop_min": loop_t[0],
                        "loop_median": loop_t[1],
                        "fast_min": fast_t[0],
                        "fast_median": fast_t[1],
                        "torch_min": torch_t[0],
                        "torch_median": torch_t[1],
                        "loop_runs": loop_repeats if loop else 0,
                        "runs": repeats,
                    }
                )
    return rows


def _ms(best: float | None, median: float | None) -> str:
    if best is None or median is None:
        return "-"
    return f"{best * 1e3:.3f} ({median * 1e3:.3f})"


def _ratio(a: float | None, b: float | None) -> str:
    return "-" if a is None or b is None else f"{a / b:.2f}"


# The table's heading row, in English; a lesson passes its translation (``lessonkit.tr(HEADING)``).
HEADING = (
    "| case | B x D x H x W -> N x Fh x Fw | dtype | loop ms min (median) | fast ms min (median) "
    "| torch ms min (median) | loop / fast | fast / torch |"
)


def format_table(rows: list[dict], heading: str = HEADING) -> str:
    """A Markdown table of ``run``'s rows: min (median) milliseconds and the ratios of the minima.

    ``heading`` is the first row (:data:`HEADING`, or its translation: eight columns).

    Examples
    --------
    >>> row = {"case": WORKLOADS[0], "dtype": "float32", "threads": 1, "loop_min": 0.2, "loop_median": 0.3,
    ...        "fast_min": 0.001, "fast_median": 0.002, "torch_min": None, "torch_median": None}
    >>> print(format_table([row]).splitlines()[2].replace(" | ", "|"))
    | capstone conv1|32x1x8x8 -> 16x3x3 S1 P1|float32|200.000 (300.000)|1.000 (2.000)|-|200.00|- |
    """
    if not isinstance(heading, str) or heading.count("|") != HEADING.count("|"):
        raise ValueError(f"heading must be a table row of 8 columns like HEADING; got {heading!r}")
    lines = [heading, "|---|---|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        c = r["case"]
        geo = f"{c.B}x{c.D}x{c.H}x{c.W} -> {c.N}x{c.Fh}x{c.Fw} S{c.S} P{c.P}"
        lines.append(
            f"| {c.name} | {geo} | {r['dtype']} "
            f"| {_ms(r['loop_min'], r['loop_median'])} "
            f"| {_ms(r['fast_min'], r['fast_median'])} "
            f"| {_ms(r['torch_min'], r['torch_median'])} "
            f"| {_ratio(r['loop_min'], r['fast_min'])} | {_ratio(r['fast_min'], r['torch_min'])} |"
        )
    return "\n".join(lines)


def describe_machine(threads: int) -> str:
    """One line: CPU model, cores, thread count, numpy (and torch) versions."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    torch_mod = _import_torch()
    versions = f"numpy {np.__version__}" + (f", torch {torch_mod.__version__}" if torch_mod else ", no torch")
    return (
        f"{cpu}, {os.cpu_count()} cores, {threads} thread(s), Python {platform.python_version()}, {versions}"
    )


def main(argv: list[str] | None = None) -> int:
    """Command line: print the machine line and the table."""
    parser = argparse.ArgumentParser(
        prog="python -m lessonkit.network.bench", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--threads", type=int, default=1, help="BLAS and torch threads (default 1)")
    parser.add_argument(
        "--dtype", choices=("float32", "float64", "both"), default="both", help="default: both"
    )
    parser.add_argument("--repeats", type=int, default=7, help="timing rounds per contender (default 7)")
    parser.add_argument("--no-loop", action="store_true", help="skip the (slow) loop reference")
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch even if installed")
    args = parser.parse_args(argv)
    if args.threads < 1 or args.repeats < 1:
        parser.error("--threads and --repeats must be positive")
    dtypes = ("float32", "float64") if args.dtype == "both" else (args.dtype,)
    print(describe_machine(args.threads))
    print("forward + backward of one conv layer; times are per call, min (median) over rounds\n")
    rows = run(
        dtypes=dtypes,
        threads=args.threads,
        repeats=args.repeats,
        loop=not args.no_loop,
        torch=not args.no_torch,
    )
    print(format_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
