"""lessonkit's own functions switched off while a learner's exercise is checked: what the exercise
computes must come from the learner's code, exactly as in the grader's sandbox, where it is absent."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager

from .exercises import EXERCISES

__all__ = ["switched_off"]


@contextmanager
def switched_off(exercise: str, allowed: frozenset) -> Iterator[None]:
    """While active, every lessonkit function the exercise may not use raises RuntimeError.

    ``allowed`` holds units (``"ops.pad"``, see :mod:`lessonkit.course.curriculum`): what earlier
    exercises taught and the tools. Everything else that lessonkit defines (the function being
    written, the fast path, ``nn``, ``layer``'s reference layer, ``cases``...) is switched off by
    swapping its code in place, so references a learner took earlier are caught too, exactly as the
    grader's sandbox leaves them out. Everything is restored on exit.
    """
    from .curriculum import describe

    ex = EXERCISES[exercise]
    reason = (
        f"is not available while your {exercise} is checked or graded: only what earlier exercises "
        f"taught can be used ({describe(ex.notebook)}), plus numpy and the rest of the environment"
    )
    saved = []
    try:
        for func, shown in _switchable(allowed):
            code = _raiser(f"lessonkit.{shown} {reason}", func.__code__.co_freevars)
            if code is None:
                continue
            saved.append((func, func.__code__))
            func.__code__ = code
        yield
    finally:
        for func, code in reversed(saved):
            func.__code__ = code


_SPARED = (
    "lessonkit.course.checks",
    "lessonkit.course.switches",  # this module: it swaps the code and puts it back
    "lessonkit.course.tracebacks",  # reads what the learner's code raised; computes no answer
    "lessonkit.course.grading",
    "lessonkit.course.cli",
    "lessonkit.course.exercises.base",  # run_case drives a class exercise; it computes no answer
    "lessonkit.course.exercises.steps",  # the steps run_case does with the object; no answer either
    "lessonkit.course.learner",  # calls the learner's own functions (lessonkit's fallbacks stay off)
)


def _switchable(allowed: frozenset) -> list:
    """(function, shown name) of every lessonkit function and method outside ``allowed``."""
    import importlib
    import sys
    import types

    import lessonkit

    # lessonkit imports its re-exported modules on first use; load them all now, so that a module
    # the learner's code would import only during the check is switched off too.
    for home in {*lessonkit._HOME.values(), *lessonkit._SUBMODULES.values()}:
        importlib.import_module(f"lessonkit.{home}")
    found, seen = [], set()
    for modname, module in list(sys.modules.items()):
        if not (modname == "lessonkit" or modname.startswith("lessonkit.")) or modname.startswith(_SPARED):
            continue
        short = modname.split(".", 1)[1] if "." in modname else ""
        # Units name the maths modules without their folder: "ops.pad" is lessonkit.maths.ops.pad.
        unit_module = short.removeprefix("maths.")
        for attr, obj in list(vars(module).items()):
            if getattr(obj, "__module__", None) != modname or f"{unit_module}.{attr}" in allowed:
                continue
            members = [(obj, attr)] if isinstance(obj, types.FunctionType) else []
            if isinstance(obj, type):
                for key, value in vars(obj).items():
                    value = getattr(value, "__func__", getattr(value, "fget", value))
                    if isinstance(value, types.FunctionType):
                        members.append((value, f"{attr}.{key}"))
            for func, name in members:
                if id(func) not in seen:
                    seen.add(id(func))
                    found.append((func, f"{short}.{name}" if short else name))
    return found


@functools.cache  # compiled once per function and exercise, not once per public case
def _raiser(message: str, freevars: tuple):
    """A code object that raises RuntimeError(message), with the given free variables (or None)."""
    body = "".join(f"    {v} = None\n" for v in freevars)
    uses = "".join(f"        {v}\n" for v in freevars)
    source = (
        f"def _outer():\n{body}    def _off(*args, **kwargs):\n{uses}"
        f"        raise RuntimeError({message!r})\n    return _off\n"
    )
    namespace: dict = {}
    exec(source, {}, namespace)
    code = namespace["_outer"]().__code__
    return code if code.co_freevars == tuple(freevars) else None
