"""Start-up speed of the processes lessonkit runs itself: its command line and the test run.

jsonschema, which nbformat imports, imports ``rfc3987_syntax`` when it is installed (Jupyter's own
dependencies install it), only to offer a checker for the ``iri`` string format. That module builds
a Lark grammar as it is imported: over a second here, paid by every ``python -m lessonkit`` command
and every test worker (jsonschema issue #1428). No notebook schema uses that format, and jsonschema
imports the module inside ``suppress(ImportError)``, so marking it absent changes nothing else.

Importing this module is its effect. It is never imported in a learner's kernel: there, the
learner's own imports behave exactly as installed.
"""

import sys

if "jsonschema" not in sys.modules:  # too late once it is imported
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
