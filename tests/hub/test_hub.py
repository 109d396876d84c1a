"""A real JupyterHub on loopback serving the course to two learners, driven through Chromium.

The hub runs lessonkit's own ``jupyterhub_config.py`` (loaded as a subconfig), with a dummy
authenticator, the local process spawner, ``configurable-http-proxy`` from npm and two Unix
accounts made for the test. Each learner logs in through the browser, follows the nbgitpuller link
``python -m lessonkit hub-link`` makes (the student edition, a git repository, cloned into their
home), lands in JupyterLab on lesson 00, and runs code in their own kernel: a ``lessonkit.check``,
and an attempt to read the other learner's home, which the kernel (running as that learner) is
refused. Needs root, bubblewrap-free: ``useradd``, git, Debian's Chromium and a system Python of
this version (learners cannot enter /root, where this environment's interpreter may live).
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from freshvenv import reachable_python

from lessonkit.course.hub import CONFIG, pull_link
from lessonkit.course.release import release

pytestmark = pytest.mark.hub

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts" / "hub"


def _proxy() -> str | None:
    """configurable-http-proxy: the one make test-hub installs into the venv, else the PATH's."""
    local = Path(sys.prefix) / "node" / "node_modules" / ".bin" / "configurable-http-proxy"
    return str(local) if local.exists() else shutil.which("configurable-http-proxy")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _missing() -> str | None:
    if os.geteuid() != 0:
        return "needs root (the hub makes and switches users)"
    for tool in ("useradd", "userdel", "git"):
        if shutil.which(tool) is None:
            return f"needs {tool}"
    if not Path(CHROMIUM).exists():
        return "needs Debian's Chromium (apt-get install chromium)"
    if _proxy() is None:
        return "needs configurable-http-proxy (make test-hub installs it from npm)"
    try:
        import jupyterhub  # noqa: F401
        import nbgitpuller  # noqa: F401
        import playwright  # noqa: F401
    except ImportError as exc:
        return f"needs {exc.name} (pip install -e '.[hub,browser]')"
    return None


# Runs code in the learner's own kernel from the page (cookie auth, as JupyterLab itself does):
# start a kernel over REST, send one execute_request over its websocket, collect what it prints.
_RUN_IN_KERNEL = """
async ([base, code]) => {
  const xsrf = decodeURIComponent((document.cookie.match(/(?:^|; )_xsrf=([^;]+)/) || [])[1] || "");
  const made = await fetch(base + "api/kernels", {method: "POST", headers: {"X-XSRFToken": xsrf,
    "Content-Type": "application/json"}, body: JSON.stringify({name: "python3"})});
  if (!made.ok) return {error: "kernel not started: " + made.status};
  const kernel = await made.json();
  const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host
    + base + "api/kernels/" + kernel.id + "/channels");
  const id = crypto.randomUUID();
  return await new Promise((resolve) => {
    let out = "";
    const timer = setTimeout(() => resolve({error: "no reply in 150 s", out}), 150000);
    ws.onerror = () => { clearTimeout(timer); resolve({error: "websocket failed", out}); };
    ws.onopen = () => ws.send(JSON.stringify({
      header: {msg_id: id, username: "", session: crypto.randomUUID(), msg_type: "execute_request",
               version: "5.3", date: new Date().toISOString()},
      parent_header: {}, metadata: {}, channel: "shell", buffers: [],
      content: {code, silent: false, store_history: false, user_expressions: {}, allow_stdin: false,
                stop_on_error: true}}));
    ws.onmessage = (event) => {
      const msg = JSON.parse(event.data);
      if (msg.parent_header.msg_id !== id) return;
      if (msg.msg_type === "stream") out += msg.content.text;
      if (msg.msg_type === "error") out += msg.content.ename + ": " + msg.content.evalue + "\\n";
      if (msg.msg_type === "status" && msg.content.execution_state === "idle") {
        clearTimeout(timer); ws.close(); resolve({out});
      }
    };
  });
}
"""

_CODE = """
import os, pwd
import numpy as np
import lessonkit
print("user", pwd.getpwuid(os.getuid()).pw_name)
print("edition", os.path.isfile(os.path.expanduser("~/course/exercises/01_primitives.ipynb")))
def pad(x, p):
    x = np.asarray(x, dtype=float)
    return np.pad(x, [(0, 0)] * (x.ndim - 2) + [(p, p), (p, p)])
passed = bool(lessonkit.check("pad", pad))
print("check", passed)
try:
    os.listdir(OTHER)
    print("other", "READ")
except PermissionError:
    print("other", "DENIED")
"""


@pytest.fixture
def hub():
    why = _missing()
    if why:
        pytest.skip(why)
    base = Path(tempfile.mkdtemp(prefix="lessonkit-hub-", dir="/tmp"))
    base.chmod(0o755)
    tag = secrets.token_hex(3)
    users = [f"lk-ann-{tag}", f"lk-ben-{tag}"]
    proc = server = None
    try:
        python = reachable_python(base)
        if python is None:
            pytest.skip("needs a system Python of this version that every user can run")
        # the environment's Jupyter configuration and data too (nbgitpuller's server extension, the
        # widgets' lab extension), as an image built for the hub has them in its prefix
        for part in ("etc/jupyter", "share/jupyter"):
            if (Path(sys.prefix) / part).is_dir():
                (python.parent.parent / part).parent.mkdir(parents=True, exist_ok=True)
                subprocess.run(
                    ["cp", "-al", str(Path(sys.prefix) / part), str(python.parent.parent / part)], check=True
                )
        # the student edition as a git repository, as a teacher pushes it for nbgitpuller
        edition = base / "edition"
        release(edition, "en")
        git = ["git", "-c", "user.name=Teacher", "-c", "user.email=t@x.example", "-C", str(edition)]
        for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "edition"]):
            subprocess.run([*git, *args], check=True, capture_output=True)
        # served by git's own daemon, as a hub's git host would serve it (nbgitpuller clones shallow)
        bare = base / "git" / "edition.git"
        subprocess.run(["git", "clone", "-q", "--bare", str(edition), str(bare)], check=True)
        git_port = _free_port()
        server = subprocess.Popen(
            ["git", "daemon", "--export-all", "--reuseaddr", f"--base-path={base / 'git'}",
             "--listen=127.0.0.1", f"--port={git_port}", str(base / "git")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        repo = f"git://127.0.0.1:{git_port}/edition.git"
        (base / "home").mkdir()
        for user in users:
            home = base / "home" / user
            subprocess.run(["useradd", "-m", "-d", str(home), "-s", "/bin/sh", user], check=True)
            home.chmod(0o700)
        port, hub_port, api_port = _free_port(), _free_port(), _free_port()
        config = base / "jupyterhub_config.py"
        config.write_text(
            "c = get_config()  # noqa\n"
            f"load_subconfig({str(CONFIG)!r})  # noqa: the course's own configuration\n"
            f"c.JupyterHub.bind_url = 'http://127.0.0.1:{port}'\n"
            f"c.JupyterHub.hub_ip = '127.0.0.1'\nc.JupyterHub.hub_port = {hub_port}\n"
            f"c.ConfigurableHTTPProxy.command = [{_proxy()!r}]\n"
            f"c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:{api_port}'\n"
            f"c.ConfigurableHTTPProxy.pid_file = {str(base / 'proxy.pid')!r}\n"
            "c.JupyterHub.authenticator_class = 'dummy'\n"
            "c.DummyAuthenticator.password = 'course'\n"
            f"c.Authenticator.allowed_users = {set(users)!r}\n"
            f"c.JupyterHub.db_url = 'sqlite:///{base / 'hub.sqlite'}'\n"
            f"c.JupyterHub.cookie_secret_file = {str(base / 'cookie_secret')!r}\n"
            f"c.Spawner.cmd = [{str(python)!r}, '-m', 'jupyterhub.singleuser']\n"
            "c.Spawner.start_timeout = 180\nc.Spawner.http_timeout = 180\n"
            "c.JupyterHub.cleanup_servers = True\n",
            encoding="utf-8",
        )
        log = base / "hub.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "PYTHON"))}
        proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(config)],
            cwd=base,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"jupyterhub exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
            try:
                urllib.request.urlopen(f"{url}/hub/api/", timeout=5).read()
                break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    pytest.fail(f"jupyterhub did not answer in 120 s:\n{log.read_text()[-4000:]}")
                time.sleep(0.5)
        yield {"url": url, "users": users, "repo": repo, "base": base, "log": log}
    finally:
        if server is not None:
            server.kill()
            server.wait()
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for user in users:
            try:
                pwd.getpwnam(user)
            except KeyError:
                continue
            subprocess.run(["pkill", "-KILL", "-u", user], capture_output=True)
            subprocess.run(["userdel", "-r", user], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def test_two_learners_each_get_the_edition_run_a_check_and_cannot_read_each_other(hub):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    link = pull_link(hub["url"], hub["repo"])
    homes = {u: str(hub["base"] / "home" / u) for u in hub["users"]}
    results = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"],
        )  # fmt: skip
        try:
            for me, other in (hub["users"], hub["users"][::-1]):
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                page = context.new_page()
                page.goto(f"{hub['url']}/hub/login", timeout=60000)
                page.fill("#username_input", me)
                page.fill("#password_input", "course")
                page.click("#login_submit")
                page.wait_for_url(f"**/user/{me}/**", timeout=240000)  # the server spawned
                page.goto(link, timeout=60000)
                # nbgitpuller clones the edition, then sends the learner to lesson 00 in JupyterLab
                try:
                    page.wait_for_url("**/lab/tree/course/notebooks/00_start_here.ipynb*", timeout=180000)
                except Exception:
                    page.screenshot(path=str(ARTIFACTS / f"{me.split('-')[1]}-stuck.png"))
                    raise AssertionError(
                        f"not in lesson 00: {page.url}\n{page.inner_text('body')[-2000:]}\n"
                        + hub["log"].read_text()[-3000:]
                    ) from None
                page.wait_for_selector(".jp-Notebook", timeout=120000)
                page.screenshot(path=str(ARTIFACTS / f"{me.split('-')[1]}-lesson-00.png"))
                code = _CODE.replace("OTHER", json.dumps(homes[other]))
                got = page.evaluate(_RUN_IN_KERNEL, [f"/user/{me}/", code])
                results[me] = got
                context.close()
        finally:
            browser.close()
    for me in hub["users"]:
        got = results[me]
        assert "error" not in got, (got, hub["log"].read_text()[-3000:])
        lines = dict(ln.split(" ", 1) for ln in got["out"].splitlines() if ln.split(" ", 1)[0] in
                     ("user", "edition", "check", "other"))  # fmt: skip
        assert lines == {"user": me, "edition": "True", "check": "True", "other": "DENIED"}, got["out"]
        assert "pad: all" in got["out"] and "public cases pass" in got["out"]
        # the clone is the learner's own, in their home, which only they can enter
        home = Path(homes[me])
        assert (home / "course" / "notebooks" / "00_start_here.ipynb").is_file()
        assert home.stat().st_mode & 0o077 == 0 and home.stat().st_uid == pwd.getpwnam(me).pw_uid
        assert (home / "course").stat().st_uid == pwd.getpwnam(me).pw_uid
