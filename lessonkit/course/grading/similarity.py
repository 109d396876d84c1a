"""Which submissions look copied: from each other, or from lessonkit's own reference code.

Each submission's graded functions (and the notebook's functions they call, so that renamed helpers
come along) are fingerprinted with ``copydetect``, which tokenises the code, replaces every name by
its kind (so renaming changes nothing) and winnows k-grams of tokens, as MOSS does. The exercise
stubs every learner starts from are its boilerplate. A pair is flagged when each of the two has at
least ``threshold`` of its fingerprinted tokens in the other; a submission is flagged against the
reference when that share of its tokens is in lessonkit's code or the solution notebook. A flag is a
note for the teacher and never changes points.
"""

from __future__ import annotations

import ast
import inspect
import io
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nbformat import NotebookNode

__all__ = ["graded_sources", "reference_sources", "Similar", "similar_pairs", "THRESHOLD"]

THRESHOLD = 0.8  # share of each one's tokens found in the other
K, WINDOW = 15, 6  # k-grams of 15 tokens, any match of 20 tokens is found (short functions)


def _cells(nb) -> list:
    """The code of each code cell, IPython magics and shell lines left out."""
    out = []
    for cell in getattr(nb, "cells", []):
        if cell.get("cell_type") != "code" or not isinstance(cell.get("source"), str):
            continue
        out.append(
            "\n".join(ln for ln in cell["source"].splitlines() if not ln.lstrip().startswith(("%", "!")))
        )
    return out


def _definitions(code_cells: list) -> dict:
    """Name -> source of every top-level function and class (the last definition wins, as when run)."""
    found: dict = {}
    for code in code_cells:
        try:
            tree = ast.parse(code)
        except (SyntaxError, ValueError):
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                found[node.name] = (ast.get_source_segment(code, node) or "", node)
    return found


def _closure(defs: dict, names: list) -> list:
    """``names`` and the defined functions they call, transitively, in a stable order."""
    order, todo = [], [n for n in names if n in defs]
    while todo:
        name = todo.pop(0)
        if name in order:
            continue
        order.append(name)
        used = {n.id for n in ast.walk(defs[name][1]) if isinstance(n, ast.Name)}
        todo += sorted(n for n in used if n in defs and n not in order)
    return order


def graded_sources(nb: NotebookNode, names: list) -> str:
    """The source of a notebook's graded functions ``names`` and of the functions they call."""
    defs = _definitions(_cells(nb))
    return "\n\n".join(defs[n][0] for n in _closure(defs, names))


def reference_sources(names: list, solution_nb: NotebookNode | None = None) -> dict:
    """Label -> code: lessonkit's reference of ``names`` (with the lessonkit helpers they call), and
    the solution notebook's, when it is given."""
    from ..exercises import EXERCISES

    parts = []
    for name in names:
        ex = EXERCISES.get(name)
        if ex is None:
            continue
        ref = inspect.unwrap(ex.reference)
        seen = [ref]
        for value in getattr(ref, "__globals__", {}).values():
            if (
                inspect.isfunction(value)
                and getattr(value, "__module__", "").startswith("lessonkit.")
                and value.__name__ in ref.__code__.co_names
                and value not in seen
            ):
                seen.append(value)
        for fn in seen:
            try:
                parts.append(inspect.getsource(fn))
            except (OSError, TypeError):
                pass
    out = {"lessonkit": "\n\n".join(parts)} if parts else {}
    if solution_nb is not None:
        code = graded_sources(solution_nb, names)
        if code:
            out["solution notebook"] = code
    return out


@dataclass(frozen=True)
class Similar:
    """Two codes alike: their labels and the share of each one's tokens found in the other."""

    a: str
    b: str
    share_a: float
    share_b: float


def _without_docstrings(code: str) -> str:
    """The code with its docstrings left out (a reference's long docstring is not code to compare)."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return code
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module))
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]
    return ast.unparse(tree)


def _fingerprint(code: str, boilerplate):
    from copydetect import CodeFingerprint

    text = _without_docstrings(code)
    return CodeFingerprint("submission.py", K, WINDOW, boilerplate=boilerplate, fp=io.StringIO(text))


def similar_pairs(
    codes: dict, references: dict | None = None, stub: str = "", threshold: float = THRESHOLD
) -> list:
    """The pairs of ``codes`` (label -> code) alike over ``threshold``, and each code alike a reference.

    A pair of submissions needs ``threshold`` both ways; a submission against a reference needs it
    for the submission's share only (a reference holds more than one exercise's helpers).

    Examples
    --------
    >>> a = "def f(x, k):\\n    total = 0\\n    for i in range(len(x)):\\n"
    >>> a += "        total += x[i] * k[i] + 1\\n    return total\\n"
    >>> b = a.replace("total", "acc").replace("x", "arr")
    >>> found = similar_pairs({"ann": a, "ben": b, "cy": "def g(): return 1"})
    >>> [(s.a, s.b, round(s.share_a, 1)) for s in found]
    [('ann', 'ben', 1.0)]
    """
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be above 0 and at most 1; got {threshold!r}")
    from copydetect import compare_files

    boilerplate = sorted(_fingerprint(stub, []).hashes) if stub.strip() else []
    prints = {}
    for label, code in codes.items():
        if not code.strip():
            continue
        try:
            fp = _fingerprint(code, boilerplate)
        except Exception:  # noqa: BLE001 - code that cannot be tokenised is compared with nothing
            continue
        if fp.hashes:
            prints[label] = fp
    found = []
    labels = list(prints)
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            _overlap, (sa, sb), _slices = compare_files(prints[a], prints[b])
            if min(sa, sb) >= threshold:
                found.append(Similar(a, b, float(sa), float(sb)))
    for ref_label, code in (references or {}).items():
        if not code.strip():
            continue
        ref = _fingerprint(code, boilerplate)
        for a in labels:
            _overlap, (sa, sb), _slices = compare_files(prints[a], ref)
            if sa >= threshold:
                found.append(Similar(a, ref_label, float(sa), float(sb)))
    return found


def normalised(code: str) -> str:
    """Code as copydetect compares it: names replaced by their kind, spaces and comments gone."""
    return re.sub(r"\s+", " ", _fingerprint(code, []).filtered_code).strip()
