"""A wheel of lessonkit, installed non-editable in a fresh environment, is a whole course.

It carries the exercises (``lessonkit start`` copies them), the message catalogs (Chinese feedback),
JupyterLab's course settings and what the Gradescope bundle needs (the venv: tests/freshvenv.py).
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest
from freshvenv import fresh_venv
from freshvenv import run as _run

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The python of a fresh venv with lessonkit's wheel installed (not editable)."""
    base = tmp_path_factory.mktemp("install")
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(base / "dist"), str(ROOT)], base)
    (wheel,) = (base / "dist").glob("lessonkit-*.whl")
    return fresh_venv(base, str(wheel))


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
    _run([str(installed), "-m", "lessonkit", "start"], tmp_path)
    notebook = tmp_path / "my-work" / "02_bp_delta_map.ipynb"
    cmd = [str(installed), "-m", "lessonkit", "grade", str(notebook), "--no-sandbox", "--lang", "zh-Hans"]
    out = _run(cmd, tmp_path).stdout
    assert "尚未实现" in out and "is not implemented yet" not in out, out


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
