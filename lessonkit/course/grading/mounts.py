"""What one sandbox sees: its namespaces, the folders mounted in it (the Python folders at neutral
paths), those hidden, and its environment variables; and :func:`scrub`, which takes the host's
folder names out of what it replies."""

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


@functools.cache
def neutral_roots() -> tuple:
    """(host folder, folder in the sandbox) for each Python folder the sandbox mounts.

    The installation is shown at ``/opt/python``, the environment at ``/opt/env`` and any other
    site folder at ``/opt/site-N``, so the sandbox's executable, ``sys.path``, command lines,
    environment, memory map and mount points name none of the teacher's folders. Folders under
    ``/usr`` keep their place (``/usr`` is mounted whole and says nothing of the teacher).
    """
    roots: list = []
    wanted = [(Path(sys.base_prefix).resolve(), "/opt/python"), (Path(sys.prefix).resolve(), "/opt/env")]
    others = sorted(python_paths(), key=lambda p: len(p.parts))  # a parent before what it holds
    wanted += [(p, f"/opt/site-{i}") for i, p in enumerate(others, 1)]
    for host, shown in wanted:
        if not host.is_relative_to("/usr") and not any(host.is_relative_to(h) for h, _ in roots):
            roots.append((host, shown))
    return tuple(roots)


def interpreter() -> Path:
    """The Python binary the sandbox runs: the installation's own, not a venv's link or copy to it.

    The runner sets its own module path, so it needs no ``pyvenv.cfg``, whose ``home`` names the host.
    """
    return Path(getattr(sys, "_base_executable", None) or sys.executable).resolve()


def inside(path) -> str:
    """Where the sandbox shows ``path``, a host path in one of the mounted Python folders."""
    path = Path(path)
    for host, shown in neutral_roots():
        if path.is_relative_to(host):
            return str(Path(shown, path.relative_to(host)))
    return str(path)


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


def within_file_system(path) -> str:
    """``path`` as a bind mount of it shows in mountinfo's root field: relative to its file system.

    The host's mount table says which mount holds ``path``; that mount's own root, joined with the
    rest of ``path``, is what a sandbox reads in ``/proc/self/mountinfo`` for a bind of ``path``.
    """
    path = Path(path)
    best, root = Path("/"), "/"
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                fields = line.split()
                if len(fields) > 4 and path.is_relative_to(fields[4]):
                    if len(Path(fields[4]).parts) >= len(best.parts):
                        best, root = Path(fields[4]), fields[3]
    except OSError:
        return str(path)
    return str(Path(root, path.relative_to(best)))


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


def _neutral_env() -> dict:
    """The sandbox's variables that name Python's folders, as the sandbox shows them.

    ``PYTHONPATH`` gives a ``python`` started inside the environment's packages (the runner, started
    with ``-I``, ignores it and sets its own path); ``LD_LIBRARY_PATH`` finds ``libpython`` where the
    interpreter was linked with the host's absolute path to it.
    """
    import sysconfig

    env = {"PATH": f"{Path(inside(interpreter())).parent}:/usr/local/bin:/usr/bin:/bin"}
    roots = [host for host, _ in neutral_roots()]
    env["PYTHONPATH"] = ":".join(inside(p) for p in python_paths() if p not in roots)
    libdir = sysconfig.get_config_var("LIBDIR")
    if libdir and (shown := inside(Path(libdir).resolve())) != str(Path(libdir).resolve()):
        env["LD_LIBRARY_PATH"] = shown
    return env


def _sandbox_env() -> dict:
    return {
        "HOME": HOME,
        "USER": "learner",
        **_neutral_env(),
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
    own = ("HOME", "TMPDIR", "MPLCONFIGDIR", *_neutral_env())  # no mount namespace: no neutral paths
    env.update({k: v for k, v in _sandbox_env().items() if k not in own})
    env.update(HOME=str(tmp / "work"), MPLCONFIGDIR=str(tmp / "matplotlib"))
    return env
