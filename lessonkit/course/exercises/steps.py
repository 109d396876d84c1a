"""The steps of a class exercise's case, done with the object the learner's call made.

One loop for both places that run a learner's class: :func:`lessonkit.course.exercises.base.run_case`
(the learner's ``lessonkit.check`` and the grader without a sandbox) and the grading sandbox's
runner, which loads this very file, copied beside it (``lessonkit/course/grading/sandbox.py``). It
therefore imports only the standard library and numpy, never lessonkit.

A step is ``("set", attr, value)``, ``("get", attr)``, ``("start", attr)`` or
``("call", method, args, keep)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["StepError", "read", "run_steps", "start_of"]


class StepError:
    """Stands for the outputs of a class exercise's case from the step that raised on."""

    type_name = "StepError"

    def __init__(self, text: str) -> None:
        self.text = str(text)[:200]

    def __repr__(self) -> str:
        return self.text


def read(value: Any) -> Any:
    """A value as a step reads it: arrays copied, plain numbers as 0-d float arrays."""
    if type(value) is np.ndarray:
        return value.copy()
    if type(value) in (int, float) or isinstance(value, (np.integer, np.floating)):
        return np.array(float(value))
    return value


def start_of(value: Any) -> Any:
    """A new object's array as a ``start`` step reads it: ``[*shape, small and finite, varied]``.

    Examples
    --------
    >>> start_of(np.zeros((2, 3)))
    array([2., 3., 1., 0.])
    """
    if type(value) is not np.ndarray or value.dtype.kind not in "biuf":
        return value  # judged as the wrong type
    small = bool(np.all(np.isfinite(value)) and np.all(np.abs(value) <= 1e-4))
    varied = value.size < 2 or bool(np.ptp(value) > 0)
    return np.array([*value.shape, float(small), float(varied)])


def _described(exc: BaseException) -> str:
    """``"TypeError: ..."``, even for an exception whose name or message cannot be read."""
    try:
        name = str(type(exc).__name__)[:60]
    except Exception:
        name = "Exception"
    try:
        text = str(exc)[:300]
    except Exception:
        text = ""
    return f"{name}: {text}"


def run_steps(
    made: Any, steps: Sequence[Sequence], keep_going: bool = False, decode: Callable = lambda value: value
) -> tuple:
    """The values that ``get``, ``start`` and a kept ``call`` read, in order, each copied when read.

    ``decode`` turns a step's arguments into values (the runner receives them encoded). With
    ``keep_going`` (the grader), a step that raises does not stop the case: it and every output after
    it is a :class:`StepError`, so the outputs before it still earn their points.

    Examples
    --------
    >>> class Box:
    ...     def __init__(self):
    ...         self.items = np.zeros(2)
    ...     def grow(self, k):
    ...         self.items = np.zeros(len(self.items) + k)
    >>> run_steps(Box(), (("get", "items"), ("call", "grow", (1,), False), ("get", "items")))
    (array([0., 0.]), array([0., 0., 0.]))
    >>> run_steps(Box(), (("call", "grow", ("x",), True), ("get", "items")), keep_going=True)[1]
    TypeError: unsupported operand type(s) for +: 'int' and 'str'
    """
    out: list = []
    for k, (op, name, *rest) in enumerate(steps):
        try:
            rest = [decode(value) for value in rest]
            if op == "set":
                setattr(made, name, rest[0].copy() if type(rest[0]) is np.ndarray else rest[0])
            elif op == "get":
                out.append(read(getattr(made, name)))
            elif op == "start":
                out.append(start_of(getattr(made, name)))
            elif op == "call":
                value = getattr(made, name)(*rest[0])
                if rest[1]:
                    out.append(read(value))
            else:
                raise ValueError(f"step must be set, get, start or call; got {op!r}")
        except Exception as exc:
            if not keep_going:
                raise
            error = StepError(_described(exc))
            left = [s for s in steps[k:] if s[0] in ("get", "start") or (s[0] == "call" and s[3])]
            return tuple(out) + (error,) * len(left)
    return tuple(out)
