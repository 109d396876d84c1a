"""The control groups of a sandbox, on a cgroup v2 hierarchy (unified, as systemd delegates it).

This machine's kernel may offer only cgroup v1 (the attack tests use whichever it has), so the v2
branch runs here against a folder laid out as a delegated v2 group: the grader's own group with its
``cgroup.subtree_control``; each sandbox's group gets ``memory.max``, ``memory.swap.max`` and
``pids.max``, and reads ``memory.events`` and ``pids.events`` as the kernel writes them.
"""

from __future__ import annotations

import pytest

from lessonkit.course.grading import cgroups


@pytest.fixture
def v2(tmp_path, monkeypatch):
    """A delegated cgroup v2 group at tmp_path/unified/grader (controllers listed, or not)."""
    mount, own = tmp_path / "unified", "/grader"
    (mount / "grader").mkdir(parents=True)
    monkeypatch.setattr(cgroups, "_own_groups", lambda: {"": own})
    monkeypatch.setattr(cgroups, "_mounts", lambda: {"": str(mount)})
    cgroups._parents.cache_clear()
    yield mount / "grader"
    cgroups._parents.cache_clear()


def test_a_v2_group_gets_its_memory_swap_and_process_limits(v2):
    (v2 / "cgroup.subtree_control").write_text("cpu memory pids\n")
    group = cgroups.Cgroup(300, 16)
    assert group.v2 and group.memory == group.pids and group.memory.parent == v2
    assert group.memory.name.startswith("lessonkit-")
    assert (group.memory / "memory.max").read_text() == str(300 * 2**20)
    assert (group.memory / "memory.swap.max").read_text() == "0"
    assert (group.pids / "pids.max").read_text() == "16"
    wrapped = group.wrap(["/usr/bin/bwrap", "--", "python"])
    assert wrapped[:2] == ["/bin/sh", "-c"] and wrapped[-3:] == ["/usr/bin/bwrap", "--", "python"]
    assert wrapped[2].count("cgroup.procs") == 1  # one hierarchy: joined once
    # what the kernel reports: reaching memory.max, an OOM kill, a refused fork
    assert not group.out_of_memory() and not group.refused_processes()
    (group.memory / "memory.events").write_text("low 0\nhigh 0\nmax 3\noom 0\noom_kill 0\n")
    (group.pids / "pids.events").write_text("max 1\n")
    assert group.out_of_memory() and group.refused_processes()
    (group.memory / "cgroup.procs").write_text("")
    group.kill_all(wait=0.1)
    assert (group.pids / "cgroup.kill").read_text() == "1"  # v2 kills the whole group at once


def test_v2_enables_the_controllers_for_its_children_when_delegated_without_them(v2):
    (v2 / "cgroup.subtree_control").write_text("cpu\n")
    group = cgroups.Cgroup(64, 8)
    assert (v2 / "cgroup.subtree_control").read_text() == "+memory +pids"
    assert group.v2


def test_without_a_writable_hierarchy_the_reason_is_said(monkeypatch):
    monkeypatch.setattr(cgroups, "_own_groups", lambda: {"": "/"})
    monkeypatch.setattr(cgroups, "_mounts", lambda: {})
    cgroups._parents.cache_clear()
    try:
        with pytest.raises(OSError, match="no memory and pids control groups on this machine"):
            cgroups.Cgroup(64, 8)
    finally:
        cgroups._parents.cache_clear()
