"""The course file (lessonkit.course.config): points and partial credit set without Python."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from lessonkit.course import config
from lessonkit.course.exercises import DECLARED, EXERCISES

ROOT = Path(__file__).resolve().parents[2]

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib


def test_the_shipped_file_names_every_exercise_and_group_and_the_file_in_force_is_used():
    data = tomllib.loads(config.DEFAULT.read_text(encoding="utf-8"))
    assert list(data) == list(DECLARED)
    for name, ex in DECLARED.items():
        assert data[name]["notebook"] == ex.notebook and list(data[name]["points"]) == list(ex.groups)
    # the points in force are the file's ($LESSONKIT_COURSE or the shipped one), whatever they are
    data = tomllib.loads(config.course_file().read_text(encoding="utf-8"))
    for name in DECLARED:
        assert EXERCISES[name].groups == {**DECLARED[name].groups, **data.get(name, {}).get("points", {})}
        assert EXERCISES[name].max_points == sum(EXERCISES[name].groups.values())


def test_an_empty_file_keeps_the_declared_points():
    assert config.configured(DECLARED, config.parse_course("", "course.toml", DECLARED)) == DECLARED


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[pads]\n", r"^course.toml: \[pads\] is not an exercise; the exercises are pad, rot180, dilate, "),
        ("pad = 3\n", r"^course.toml: pad must be a table \(\[pad\]\); got 3$"),
        ("[pad]\npoint = 1\n", r"^course.toml: \[pad\] has unknown key 'point'; its keys are notebook, points and partial$"),
        ("[pad]\nnotebook = '02_bp_delta_map'\n", r"^course.toml: pad.notebook must be '01_primitives'; got '02_bp_delta_map'$"),
        ("[pad.points]\n'2-D x' = 1\n", r"^course.toml: pad.points has no group '2-D x'; its groups are '2-D x, p >= 1', "),
        ("[pad.points]\n'2-D x, p >= 1' = 0\n", r"^course.toml: pad.points.'2-D x, p >= 1' must be a whole number of points, 1 or more; got 0$"),
        ("[pad.points]\n'2-D x, p >= 1' = 1.5\n", r"must be a whole number of points, 1 or more; got 1.5$"),
        ("[pad.points]\n'2-D x, p >= 1' = true\n", r"must be a whole number of points, 1 or more; got True$"),
        ("[pad.points]\n'2-D x, p >= 1' = '2'\n", r"must be a whole number of points, 1 or more; got '2'$"),
        ("[pad]\npoints = 3\n", r"^course.toml: pad.points must be a table of groups; got 3$"),
        ("[pad.partial]\n'rotated' = 0.5\n", r"^course.toml: pad.partial has no known mistake 'rotated'; its mistakes are 'leading axes padded too', 'padded on one side only', 'H and W swapped in the padded size'$"),
        ("[pad.partial]\n'padded on one side only' = 1\n", r"must be a share of the group's points between 0 and 1 \(e.g. 0.3\); got 1$"),
        ("[pad.partial]\n'padded on one side only' = nan\n", r"between 0 and 1 \(e.g. 0.3\); got nan$"),
        ("[pad\n", r"^course.toml: not valid TOML \("),
    ],
)  # fmt: skip
def test_a_bad_course_file_names_the_key_and_the_value(text, message):
    with pytest.raises(ValueError, match=message):
        config.parse_course(text, "course.toml", DECLARED)


def test_a_missing_course_file_is_named(tmp_path):
    with pytest.raises(ValueError, match=r"^course file: no such file: .*nope\.toml$"):
        config.read_course(tmp_path / "nope.toml", DECLARED)


def _course(tmp_path: Path, extra: str = "") -> Path:
    """The shipped file with bp_delta_map's "stride S > 1" worth 5 and partial credit for a mistake."""
    text = config.DEFAULT.read_text(encoding="utf-8")
    text = re.sub(r'(\[bp_delta_map\.points\][^\[]*?"stride S > 1" = )\d+', r"\g<1>5", text, count=1)
    path = tmp_path / "course.toml"
    path.write_text(text + '\n[bp_delta_map.partial]\n"filter not rotated" = 0.5\n' + extra, encoding="utf-8")
    return path


def _run(*args, env_course=None):
    import os

    env = dict(os.environ)
    env.pop(config.ENV, None)
    if env_course is not None:
        env[config.ENV] = str(env_course)
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT, env=env)


def test_check_and_the_exercises_follow_the_course_file(tmp_path):
    course = _course(tmp_path)
    expected = sum(config.read_course(course, DECLARED)["bp_delta_map"].points.values())
    code = (
        "import lessonkit, json; from lessonkit.course.exercises import EXERCISES; from lessonkit.maths import conv\n"
        "r = lessonkit.check('bp_delta_map', conv.bp_delta_map)\n"
        "print(json.dumps([EXERCISES['bp_delta_map'].groups, EXERCISES['bp_delta_map'].partial]))"
    )
    proc = _run("-c", code, env_course=course)
    assert proc.returncode == 0, proc.stderr
    groups, partial = json.loads(proc.stdout.splitlines()[-1])
    assert groups["stride S > 1"] == 5 and partial == {"filter not rotated": 0.5}
    assert f"worth {expected} points in all." in proc.stdout


@pytest.mark.grader
def test_the_grader_and_gradescope_read_the_course_file_and_give_partial_credit(tmp_path):
    sys.path.insert(0, str(ROOT / "tests"))
    import nbformat
    from submissions import planted_notebook

    course = _course(tmp_path)
    settings = config.read_course(course, DECLARED)["bp_delta_map"]
    _stem, nb = planted_notebook(ROOT / "tests" / "planted" / "bp_no_rot180.txt")
    notebook = tmp_path / "02_bp_delta_map-ann.ipynb"
    nbformat.write(nb, notebook)
    proc = _run("-m", "lessonkit", "grade", str(notebook), "--json", "--seed", "2", "--course", str(course))
    assert proc.returncode == 0, proc.stderr[-2000:]
    (e,) = json.loads(proc.stdout)["exercises"]
    assert e["max_points"] == sum(settings.points.values())
    for g in e["groups"]:  # every group fails on the unrotated filter, and keeps half of its points
        assert g["max_points"] == settings.points[g["name"]]
        assert g["points"] == pytest.approx(0.5 * g["max_points"]), g
        assert "partial credit for this known mistake" in g["reason"]
    assert e["points"] == pytest.approx(0.5 * e["max_points"])
    # the same file through the environment, and a bad one exits 2 before grading
    proc = _run("-m", "lessonkit", "grade", str(notebook), "--json", "--seed", "2", env_course=course)
    assert json.loads(proc.stdout)["exercises"][0]["points"] == e["points"]
    bad = tmp_path / "bad.toml"
    bad.write_text("[pad.points]\n'2-D x, p >= 1' = -1\n", encoding="utf-8")
    proc = _run("-m", "lessonkit", "grade", str(notebook), "--course", str(bad))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip().endswith("must be a whole number of points, 1 or more; got -1")
    # the Gradescope bundle carries the course file in force
    bundle = tmp_path / "autograder.zip"
    proc = _run("-m", "lessonkit", "gradescope", "02", "-o", str(bundle), "--course", str(course))
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(bundle) as zf:
        assert zf.read("course/lessonkit/course/course.toml").decode() == course.read_text(encoding="utf-8")


def test_a_feedback_language_needs_only_its_catalog_and_one_registration(tmp_path, monkeypatch):
    """CONTRIBUTING.md, "Adding a feedback language": a tag in i18n.LANGUAGES and lessonkit/locale/<tag>.po."""
    from lessonkit.course import i18n
    from lessonkit.course.cli import _parser

    locale = tmp_path / "locale"
    locale.mkdir()
    (locale / "fr.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "all hidden cases pass"\nmsgstr "tous les cas cachés passent"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(i18n, "LANGUAGES", (*i18n.LANGUAGES, "fr"))
    monkeypatch.setattr(i18n, "LOCALE", locale)
    i18n.catalog.cache_clear()
    try:
        assert i18n.from_locale({"LANG": "fr_FR.UTF-8"}) == "fr"
        with i18n.speaking("fr"):
            assert i18n._("all hidden cases pass") == "tous les cas cachés passent"
            assert i18n._("not implemented yet") == "not implemented yet"  # untranslated: English
        assert _parser().parse_args(["grade", "x.ipynb", "--lang", "fr"]).lang == "fr"
    finally:
        i18n.catalog.cache_clear()
