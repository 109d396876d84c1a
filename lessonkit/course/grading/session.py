"""One notebook in its sandbox for the length of its grading: its cells run once (a cell that hangs
or kills it is skipped on a restart), then its functions called case by case; and the grading
editions of lessonkit a class shares."""

from __future__ import annotations

import os
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ..exercises import Case, Exercise
from ..i18n import _, tr
from .notebooks import is_check_cell
from .sandbox import Limits, Sandbox, SandboxError
from .wire import clean, encode, one_line

if TYPE_CHECKING:
    from nbformat import NotebookNode


__all__ = ["Session", "Editions"]

_GRACE = 3.0  # seconds the hard deadline outside adds to the soft alarm inside


class Session:
    """One notebook in its sandbox: its cells run (a cell that hangs or kills it is skipped on a restart)."""

    def __init__(self, nb: NotebookNode, name: str, edition: Path, limits: Limits, isolate: bool) -> None:
        import nbformat

        self.text = nbformat.writes(nb)
        self.name, self.edition, self.limits, self.isolate = name, edition, limits, isolate
        cells = [(i, c.source) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
        self.cells = [(i, s) for i, s in cells if not is_check_cell(s)]
        self.skip: set = set()
        self.notes: list = []
        self.box: Sandbox | None = None
        self.slow: set = set()  # functions that ran past the time limit once: none of their cases runs again
        self.deadline = time.monotonic() + limits.budget
        self._recorded = False

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def request_timeout(self) -> float:
        return min(self.limits.timeout + _GRACE, max(0.0, self.remaining()))

    def _running(self) -> Sandbox:
        """The sandbox that start() started."""
        if self.box is None:
            raise SandboxError("no sandbox is running for this notebook")
        return self.box

    def start(self) -> None:
        """A fresh sandbox with the notebook run; raises SandboxError when it cannot be had."""
        while True:
            if self.remaining() <= 0:
                raise SandboxError(f"the notebook used up its time budget of {self.limits.budget:g} s")
            self.box = Sandbox(self.text, self.name, self.edition, self.limits, self.isolate)
            self.box.start()
            bad = self._run_cells(record=not self._recorded)
            self._recorded = True
            if bad is None:
                return
            self.skip.add(bad)

    def _run_cells(self, record: bool):
        for index, source in self.cells:
            if index in self.skip:
                continue
            reply = self._running().request(
                {"op": "run", "cell": index + 1, "source": source}, self.request_timeout()
            )
            status = reply.get("status")
            if status in ("hung", "died"):
                what = (
                    tr("ran longer than {seconds} s", seconds=f"{self.limits.timeout:g}")
                    if status == "hung"
                    else _died(reply, _("stopped the Python process"))
                )
                self.notes.append(
                    tr(
                        "cell {cell} {what}; the grader skipped it and re-ran the notebook",
                        cell=index + 1,
                        what=what,
                    )
                )
                self.stop()
                return index
            if not record:
                continue
            if status == "timeout":
                self.notes.append(
                    tr(
                        "cell {cell} timed out after {seconds} s; the grader stopped it and went on",
                        cell=index + 1,
                        seconds=f"{self.limits.timeout:g}",
                    )
                )
            elif status == "error" and reply.get("ename") == "LessonkitUnavailable":
                used = clean(str(reply.get("evalue") or "").split(" ", 1)[0], 80)
                self.notes.append(
                    tr(
                        "cell {cell} uses {name}, which is not available while grading; that is fine outside the graded functions (only they earn points)",  # noqa: E501 (one msgid)
                        cell=index + 1,
                        name=used,
                    )
                )
            elif status == "error":
                self.notes.append(
                    tr(
                        "cell {cell} raised {error}",
                        cell=index + 1,
                        error=f"{clean(reply.get('ename'), 60)}: {one_line(reply.get('evalue'))}",
                    )
                )
            elif status != "ok":
                self.notes.append(
                    tr(
                        "cell {cell}: the grader could not run it ({why})",
                        cell=index + 1,
                        why=one_line(reply.get("message")),
                    )
                )
        return None

    def call(self, ex: Exercise, case: Case) -> dict:
        """Call ``ex.name`` on one case; on a hang or a death the sandbox is started afresh."""
        if ex.name in self.slow:  # one endless loop costs one --timeout, not one per case
            return {"status": "skipped"}
        if self.box is None:
            self.start()
        request: dict[str, object] = {"op": "call", "name": ex.name, "args": [encode(a) for a in case.args]}
        request["kwargs"] = {k: encode(v) for k, v in case.kwargs.items()}
        if case.steps:  # a class exercise: the runner does these with the object the call made
            request["steps"] = [[op, name, *(encode(v) for v in rest)] for op, name, *rest in case.steps]
        reply = self._running().request(request, self.request_timeout())
        if reply.get("status") in ("timeout", "hung"):
            self.slow.add(ex.name)
        if reply.get("status") in ("hung", "died"):
            self.stop()
        return reply

    def stop(self) -> None:
        if self.box is not None:
            self.box.close()
            self.box = None


def _died(reply: dict, default: str) -> str:
    reason = reply.get("reason")
    return tr("was stopped: it {reason}", reason=reason) if reason else default


class Editions:
    """The grading editions of lessonkit, one per exercise notebook, written once per grading run."""

    def __init__(self) -> None:
        self.tmp = tempfile.TemporaryDirectory(prefix="lessonkit-editions-")
        os.chmod(self.tmp.name, 0o755)  # readable by an unprivileged runner
        self.made: dict = {}
        self.lock = threading.Lock()

    def __call__(self, notebook: str) -> Path:
        from .edition import write_edition

        with self.lock:
            if notebook not in self.made:
                self.made[notebook] = write_edition(notebook, Path(self.tmp.name) / notebook)
            return self.made[notebook]

    def close(self) -> None:
        self.tmp.cleanup()
