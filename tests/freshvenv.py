"""A fresh venv with one thing pip-installed (not editable), for tests of what an install carries.

The test environment's other packages (numpy, jupyter, ...) are linked into the new venv's
site-packages one by one, so the venv needs no network and imports them as its own (also under
``python -S``, as the grader's runner starts). lessonkit itself, its editable-install hook and its
metadata are left out: the only lessonkit the venv can import is the one installed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path


def run(cmd, cwd, timeout=600, check=True) -> subprocess.CompletedProcess:
    """Run ``cmd`` with no PYTHONPATH or locale of the caller; fail with its output unless it exits 0."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LANG", "LANGUAGE", "LC_ALL")}
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    if check:
        assert proc.returncode == 0, (cmd, proc.stdout[-2000:], proc.stderr[-2000:])
    return proc


def fresh_venv(base: Path, target: str) -> Path:
    """A venv under ``base`` with ``target`` (a wheel or a project folder) installed; its python."""
    run([sys.executable, "-m", "venv", "--without-pip", str(base / "venv")], base)
    python = base / "venv" / "bin" / "python"
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(subprocess.check_output([str(python), "-c", code], text=True).strip())
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        name = entry.name.lower()
        if name.startswith(("lessonkit", "__editable__", "_lessonkit")) or name.endswith(".pth"):
            continue
        (site / entry.name).symlink_to(entry)
    run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", target], base)
    return python


def reachable_python(tmp: Path, course: Path | None = None) -> Path | None:
    """A Python every user can run, with this environment's packages (hard links), or None.

    This environment's interpreter may sit in a folder only root can enter (``/root/.pyenv``); the
    system's Python of the same version does not. Gradescope's runner and the JupyterHub's learners
    need such a Python. None unless this is root and the system has that version.

    With ``course``, the new Python imports lessonkit from a copy of this course's package, solutions
    and exercises made there, not from this checkout: what it does to its course (Gradescope's
    grader locks the package and the solutions away while a notebook runs) touches only the copy,
    and a test running beside it in this checkout sees nothing of it.
    """
    import shutil
    import site

    system = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
    if not system.exists() or os.geteuid() != 0:
        return None
    venv = tmp / "venv"
    subprocess.run([str(system), "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    ours = Path(site.getsitepackages()[0])
    theirs = next((venv / "lib").glob("python*/site-packages"))
    theirs.rmdir()
    if subprocess.run(["cp", "-al", str(ours), str(theirs)]).returncode != 0:
        shutil.copytree(ours, theirs, symlinks=True)
    if course is not None:
        checkout = Path(__file__).resolve().parents[1]
        skip = shutil.ignore_patterns("__pycache__", "*.pyc")
        for part in ("lessonkit", "solutions", "exercises"):
            shutil.copytree(checkout / part, course / part, ignore=skip)
        for hook in theirs.glob("__editable__*lessonkit*"):
            hook.unlink()  # a hard link: the checkout's own hook stays
        (theirs / "lessonkit-course.pth").write_text(f"{course}\n")
    return venv / "bin" / "python"
