"""One notebook's sandbox: bubblewrap around the runner, limits, and the pipe the grader talks over.

The set-up, on Linux with bubblewrap (``bwrap``):

- new PID, network, IPC and UTS namespaces: the notebook sees only its own processes, has no
  network at all (only its own loopback), and cannot see, signal or read the grader or other
  notebooks (their command lines, seeds, environments, working folders);
- a root of its own holding only: the system (``/usr`` and the ``/bin``, ``/lib`` links), the few
  files of ``/etc`` that programs need, the Python installation and environment, all read-only and
  at neutral paths (``/opt/python``, ``/opt/env``: :func:`.mounts.neutral_roots`); the
  grading edition of lessonkit and the runner, read-only; a private ``/tmp`` and a private home
  (``/home/learner``, the working folder, holding the copy of this one notebook), both small tmpfs;
- lessonkit's own folder and the course's ``solutions/`` and ``tests/`` are never mounted (and are
  hidden under an empty tmpfs where they lie inside a mounted folder);
- an unprivileged user: started as root, the runner switches to a user id of its own (one per
  sandbox) before any notebook code runs, with every capability gone and ``no_new_privs`` set by
  bubblewrap; started as another user, the sandbox runs as that user inside a user namespace;
- an empty environment but for a few variables (HOME, the neutral PATH and PYTHONPATH, LANG, one
  BLAS thread, Agg);
- limits: address space and file size per process and the number of processes of its user
  (rlimits set by the runner before the notebook runs); memory and tasks of the whole sandbox,
  enforced by the kernel with a control group of its own where the machine offers one
  (:mod:`.cgroups`: shared memory, ``memfd``, tmpfs and nested namespaces included), else summed
  from ``/proc`` several times a second; per-call time (a soft alarm inside, a hard deadline
  outside), output per call (counted and dropped inside: advice, never points) and the notebook's
  wall-clock budget;
- ``--die-with-parent`` and the PID namespace: when the grader closes the sandbox (or dies), every
  process in it is killed, ``setsid`` grandchildren included.

Without bubblewrap the same runner runs as a plain subprocess (``isolate=False``): same limits
where the OS has them, same grading edition first on the path, but no isolation.

What the sandbox sees (namespaces, mounts, environment) is built in :mod:`.mounts`; its user ids
are :mod:`.users`; its control group is :mod:`.cgroups`.
"""

from __future__ import annotations

import functools
import json
import os
import queue
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from . import cgroups
from .cgroups import Cgroup
from .mounts import (
    HOME,
    _hidden,
    _namespace_args,
    _plain_env,
    _sandbox_env,
    _system_args,
    _unresolved,
    inside,
    interpreter,
    neutral_roots,
    python_paths,
    scrub,
    within_file_system,
)
from .users import _kill_user, _own_uid, can_drop_user, kill_sandbox_users

__all__ = [
    "Limits",
    "Sandbox",
    "SandboxError",
    "sandbox_problem",
    "can_drop_user",
    "kill_sandbox_users",
    "INSTALL_HINT",
]

RUNNER = Path(__file__).with_name("runner.py")
# The steps of a class exercise's case: the learner's check runs this very file too (run_case).
STEPS = Path(__file__).resolve().parent.parent / "exercises" / "steps.py"
INSIDE = "/opt/lessonkit-grading"
MAX_REPLY = 16 * 2**20
_TOO_LONG = object()  # the reader's mark for a reply over MAX_REPLY
INSTALL_HINT = (
    "install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap), "
    "or pass --no-sandbox to grade without isolation"
)


@dataclass(frozen=True)
class Limits:
    """What one notebook may use while it is graded (each has a flag of ``grade``)."""

    timeout: float = 30.0  # seconds per notebook cell and per call of a graded function
    budget: float = 600.0  # wall-clock seconds for the whole notebook
    memory_mb: int = 2048  # per process (address space) and for the whole sandbox (resident)
    output_mb: float = 1.0  # printed or displayed per call
    file_size_mb: int = 64  # largest file a process may write; also the size of /tmp and of the home
    processes: int = 64  # processes and threads

    def for_runner(self) -> dict:
        """The limits the runner applies to itself, in bytes and counts."""
        return {
            "timeout": self.timeout,
            "memory": int(self.memory_mb * 2**20),
            "output": int(self.output_mb * 1e6),
            "file_size": int(self.file_size_mb * 2**20),
            "processes": self.processes,
            "result_bytes": 8 * 2**20,
        }


class SandboxError(Exception):
    """The sandbox could not start (the reason is the message)."""


@functools.cache  # one probe per process: it starts bwrap once
def sandbox_problem() -> str | None:
    """None when bubblewrap can run a sandbox here; otherwise a one-line reason."""
    if not sys.platform.startswith("linux"):
        return f"bubblewrap sandboxes need Linux (this is {sys.platform})"
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return "bubblewrap (bwrap) is not installed"
    cmd = [bwrap, *_namespace_args(), *_system_args(), "--proc", "/proc", "--dev", "/dev", "--", "/bin/true"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bubblewrap could not run ({exc})"
    if proc.returncode != 0:
        reason = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
        return f"bubblewrap could not make a sandbox here ({reason[:200]})"
    return None


class Sandbox:
    """A runner for one notebook, in bubblewrap (``isolate=True``) or as a plain subprocess."""

    def __init__(self, notebook_text: str, notebook_name: str, edition: Path, limits: Limits, isolate: bool):
        self.notebook_text, self.notebook_name = notebook_text, notebook_name
        self.edition, self.limits, self.isolate = Path(edition), limits, isolate
        self.proc: subprocess.Popen | None = None
        # bounded: a notebook that floods its channel is slowed down, not buffered in the grader
        self.replies: queue.Queue = queue.Queue(maxsize=8)
        self.killed_because: str | None = None
        self.pidns: str | None = None
        self.tmp: str | None = None
        self.errors: IO[bytes] | None = None
        self.sent: str | None = None
        self.outbox: queue.Queue = queue.Queue()
        self.writer_failed = threading.Event()
        self.cgroup: Cgroup | None = None
        self.uid: int | None = None

    # ------------------------------------------------------------ start and stop

    def start(self) -> None:
        """Start the runner and hand it the notebook; SandboxError if it does not come up."""
        self.tmp = tempfile.mkdtemp(prefix="lessonkit-sandbox-")
        os.chmod(self.tmp, 0o755)
        runner = Path(self.tmp) / "runner.py"
        for source, copy in ((RUNNER, runner), (STEPS, runner.with_name("steps.py"))):
            shutil.copyfile(source, copy)
            copy.chmod(0o644)
        uid, args_fd = None, None
        # the module path as the runner will see it: the neutral places inside bubblewrap
        path = [inside(p) if self.isolate else str(p) for p in python_paths()]
        if self.isolate:
            uid = _own_uid() if os.geteuid() == 0 else None
            full = self._bwrap_command(runner, uid)
            # the arguments go through a file descriptor, not argv: /proc/1/cmdline inside the
            # sandbox then shows no host paths
            split = full.index("--")
            argfile = Path(self.tmp) / "args"
            argfile.write_bytes(b"".join(a.encode() + b"\0" for a in full[1:split]))
            args_fd = os.open(argfile, os.O_RDONLY)
            cmd = [full[0], "--args", str(args_fd), *full[split:]]
            edition, cwd = f"{INSIDE}/edition", None
        else:
            work = Path(self.tmp) / "work"
            work.mkdir()
            if can_drop_user():
                # no sandbox, but at least not root: the runner drops to a user of its own
                uid = _own_uid()
                work.chmod(0o777)
            cmd = [sys.executable, "-I", "-S", str(runner)]
            edition, cwd = str(self.edition), str(work)
        self.errors = open(Path(self.tmp) / "stderr.txt", "w+b")  # noqa: SIM115 (closed in close())
        self.uid = uid
        if cgroups.available() is None:
            # the kernel's limits for the whole sandbox; +1 task for bubblewrap outside its namespace
            self.cgroup = Cgroup(self.limits.memory_mb, self.limits.processes + (1 if self.isolate else 0))
            cmd = self.cgroup.wrap(cmd)
        try:
            self.proc = subprocess.Popen(
                cmd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self.errors,
                cwd=cwd,
                env=None if self.isolate else _plain_env(Path(self.tmp)),
                start_new_session=True,
                pass_fds=(args_fd,) if args_fd is not None else (),
            )
        finally:
            if args_fd is not None:
                os.close(args_fd)
        threading.Thread(target=self._read, args=(self.proc.stdout,), daemon=True).start()
        threading.Thread(target=self._write, args=(self.proc.stdin,), daemon=True).start()
        config = {
            "edition": edition,
            "path": path,
            "notebook_name": Path(self.notebook_name).name,
            "notebook": self.notebook_text,
            "limits": self.limits.for_runner(),
            "uid": uid,
        }
        reply = self.request({"op": "setup", "config": config}, timeout=120)
        if reply.get("status") != "ready":
            detail = reply.get("message") or reply.get("reason") or self._stderr()
            self.close()
            lines = [ln for ln in str(detail).strip().splitlines() if ln.strip()]
            raise SandboxError(
                f"the grading sandbox did not start ({(lines or ['no reason given'])[-1][:300]})"
            )
        self.pidns = reply.get("pidns")
        if self.isolate or self.cgroup is not None:
            threading.Thread(target=self._watch, daemon=True).start()

    def _bwrap_command(self, runner: Path, uid) -> list:
        size = str(int(self.limits.file_size_mb * 2**20))
        args = ["bwrap", *_namespace_args(), *_system_args()]
        # the private /tmp and home first: the environment may itself live under /tmp (a fresh clone)
        args += ["--proc", "/proc", "--dev", "/dev"]
        args += ["--perms", "1777", "--size", size, "--tmpfs", "/tmp"]
        args += ["--perms", "0777", "--size", size, "--tmpfs", HOME]
        made: set = set()
        # the Python folders at neutral places (/opt/python, /opt/env): no host path inside
        for host, shown in [*neutral_roots(), (None, INSIDE)]:
            for parent in reversed(Path(shown).parents[:-1]):  # readable parents (bwrap makes them 0700)
                if parent not in made:
                    args += ["--perms", "0755", "--dir", str(parent)]
                    made.add(parent)
            if host is None:
                args += ["--perms", "0755", "--dir", INSIDE]
            else:
                args += ["--ro-bind", str(host), shown]
        for path in _hidden():
            if path.exists() and any(path.is_relative_to(host) for host, _ in neutral_roots()):
                args += ["--perms", "0000", "--size", "4096", "--tmpfs", inside(path)]
        assert self.tmp is not None  # for the type checker: start() made it
        passwd, group = Path(self.tmp) / "passwd", Path(self.tmp) / "group"
        user = uid if uid is not None else os.getuid()
        passwd.write_text(f"learner:x:{user}:{user}:learner:{HOME}:/bin/sh\n", encoding="utf-8")
        group.write_text(f"learner:x:{user}:\n", encoding="utf-8")
        for f in (passwd, group):
            f.chmod(0o644)
        args += ["--ro-bind", str(passwd), "/etc/passwd", "--ro-bind", str(group), "/etc/group"]
        args += ["--ro-bind", str(runner), f"{INSIDE}/runner.py"]
        args += ["--ro-bind", str(runner.with_name("steps.py")), f"{INSIDE}/steps.py"]
        args += ["--ro-bind", str(self.edition), f"{INSIDE}/edition"]
        # the root and /dev (tmpfs that bwrap made) become read-only: only /tmp and the home, both
        # size-limited, can be written (as a non-root teacher the sandbox's user owns those tmpfs)
        args += ["--remount-ro", "/dev", "--remount-ro", "/"]
        args += ["--chdir", HOME, "--clearenv"]
        for key, value in _sandbox_env().items():
            args += ["--setenv", key, value]
        exe = inside(interpreter())  # the interpreter itself: a venv's link or pyvenv.cfg names the host
        return [shutil.which("bwrap") or "bwrap", *args[1:], "--", exe, "-I", "-S", f"{INSIDE}/runner.py"]

    def close(self) -> None:
        """Kill the sandbox (every process in it) and remove its files."""
        proc, self.proc = self.proc, None
        self.outbox.put(None)
        if proc is not None:
            self._kill(proc)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            for stream in (proc.stdin, proc.stdout):
                try:
                    if stream is not None:
                        stream.close()
                except Exception:
                    pass
        if self.cgroup is not None:
            self.cgroup.remove()  # every process left in it (a detached one too) is killed first
            self.cgroup = None
        if not self.isolate and self.uid is not None:
            _kill_user(self.uid)  # no namespace to take them along: every process of its own user
        if self.errors is not None:
            self.errors.close()
            self.errors = None
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    def _kill(self, proc) -> None:
        try:
            if self.isolate:
                proc.kill()  # bwrap: its PID namespace, and every process in it, goes with it
            else:
                os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError, OSError):
            pass

    # ------------------------------------------------------------ talking

    def request(self, obj: dict, timeout: float) -> dict:
        """Send one request; its reply, or ``{"status": "hung" | "died"}`` (the sandbox is then closed)."""
        proc = self.proc
        if proc is None:
            return {"status": "died", "reason": self.killed_because}
        self.sent = secrets.token_hex(8)  # not guessable: a forged reply cannot match it blindly
        if self.writer_failed.is_set():
            return self._dead()
        # written by a thread of its own: a sandbox that stops reading cannot block the grader
        self.outbox.put((json.dumps(dict(obj, id=self.sent)) + "\n").encode("utf-8"))
        deadline = time.monotonic() + max(0.1, timeout)
        while True:  # replies to earlier requests (e.g. from a forked copy) are dropped
            try:
                item = self.replies.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self.close()
                return {"status": "hung"}
            if item is None:
                return self._dead()
            if item is _TOO_LONG:
                return {"status": "broken", "message": "its reply was too large"}
            try:
                reply = json.loads(item)
            except Exception:  # ValueError, or RecursionError on absurdly nested JSON
                return {"status": "broken", "message": "its reply could not be read"}
            if isinstance(reply, dict) and reply.get("id") == self.sent:
                return scrub(reply, self._host_paths())

    def _dead(self) -> dict:
        time.sleep(0.05)  # let the watchdog record why it killed the sandbox, if it did
        if self.killed_because is None:
            self.killed_because = self._over_limit()
        reason = self.killed_because
        self.last_stderr = self._stderr()
        self.close()
        return {"status": "died", "reason": reason}

    def _host_paths(self) -> dict:
        """The host folders this sandbox mounts, each with the neutral name a report shows instead
        (made once per sandbox: every reply is scrubbed with it)."""
        key = (self.tmp, str(self.edition))
        cached = getattr(self, "_names", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        names = {str(p): "<python>" for p in python_paths()}
        names.update({str(p): "<python>" for p in _unresolved(python_paths())})
        if self.tmp is not None:
            names[self.tmp] = "<sandbox>"
        names[str(self.edition)] = "<edition>"
        # a bind mount's root in mountinfo is its path inside its own file system
        for path, name in list(names.items()):
            names.setdefault(within_file_system(path), name)
        self._names = (key, names)
        return names

    def _stderr(self) -> str:
        """What the sandbox printed to stderr before the runner took it over (start-up failures)."""
        errors = getattr(self, "errors", None)
        if errors is None:
            return getattr(self, "last_stderr", "")
        try:
            errors.seek(0)
            return scrub(errors.read(4000).decode("utf-8", "replace"), self._host_paths())
        except (OSError, ValueError):
            return ""

    def _read(self, stream) -> None:
        while True:
            try:
                line = stream.readline(MAX_REPLY + 1)
            except (OSError, ValueError):
                line = b""
            if not line:
                self._put(None)
                return
            if len(line) > MAX_REPLY and not line.endswith(b"\n"):
                item = _TOO_LONG
                while line and not line.endswith(b"\n"):
                    try:
                        line = stream.readline(MAX_REPLY + 1)
                    except (OSError, ValueError):
                        line = b""
            else:
                item = line.decode("utf-8", "replace")
            if not self._put(item):
                return

    def _write(self, stream) -> None:
        """Send queued requests; on a broken pipe, note it and stop (None also stops)."""
        while True:
            data = self.outbox.get()
            if data is None:
                return
            try:
                stream.write(data)
                stream.flush()
            except (OSError, ValueError):
                self.writer_failed.set()
                return

    def _put(self, item) -> bool:
        """Queue one reply; False once the sandbox is closed (nobody will read it)."""
        while True:
            try:
                self.replies.put(item, timeout=0.5)
                return True
            except queue.Full:
                if self.proc is None:
                    return False

    def _over_limit(self) -> str | None:
        """Why the kernel stopped the sandbox (its control group was full), or None."""
        group = self.cgroup
        if group is None:
            return None
        if group.out_of_memory():
            return f"used more than {self.limits.memory_mb} MB of memory"
        if group.refused_processes():
            return f"started more than {self.limits.processes} processes"
        return None

    def _watch(self) -> None:
        """Kill the sandbox when its processes together use too much memory or are too many.

        With a control group the kernel enforces both; this only notices that it had to. Without
        one, it sums the resident memory and counts the tasks of the sandbox's PID namespace.
        """
        page = os.sysconf("SC_PAGE_SIZE")
        limit = self.limits.memory_mb * 2**20
        while self.proc is not None:
            if self.cgroup is not None:
                self.killed_because = self._over_limit()
            elif self.pidns:
                self.killed_because = self._polled(page, limit)
            if self.killed_because:
                proc = self.proc
                if proc is not None:
                    self._kill(proc)
                return
            time.sleep(0.2)

    def _polled(self, page: int, limit: int) -> str | None:
        rss, count = 0, 0
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                if os.readlink(f"/proc/{entry.name}/ns/pid") != self.pidns:
                    continue
                with open(f"/proc/{entry.name}/statm", "rb") as fh:
                    rss += int(fh.read().split()[1]) * page
                count += len(os.listdir(f"/proc/{entry.name}/task"))
            except (OSError, ValueError, IndexError):
                continue
        if rss > limit:
            return f"used more than {self.limits.memory_mb} MB of memory"
        if count > self.limits.processes:
            return f"started more than {self.limits.processes} processes"
        return None
