"""Kernel-enforced limits for one sandbox: a memory and a pids control group around all its processes.

Per-process limits (``RLIMIT_AS``, ``RLIMIT_NPROC``) and a watcher polling ``/proc`` miss memory that
no process maps for long (System V shared memory, ``memfd`` files, tmpfs) and processes in nested
namespaces. A control group does not: every page the sandbox's processes fault in (tmpfs and shared
memory included) is charged to it, its children and their namespaces stay in it, and at its limit
the kernel refuses (``pids``) or reclaims and then kills inside the group (``memory``), never
outside it.

Where a group can be had, in this order:

- cgroup v1 (``memory`` and ``pids`` hierarchies, writable by the grader, e.g. as root in a
  container): a child of the grader's own group in each;
- cgroup v2 (one unified hierarchy): a child of the grader's own group, when the ``memory`` and
  ``pids`` controllers are enabled for its children (systemd's delegation, ``systemd-run --user
  --scope -p Delegate=yes``, gives that).

Elsewhere :func:`available` says why not, and the grader keeps its per-process limits only.

A process joins the group before it starts the sandbox: the command is wrapped in ``/bin/sh``, which
writes its own pid into the group and then ``exec``\\ s the sandbox (``preexec_fn`` would do the same
in Python, but is unsafe in the grader's threads).
"""

from __future__ import annotations

import functools
import os
import secrets
import signal
import time
from collections.abc import Callable
from pathlib import Path

__all__ = ["Cgroup", "available", "kill_until_gone"]

_PREFIX = "lessonkit-"


def _own_groups() -> dict:
    """{controller: path of the grader's own group} from /proc/self/cgroup ("" for cgroup v2)."""
    found: dict = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for c in controllers.split(",") if controllers else [""]:
            found[c] = path
    return found


def _mounts() -> dict:
    """{controller: mount point}; "" for the cgroup v2 mount."""
    found: dict = {}
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        left, _, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if len(fields) < 5 or len(tail) < 3:
            continue
        point = fields[4].replace("\\040", " ")
        if tail[0] == "cgroup2":
            found.setdefault("", point)
        elif tail[0] == "cgroup":
            for option in tail[2].split(","):
                if option in ("memory", "pids"):
                    found.setdefault(option, point)
    return found


@functools.cache
def _parents() -> tuple:
    """(memory parent, pids parent, v2) where the sandboxes' groups are made; OSError when none."""
    own, mounts = _own_groups(), _mounts()
    if "memory" in mounts and "pids" in mounts and "memory" in own and "pids" in own:
        memory = Path(mounts["memory"] + own["memory"])
        pids = Path(mounts["pids"] + own["pids"])
        for parent in (memory, pids):
            if not os.access(parent, os.W_OK):
                raise OSError(f"cannot make control groups in {parent} (not writable)")
        return memory, pids, False
    if "" in mounts and "" in own:
        parent = Path(mounts[""] + own[""])
        enabled = (parent / "cgroup.subtree_control").read_text().split()
        if not {"memory", "pids"} <= set(enabled):
            try:  # allowed when the grader's group holds no process itself (a delegated scope)
                (parent / "cgroup.subtree_control").write_text("+memory +pids")
            except OSError as exc:
                raise OSError(
                    f"the memory and pids controllers are not enabled below {parent} ({exc.strerror})"
                ) from None
        return parent, parent, True
    raise OSError("no memory and pids control groups on this machine")


@functools.cache
def available() -> str | None:
    """None when each sandbox can have kernel-enforced memory and process limits; else the reason."""
    try:
        group = Cgroup(64, 8)
    except OSError as exc:
        return str(exc)
    group.remove()
    return None


class Cgroup:
    """One sandbox's control groups: at most ``memory_mb`` MB and ``processes`` tasks in all.

    Examples
    --------
    >>> from lessonkit.course.grading.cgroups import Cgroup, available
    >>> if available() is None:
    ...     group = Cgroup(256, 16)
    ...     assert group.wrap(["/bin/true"])[0] == "/bin/sh"
    ...     group.remove()
    """

    def __init__(self, memory_mb: int, processes: int):
        memory_parent, pids_parent, self.v2 = _parents()
        name = _PREFIX + secrets.token_hex(6)
        self.memory, self.pids = memory_parent / name, pids_parent / name
        self.memory.mkdir()
        try:
            if self.pids != self.memory:
                self.pids.mkdir()
            limit = str(int(memory_mb * 2**20))
            if self.v2:
                (self.memory / "memory.max").write_text(limit)
                (self.memory / "memory.swap.max").write_text("0")
                (self.pids / "pids.max").write_text(str(processes))
            else:
                (self.memory / "memory.limit_in_bytes").write_text(limit)
                swap = self.memory / "memory.memsw.limit_in_bytes"
                if swap.exists():  # memory and swap together: nothing is swapped out past the limit
                    swap.write_text(limit)
                (self.pids / "pids.max").write_text(str(processes))
        except OSError:
            self.remove()
            raise

    def wrap(self, command: list) -> list:
        """``command`` started inside this group (every process it starts stays in it)."""
        joins = " && ".join(f'echo $$ > "{p}/cgroup.procs"' for p in dict.fromkeys([self.memory, self.pids]))
        return ["/bin/sh", "-c", f'{joins} && exec "$@"', "sh", *command]

    def out_of_memory(self) -> bool:
        """True once the group has reached its memory limit (or the kernel has had to kill in it).

        Reaching the limit is enough: past it the kernel first reclaims the group's file pages (the
        programs' own code among them), which can take seconds of thrashing before it kills.
        """
        try:
            if self.v2:
                events = (self.memory / "memory.events").read_text()
                return _count(events, "oom_kill") > 0 or _count(events, "max") > 0
            if _count((self.memory / "memory.oom_control").read_text(), "oom_kill") > 0:
                return True
            return int((self.memory / "memory.failcnt").read_text()) > 0
        except (OSError, ValueError):
            return False

    def refused_processes(self) -> bool:
        """True once the kernel has refused a fork or a thread because the group was full."""
        try:
            return _count((self.pids / "pids.events").read_text(), "max") > 0
        except OSError:
            return False

    def processes(self) -> list:
        """The pids in this group now."""
        found: list = []
        for group in dict.fromkeys([self.memory, self.pids]):
            try:
                found += [int(p) for p in (group / "cgroup.procs").read_text().split()]
            except (OSError, ValueError):
                pass
        return list(dict.fromkeys(found))

    def kill_all(self, wait: float = 5.0) -> None:
        """SIGKILL every process in the group (again, until none is left or ``wait`` s have passed)."""
        if self.v2:
            try:
                (self.pids / "cgroup.kill").write_text("1")
            except OSError:
                pass
        kill_until_gone(self.processes, wait)

    def remove(self) -> None:
        """Kill what is left in the group and delete it."""
        self.kill_all()
        for group in dict.fromkeys([self.pids, self.memory]):
            for _ in range(50):  # a killed process leaves the group a moment after it dies
                try:
                    group.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)


def kill_until_gone(find: Callable[[], list], wait: float = 5.0) -> None:
    """SIGKILL the pids ``find()`` returns, again, until it returns none or ``wait`` s have passed."""
    deadline = time.monotonic() + wait
    while True:
        left = find()
        if not left or time.monotonic() > deadline:
            return
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.01)


def _count(text: str, key: str) -> int:
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == key:
            return int(parts[1])
    return 0
