"""What one sandbox sees: its namespaces, the folders mounted in it, those hidden, and its environment
variables; and :func:`scrub`, which takes the host's folder names out of what it replies."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from pathlib import Path

HOME = "/home/learner"
_ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "alternatives", "fonts", "mime.types")


def _namespace_args() -> list:
    args = ["--die-with-parent", "--new-session", "--unshare-ipc", "--unshare-pid", "--unshare-net"]
    args += ["--unshare-uts", "--unshare-cgroup-try", "--hostname", "grading"]
    if os.geteuid() == 0:
        # No user namespace: the runner needs a real setuid to leave root behind (CAP_SETUID is all
        # it keeps, and it is gone after the switch).
        args += ["--cap-add", "CAP_SETUID,CAP_SETGID"]
    else:
        args += ["--unshare-user"]
        if _bwrap_can("--disable-userns"):  # bubblewrap 0.8: no nested user namespace inside
            args += ["--disable-userns"]
    return args


@functools.cache
def _bwrap_can(option: str) -> bool:
    """True when this bubblewrap has ``option`` (older ones refuse options they do not know)."""
    try:
        help_text = subprocess.run(["bwrap", "--help"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return option in help_text.stdout + help_text.stderr


def _system_args() -> list:
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    for name in _ETC:
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    return args


@functools.cache  # the same for every sandbox of this process
def python_paths() -> tuple:
    """The folders the runner's Python needs: the installation, the environment and its packages.

    Only the interpreter's prefixes and the site-packages folders (and ``sys.path`` entries inside
    them) are mounted: never the current folder or other entries of ``sys.path``, which could be
    the class folder being graded (``python -m lessonkit`` puts the working folder first).
    """
    import site

    prefixes = [Path(p).resolve() for p in dict.fromkeys([sys.base_prefix, sys.prefix, sys.exec_prefix])]
    sites = [*site.getsitepackages()]
    if site.ENABLE_USER_SITE and site.getusersitepackages() in sys.path:
        sites.append(site.getusersitepackages())
    found = []
    for p in [*prefixes, *sites, *sys.path]:
        if not p:
            continue
        path = Path(str(p)).resolve()
        inside = any(path == q or path.is_relative_to(q) for q in [*prefixes, *map(Path, sites)])
        if not inside or not path.exists() or path in found:
            continue
        found.append(path)
    return tuple(found)


def scrub(value, names: dict):
    """``value`` (a reply: strings, lists, dicts) with every host path in ``names`` replaced.

    The notebook can read ``/proc/self/mountinfo``, whose fields name the host folders that were
    bind-mounted (the Python installation, the environment, the sandbox's temporary folder). Nothing
    else of the host is mounted, so those names open nothing; but they describe the teacher's machine
    and must not reach a report or a learner's feedback in plain text. Longest paths first, so that
    a folder's name is not half-replaced by its parent's.
    """
    if isinstance(value, str):
        for path in sorted(names, key=len, reverse=True):
            if path and path in value:
                value = value.replace(path, names[path])
        return value
    if isinstance(value, list):
        return [scrub(v, names) for v in value]
    if isinstance(value, dict):
        return {scrub(k, names) if isinstance(k, str) else k: scrub(v, names) for k, v in value.items()}
    return value


def _unresolved(paths) -> list:
    """The spellings of ``paths`` before symbolic links were resolved (sys.prefix as Python gives it)."""
    found = []
    for p in dict.fromkeys([sys.base_prefix, sys.prefix, sys.exec_prefix, sys.executable]):
        found.append(Path(p))
        found.append(Path(os.path.abspath(p)))
    return [p for p in found if str(p) not in map(str, paths)]


def _hidden() -> list:
    """Folders that must not be readable in the sandbox even where a mounted folder contains them."""
    from .. import PACKAGE as package
    from ..paths import course_root

    root = course_root().resolve()
    found = [package, root / "solutions", root / "tests", root / "exercises"]
    # any other copy of the package on the path (a non-editable install, a build folder)
    found += [p / "lessonkit" for p in python_paths() if (p / "lessonkit").is_dir()]
    return list(dict.fromkeys(found))


def _sandbox_env() -> dict:
    venv_bin = str(Path(sys.executable).parent)
    return {
        "HOME": HOME,
        "USER": "learner",
        "PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "TMPDIR": "/tmp",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": "/tmp/matplotlib",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONHASHSEED": "0",
    }


def _plain_env(tmp: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "SYSTEMROOT", "LANG", "LC_ALL")}
    env.update(
        {k: v for k, v in _sandbox_env().items() if k not in ("HOME", "PATH", "TMPDIR", "MPLCONFIGDIR")}
    )
    env.update(HOME=str(tmp / "work"), MPLCONFIGDIR=str(tmp / "matplotlib"))
    return env
