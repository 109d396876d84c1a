"""Course tooling: what turns the maths into exercises, feedback, grades and built notebooks.

- :mod:`.exercises`: one module per exercise (its cases, groups and known mistakes);
- :mod:`.feedback`: judging one answer against the reference, shared by the check and the grader;
- :mod:`.checks`: ``lessonkit.check``, the learner's instant feedback;
- :mod:`.grading`: the grader, its sandbox, the grading edition, reports and Gradescope;
- :mod:`.learner`: the learner's own functions, from their exercise notebook, for a lesson to run;
- :mod:`.cli`: ``python -m lessonkit ...``;
- :mod:`.lessons_build`, :mod:`.exercises_build`, :mod:`.site`: the notebooks from their Markdown
  sources, the exercise notebooks from the solutions, the static HTML edition.
"""

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent  # the lessonkit package folder
