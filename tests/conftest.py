"""Shared pytest setup: a Hypothesis profile that is thorough but fits CI's time."""

import os

import matplotlib
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")

settings.register_profile(
    "course",
    max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
settings.load_profile("course")

# --doctest-modules would import both conftest.py files as the module "conftest" and clash
# ("import file mismatch"); they hold no doctests, so keep them out of collection. pytest still
# loads them as plugins.
collect_ignore = ["conftest.py", "browser/conftest.py"]
