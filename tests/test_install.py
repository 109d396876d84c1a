"""A wheel of lessonkit, installed non-editable in a fresh environment, is a whole course.

It carries the exercises (``lessonkit start`` copies them), the message catalogs (Chinese feedback)
and what the Gradescope bundle needs. The fresh environment sees the test environment's packages
(numpy, ...) through a ``.pth`` line, which does not run that environment's editable-install hook:
the only lessonkit it can import is the wheel's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _run(cmd, cwd, timeout=600) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LANG", "LANGUAGE", "LC_ALL")}
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    assert proc.returncode == 0, (cmd, proc.stdout[-2000:], proc.stderr[-2000:])
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The python of a fresh venv with lessonkit's wheel installed (not editable)."""
    base = tmp_path_factory.mktemp("install")
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(base / "dist"), str(ROOT)], base)
    (wheel,) = (base / "dist").glob("lessonkit-*.whl")
    _run([sys.executable, "-m", "venv", "--without-pip", str(base / "venv")], base)
    python = base / "venv" / "bin" / "python"
    site = Path(
        subprocess.check_output(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(wheel)], base
    )
    return python


def test_the_wheel_is_what_is_imported(installed, tmp_path):
    where = _run([str(installed), "-c", "import lessonkit; print(lessonkit.__file__)"], tmp_path).stdout
    assert str(ROOT) not in where and "site-packages" in where


def test_start_copies_the_exercises_into_the_current_folder(installed, tmp_path):
    _run([str(installed), "-m", "lessonkit", "start"], tmp_path)
    assert sorted(p.name for p in (tmp_path / "my-work").glob("*.ipynb")) == sorted(
        p.name for p in (ROOT / "exercises").glob("*.ipynb")
    )
    _run([str(installed), "-m", "lessonkit", "start", "zh", "--lang", "zh-Hant"], tmp_path)
    assert (tmp_path / "zh" / "02_bp_delta_map.ipynb").read_bytes() == (
        ROOT / "exercises" / "zh-Hant" / "02_bp_delta_map.ipynb"
    ).read_bytes()


def test_chinese_feedback_from_the_installed_catalogs(installed, tmp_path):
    """The learner's check and the grader share one message layer; the installed one speaks Chinese.

    (Grading itself is left to the other tests: its runner starts with ``-S``, and this venv's
    borrowed packages come from a ``.pth`` line that ``-S`` does not read.)
    """
    code = (
        "from lessonkit.course.i18n import catalog, set_language, tr\n"
        "set_language('zh-Hans'); a = tr('{name} is not implemented yet (it still raises NotImplementedError)', name='f')\n"
        "set_language('zh-Hant'); b = tr('all {n} public cases pass', n=3)\n"
        "print(a); print(b); print(len(catalog('zh-Hans')))\n"
    )
    hans, hant, size = _run([str(installed), "-c", code], tmp_path).stdout.splitlines()
    assert "尚未实现" in hans and "3" in hant and "通過" in hant, (hans, hant)
    assert int(size) > 100


def test_the_gradescope_bundle_from_an_install_has_the_catalogs(installed, tmp_path):
    _run([str(installed), "-m", "lessonkit", "gradescope", "02", "-o", "autograder.zip"], tmp_path)
    names = zipfile.ZipFile(tmp_path / "autograder.zip").namelist()
    assert "course/lessonkit/locale/zh-Hans.po" in names and "course/lessonkit/locale/zh-Hant.po" in names
    project = zipfile.ZipFile(tmp_path / "autograder.zip").read("course/pyproject.toml").decode()
    assert 'name = "lessonkit"' in project and "numpy" in project


def test_the_install_carries_jupyterlabs_course_settings(installed):
    overrides = installed.parent.parent / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    assert (
        overrides.read_bytes()
        == (ROOT / "lessonkit" / "course" / "jupyterlab" / "overrides.json").read_bytes()
    )
