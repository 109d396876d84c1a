"""What each exercise may use from lessonkit: what earlier exercises taught, plus a few tools.

The unit is a top-level definition of one of the maths modules (:mod:`lessonkit.maths`), written
``"module.name"`` (for example ``"ops.pad"``). An exercise may use the units its earlier notebooks
taught, the tools below (``rel_error``, the activations) and whatever those need (found by reading
their source, so a helper such as ``conv.stride_one_map`` comes with ``conv.bp_delta_map``).
Everything else in lessonkit (the graded function itself, the fast path, ``nn``, ``layer``'s
reference layer, the exercises with their reference solutions) is out of reach while the exercise
is checked or graded: :mod:`lessonkit.course.checks` switches it off in the learner's process and
:mod:`lessonkit.course.grading.edition` leaves it out of the sandbox altogether.
"""

from __future__ import annotations

import ast
import functools

from . import PACKAGE

__all__ = ["MATHS", "MATHS_MODULES", "TOOLS", "allowed_roots", "allowed_units", "module_units", "describe"]

MATHS = PACKAGE / "maths"

# The lecture's maths: the only modules whose code can be lent, unit by unit, to a graded notebook
# (symbolic is left out: it needs sympy and computes nothing an exercise asks for).
MATHS_MODULES = ("validate", "ops", "conv", "gradcheck", "activations", "layer", "pooling")

# Always available: comparing two arrays, and the activations (exercise 04's import cell builds its
# ACTIVATIONS from them). Not numerical_gradient or gradient_check: central differences of a forward
# pass built from correlate2d give bp_delta_map's answer exactly (the map is linear), so they would
# compute a graded answer.
TOOLS = (
    "gradcheck.rel_error",
    "activations.Activation",
    "activations.Identity",
    "activations.ReLU",
    "activations.Sigmoid",
    "activations.Tanh",
)


def _exercises():
    from .exercises import EXERCISES, NOTEBOOKS

    return EXERCISES, NOTEBOOKS


def _taught_before(notebook: str) -> list:
    """The units the exercises of the notebooks before ``notebook`` taught, in course order."""
    exercises, notebooks = _exercises()
    if notebook not in notebooks:
        raise ValueError(f"notebook must be one of {', '.join(notebooks)}; got {notebook!r}")
    earlier = notebooks[: notebooks.index(notebook)]
    return [unit for ex in exercises.values() if ex.notebook in earlier for unit in ex.teaches]


def allowed_roots(notebook: str) -> tuple[str, ...]:
    """The units a notebook's exercises may call: the tools plus what earlier notebooks taught."""
    return tuple(dict.fromkeys((*TOOLS, *_taught_before(notebook))))


@functools.cache
def module_units(module: str) -> dict:
    """``{name: (first line, last line, frozenset of the units it uses)}`` of a maths module's top level."""
    source = (MATHS / f"{module}.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    imported: dict = {}  # local name -> unit in another maths module
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module in MATHS_MODULES:
            for alias in node.names:
                imported[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    defined = {}
    for node in tree.body:
        for name in _bound_names(node):
            defined[name] = node
    units = {}
    for name, node in defined.items():
        used = set()
        for ref in _loaded_names(node):
            if ref in imported:
                used.add(imported[ref])
            elif ref in defined and ref != name:
                used.add(f"{module}.{ref}")
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        units[name] = (first, node.end_lineno, frozenset(used))
    return units


def _bound_names(node) -> list:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    return []


def _loaded_names(node) -> set:
    """Names a definition reads at run time (annotations are strings here: ``from __future__``)."""
    skip: set[int] = set()
    for sub in ast.walk(node):
        if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if sub.returns is not None:
                skip.update(id(a) for a in ast.walk(sub.returns))
            for arg in (*sub.args.posonlyargs, *sub.args.args, *sub.args.kwonlyargs):
                if arg.annotation is not None:
                    skip.update(id(a) for a in ast.walk(arg.annotation))
        elif isinstance(sub, ast.AnnAssign):
            skip.update(id(a) for a in ast.walk(sub.annotation))
    return {
        sub.id
        for sub in ast.walk(node)
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load) and id(sub) not in skip
    }


def allowed_units(notebook: str) -> frozenset:
    """Every unit a notebook's exercises may run: :func:`allowed_roots` and all they depend on."""
    return _closure(allowed_roots(notebook))


@functools.cache
def _closure(roots: tuple) -> frozenset:
    seen: set = set()
    todo = list(roots)
    while todo:
        unit = todo.pop()
        if unit in seen:
            continue
        module, name = unit.split(".", 1)
        units = module_units(module)
        if name not in units:
            raise ValueError(
                f"unit must name a top-level definition of lessonkit.maths.{module}; got {unit!r}"
            )
        seen.add(unit)
        todo.extend(units[name][2])
    return frozenset(seen)


def describe(notebook: str) -> str:
    """The public names a notebook may use, for messages: ``pad, rot180, ... (and the tools)``."""
    taught = [unit.split(".", 1)[1] for unit in _taught_before(notebook)]
    tools = "rel_error and the activations"
    return f"{', '.join(taught)}, {tools}" if taught else tools
