"""Course tooling: what turns the maths into exercises, feedback, grades and built notebooks.

Imports point down these layers, never up (``tests/test_setup.py`` checks every import, lazy ones too):

1. the language layer and paths: :mod:`.i18n`, :mod:`.paths` (``course_root``);
2. :mod:`lessonkit.maths`; 3. :mod:`lessonkit.network` and :mod:`lessonkit.figures`;
4. what runs in the learner's kernel: :mod:`.exercises`, :mod:`.curriculum`, :mod:`.feedback`,
   :mod:`.checks` (with :mod:`.switches` and :mod:`.tracebacks`), :mod:`.learner`;
5. :mod:`.grading`; 6. authoring, run only by the course's authors: :mod:`.lessons_build`,
   :mod:`.exercises_build`, :mod:`.translations`, :mod:`.site`; 7. :mod:`.cli`.

- :mod:`.exercises`: one module per exercise (its cases, groups and known mistakes);
- :mod:`.feedback`: judging one answer against the reference, shared by the check and the grader;
- :mod:`.checks`: ``lessonkit.check``, the learner's instant feedback; :mod:`.switches`: lessonkit's
  own functions switched off during a check; :mod:`.tracebacks`: what the learner's code raised;
- :mod:`.grading`: the grader, its sandbox, the grading edition, reports and Gradescope;
- :mod:`.learner`: the learner's own functions, from their exercise notebook, for a lesson to run;
- :mod:`.curriculum`: what each exercise may use from lessonkit (what earlier exercises taught);
- :mod:`.cli`: ``python -m lessonkit ...``;
- :mod:`.lessons_build`, :mod:`.exercises_build`, :mod:`.site`: the notebooks from their Markdown
  sources, the exercise notebooks from the solutions, the static HTML edition.
"""

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent  # the lessonkit package folder
