"""What a sandbox is shown of the Python folders (lessonkit.course.grading.mounts), without starting one."""

from __future__ import annotations

import sys
from pathlib import Path

from lessonkit.course.grading import mounts


def test_every_python_folder_is_shown_at_a_neutral_place_or_under_usr():
    for path in mounts.python_paths():
        shown = mounts.inside(path)
        assert shown.startswith(("/opt/python", "/opt/env", "/opt/site-", "/usr")), (path, shown)
    shown = [s for _, s in mounts.neutral_roots()]
    assert len(shown) == len(set(shown))  # no two host folders at one place


def test_the_sandbox_runs_the_installations_own_interpreter():
    exe = mounts.interpreter()
    assert exe.is_file() and not exe.is_symlink()
    assert Path(mounts.inside(exe)).name == exe.name
    assert str(Path(sys.base_prefix).resolve()) not in mounts.inside(exe) or exe.is_relative_to("/usr")


def test_the_sandbox_environment_names_no_host_folder():
    env = mounts._sandbox_env()
    hosts = [str(h) for h, _ in mounts.neutral_roots()]
    assert not [v for v in env.values() for h in hosts if h in v], env
    assert env["PATH"].split(":")[0] == str(Path(mounts.inside(mounts.interpreter())).parent)


def test_a_mount_roots_field_is_the_path_within_its_file_system():
    assert mounts.within_file_system("/proc/self/mountinfo") == "/self/mountinfo"  # /proc is its own
    assert mounts.within_file_system("/") == "/"
