"""The sandbox users' processes: every live one is found (and killed); a zombie is not waited for."""

import os
import subprocess

import pytest

from lessonkit.course.grading.users import _kill_user, _own_uid, _processes_of

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="starting a process as another user needs root")


def _state(pid: int) -> str:
    return open(f"/proc/{pid}/status").read().split("\nState:")[1].split()[0]


def test_live_processes_of_a_sandbox_user_are_found_and_killed():
    uid = _own_uid()
    sleeper = subprocess.Popen(["sleep", "60"], user=uid)
    try:
        assert sleeper.pid in _processes_of(uid)
        _kill_user(uid)
        assert sleeper.wait(timeout=10) == -9
        assert _processes_of(uid) == []
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_zombie_is_not_counted_so_killing_does_not_wait_for_its_reaper():
    uid = _own_uid()
    exited = subprocess.Popen(["true"], user=uid)  # not waited for: it stays a zombie of this test
    try:
        os.waitid(os.P_PID, exited.pid, os.WEXITED | os.WNOWAIT)  # it has exited; left unreaped
        assert _state(exited.pid) == "Z"
        assert exited.pid not in _processes_of(uid)
    finally:
        exited.wait()
