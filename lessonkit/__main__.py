"""``python -m lessonkit``: build-exercises, grade, start (see :mod:`lessonkit.course.cli`)."""

import sys

from . import _startup  # noqa: F401 (first: keeps a slow optional import out, see there)
from .course.cli import main

sys.exit(main())
