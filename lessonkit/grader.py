"""The grader: run a notebook in a fresh kernel, then call its functions on hidden cases.

How it stays honest
-------------------
The notebook is read into memory and executed in a fresh kernel whose working directory is a
temporary folder; the file itself is never written. Check cells (``lessonkit.check(...)`` lines only)
are skipped: they give feedback, not points. After the run, each graded function is called in that
kernel on hidden cases drawn from a seed chosen at grading time, plus fixed edge cases. Only the
inputs go in (``np.save`` bytes, base64, inside JSON) and only the outputs come back the same way;
the expected values are computed and compared here, in the grader's own process, so code in the
notebook that patches numpy, lessonkit or the checker changes nothing but its own answers.

While a function is called, the lessonkit function it mirrors is switched off in the kernel (see
:func:`lessonkit.checks.switched_off`): a submission that only forwards to ``lessonkit.pad`` gets 0
with a message saying so. Functions taught by earlier exercises stay available.

A call that raises, runs past the timeout, kills the kernel, prints more than a megabyte, or returns
the wrong type or shape gives 0 for that exercise with a message; the kernel is restarted (and the
notebook re-run) after a timeout or a death, and the other exercises are still graded.
"""

from __future__ import annotations

import base64
import copy
import io
import json
import os
import re
import secrets
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .cases import EXERCISES, NOTEBOOKS, Exercise, exercises_of, judge

__all__ = ["NotebookError", "ExerciseResult", "Report", "grade_notebook", "grade_path", "DEFAULT_TIMEOUT"]

DEFAULT_TIMEOUT = 30.0
PRINT_LIMIT = 1_000_000  # characters one call may print
MIME = "application/vnd.lessonkit.grade+json"

_CHECK_LINE = re.compile(r"^\s*(?:\w+\s*=\s*)?lessonkit\.check\(.*\)\s*;?\s*$")

# Installed in the kernel BEFORE the notebook runs, so it holds its own references to numpy's
# functions and to the lessonkit functions it switches off: patches made later by the notebook do
# not reach it. It decodes the inputs, calls the learner's function with stdout and stderr counted
# but not kept, and publishes the encoded outputs. Nothing here decides a score.
_HELPER = r"""
def _lessonkit_install(paths):
    import base64, contextlib, importlib, io, json, sys, traceback, types
    import numpy
    from IPython.display import publish_display_data

    asarray, save, load, array_equal = numpy.asarray, numpy.save, numpy.load, numpy.array_equal
    ndarray, float64, copy_array = numpy.ndarray, numpy.float64, numpy.array
    b64encode, b64decode, BytesIO, loads = base64.b64encode, base64.b64decode, io.BytesIO, json.loads
    builtin_exec, extract_tb = exec, traceback.extract_tb
    targets = {}
    for path in paths:
        module, *attrs = path.split(".")
        obj = importlib.import_module("lessonkit." + module)
        for attr in attrs:
            obj = getattr(obj, attr)
        targets[path] = obj

    @contextlib.contextmanager
    def switched_off(exercise, blocked):
        saved = []
        try:
            for path in blocked:
                func = targets[path]
                message = ("lessonkit.%s is switched off while your %s is checked or graded: write this "
                           "one yourself (earlier exercises' functions are fine to use)"
                           % (path.split(".", 1)[1], exercise))
                namespace = {}
                source = "def _off(*args, **kwargs):\n    raise RuntimeError(%r)\n" % message
                builtin_exec(source, {}, namespace)
                saved.append((func, func.__code__))
                func.__code__ = namespace["_off"].__code__
            yield
        finally:
            for func, code in reversed(saved):
                func.__code__ = code

    def dec(v):
        if isinstance(v, dict):
            if "npy" in v:
                return load(BytesIO(b64decode(v["npy"])), allow_pickle=False)
            if "tuple" in v:
                return tuple(dec(x) for x in v["tuple"])
            if "dict" in v:
                return {k: dec(x) for k, x in v["dict"].items()}
        return v

    def enc(v, top=False):
        if v is None:
            return {"none": True}
        if top and isinstance(v, (tuple, list)):
            return {"seq": [enc(x) for x in v]}
        if not isinstance(v, ndarray):
            return {"type": type(v).__name__, "repr": repr(v)[:80]}
        try:
            a = asarray(v, dtype=float64)
        except Exception:
            return {"type": type(v).__name__, "repr": repr(v)[:80]}
        if a.nbytes > 50_000_000:
            return {"type": "ndarray", "repr": "an array of shape %r (too large)" % (a.shape,)}
        buf = BytesIO()
        save(buf, a, allow_pickle=False)
        return {"npy": b64encode(buf.getvalue()).decode("ascii")}

    class Sink(io.TextIOBase):
        n = 0

        def writable(self):
            return True

        def write(self, s):
            self.n += len(s)
            return len(s)

    def same(a, b):
        return not isinstance(a, ndarray) or (a.shape == b.shape and bool(array_equal(a, b)))

    def keep(a):
        return copy_array(a, copy=True) if isinstance(a, ndarray) else a

    def call(name, payload, blocked, namespace):
        request = loads(payload)
        args, kwargs = dec(request["args"]), dec(request["kwargs"])
        copies = ([keep(a) for a in args], {k: keep(a) for k, a in kwargs.items()})
        fn = namespace.get(name)
        result = {"status": "ok"}
        if not callable(fn):
            result = {"status": "missing"}
        else:
            sink = Sink()
            try:
                with switched_off(name, blocked), contextlib.redirect_stdout(sink):
                    with contextlib.redirect_stderr(sink):
                        out = fn(*args, **kwargs)
                result["out"] = enc(out, top=True)
            except NotImplementedError as exc:
                result = {"status": "not implemented", "message": str(exc)[:200]}
            except BaseException as exc:
                frames = [f for f in extract_tb(exc.__traceback__)[1:]
                          if "site-packages" not in f.filename and f.name != "_off"]
                where = ""
                if frames:
                    where = " (in %s, line %d of its cell)" % (frames[-1].name, frames[-1].lineno)
                text = (str(exc).strip().splitlines() or [""])[0][:300]
                result = {"status": "raised", "type": type(exc).__name__, "message": text, "where": where}
            result["printed"] = sink.n
            result["mutated"] = [i for i, (a, b) in enumerate(zip(copies[0], args)) if not same(a, b)] + [
                k for k in kwargs if not same(copies[1][k], kwargs[k])]
        publish_display_data({__MIME__: result})

    sys.modules["_lessonkit_grading"] = types.SimpleNamespace(call=call)


_lessonkit_install(__PATHS__)
del _lessonkit_install
""".replace("__MIME__", repr(MIME)).replace(
    "__PATHS__", repr(sorted({p for ex in EXERCISES.values() for p in ex.blocked}))
)


class NotebookError(Exception):
    """The notebook is missing or cannot be read (the CLI exits with status 2)."""


@dataclass
class ExerciseResult:
    """Points of one graded function and the reasons for every point withheld."""

    name: str
    points: int
    max_points: int
    feedback: list = field(default_factory=list)

    def as_dict(self) -> dict:
        """The JSON form: name, points, max_points, feedback (one string)."""
        text = "\n".join(self.feedback) if self.feedback else "all hidden cases pass"
        return {"name": self.name, "points": self.points, "max_points": self.max_points, "feedback": text}


@dataclass
class Report:
    """The grade of one notebook."""

    path: str
    seed: int
    exercises: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def score(self) -> int:
        """Points earned."""
        return sum(e.points for e in self.exercises)

    @property
    def max_score(self) -> int:
        """Points available."""
        return sum(e.max_points for e in self.exercises)

    def as_dict(self) -> dict:
        """The JSON form."""
        return {
            "path": self.path,
            "seed": self.seed,
            "score": self.score,
            "max_score": self.max_score,
            "exercises": [e.as_dict() for e in self.exercises],
            "notes": list(self.notes),
        }

    def text(self) -> str:
        """Plain text, ending with ``score: X/Y``."""
        lines = [f"== {self.path} (hidden cases from seed {self.seed}) =="]
        for e in self.exercises:
            lines.append(f"{e.name}: {e.points}/{e.max_points}")
            lines += [f"  {ln}" for ln in (e.feedback or ["all hidden cases pass"])]
        for note in self.notes:
            lines.append(f"note: {note}")
        lines.append(f"score: {self.score}/{self.max_score}")
        return "\n".join(lines)


# ---------------------------------------------------------------- reading


def read_notebook(path: Path):
    """The notebook at ``path`` (nbformat v4), or NotebookError with a one-line reason."""
    import nbformat

    path = Path(path)
    if not path.exists():
        raise NotebookError(f"no such notebook: {path}")
    if not path.is_file():
        raise NotebookError(f"not a file: {path}")
    try:
        return nbformat.read(path, as_version=4)
    except Exception as exc:  # bad JSON, bad schema, unreadable file
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise NotebookError(f"cannot read {path} as a notebook: {reason[:200]}") from None


def exercises_for(nb, path: Path) -> list:
    """The exercises a notebook is graded on: by file name, else by the functions it defines."""
    stem = Path(path).stem
    for name in NOTEBOOKS:
        if stem == name or stem.startswith(name):
            return exercises_of(name)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    defined = set(re.findall(r"^def\s+(\w+)\s*\(", source, flags=re.M))
    best = max(
        NOTEBOOKS, key=lambda n: (len(defined & {e.name for e in exercises_of(n)}), -NOTEBOOKS.index(n))
    )
    if not defined & {e.name for e in exercises_of(best)}:
        return []
    return exercises_of(best)


def is_check_cell(source: str) -> bool:
    """True for a cell made only of ``lessonkit.check(...)`` lines (and comments/blank lines).

    Examples
    --------
    >>> is_check_cell('lessonkit.check("pad", pad)')
    True
    >>> is_check_cell('lessonkit.check("pad", pad)\\nprint(1)')
    False
    """
    lines = [ln for ln in source.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    return bool(lines) and all(_CHECK_LINE.match(ln) for ln in lines)


# ---------------------------------------------------------------- the kernel


class _Kernel:
    """A kernel that has run the notebook's cells (minus check cells and cells that hung or killed it)."""

    def __init__(self, nb, workdir: str, timeout: float) -> None:
        self.metadata = copy.deepcopy(nb.metadata)
        self.cells = [(i, c.source) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
        self.cells = [(i, s) for i, s in self.cells if not is_check_cell(s)]
        self.workdir, self.timeout = workdir, timeout
        self.skip: set = set()
        self.notes: list = []
        self.client = None
        self._recorded = False

    def start(self) -> None:
        """Start a kernel and run the notebook; a cell that hangs or kills it is skipped on a restart."""
        while True:
            self._launch()
            outputs, failure = self.run(_HELPER)
            errors = [o for o in outputs or [] if o.get("output_type") == "error"]
            if failure or errors:
                why = failure or f"{errors[0].get('ename')}: {_one_line(errors[0].get('evalue'))}"
                raise RuntimeError(f"could not install the grading helper ({why})")
            bad = self._run_notebook(record=not self._recorded)
            self._recorded = True
            if bad is None:
                break
            self.skip.add(bad)
            self.stop()

    def _launch(self) -> None:
        import nbformat
        from nbclient import NotebookClient

        self.nb = nbformat.v4.new_notebook(metadata=copy.deepcopy(self.metadata))
        self.client = NotebookClient(
            self.nb,
            timeout=self.timeout,
            startup_timeout=60,
            kernel_name="python3",
            allow_errors=True,
            interrupt_on_timeout=False,
            record_timing=False,
            shutdown_kernel="immediate",
            resources={"metadata": {"path": self.workdir}},
        )
        env = dict(os.environ)
        env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1", MPLBACKEND="Agg")
        self.client.km = self.client.create_kernel_manager()
        # the kernel's own stdout/stderr (not the notebook's output) would only add noise
        self.client.start_new_kernel(env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.client.start_new_kernel_client()

    def _run_notebook(self, record: bool):
        for index, source in self.cells:
            if index in self.skip:
                continue
            outputs, failure = self.run(source)
            if failure:
                self.notes.append(
                    f"cell {index + 1} {failure}; the grader skipped it and re-ran the notebook"
                )
                return index
            if record:
                for out in outputs:
                    if out.get("output_type") == "error":
                        self.notes.append(
                            f"cell {index + 1} raised {out.get('ename')}: {_one_line(out.get('evalue'))}"
                        )
        return None

    def run(self, source: str):
        """Execute ``source``; return (outputs, None) or (None, "timed out ..." / "killed the kernel")."""
        import nbformat
        from nbclient.exceptions import CellTimeoutError, DeadKernelError

        cell = nbformat.v4.new_code_cell(source)
        self.nb.cells.append(cell)
        try:
            self.client.execute_cell(cell, len(self.nb.cells) - 1)
        except CellTimeoutError:
            return None, f"timed out after {self.timeout:g} s"
        except DeadKernelError:
            return None, "killed the Python kernel"
        except RuntimeError as exc:  # e.g. the kernel died while waiting for a reply
            if "dead" in str(exc).lower() or "died" in str(exc).lower():
                return None, "killed the Python kernel"
            raise
        finally:
            self.nb.cells.clear()
        return cell.outputs, None

    def restart(self) -> None:
        """A fresh kernel with the notebook re-run (after a timeout or a death)."""
        self.stop()
        self.start()

    def stop(self) -> None:
        """Shut the kernel down (killing it if needed)."""
        if self.client is not None:
            try:
                self.client._cleanup_kernel()
            except Exception:
                pass
            self.client = None


def _one_line(text) -> str:
    text = (str(text or "").strip().splitlines() or [""])[0]
    return text if len(text) <= 200 else text[:197] + "..."


# ---------------------------------------------------------------- encoding


def _enc(value):
    if isinstance(value, np.ndarray):
        buf = io.BytesIO()
        np.save(buf, value, allow_pickle=False)
        return {"npy": base64.b64encode(buf.getvalue()).decode("ascii")}
    if isinstance(value, tuple):
        return {"tuple": [_enc(v) for v in value]}
    if isinstance(value, dict):
        return {"dict": {k: _enc(v) for k, v in value.items()}}
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    return value


class _Opaque:
    """Stands for a returned value that was not an array of numbers."""

    def __init__(self, type_name: str, text: str) -> None:
        self.type_name, self.text = type_name, text

    def __repr__(self) -> str:
        return self.text or f"<{self.type_name}>"


def _dec(value):
    if isinstance(value, dict):
        if "npy" in value:
            return np.load(io.BytesIO(base64.b64decode(value["npy"])), allow_pickle=False)
        if "seq" in value:
            return [_dec(v) for v in value["seq"]]
        if "none" in value:
            return None
        if "type" in value:
            return _Opaque(str(value["type"]), str(value.get("repr", "")))
    raise ValueError(f"unexpected value from the kernel: {str(value)[:80]}")


# ---------------------------------------------------------------- grading


def _call(kernel: _Kernel, ex: Exercise, case) -> dict:
    payload = json.dumps({"args": _enc(tuple(case.args)), "kwargs": _enc(dict(case.kwargs))})
    helper = "__import__('sys').modules['_lessonkit_grading']"
    code = f"{helper}.call({ex.name!r}, {payload!r}, {ex.blocked!r}, globals())"
    outputs, failure = kernel.run(code)
    if failure:
        return {"status": "failure", "failure": failure}
    results = [o for o in outputs if o.get("output_type") == "display_data" and MIME in o.get("data", {})]
    if not results:
        errors = [o for o in outputs if o.get("output_type") == "error"]
        why = f"{errors[0].get('ename')}: {_one_line(errors[0].get('evalue'))}" if errors else "no result"
        return {"status": "broken", "message": why}
    return results[-1]["data"][MIME]


def grade_exercise(kernel: _Kernel, ex: Exercise, rng: np.random.Generator) -> ExerciseResult:
    """Call the learner's ``ex.name`` on the hidden cases; points per case group."""
    result = ExerciseResult(ex.name, 0, ex.max_points)

    def zero(message: str) -> ExerciseResult:
        result.feedback = [f"-{ex.max_points} {message}"]
        return result

    failed: dict = {}
    names = ex.reference.__code__.co_varnames[: ex.reference.__code__.co_argcount]
    for case in ex.hidden(rng):
        expected = ex.expected(case)
        reply = _call(kernel, ex, case)
        status = reply.get("status")
        on = f'on hidden case "{case.label}"'
        if status == "failure":
            kernel.restart()
            if "timed out" in reply["failure"]:
                return zero(
                    f"{ex.name} ran longer than {kernel.timeout:g} s {on} (an endless loop?); "
                    "the grader stopped it"
                )
            return zero(
                f"{ex.name} killed the Python kernel {on} (os._exit, a crash or running out of memory)"
            )
        if status == "missing":
            return zero(
                f"no function named {ex.name} after running the notebook; keep the stub's name and signature"
            )
        if status == "not implemented":
            return zero(f"{ex.name} is not implemented yet (it still raises NotImplementedError)")
        if status == "broken":
            return zero(
                f"the grader could not call {ex.name} ({reply['message']}); "
                "did the notebook replace Python built-ins?"
            )
        if int(reply.get("printed", 0)) > PRINT_LIMIT:
            mb = int(reply["printed"]) / 1e6
            return zero(
                f"{ex.name} printed {mb:.1f} MB in one call {on} "
                f"(limit {PRINT_LIMIT / 1e6:g} MB); remove the prints"
            )
        if status == "raised":
            return zero(
                f"{ex.name} raised {reply.get('type')}: {reply.get('message')}{reply.get('where', '')} {on}"
            )
        try:
            got = _dec(reply["out"])
        except (KeyError, ValueError) as exc:
            return zero(f"{ex.name} returned something the grader cannot read ({exc}) {on}")
        verdict = judge(ex, case, got, expected)
        if verdict.shape_error:
            cause = f"; likely cause: {verdict.cause}" if verdict.cause else ""
            return zero(f"{ex.name} returned the wrong type or shape {on}: {verdict.problem}{cause}")
        groups = ex.groups_of(case)
        mutated = reply.get("mutated") or []
        if mutated:
            shown = ", ".join(names[m] if isinstance(m, int) and m < len(names) else str(m) for m in mutated)
            for group in dict.fromkeys(groups):
                failed.setdefault(
                    group, f'changed its input {shown} on "{case.label}" (inputs must be left alone)'
                )
        for ok, group in zip(verdict.ok, groups, strict=False):
            if not ok and group not in failed:
                cause = f"; likely cause: {verdict.cause}" if verdict.cause else ""
                failed[group] = f'{verdict.problem} on "{case.label}"{cause}'
    result.points = sum(p for g, p in ex.groups.items() if g not in failed)
    result.feedback = [f"-{ex.groups[g]} {g}: {failed[g]}" for g in ex.groups if g in failed]
    return result


def grade_notebook(path, timeout: float = DEFAULT_TIMEOUT, seed: int | None = None) -> Report:
    """Grade one notebook. Raises NotebookError when it is missing or unreadable.

    Parameters
    ----------
    path : str or Path
        The notebook (never written to).
    timeout : float
        Seconds allowed for each notebook cell and for each call of a graded function.
    seed : int, optional
        Seed of the hidden cases; a fresh random one when None (it is reported).

    Returns
    -------
    Report
    """
    path = Path(path)
    nb = read_notebook(path)
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    report = Report(str(path), seed)
    exercises = exercises_for(nb, path)
    if not exercises:
        report.notes.append("no graded function found (names: " + ", ".join(EXERCISES) + ")")
        return report
    with tempfile.TemporaryDirectory(prefix="lessonkit-grade-") as workdir:
        kernel = _Kernel(nb, workdir, timeout)
        try:
            kernel.start()
            for index, ex in enumerate(exercises):
                rng = np.random.default_rng([seed, index])
                report.exercises.append(grade_exercise(kernel, ex, rng))
        except Exception as exc:  # the kernel could not start or keeps dying: grade what is left as 0
            report.notes.append(f"grading stopped: {type(exc).__name__}: {_one_line(exc)}")
            done = {e.name for e in report.exercises}
            for ex in exercises:
                if ex.name not in done:
                    report.exercises.append(
                        ExerciseResult(
                            ex.name, 0, ex.max_points, [f"-{ex.max_points} not graded: the kernel failed"]
                        )
                    )
        finally:
            kernel.stop()
            report.notes[:0] = kernel.notes
    return report


def grade_path(path, timeout: float = DEFAULT_TIMEOUT, seed: int | None = None) -> list:
    """Grade a notebook, or every notebook under a folder (sorted); one Report each.

    An unreadable notebook inside a folder becomes a Report with a note; a missing or unreadable
    single notebook, or a folder with no notebooks, raises NotebookError.
    """
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        if not files:
            raise NotebookError(f"no notebooks (*.ipynb) under {path}")
        seed = secrets.randbelow(2**31) if seed is None else int(seed)
        reports = []
        for file in files:
            try:
                reports.append(grade_notebook(file, timeout, seed))
            except NotebookError as exc:
                reports.append(Report(str(file), seed, notes=[str(exc)]))
        return reports
    return [grade_notebook(path, timeout, seed)]


def write_csv(reports: list, target) -> None:
    """One row per notebook: path, score, max_score, seed, points per exercise, feedback."""
    import csv

    names = list(EXERCISES)
    with open(target, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["path", "score", "max_score", "seed", *names, "feedback"])
        for r in reports:
            points = {e.name: e.points for e in r.exercises}
            feedback = [f"{e.name}: {ln}" for e in r.exercises for ln in e.feedback] + [
                f"note: {n}" for n in r.notes
            ]
            writer.writerow(
                [
                    r.path,
                    r.score,
                    r.max_score,
                    r.seed,
                    *[points.get(n, "") for n in names],
                    " | ".join(feedback),
                ]
            )
