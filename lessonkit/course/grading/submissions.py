"""A class folder is untrusted input: finding, reading and checking the files learners hand in.

- :func:`find_submissions` walks a folder without following links; every entry named ``*.ipynb``
  (a file, a link, a FIFO, a device, a folder) is a submission, so each gets a row;
- :func:`read_submission` reads one *regular* file once, opened without following links
  (``O_NOFOLLOW``, then ``fstat`` compared with the ``lstat`` that chose it), into memory: the grader
  grades that snapshot and never opens the path again; anything else raises :class:`Refused`;
- :func:`parse_notebook` checks the bytes against nbformat's schema and the type of every cell's
  source (and that no ``\\u`` escape leaves half a surrogate pair, which no file could hold), and
  says what is wrong by position only ("not valid JSON (line 3, column 7)"): no message quotes the
  file's content, which could be a teacher's file or ``/proc/self/environ``;
- :func:`safe_text` is the one function that makes a file name or a note safe for every report.
"""

from __future__ import annotations

import json
import os
import stat
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import nbformat

__all__ = [
    "Refused",
    "MAX_BYTES",
    "safe_text",
    "spreadsheet_cell",
    "student_key",
    "find_submissions",
    "read_submission",
    "parse_notebook",
]

MAX_BYTES = 64 * 2**20  # a notebook with many figures is a few MB


class Refused(Exception):
    """A submission that is not graded; the message is a plain reason that quotes none of its content."""


def safe_text(text: object, limit: int = 300) -> str:
    """Text for any report: one line, no control or bidirectional characters, valid UTF-8, capped.

    Bytes that are not UTF-8 (a file name from a zip made elsewhere) show as ``\\xNN``; newlines,
    control characters and bidirectional overrides as their escapes, so nothing from a learner can
    start a line of a report or reorder one.

    Examples
    --------
    >>> safe_text("bob\\nscore: 10/10")
    'bob\\\\nscore: 10/10'
    >>> safe_text(os.fsdecode(b"caf\\xe9"))
    'caf\\\\xe9'
    """
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    text = str(text)
    out = []
    for ch in text:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (os.fsdecode's surrogateescape)
            out.append(f"\\x{code - 0xDC00:02x}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append(f"\\u{code:04x}")
        elif ch.isprintable() and unicodedata.category(ch) not in ("Cf", "Zl", "Zp"):
            out.append(ch)
        else:
            out.append(ch.encode("unicode_escape").decode("ascii"))
    result = "".join(out)
    return result if len(result) <= limit else result[: limit - 3] + "..."


def find_submissions(folder: str | os.PathLike[str]) -> list:
    """Every entry named ``*.ipynb`` under ``folder``, sorted; links to folders are not entered.

    Checkpoints (``.ipynb_checkpoints``) are left out. A link, FIFO or folder named ``*.ipynb`` is
    listed too, so that it gets a row; :func:`read_submission` refuses it.
    """
    found = []
    for top, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d != ".ipynb_checkpoints")
        here = Path(top)
        for name in [*files, *dirs]:
            if name.endswith(".ipynb"):
                found.append(here / name)
        dirs[:] = [d for d in dirs if not d.endswith(".ipynb")]
    return sorted(found)


def read_submission(path: str | os.PathLike[str], max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file, read once without following a link; :class:`Refused` otherwise."""
    path = Path(path)
    try:
        before = os.lstat(path)
    except FileNotFoundError:
        raise Refused("no such file") from None
    except OSError as exc:
        raise Refused(f"cannot be read ({_errno_name(exc)})") from None
    kind = _kind(before.st_mode)
    if kind != "a file":
        raise Refused(f"it is {kind}, not a notebook file; only regular files are graded")
    if before.st_size > max_bytes:
        raise Refused(f"it is larger than {max_bytes // 2**20} MB")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    flags |= getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise Refused(f"cannot be read ({_errno_name(exc)})") from None
    try:
        now = os.fstat(fd)
        if not stat.S_ISREG(now.st_mode) or (now.st_dev, now.st_ino) != (before.st_dev, before.st_ino):
            raise Refused("it changed while it was being opened; only regular files are graded")
        chunks, size = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                raise Refused(f"it is larger than {max_bytes // 2**20} MB")
            chunks.append(chunk)
    except OSError as exc:
        raise Refused(f"cannot be read ({_errno_name(exc)})") from None
    finally:
        os.close(fd)
    return b"".join(chunks)


def parse_notebook(data: bytes) -> nbformat.NotebookNode:
    """The notebook (nbformat v4) in ``data``; :class:`Refused` with a reason that quotes none of it."""
    import nbformat

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused(f"not UTF-8 text (byte {exc.start})") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Refused(f"not valid JSON (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise Refused("not valid JSON (nested too deeply)") from None
    except ValueError:  # valid JSON, but an integer of more digits than Python converts (4300)
        raise Refused("not a notebook: it holds a number too long to read") from None
    if "\\u" in text and not _encodable(raw):  # "\ud800" is valid JSON, not text: nothing could write it
        raise Refused("not valid Unicode text (a \\u escape of half a surrogate pair)")
    if not isinstance(raw, dict):
        raise Refused("not a notebook: its JSON is not an object")
    major = raw.get("nbformat")
    if type(major) is not int or major not in (3, 4):
        raise Refused("not a notebook: no nbformat version 3 or 4")
    if major == 4:
        _check_cells(raw)
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except nbformat.ValidationError as exc:
        raise Refused(f"does not follow the notebook format (at {_where(exc.absolute_path)})") from None
    except Exception as exc:  # whatever nbformat trips over; its message may quote the content
        raise Refused(f"does not follow the notebook format ({type(exc).__name__})") from None
    _check_cells(nb)
    return nb


def _encodable(raw) -> bool:
    """False when a string of ``raw`` holds a lone surrogate: the grader could not write it to the sandbox."""
    try:
        json.dumps(raw, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    except RecursionError:  # not this check's business: nbformat refuses it below
        return True
    return True


def _check_cells(raw) -> None:
    cells = raw.get("cells")
    if not isinstance(cells, list):
        raise Refused("does not follow the notebook format (it has no list of cells)")
    for i, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict):
            raise Refused(f"cell {i} is not an object")
        if cell.get("cell_type") not in ("code", "markdown", "raw"):
            raise Refused(f"cell {i} has no cell_type code, markdown or raw")
        source = cell.get("source")
        ok = isinstance(source, str) or (isinstance(source, list) and all(isinstance(s, str) for s in source))
        if not ok:
            raise Refused(f"cell {i}'s source is not text (a string or a list of strings)")


def _where(path) -> str:
    """A JSON location made of indices and schema keys only (a learner's key is shown as ?)."""
    parts = []
    for p in list(path)[:6]:
        if isinstance(p, int):
            parts.append(f"[{p}]")
        elif isinstance(p, str) and p.isascii() and p.replace("_", "").isalpha() and len(p) <= 30:
            parts.append(("." if parts else "") + p)
        else:
            parts.append(".?")
    return "".join(parts) or "the top level"


def _kind(mode: int) -> str:
    if stat.S_ISREG(mode):
        return "a file"
    if stat.S_ISLNK(mode):
        return "a link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _errno_name(exc: OSError) -> str:
    import errno

    return errno.errorcode.get(exc.errno or 0, "error")


def spreadsheet_cell(text: object) -> str:
    """A CSV cell a spreadsheet shows as text: each line made safe, a leading = + - @ (a formula)
    gets an apostrophe.

    Examples
    --------
    >>> print(spreadsheet_cell('=HYPERLINK("http://x")'), spreadsheet_cell("alice"))
    '=HYPERLINK("http://x") alice
    """
    text = "\n".join(safe_text(line, 5000) for line in str(text).split("\n"))
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def student_key(name: str) -> str:
    """One key per student however the name is spelled: case, and composed or decomposed accents."""
    return unicodedata.normalize("NFKC", safe_text(name)).casefold()
