"""What a check says of an exception the learner's code raised: its first line, the function that
raised it, and the learner's own innermost frame (never lessonkit's, numpy's or Python's)."""

from __future__ import annotations

import functools
import traceback

from .feedback import Raised, message_of
from .i18n import tr

__all__ = ["raised_by"]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else ""


def _raiser_name(exc: BaseException) -> str:
    """The function or method (``Filter.update``) whose ``raise NotImplementedError`` ran, or ""."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return ""
    code = tb.tb_frame.f_code
    name = getattr(code, "co_qualname", code.co_name).rsplit("<locals>.", 1)[-1]
    return "" if name.startswith("<") else name.replace(".__init__", "")


def raised_by(exc: BaseException) -> Raised:
    """What the check tells of an exception the learner's code raised: its type, message and the
    learner's innermost frame (the function, the line's number within its cell and its text)."""
    frame = _learner_frame(exc)
    function, line, code = frame if frame else ("", 0, "")
    return Raised(type(exc).__name__, message_of(exc), function, line, code)


def _learner_frame(exc: BaseException):
    """``(function, line, text)`` of the innermost frame of the learner's code in ``exc``'s traceback,
    or None: frames in lessonkit, numpy, the standard library or an installed package are not the
    learner's, nor is a switched-off lessonkit function's raiser."""
    try:
        frames = traceback.extract_tb(exc.__traceback__)
    except Exception:
        return None
    mine = [f for f in frames if f.name != "_off" and not _is_library(f.filename)]
    if not mine:
        return None
    f = mine[-1]
    code = " ".join((f.line or "").split())  # one line, whatever its indentation
    return f.name, int(f.lineno or 0), code if len(code) <= 120 else code[:117] + "..."


@functools.cache
def _library_folders() -> tuple:
    import sysconfig
    from pathlib import Path

    from . import PACKAGE

    paths = sysconfig.get_paths()
    folders = {Path(paths[k]).resolve() for k in ("stdlib", "platstdlib", "purelib", "platlib") if k in paths}
    return (Path(PACKAGE).resolve(), *sorted(folders))


def _is_library(filename: str) -> bool:
    """True for a frame in lessonkit, the standard library or an installed package (not the learner's)."""
    from pathlib import Path

    if filename.startswith("<frozen ") or filename == "<string>":
        return True
    if filename.startswith("<"):  # a notebook cell, or code the learner compiled
        return False
    try:
        path = Path(filename).resolve()
    except (OSError, ValueError):
        return False
    return any(path.is_relative_to(folder) for folder in _library_folders())


def _where_note(raised: Raised) -> str:
    """Where in the learner's code it was raised, as a note for the check's output."""
    if not raised.function:
        return ""
    return " " + tr("(in {function}, line {line} of its cell)", function=raised.function, line=raised.line)
