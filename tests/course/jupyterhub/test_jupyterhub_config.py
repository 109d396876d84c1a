"""lessonkit's jupyterhub_config.py and the nbgitpuller link (the real hub: tests/hub, make test-hub)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from lessonkit.course.hub import CONFIG, pull_link

ROOT = Path(__file__).resolve().parents[3]


def test_the_config_sets_one_account_per_learner_and_opens_lesson_00():
    jupyterhub = pytest.importorskip("jupyterhub")  # noqa: F841 (traitlets' loader is what the hub uses)
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader(CONFIG.name, path=str(CONFIG.parent)).load_config()
    assert config.JupyterHub.spawner_class == "jupyterhub.spawner.LocalProcessSpawner"
    assert config.LocalAuthenticator.create_system_users is True
    assert config.Authenticator.allow_all is False
    assert config.Spawner.default_url == "/lab/tree/course/notebooks/00_start_here.ipynb"
    assert "--LabApp.news_url=" in config.Spawner.args


def test_the_pull_link_opens_lesson_00_of_the_clone():
    link = pull_link("https://hub.example.edu/", "https://git.example.edu/c/edition.git", folder="conv")
    parts = urlsplit(link)
    assert parts.path == "/hub/user-redirect/git-pull"
    assert parse_qs(parts.query) == {
        "repo": ["https://git.example.edu/c/edition.git"],
        "branch": ["main"],
        "targetPath": ["conv"],
        "urlpath": ["lab/tree/conv/notebooks/00_start_here.ipynb"],
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["hub.example.edu", "r"], r"^hub must be the hub's address, like https://hub.example.edu; got 'hub.example.edu'$"),
        (["https://h.example", "a repo"], r"^repo must be a git repository's address \(no spaces\); got 'a repo'$"),
        (["https://h.example", "r", "main", "../x"], r"^folder must be one folder name inside the learner's home; got '../x'$"),
    ],
)  # fmt: skip
def test_a_bad_link_argument_is_named(args, message):
    with pytest.raises(ValueError, match=message):
        pull_link(*args)


def test_hub_link_command():
    proc = subprocess.run(
        [sys.executable, "-m", "lessonkit", "hub-link", "https://git.example.edu/e.git", "--hub", "https://h.example"],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert proc.returncode == 0 and proc.stdout.startswith(
        "https://h.example/hub/user-redirect/git-pull?repo="
    )
    proc = subprocess.run(
        [sys.executable, "-m", "lessonkit", "hub-link", "r", "--hub", "ftp://h"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 2 and proc.stderr.startswith("error: hub must be the hub's address")
