"""Fixtures of the browser tests: one JupyterLab server and one headless Chromium per session.

These tests carry the ``browser`` marker and are skipped unless it is selected (``pytest -m browser``,
which is what ``make test-browser`` runs), so ``make test`` needs neither Playwright nor Chromium.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from labdriver import ARTIFACTS, CHROMIUM, ROOT, SCREENSHOTS, NotebookPage, launch_chromium, start_lab


def _browser_selected(config) -> bool:
    """True when the run asked for the browser tests by marker (``-m browser``)."""
    expr = config.getoption("markexpr") or ""
    return bool(re.search(r"(?<!not )\bbrowser\b", expr))


def pytest_collection_modifyitems(config, items):
    if _browser_selected(config):
        return
    skip = pytest.mark.skip(reason="browser test: run with `make test-browser` (pytest -m browser)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so fixtures can tell whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session", autouse=True)
def fresh_screenshots():
    """Start each browser run with an empty screenshot folder, so what is there is from this run."""
    if SCREENSHOTS.is_dir():
        for old in SCREENSHOTS.glob("*.png"):
            old.unlink()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """JupyterLab on a free 127.0.0.1 port, serving temporary COPIES of notebooks/, exercises/ and my-work/."""
    server = start_lab(
        tmp_path_factory.mktemp("jupyterlab"),
        {"notebooks": ROOT / "notebooks", "exercises": ROOT / "exercises"},
    )
    # as a learner does: `start` copies the exercises into my-work/, which the lab serves too
    subprocess.run(
        [sys.executable, "-m", "lessonkit", "start", str(server.root_dir / "my-work")], check=True, cwd=ROOT
    )
    yield server
    server.stop()
    log = server.log.read_text(errors="replace")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "jupyterlab.log").write_text(log)


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium (never a downloaded browser), headless."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: apt-get update && apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def lab_context(chromium):
    """One browser context for the session: JupyterLab's scripts come from its cache after the first page."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    yield context
    context.close()


@pytest.fixture
def open_notebook(request, lab, lab_context):
    """Open a notebook of the served copy in a new page; screenshot it if the test fails; end its kernel."""
    opened: list[NotebookPage] = []

    def _open(relpath: str) -> NotebookPage:
        page = lab_context.new_page()
        page.set_default_timeout(30_000)
        workspace = re.sub(r"\W+", "-", f"{request.node.name}-{len(opened)}").strip("-")
        nb = NotebookPage(page, lab, relpath, workspace)
        opened.append(nb)
        return nb

    yield _open
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        for i, nb in enumerate(opened):
            name = re.sub(r"\W+", "_", request.node.name).strip("_")
            try:
                nb.screenshot(SCREENSHOTS / f"FAILED-{name}-{i}.png")
            except Exception as exc:  # the page may be gone; the failure itself is what matters
                print(f"no failure screenshot: {exc}")
    for nb in opened:
        nb.page.close()
    lab.shutdown_kernels()


@pytest.fixture(scope="session")
def browser_report():
    """A dict the tests fill with what they saw; written to test-artifacts/browser-report.json."""
    data: dict = {}
    yield data
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "browser-report.json").write_text(json.dumps(data, indent=1, sort_keys=True))
