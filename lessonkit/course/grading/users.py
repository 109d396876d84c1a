"""The sandboxes' own user ids: one per sandbox, far from real users, and every process of them killed
when grading ends."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

from .cgroups import kill_until_gone
from .mounts import python_paths

_FIRST_UID, _UIDS = 2_000_000, 1_000_000
_GIVEN: set = set()  # every user id this process has handed to a sandbox


def _own_uid() -> int:
    """An unprivileged user id for one sandbox, far from real users (RLIMIT_NPROC counts it alone)."""
    uid = _FIRST_UID + secrets.randbelow(_UIDS)
    _GIVEN.add(uid)
    return uid


def can_drop_user() -> bool:
    """True when a sandbox without bubblewrap can still run as a user of its own (not as the grader's)."""
    return os.geteuid() == 0 and _reachable_by_others([Path(sys.executable), *python_paths()])


def kill_sandbox_users() -> None:
    """SIGKILL every process of every user this process gave a sandbox (not other graders')."""
    for uid in sorted(_GIVEN):
        _kill_user(uid)


def _kill_user(uid: int) -> None:
    """SIGKILL every process of ``uid``: nothing else runs as a sandbox's user."""
    kill_until_gone(lambda: _processes_of(uid))


def _processes_of(uid: int) -> list:
    """The live pids whose real, effective, saved or file-system user is ``uid``.

    Read from ``status``, not from the owner of ``/proc/<pid>``: a non-dumpable process's is root.
    Zombies are left out: they have exited already, no signal reaches them, and an orphan's stays
    until init collects it (on some machines only every second or so).
    """
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry.name}/status").read_text()
            if status.split("\nState:")[1].split()[0] == "Z":
                continue
            if str(uid) in status.split("\nUid:")[1].split("\n")[0].split():
                found.append(int(entry.name))
        except (OSError, IndexError):
            continue
    return found


def _reachable_by_others(paths) -> bool:
    """True when every folder above these paths lets other users through (a dropped user can run Python)."""
    for path in paths:
        for folder in Path(path).resolve().parents:
            try:
                if not folder.stat().st_mode & 0o001:
                    return False
            except OSError:
                return False
    return True
