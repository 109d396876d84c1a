"""Serving the course from a JupyterHub: the shipped configuration and the nbgitpuller link.

``python -m lessonkit hub-link REPO --hub URL`` prints the link to send learners: it logs them in,
clones the student edition's git repository (``python -m lessonkit release`` writes it) into
``~/course`` on first use, merges updates later without overwriting a learner's edits (nbgitpuller's
rule), and opens lesson 00.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode, urlsplit

__all__ = ["CONFIG", "pull_link"]

CONFIG = Path(__file__).with_name("jupyterhub") / "jupyterhub_config.py"


def pull_link(
    hub: str,
    repo: str,
    branch: str = "main",
    folder: str = "course",
    open_path: str = "notebooks/00_start_here.ipynb",
) -> str:
    """The nbgitpuller link that puts ``repo`` into each learner's ``~/folder`` and opens ``open_path``.

    Examples
    --------
    >>> pull_link("https://hub.example.edu", "https://git.example.edu/conv/edition.git")
    'https://hub.example.edu/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgit.example.edu%2Fconv%2Fedition.git&branch=main&targetPath=course&urlpath=lab%2Ftree%2Fcourse%2Fnotebooks%2F00_start_here.ipynb'
    """
    parts = urlsplit(hub)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"hub must be the hub's address, like https://hub.example.edu; got {hub!r}")
    if not repo or any(ch.isspace() for ch in repo):
        raise ValueError(f"repo must be a git repository's address (no spaces); got {repo!r}")
    if not folder or "/" in folder or folder in (".", ".."):
        raise ValueError(f"folder must be one folder name inside the learner's home; got {folder!r}")
    query = urlencode(
        {"repo": repo, "branch": branch, "targetPath": folder, "urlpath": f"lab/tree/{folder}/{open_path}"}
    )
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"
