"""Runs one notebook inside the grading sandbox, then calls its functions on the inputs it is sent.

This file is copied into the sandbox and run there as a program (``python -I -S runner.py``), with
lessonkit's ``exercises/steps.py`` beside it. It must not import lessonkit: only the grading edition
is on its path. Nothing here decides a score; it only
runs cells and relays a function's outputs, and code in the notebook can do anything to this
process, so the grader outside trusts none of it beyond "these bytes came back".

Protocol: one JSON object per line. Requests arrive on stdin; replies go to the pipe that was the
process's stdout, which is moved to a private descriptor at start (the notebook's own prints, and
any subprocess's, go nowhere).

- ``{"op": "setup", "config": {...}}`` -> ``{"status": "ready", "pidns": ...}``
- ``{"op": "run", "cell": N, "source": ...}`` -> ``{"status": "ok" | "error" | "timeout", ...}``
- ``{"op": "call", "name": ..., "args": ..., "kwargs": ..., "steps": [...]}``
  -> ``{"status": ..., "out": ...}`` (``steps`` only for a class exercise: what to do with the
  object the call made, done by lessonkit's own ``exercises/steps.py``, copied beside this file)
"""

import base64
import io
import json
import os
import signal
import sys
import traceback

PROTOCOL_FD = None
STEPS = None  # lessonkit's grading steps (lessonkit/course/exercises/steps.py), loaded by the Runner


def send(obj):
    data = (json.dumps(obj) + "\n").encode("utf-8")
    while data:
        data = data[os.write(PROTOCOL_FD, data) :]


def main():
    global PROTOCOL_FD
    PROTOCOL_FD = os.dup(1)
    os.set_inheritable(PROTOCOL_FD, False)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 1)
    os.dup2(null, 2)
    stdin = os.fdopen(os.dup(0), "r", encoding="utf-8")
    os.dup2(null, 0)
    try:
        request = json.loads(stdin.readline())
        runner = Runner(request["config"])
    except BaseException:
        send({"status": "fatal", "message": traceback.format_exc()[-2000:]})
        return
    send({"status": "ready", "pidns": _pidns(), "id": request.get("id")})
    for line in stdin:
        request = {}
        try:
            request = json.loads(line)
            reply = runner.handle(request)
        except BaseException as exc:  # the runner itself broke (the notebook may have broken it)
            reply = {"status": "broken", "message": f"{type(exc).__name__}: {str(exc)[:200]}"}
        reply["id"] = request.get("id") if isinstance(request, dict) else None
        send(reply)


def _load_steps():
    """The steps of a class exercise's case: lessonkit's own ``exercises/steps.py``, which the sandbox
    copies beside this file (so the learner's check and the grader run one loop, not two)."""
    import importlib.util

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "steps.py")
    spec = importlib.util.spec_from_file_location("lessonkit_grading_steps", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pidns():
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return None


class _Timeout(BaseException):
    """The soft time limit of a cell or a call ran out."""


class Runner:
    """Drops privileges, applies the limits, then runs cells and calls in an IPython shell."""

    def __init__(self, config):
        self.config = config
        self.limits = config["limits"]
        _drop_privileges(config.get("uid"))
        _apply_limits(self.limits)
        sys.path[:] = [config["edition"], os.getcwd(), *config["path"]]
        sys.dont_write_bytecode = True
        with open(config["notebook_name"], "w", encoding="utf-8") as fh:
            fh.write(config["notebook"])

        global STEPS
        STEPS = _load_steps()
        import numpy
        from IPython.core.interactiveshell import InteractiveShell
        from traitlets.config import Config

        self.np = numpy
        self.save, self.load, self.array_equal = numpy.save, numpy.load, numpy.array_equal
        self.ndarray = numpy.ndarray
        cfg = Config()
        cfg.HistoryManager.enabled = False
        self.shell = InteractiveShell.instance(config=cfg)
        self.sink = _Sink()
        self.shell.display_pub = _counting_publisher(self.sink, self.shell)
        self.cell = 0
        self.shell.compile.get_code_name = lambda raw, transformed, number: f"<cell {self.cell}>"
        sys.stdout = sys.stderr = self.sink
        signal.signal(signal.SIGALRM, _alarm)

    def handle(self, request):
        op = request.get("op")
        if op == "run":
            return self.run(int(request["cell"]), str(request["source"]))
        if op == "call":
            return self.call(request)
        return {"status": "broken", "message": f"unknown request {op!r}"}

    def run(self, cell, source):
        """Run one notebook cell; output is discarded."""
        self.cell = cell
        self.sink.reset(None)
        sys.stdout = sys.stderr = self.sink
        signal.setitimer(signal.ITIMER_REAL, float(self.limits["timeout"]))
        try:
            result = self.shell.run_cell(source, store_history=False, silent=False)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        error = result.error_in_exec or result.error_before_exec
        if isinstance(error, _Timeout):
            return {"status": "timeout"}
        if error is not None:
            return {"status": "error", "ename": _type_name(error), "evalue": _text(error)}
        return {"status": "ok"}

    def call(self, request):
        """Call the notebook's function on decoded inputs; report its outputs and what it did."""
        name = request["name"]
        fn = self.shell.user_ns.get(name)
        if not callable(fn):
            return {"status": "missing"}
        args = [self.dec(a) for a in request["args"]]
        kwargs = {k: self.dec(v) for k, v in request["kwargs"].items()}
        copies = [a.copy() if type(a) is self.ndarray else a for a in args]
        used = self._used()
        if used is not None:
            del used[:]
        self.sink.reset(int(self.limits["output"]))
        sys.stdout = sys.stderr = self.sink
        result = {}
        signal.setitimer(signal.ITIMER_REAL, float(self.limits["timeout"]))
        try:
            out = fn(*args, **kwargs)
            if request.get("steps"):
                out = STEPS.run_steps(out, request["steps"], keep_going=True, decode=self.dec)
            signal.setitimer(signal.ITIMER_REAL, 0)
            result = {"status": "ok", "out": self.enc(out, top=True)}
        except _Timeout:
            result = {"status": "timeout"}
        except NotImplementedError as exc:
            result = {"status": "not implemented", "message": _text(exc)}
        except BaseException as exc:
            result = {"status": "raised", "type": _type_name(exc), "message": _text(exc)}
            result["where"] = _learner_frame(exc)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        result["printed"] = self.sink.count
        used = self._used()
        result["unavailable"] = sorted({str(u)[:120] for u in used or []})[:5]
        result["mutated"] = [
            i
            for i, (a, b) in enumerate(zip(copies, args, strict=False))
            if type(a) is self.ndarray and not self._same(a, b)
        ]
        return result

    def _used(self):
        module = sys.modules.get("lessonkit._unavailable")
        used = getattr(module, "USED", None)
        return used if isinstance(used, list) else None

    def _same(self, a, b):
        return type(b) is self.ndarray and a.shape == b.shape and bool(self.array_equal(a, b))

    def dec(self, value):
        if isinstance(value, dict) and "npy" in value:
            return self.load(io.BytesIO(base64.b64decode(value["npy"])), allow_pickle=False)
        if isinstance(value, dict) and "tuple" in value:  # input_shape, filter_shape: tuples, as in the check
            return tuple(self.dec(v) for v in value["tuple"])
        return value

    def enc(self, value, top=False):
        """Plain arrays of numbers go back as .npy bytes; anything else as its type name only."""
        if value is None:
            return {"none": True}
        if top and type(value) in (tuple, list):
            return {"seq": [self.enc(v) for v in value[:8]], "length": len(value)}
        if type(value) is not self.ndarray:
            return {"type": _type_name(value), "repr": _safe_repr(value)}
        if value.dtype.kind not in "biufc":
            return {"type": f"ndarray of dtype {value.dtype.str}", "repr": ""}
        if value.nbytes > self.limits["result_bytes"]:
            return {"type": "ndarray", "repr": f"an array of shape {value.shape} (too large)"}
        buf = io.BytesIO()
        self.save(buf, self.np.array(value, order="C"), allow_pickle=False)  # 0-d stays 0-d
        return {"npy": base64.b64encode(buf.getvalue()).decode("ascii")}


class _Sink(io.TextIOBase):
    """Counts what is written and keeps none of it."""

    def __init__(self):
        self.count, self.limit = 0, None

    def reset(self, limit):
        self.count, self.limit = 0, limit

    def add(self, n):
        # Counted, never stopped: the grader only advises on output (a notebook could patch this
        # count, so no points ride on it); what is written is dropped, and the call's time limit
        # bounds how long a flood can go on.
        self.count += n

    def writable(self):
        return True

    def write(self, s):
        self.add(len(s))
        return len(s)


def _counting_publisher(sink, shell):
    """IPython's display publisher, replaced: display data counts as output, and is dropped."""
    from IPython.core.displaypub import DisplayPublisher

    class CountingPublisher(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
            size = 0
            for value in (data or {}).values():
                size += len(value) if isinstance(value, (str, bytes)) else len(str(value)[:1_000_000])
            sink.add(size)

        def clear_output(self, wait=False):
            pass

    return CountingPublisher(shell=shell)


def _alarm(signum, frame):
    raise _Timeout()


def _type_name(value):
    try:
        return str(type(value).__name__)[:60]
    except BaseException:
        return "object"


def _safe_repr(value):
    if STEPS is not None and type(value) is STEPS.StepError:
        return value.text[:200]
    if type(value) in (int, float, bool, str, list, tuple, dict):
        try:
            return repr(value)[:80]
        except BaseException:
            return ""
    return ""


def _text(exc):
    try:
        return str(exc)[:300]
    except BaseException:
        return ""


def _learner_frame(exc):
    """The learner's innermost frame: ``[function, cell, line, the line's text]``, or None."""
    try:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith("<cell ")]
    except BaseException:
        return None
    if not frames:
        return None
    f = frames[-1]
    try:
        text = str(f.line or "")[:200]
    except BaseException:
        text = ""
    return [str(f.name)[:60], int(f.filename[6:-1]), int(f.lineno or 0), text]


def _drop_privileges(uid):
    """Become an unprivileged user (when the sandbox was started as root and gave us that right)."""
    if uid is None or os.getuid() != 0:
        return
    try:  # no set-uid program can give root back (bubblewrap sets this too; a plain subprocess needs it)
        import ctypes

        if ctypes.CDLL(None, use_errno=True).prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
            raise RuntimeError("could not set no_new_privs")
    except (ImportError, AttributeError, OSError):
        raise RuntimeError("could not set no_new_privs") from None
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    if os.getuid() == 0 or os.geteuid() == 0:
        raise RuntimeError("could not drop root privileges")


def _apply_limits(limits):
    try:
        import resource
    except ImportError:  # Windows: no resource limits
        return

    def cap(kind, value):
        if value is None or not hasattr(resource, kind):
            return
        which = getattr(resource, kind)
        _, hard = resource.getrlimit(which)
        value = int(value) if hard == resource.RLIM_INFINITY else min(int(value), hard)
        resource.setrlimit(which, (value, value))

    cap("RLIMIT_AS", limits.get("memory"))
    cap("RLIMIT_FSIZE", limits.get("file_size"))
    cap("RLIMIT_NPROC", limits.get("processes"))
    cap("RLIMIT_CORE", 0)


if __name__ == "__main__":
    main()
