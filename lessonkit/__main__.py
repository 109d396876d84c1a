"""``python -m lessonkit``: build-exercises, grade, start (see :mod:`lessonkit.cli`)."""

import sys

from .cli import main

sys.exit(main())
