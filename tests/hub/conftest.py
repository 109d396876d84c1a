"""The JupyterHub test runs only when asked for (``pytest -m hub``, which ``make test-hub`` runs)."""

from __future__ import annotations

import re

import pytest


def pytest_collection_modifyitems(config, items):
    if re.search(r"(?<!not )\bhub\b", config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="JupyterHub test: run with `make test-hub` (pytest -m hub)")
    for item in items:
        if "hub" in item.keywords:
            item.add_marker(skip)
