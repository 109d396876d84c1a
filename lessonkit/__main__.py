"""``python -m lessonkit``: build-exercises, grade, start (see :mod:`lessonkit.course.cli`)."""

import sys

from .course.cli import main

sys.exit(main())
