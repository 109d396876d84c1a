"""JupyterLab's course-wide settings: ``make lab`` (and a hub image from the wheel) shows no news popup.

The override lives in ``lessonkit/course/jupyterlab/overrides.json``; make venv copies it into the
venv's ``share/jupyter/lab/settings`` and the wheel's data-files install it there. JupyterLab's own
settings code reads it, as it does when it serves the settings to the browser.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from jupyterlab.commands import get_app_dir
from jupyterlab_server.settings_utils import get_settings

ROOT = Path(__file__).resolve().parents[1]
OVERRIDES = ROOT / "lessonkit" / "course" / "jupyterlab" / "overrides.json"


def _default(plugin: str, key: str):
    app = Path(get_app_dir())
    with tempfile.TemporaryDirectory() as user:  # no user settings: what a new learner gets
        found, _ = get_settings(str(app / "settings"), str(app / "schemas"), user, schema_name=plugin)
    return found["schema"]["properties"][key]["default"]


def test_the_venv_has_the_courses_overrides():
    installed = Path(get_app_dir()) / "settings" / "overrides.json"
    assert json.loads(installed.read_text(encoding="utf-8")) == json.loads(
        OVERRIDES.read_text(encoding="utf-8")
    )


def test_jupyterlab_asks_no_news_question_and_checks_no_updates():
    plugin = "@jupyterlab/apputils-extension:notification"
    assert _default(plugin, "fetchNews") == "false"  # "none" would ask; "true" would fetch
    assert _default(plugin, "checkForUpdates") is False
