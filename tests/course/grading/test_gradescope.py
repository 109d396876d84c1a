"""The Gradescope bundle, run here in a simulated /autograder on four kinds of submission."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import nbformat
import pytest
from freshvenv import reachable_python
from points import total, without
from submissions import planted_notebook

from lessonkit.course.exercises.base import EVERYTHING, STRIDE
from lessonkit.course.grading.grader import grade_notebook
from lessonkit.course.grading.gradescope import VISIBILITIES, build_bundle, exercise_notebook
from lessonkit.course.grading.sandbox import sandbox_problem

ROOT = Path(__file__).resolve().parents[3]


def test_bundle_follows_the_specification(tmp_path):
    bundle = build_bundle("bp_delta_map", tmp_path / "autograder.zip", "hidden")
    with zipfile.ZipFile(bundle) as zf:
        names = zf.namelist()
        assert {"setup.sh", "run_autograder", "config.json"} <= set(names)  # at the root of the zip
        for script in ("setup.sh", "run_autograder"):
            assert (zf.getinfo(script).external_attr >> 16) & 0o111, f"{script} must be executable"
            assert zf.read(script).startswith(b"#!/usr/bin/env bash")
        assert "course/pyproject.toml" in names and "course/lessonkit/course/grading/grader.py" in names
        assert not [n for n in names if "solutions" in n or "tests/" in n or "__pycache__" in n]
        setup = zf.read("setup.sh").decode()
        assert "apt-get install" in setup and "bubblewrap" in setup
        assert "pip install --quiet /autograder/source/course" in setup
        assert json.loads(zf.read("config.json")) == {
            "exercise": "02_bp_delta_map",
            "hidden_visibility": "hidden",
        }


def test_exercise_names_and_bad_arguments(tmp_path):
    assert [exercise_notebook(x) for x in ("01_primitives", "03", "layer_backward")] == [
        "01_primitives",
        "03_compute_gradient",
        "04_conv_layer",
    ]
    with pytest.raises(ValueError, match=r"exercise must be an exercise notebook .*; got 'conv'"):
        exercise_notebook("conv")
    with pytest.raises(ValueError, match=r"hidden_visibility must be one of hidden, .*; got 'later'"):
        build_bundle("02", tmp_path / "a.zip", "later")
    proc = subprocess.run(
        [sys.executable, "-m", "lessonkit", "gradescope", "conv", "-o", str(tmp_path / "a.zip")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 2 and proc.stderr.startswith("error: exercise must be")


def _autograde(tmp_path, bundle, name: str, writer, python=None, env=None) -> dict:
    root = tmp_path / name / "autograder"
    (root / "source").mkdir(parents=True)
    (root / "submission").mkdir()
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(root / "source")
    writer(root / "submission")
    env = dict(
        os.environ,
        LESSONKIT_AUTOGRADER_ROOT=str(root),
        LESSONKIT_AUTOGRADER_PYTHON=str(python or sys.executable),
        **(env or {}),
    )
    proc = subprocess.run(
        ["bash", str(root / "source" / "run_autograder")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


def _valid(results: dict) -> None:
    """The fields Gradescope's specification defines, with their types."""
    assert isinstance(results["score"], (int, float)) and isinstance(results["output"], str)
    assert isinstance(results["execution_time"], (int, float)) and results["execution_time"] >= 0
    assert results.get("visibility", "visible") in VISIBILITIES
    assert results.get("stdout_visibility", "hidden") in VISIBILITIES
    assert results["tests"], "no tests"
    for test in results["tests"]:
        assert set(test) <= {"score", "max_score", "status", "name", "output", "visibility", "number", "tags"}
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
        assert isinstance(test["score"], (int, float)) and isinstance(test["max_score"], (int, float))
        assert 0 <= test["score"] <= test["max_score"] and test["status"] in ("passed", "failed")
        assert test["visibility"] in VISIBILITIES
    assert sum(t["score"] for t in results["tests"]) == results["score"]
    assert any(t["visibility"] == "visible" for t in results["tests"])  # keeps the total visible


@pytest.mark.grader
@pytest.mark.skipif(sandbox_problem() is not None, reason=f"bubblewrap cannot run here: {sandbox_problem()}")
def test_run_autograder_on_right_wrong_crashing_and_unreadable(tmp_path):
    bundle = build_bundle("02_bp_delta_map", tmp_path / "autograder.zip")
    solution = ROOT / "solutions" / "02_bp_delta_map.ipynb"
    kinds = {
        "right": lambda d: shutil.copyfile(solution, d / "02_bp_delta_map.ipynb"),
        "wrong": lambda d: nbformat.write(
            planted_notebook(ROOT / "tests/planted/bp_ignored_stride.txt")[1], d / "mine.ipynb"
        ),
        "crashing": lambda d: nbformat.write(
            planted_notebook(ROOT / "tests/planted/bp_crash.txt")[1], d / "02_bp_delta_map.ipynb"
        ),
        "unreadable": lambda d: (d / "02_bp_delta_map.ipynb").write_text("{ oops", encoding="utf-8"),
    }
    results = {kind: _autograde(tmp_path, bundle, kind, writer) for kind, writer in kinds.items()}
    for r in results.values():
        _valid(r)
    full = total("bp_delta_map")
    assert [results[k]["score"] for k in kinds] == [full, without("bp_delta_map", STRIDE, EVERYTHING), 0, 0]
    hidden = [t for t in results["wrong"]["tests"] if t["max_score"] > 0]
    assert {t["visibility"] for t in hidden} == {"after_published"}
    assert any(
        t["name"] == "bp_delta_map: stride S > 1" and t["score"] == 0 and "stride ignored" in t["output"]
        for t in hidden
    )
    public = results["wrong"]["tests"][0]
    assert (
        public["visibility"] == "visible"
        and public["status"] == "failed"
        and "public case" in public["output"]
    )
    assert results["right"]["tests"][0]["output"] == "all 20 public cases pass"
    assert "could not be read" in results["unreadable"]["output"]
    # the same scores as the grader's own JSON for the same notebooks
    for kind in ("right", "wrong", "crashing"):
        notebook = next((tmp_path / kind / "autograder" / "submission").glob("*.ipynb"))
        assert grade_notebook(notebook).as_dict()["score"] == results[kind]["score"], kind  # = grade --json
    isolated = "not isolated" not in results["right"]["output"]
    assert isolated == (sandbox_problem() is None)


NO_BWRAP = "#!/bin/sh\necho 'bwrap: Creating new namespace failed: Operation not permitted' >&2\nexit 1\n"

ESCAPE = """# notebook: 02_bp_delta_map
# %% replace bp_delta_map
import os
import subprocess


def bp_delta_map(delta, w, input_shape, stride=1, padding=0):
    subprocess.Popen(
        ["sh", "-c", "sleep 2; echo '{\\"score\\": 100}' > @RESULTS@/results.json"], start_new_session=True
    )
    for path in ["@LESSONKIT@", "@SOLUTIONS@", "@SOURCE@"]:
        try:
            os.listdir(path)
        except OSError:
            continue
        raise RuntimeError("FOUND " + path)
    if os.getuid() == 0:
        raise RuntimeError("FOUND root")
    import lessonkit.network.fast  # lessonkit's own answer, if the package can be imported

    x = np.zeros((1, *input_shape))
    return lessonkit.network.fast.conv_backward(delta[None], x, w, stride, padding)[0][0]
"""


def _without_bwrap(tmp_path) -> dict:
    """The environment of a container where bubblewrap is installed but cannot make a namespace."""
    fake = tmp_path / "fakebin"
    fake.mkdir(exist_ok=True)
    (fake / "bwrap").write_text(NO_BWRAP)
    (fake / "bwrap").chmod(0o755)
    return {"PATH": f"{fake}:{os.environ['PATH']}"}


@pytest.mark.grader
def test_without_bubblewrap_the_notebook_runs_as_nobody_who_can_read_or_touch_anything(tmp_path):
    """No sandbox: an unprivileged user who cannot read lessonkit, the solutions or the bundle."""
    tmp = Path(tempfile.mkdtemp(prefix="lessonkit-gs-", dir="/tmp"))
    try:
        tmp.chmod(0o755)
        course = tmp / "course"  # the grader's own copy: it locks it away while the notebook runs
        python = reachable_python(tmp, course=course)
        if python is None:
            pytest.skip("needs root and a system Python of this version, reachable by every user")
        bundle = build_bundle("02_bp_delta_map", tmp / "autograder.zip")
        root = tmp / "gs" / "autograder"
        tokens = {
            "@RESULTS@": root / "results",
            "@LESSONKIT@": course / "lessonkit",
            "@SOLUTIONS@": course / "solutions",
            "@SOURCE@": root / "source",
        }
        spec = tmp / "escape.txt"
        spec.write_text(ESCAPE)
        kinds = {
            "right": lambda d: shutil.copyfile(ROOT / "solutions" / "02_bp_delta_map.ipynb", d / "a.ipynb"),
            "escape": lambda d: nbformat.write(planted_notebook(spec, tokens)[1], d / "a.ipynb"),
        }
        modes = {p: p.stat().st_mode for p in (tokens["@LESSONKIT@"], tokens["@SOLUTIONS@"])}
        checkout = {p: p.stat().st_mode for p in (ROOT / "lessonkit", ROOT / "solutions")}
        results, seen, done = {}, set(), threading.Event()

        def watch_checkout():  # while the notebooks run: this checkout's modes as a neighbour sees them
            while True:
                seen.update((p, p.stat().st_mode) for p in checkout)
                if done.wait(0.01):
                    return

        watcher = threading.Thread(target=watch_checkout)
        watcher.start()
        try:
            for kind, writer in kinds.items():
                shutil.rmtree(root.parent, ignore_errors=True)
                results[kind] = _autograde(
                    tmp, bundle, "gs", writer, python=python, env=_without_bwrap(tmp_path)
                )
                results[kind]["later"] = None
                if kind == "escape":
                    time.sleep(3)  # longer than the detached writer waits
                    results[kind]["later"] = json.loads((root / "results" / "results.json").read_text())
                    assert (root / "results").stat().st_mode & 0o777 == 0o700
        finally:
            done.set()
            watcher.join()
        for kind, r in results.items():
            later = r.pop("later")
            _valid(r)
            assert r["output"].startswith("graded without bubblewrap"), r["output"]
            assert "FOUND" not in json.dumps(r), (kind, r["output"])
            if later is not None:
                assert later["score"] == r["score"] and later["tests"] == r["tests"]
        assert [results[k]["score"] for k in kinds] == [total("bp_delta_map"), 0]
        assert "lessonkit" in json.dumps(results["escape"]["tests"])  # its import failed
        assert {p: p.stat().st_mode for p in modes} == modes  # put back
        assert seen == set(checkout.items())  # this checkout's package and solutions: never touched
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.mark.grader
def test_without_bubblewrap_or_a_user_to_drop_to_nothing_runs_and_the_output_says_why(tmp_path):
    """The grader's Python is not reachable by other users (or the grader is not root): score 0, reason first."""
    sys.path_importer_cache.clear()
    from lessonkit.course.grading import mounts, users

    if os.geteuid() == 0 and users._reachable_by_others([Path(sys.executable), *mounts.python_paths()]):
        pytest.skip("this Python is reachable by every user: the runner can drop to a user of its own")
    bundle = build_bundle("02_bp_delta_map", tmp_path / "autograder.zip")
    solution = ROOT / "solutions" / "02_bp_delta_map.ipynb"
    r = _autograde(
        tmp_path,
        bundle,
        "none",
        lambda d: shutil.copyfile(solution, d / "a.ipynb"),
        env=_without_bwrap(tmp_path),
    )
    _valid(r)
    first = r["output"].splitlines()[0]
    assert first.startswith("not graded: no sandbox here (bubblewrap could not make a sandbox here"), first
    assert "never runs a notebook unisolated" in first and r["score"] == 0
