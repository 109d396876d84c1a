"""JupyterHub for the course on one server: every learner logs in, gets their own Unix account and
JupyterLab, and nbgitpuller puts the student edition into their home.

Use it as is, or load it from your own config and change what differs::

    # /etc/jupyterhub/jupyterhub_config.py
    c = get_config()  # noqa: F821
    load_subconfig("/path/to/lessonkit/course/jupyterhub/jupyterhub_config.py")  # noqa: F821
    c.Authenticator.allowed_users = {"ann", "ben"}  # or an LMS/OAuth authenticator

then ``jupyterhub -f /etc/jupyterhub/jupyterhub_config.py`` (as root: the hub creates and switches
users) with ``configurable-http-proxy`` on the PATH (``npm install -g configurable-http-proxy``).
Send learners the link ``python -m lessonkit hub-link`` prints: it logs them in, clones (or, on
later clicks, merges without overwriting their edits) the edition's git repository into
``~/course`` and opens lesson 00.

The values below are the course's defaults; each says why.
"""

c = get_config()  # type: ignore[name-defined]  # noqa: F821 (JupyterHub provides it)

# One Unix account per learner: files are theirs alone (homes are 0700) and the kernel runs as them,
# so one learner's code can neither read nor change another's work.
c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
c.LocalAuthenticator.create_system_users = True  # a learner's account is made at first login
c.Authenticator.allow_all = False  # name the class: c.Authenticator.allowed_users = {...}

# Each learner's JupyterLab opens in their home; nbgitpuller's link opens lesson 00 there.
c.Spawner.notebook_dir = "~"
c.Spawner.default_url = "/lab/tree/course/notebooks/00_start_here.ipynb"
c.Spawner.args = [
    # no "Jupyter news?" question and no update check while a lesson is projected
    "--LabApp.news_url=",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
]
# Enough for the capstone (a small CNN on the digits); the lessons need far less. LocalProcessSpawner
# only announces these; systemdspawner or Zero to JupyterHub's KubeSpawner enforce them.
c.Spawner.mem_limit = "2G"
c.Spawner.cpu_limit = 1.0

# Serve on every address, port 8000; put TLS in front (a reverse proxy, or c.JupyterHub.ssl_cert).
c.JupyterHub.bind_url = "http://:8000"
