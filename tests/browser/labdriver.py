"""A JupyterLab server on a free loopback port and a Playwright page object for one notebook.

Used by the browser tests (``make test-browser``). Importing this module needs neither Playwright nor
a browser; only the functions that drive the page do.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"  # git-ignored; CI keeps it
SCREENSHOTS = ARTIFACTS / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]
# Output text that means a cell (or a widget callback) failed, as opposed to a warning on stderr.
TRACEBACK = re.compile(
    r"Traceback \(most recent call last\)|^\s*(\w+\.)*\w*(Error|Exception|Interrupt)\b(:|\s*$)", re.M
)
# What ipywidgets / JupyterLab show when a widget or an output cannot be drawn.
RENDER_FAILURES = ("Error displaying widget", "Error rendering output", "Failed to load model class")


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write_json(path: Path, data) -> None:
    """Write data as JSON, creating parent folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1))


@dataclass
class LabServer:
    """A running ``jupyter lab`` process serving ``root_dir``."""

    url: str
    token: str
    root_dir: Path
    log: Path
    proc: subprocess.Popen = field(repr=False)

    def api(self, path: str, method: str = "GET"):
        """Call the server's REST API and return the decoded JSON (or None)."""
        req = urllib.request.Request(
            f"{self.url}/api/{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def page_url(self, relpath: str, workspace: str) -> str:
        """Address that opens relpath in a fresh, named workspace (no tabs restored from earlier tests)."""
        return f"{self.url}/lab/workspaces/{workspace}/tree/{relpath}?token={self.token}"

    def shutdown_kernels(self) -> None:
        """End every session and kernel the server holds, so the next notebook gets the CPU."""
        for session in self.api("sessions") or []:
            self.api(f"sessions/{session['id']}", method="DELETE")
        for kernel in self.api("kernels") or []:
            self.api(f"kernels/{kernel['id']}", method="DELETE")

    def stop(self) -> None:
        """Shut the server down through its API, then make sure the process is gone."""
        try:
            self.api("shutdown", method="POST")
        except (urllib.error.URLError, OSError):
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_lab(base: Path, sources: dict[str, Path], token: str = "lessonkit-browser-test") -> LabServer:
    """Start JupyterLab on a free 127.0.0.1 port with every Jupyter folder inside ``base``.

    ``sources`` maps a folder name under the served root to a folder of the repository; each is
    COPIED, so the browser never writes to the repository's notebooks. The kernel is the python3
    spec of ipykernel in the running interpreter (the project's venv). Announcements, news and the
    update check are off, and notebook windowing is off so every cell is in the DOM.
    """
    from ipykernel.kernelspec import get_kernel_dict

    root_dir = base / "root"
    for name, src in sources.items():
        if src.is_dir():
            shutil.copytree(src, root_dir / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    root_dir.mkdir(parents=True, exist_ok=True)
    jhome = base / "jupyter"
    env = dict(os.environ)
    env.update(
        JUPYTER_CONFIG_DIR=str(jhome / "config"),
        JUPYTER_DATA_DIR=str(jhome / "data"),
        JUPYTER_PATH=str(jhome / "data"),  # searched first: our python3 kernel spec wins
        JUPYTER_RUNTIME_DIR=str(jhome / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(jhome / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(jhome / "workspaces"),
        IPYTHONDIR=str(jhome / "ipython"),
        JUPYTER_PLATFORM_DIRS="1",
        JUPYTER_NO_CONFIG="",
        PYTHONUNBUFFERED="1",
    )
    env.pop("MPLBACKEND", None)  # the kernel must use the inline backend, as a learner's does
    # The kernel: this interpreter (the venv's python) running ipykernel.
    _write_json(jhome / "data" / "kernels" / "python3" / "kernel.json", get_kernel_dict())
    # No announcements toast, no news, nothing fetched from the internet.
    _write_json(
        jhome / "config" / "labconfig" / "page_config.json",
        {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}},
    )
    settings = jhome / "settings"
    _write_json(
        settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings",
        {"windowingMode": "none"},
    )
    _write_json(
        settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings",
        {"fetchNews": "false", "checkForUpdates": False},
    )
    _write_json(
        settings / "@jupyterlab" / "docmanager-extension" / "plugin.jupyterlab-settings",
        {"autosave": False},
    )
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--ServerApp.open_browser=False",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root_dir}",
        f"--IdentityProvider.token={token}",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabServerApp.workspaces_dir=" + str(jhome / "workspaces"),
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = base / "jupyterlab.log"
    proc = subprocess.Popen(
        cmd, env=env, cwd=root_dir, stdout=log.open("w"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
    )
    server = LabServer(f"http://127.0.0.1:{port}", token, root_dir, log, proc)
    deadline = time.monotonic() + 90
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            server.api("status")
            return server
        except (urllib.error.URLError, OSError):
            if time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(
                    f"jupyter lab did not answer in 90 s:\n{log.read_text()[-3000:]}"
                ) from None
            time.sleep(0.5)


def launch_chromium(playwright):
    """Debian's Chromium, headless, with nothing that phones home."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


# JavaScript run in the page. Each returns plain data so the Python side can compare and report.
_JS_CELLS = """
() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell')]
  .map((cell, index) => ({
    index,
    code: cell.classList.contains('jp-CodeCell'),
    prompt: (cell.querySelector('.jp-InputArea-prompt') || {}).textContent || '',
    source: (cell.querySelector('.jp-InputArea-editor') || {}).textContent || '',
  }))
"""

_JS_FAILURES = """
([patternSource, renderFailures]) => {
  const pattern = new RegExp(patternSource, 'm');
  const out = [];
  const cells = document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell');
  cells.forEach((cell, index) => {
    cell.querySelectorAll('.jp-OutputArea-output').forEach((o) => {
      const text = o.innerText || '';
      const stderr = o.getAttribute('data-mime-type') === 'application/vnd.jupyter.stderr';
      if (stderr && pattern.test(text)) out.push({index, kind: 'traceback', text: text.slice(0, 1500)});
      for (const f of renderFailures) {
        if (text.includes(f)) out.push({index, kind: 'render', text: text.slice(0, 500)});
      }
    });
  });
  return out;
}
"""

# Top-level widget views: output areas of a cell that hold a .jupyter-widgets element. Each gets a
# data-e2e-widget attribute so Python can find it again.
_JS_TAG_WIDGETS = """
() => {
  const found = [];
  const cells = document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell');
  cells.forEach((cell, index) => {
    const area = cell.querySelector(':scope .jp-Cell-outputArea');
    if (!area) return;
    area.querySelectorAll(':scope > .jp-OutputArea-child > .jp-OutputArea-output').forEach((o) => {
      if (o.querySelector('.jupyter-widgets') || o.classList.contains('jupyter-widgets')) {
        const id = `${index}-${found.length}`;
        o.setAttribute('data-e2e-widget', id);
        found.push({id, cell: index});
      }
    });
  });
  return found;
}
"""

# What a learner sees of a widget besides its controls: images (by their data) and text, with the
# controls' own readouts and option lists left out (they change whenever the control moves).
_JS_SNAPSHOT = """
(root) => {
  const clone = root.cloneNode(true);
  clone.querySelectorAll('.widget-readout, select, .widget-dropdown, .widget-toggle-buttons, '
                         + '.widget-radio-box, .widget-slider, .widget-checkbox')
       .forEach((e) => e.remove());
  const images = [...root.querySelectorAll('img')].map((i) => i.getAttribute('src') || '');
  const canvases = [...root.querySelectorAll('canvas')].map((c) => { try { return c.toDataURL(); } catch (e) { return ''; } });
  return {text: clone.textContent.replace(/\\s+/g, ' ').trim(), images, canvases};
}
"""

# The controls inside a widget view that a learner can move, as a selector per control.
_JS_CONTROLS = """
(root) => {
  const controls = [];
  const mark = (el, kind) => {
    const id = `${root.getAttribute('data-e2e-widget')}-c${controls.length}`;
    el.setAttribute('data-e2e-control', id);
    controls.push({id, kind, label: (el.closest('.jupyter-widgets')?.querySelector('.widget-label')?.textContent || '').trim()});
  };
  root.querySelectorAll('.widget-slider .noUi-handle').forEach((h) => {
    if (!h.closest('.mod-disabled') && h.getAttribute('aria-disabled') !== 'true') mark(h, 'slider');
  });
  root.querySelectorAll('.widget-dropdown select').forEach((s) => { if (!s.disabled && s.options.length > 1) mark(s, 'select'); });
  root.querySelectorAll('.widget-select select').forEach((s) => { if (!s.disabled && s.options.length > 1) mark(s, 'select'); });
  root.querySelectorAll('.widget-toggle-buttons').forEach((g) => {
    if (g.querySelectorAll('button:not([disabled])').length > 1) mark(g, 'toggle-buttons');
  });
  root.querySelectorAll('.widget-radio-box').forEach((g) => {
    if (g.querySelectorAll('input:not([disabled])').length > 1) mark(g, 'radio');
  });
  root.querySelectorAll('.widget-checkbox input[type=checkbox]:not([disabled])').forEach((c) => mark(c, 'checkbox'));
  root.querySelectorAll('button.widget-toggle-button:not([disabled])').forEach((b) => {
    if (!b.closest('.widget-toggle-buttons')) mark(b, 'toggle');
  });
  return controls;
}
"""


def _digest(snapshot: dict) -> str:
    """Short fingerprint of a widget snapshot, for messages."""
    return hashlib.sha1(json.dumps(snapshot, sort_keys=True).encode()).hexdigest()[:10]


class NotebookPage:
    """One notebook open in JupyterLab in a Playwright page."""

    def __init__(self, page, server: LabServer, relpath: str, workspace: str):
        self.page = page
        self.server = server
        self.relpath = relpath
        self.console_errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        page.goto(server.page_url(relpath, workspace))
        page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=60_000)
        self.wait_kernel_idle(timeout=60)

    # -- kernel and menus -------------------------------------------------------------------
    def kernel_status(self) -> str:
        """The status the notebook toolbar shows ('idle', 'busy', 'starting', ...)."""
        loc = self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator")
        if loc.count() == 0:
            return ""
        return loc.first.get_attribute("data-status") or ""

    def wait_kernel_idle(self, timeout: float = 60) -> None:
        """Wait until the kernel reports idle twice in a row, half a second apart."""
        deadline = time.monotonic() + timeout
        idle_seen = 0
        while idle_seen < 2:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{self.relpath}: kernel not idle after {timeout} s ({self.kernel_status()!r})"
                )
            idle_seen = idle_seen + 1 if self.kernel_status() == "idle" else 0
            time.sleep(0.5)

    def menu(self, top: str, item: str) -> None:
        """Click a main-menu entry, e.g. menu('Run', 'Run All Cells')."""
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{re.escape(top)}$")).click()
        entry = self.page.locator(".lm-Menu-item:not(.lm-mod-hidden) .lm-Menu-itemLabel").filter(
            has_text=re.compile(f"^{re.escape(item)}$")
        )
        entry.first.click()

    def cells(self) -> list[dict]:
        """Index, type, input prompt and source text of every cell."""
        return self.page.evaluate(_JS_CELLS)

    def run_all(self, timeout: float = 180) -> float:
        """Clear every output, run all cells from the Run menu, wait until the run ends; return seconds."""
        self.menu("Edit", "Clear Outputs of All Cells")
        self.page.wait_for_function(
            "() => ![...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell "
            ".jp-InputArea-prompt')].some((p) => /\\d/.test(p.textContent))",
            timeout=20_000,
        )
        start = time.monotonic()
        started = (
            "() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell "
            ".jp-InputArea-prompt')].some((p) => /[*\\d]/.test(p.textContent))"
        )
        # A kernel that has only just started can report idle before it takes requests; then Run All
        # walks the cells without running them. Ask again (at most twice) in that case.
        for attempt in range(3):
            self.menu("Run", "Run All Cells")
            try:
                self.page.wait_for_function(started, timeout=15_000)
                break
            except Exception:
                if attempt == 2:
                    raise
                self.wait_kernel_idle(timeout=60)
        self.wait_run_ended(timeout)
        return time.monotonic() - start

    def not_run(self) -> list[int]:
        """Code cells without an execution count (Run All stops at the first error)."""
        return [c["index"] for c in self.cells() if c["code"] and not re.search(r"\[\d+\]", c["prompt"])]

    def wait_run_ended(self, timeout: float = 180) -> None:
        """Wait until no cell is queued or running ([*]) and the kernel is idle, then for outputs to settle."""
        deadline = time.monotonic() + timeout
        calm = 0
        while calm < 3:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{self.relpath}: still running after {timeout} s; not run: {self.not_run()}"
                )
            busy = any("*" in c["prompt"] for c in self.cells() if c["code"])
            calm = calm + 1 if not busy and self.kernel_status() == "idle" else 0
            time.sleep(0.5)
        self.settle()

    def settle(self, quiet: float = 1.0, timeout: float = 20) -> None:
        """Wait until widgets stop saying 'Loading widget...' and the outputs stop changing."""
        deadline = time.monotonic() + timeout
        last = None
        stable_since = time.monotonic()
        while time.monotonic() < deadline:
            html = self.page.evaluate(
                "() => { const n = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');"
                " return n ? n.innerText.length + ':' + n.querySelectorAll('img').length : ''; }"
            )
            loading = self.page.get_by_text("Loading widget...").count()
            if html != last or loading:
                last, stable_since = html, time.monotonic()
            elif time.monotonic() - stable_since >= quiet:
                return
            time.sleep(0.25)

    def save(self) -> None:
        """Save the notebook (into the served copy) and wait until it is no longer dirty."""
        self.page.keyboard.press("Control+s")
        self.page.wait_for_function(
            "() => !document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)')"
            "?.parentElement?.querySelector('.jp-mod-dirty') && "
            "!document.querySelector('.lm-TabBar-tab.jp-mod-current.jp-mod-dirty')",
            timeout=20_000,
        )

    # -- errors -----------------------------------------------------------------------------
    def failures_in_dom(self) -> list[dict]:
        """Tracebacks in stderr outputs (also inside widget outputs) and widgets that failed to draw."""
        return self.page.evaluate(_JS_FAILURES, [TRACEBACK.pattern, list(RENDER_FAILURES)])

    def saved_error_outputs(self) -> list[str]:
        """Error outputs (output_type 'error') in the notebook as saved by the browser."""
        import nbformat

        nb = nbformat.read(self.server.root_dir / self.relpath, as_version=4)
        return [
            f"cell {i}: {o.get('ename')}: {o.get('evalue')}"
            for i, c in enumerate(nb.cells)
            if c.cell_type == "code"
            for o in c.get("outputs", [])
            if o.get("output_type") == "error"
        ]

    # -- widgets ----------------------------------------------------------------------------
    def widgets(self) -> list[dict]:
        """Tag and list every top-level widget view in the notebook."""
        return self.page.evaluate(_JS_TAG_WIDGETS)

    def widget(self, wid: str):
        """Locator of a tagged widget view."""
        return self.page.locator(f'[data-e2e-widget="{wid}"]')

    def snapshot(self, wid: str) -> dict:
        """What a learner sees of the widget apart from its controls."""
        return self.widget(wid).evaluate(_JS_SNAPSHOT)

    def display_only(self, wid: str) -> bool:
        """True for a widget a learner cannot operate (a progress bar, a label): no inputs at all."""
        return self.widget(wid).evaluate(
            "(r) => r.querySelectorAll('input, select, button, textarea, .noUi-handle, "
            '[contenteditable="true"]\').length === 0'
        )

    def controls(self, wid: str) -> list[dict]:
        """Tag and list the movable controls of a widget view."""
        return self.widget(wid).evaluate(_JS_CONTROLS)

    def move(self, control: dict, attempt: int) -> str:
        """Move a control the way a learner would; return what was done."""
        loc = self.page.locator(f'[data-e2e-control="{control["id"]}"]')
        loc.scroll_into_view_if_needed()
        kind = control["kind"]
        if kind == "slider":
            # Right first; if the handle is at its maximum the value does not move, so go left.
            before = loc.get_attribute("aria-valuenow")
            loc.focus()
            key = "ArrowRight" if attempt == 0 else "ArrowLeft"
            loc.press(key)
            if loc.get_attribute("aria-valuenow") == before:
                key = "ArrowLeft" if key == "ArrowRight" else "ArrowRight"
                loc.press(key)
            return f"slider {before} -> {loc.get_attribute('aria-valuenow')} ({key})"
        if kind == "select":
            options = loc.evaluate("(s) => [...s.options].map((o) => o.value)")
            current = loc.evaluate("(s) => s.value")
            others = [o for o in options if o != current]
            choice = others[attempt % len(others)]
            loc.select_option(choice)
            return f"select {current!r} -> {choice!r}"
        if kind in ("toggle-buttons", "radio"):
            sel = (
                "button:not(.mod-active):not([disabled])"
                if kind == "toggle-buttons"
                else "input:not(:checked)"
            )
            targets = loc.locator(sel)
            target = targets.nth(attempt % targets.count())
            label = target.text_content() or target.get_attribute("value") or ""
            target.click()
            return f"{kind} -> {label.strip()!r}"
        loc.click()
        return f"{kind} clicked"

    def wait_changed(self, wid: str, before: dict, timeout: float = 15) -> dict | None:
        """Return the widget's new snapshot once it differs from ``before`` (None if it never does)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            time.sleep(0.3)
            now = self.snapshot(wid)
            if now != before and self.page.get_by_text("Loading widget...").count() == 0:
                # let the kernel finish drawing, then take the settled state
                self.wait_kernel_idle(timeout=30)
                return self.snapshot(wid)
        return None

    # -- editing ----------------------------------------------------------------------------
    def replace_cell_source(self, index: int, text: str) -> None:
        """Click into a cell's editor, select everything and put ``text`` in its place."""
        cell = self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell").nth(index)
        cell.scroll_into_view_if_needed()
        editor = cell.locator(".jp-InputArea-editor .cm-content")
        editor.click()
        self.page.keyboard.press("Control+a")
        self.page.keyboard.press("Delete")
        # insert_text types the text as one input event, as a paste would: no auto-indent doubling
        self.page.keyboard.insert_text(text)

    def run_cell(self, index: int, timeout: float = 60) -> None:
        """Select a cell by clicking its prompt area, run it with Shift+Enter and wait for it."""
        cell = self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell").nth(index)
        cell.locator(".jp-InputArea-editor").click()
        self.page.keyboard.press("Shift+Enter")
        deadline = time.monotonic() + timeout
        time.sleep(0.3)
        while True:
            prompt = cell.locator(".jp-InputArea-prompt").text_content() or ""
            if re.search(r"\[\d+\]", prompt) and self.kernel_status() == "idle":
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.relpath}: cell {index} did not finish in {timeout} s")
            time.sleep(0.3)
        self.settle(quiet=0.5)

    def cell_output_text(self, index: int) -> str:
        """The text of a cell's outputs as shown."""
        cell = self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell").nth(index)
        area = cell.locator(".jp-Cell-outputArea")
        return area.inner_text() if area.count() else ""

    def screenshot(self, path: Path, full: bool = False) -> Path:
        """Save a screenshot of the page (or of the notebook scrolled through, if full)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=full)
        return path
