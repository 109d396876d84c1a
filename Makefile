# make lab   - create .venv if missing, install the course into it, start JupyterLab on the course
#              folder (notebooks/, exercises/, my-work/ after `python -m lessonkit start`), opening lesson 00
# make test  - same venv; make lint, then unit tests, doctests and nbval over every notebook folder
#              (English and both Chinese editions)
# make test-fast - the quick loop while editing: unit tests and doctests without the grader's
#              sandbox tests (marker `grader`), the web edition (`slow`), the browser and notebooks
# make lint  - ruff (lint and format) over lessonkit, tests and tools; mypy over lessonkit
# Extra JupyterLab arguments: make lab ARGS=--no-browser
PYTHON ?= python3
# Python's bytecode cache stays on for everything these targets start (pytest and its workers, the
# kernels, the grader's commands): this machine, like CI's image, sets PYTHONDONTWRITEBYTECODE=1, and
# without the cache every one of those processes compiles lessonkit and rewrites the tests' asserts
# again, about 8 s per test worker. Set to empty, Python treats it as unset; __pycache__/ is ignored.
export PYTHONDONTWRITEBYTECODE :=
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ARGS ?=
# JupyterLab refuses to run as root unless told; CI and these machines run as root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test test-fast test-zh lint venv clean lessons

# make test-zh - only the Chinese editions under nbval (make test runs them too, with everything else):
#                lessons and solutions strict, exercises lax (their stubs raise on purpose)
ZH_STRICT = $(wildcard notebooks/zh-Han*/*.ipynb solutions/zh-Han*/*.ipynb)
ZH_EXERCISES = $(wildcard exercises/zh-Han*/*.ipynb)
test-zh: $(STAMP)
	$(PY) -m pytest -n auto --dist loadscope $(PYTEST_ARGS) --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg $(ZH_STRICT)
	$(PY) -m pytest $(PYTEST_ARGS) --nbval-lax --nbval-current-env $(ZH_EXERCISES)

# make lessons - build every lesson and solution notebook from its Markdown source (notebooks/*.md,
#                solutions/*.md). An edit saved on either side is synced, decided by content (a
#                digest in the notebook's metadata), never by time stamp; edits on both sides stop
#                the build with both versions shown and no file written. Runs the notebooks whose
#                code changed, or that ran with another lessonkit, in a fresh kernel (FORCE=1: all
#                of them), regenerates exercises/,
#                updates the translation catalogs and builds both Chinese editions.
lessons: $(STAMP)
	$(PY) -m lessonkit build-lessons $(if $(FORCE),--force,)

venv: $(STAMP)

# An editable install skips pyproject's data-files: JupyterLab's course-wide settings are copied here.
LAB_OVERRIDES := lessonkit/course/jupyterlab/overrides.json
$(STAMP): pyproject.toml $(LAB_OVERRIDES)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp $(LAB_OVERRIDES) $(VENV)/share/jupyter/lab/settings/overrides.json
	touch $(STAMP)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=. \
		--LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb $(ROOT_FLAG) $(ARGS)

# One pytest run for everything checked strictly (unit tests, doctests, lessons, solutions, in English
# and in both Chinese editions), and one for the exercises, whose stubs raise on purpose (nbval-lax).
# The exercises' run is short and single-threaded, so it runs alongside the first (its report is
# printed after); both must pass.
test: lint
	@rm -f .exercises-test.log; ex=0; \
	if ls exercises/*.ipynb >/dev/null 2>&1; then \
		$(PY) -m pytest $(PYTEST_ARGS) --nbval-lax --nbval-current-env exercises/*.ipynb $(ZH_EXERCISES) \
			> .exercises-test.log 2>&1 & ex=$$!; fi; \
	$(PY) -m pytest -n auto --dist loadscope $(PYTEST_ARGS) $(STRICT_PATHS); main=$$?; \
	exs=0; if [ "$$ex" != 0 ]; then wait $$ex; exs=$$?; cat .exercises-test.log; rm -f .exercises-test.log; fi; \
	test $$main -eq 0 && test $$exs -eq 0

# The grading tests come first: their fixtures are the longest, and starting them early balances the
# workers (pytest collects each path once).
STRICT_PATHS = tests/course/grading lessonkit tests $(if $(wildcard notebooks/*.ipynb solutions/*.ipynb),--nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg $(wildcard notebooks/*.ipynb solutions/*.ipynb) $(ZH_STRICT),)

test-fast: $(STAMP)
	$(PY) -m pytest -n auto $(PYTEST_ARGS) -m "not grader and not slow and not browser" lessonkit tests

lint: $(STAMP)
	$(PY) -m ruff check lessonkit tests tools
	$(PY) -m ruff format --check lessonkit tests tools
	$(PY) -m mypy

clean:
	rm -rf $(VENV) build *.egg-info

# make test-browser - the lessons and one exercise in a real JupyterLab driven through Debian's Chromium
#                     (/usr/bin/chromium; apt-get install chromium). Screenshots: test-artifacts/screenshots/
BROWSER_STAMP := $(VENV)/.installed-browser
$(BROWSER_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[test,browser]'
	touch $(BROWSER_STAMP)

test-browser: $(BROWSER_STAMP)
	$(PY) -m pytest $(PYTEST_ARGS) -m browser tests/browser

# make html - a static HTML edition of the executed lessons in _site/ (SITE=dir to change it)
SITE ?= _site
html: $(STAMP)
	$(PY) -m lessonkit.course.site $(SITE)

# make test-hub - a real JupyterHub on loopback (lessonkit's jupyterhub_config.py, configurable-http-proxy
#                 from npm into .venv/node) serving the student edition to two learners through Chromium.
#                 Needs root (it makes two Unix accounts for the test and removes them after).
HUB_STAMP := $(VENV)/.installed-hub
$(HUB_STAMP): $(BROWSER_STAMP)
	$(PY) -m pip install --quiet -e '.[test,browser,hub]'
	npm install --silent --no-audit --no-fund --prefix $(VENV)/node configurable-http-proxy@5
	touch $(HUB_STAMP)

test-hub: $(HUB_STAMP)
	$(PY) -m pytest $(PYTEST_ARGS) -m hub tests/hub

.PHONY: test-browser test-hub html
