"""Grading a learner's notebook so that a teacher can trust the grade.

- :mod:`lessonkit.course.curriculum` (beside the check, which uses it too) says what each exercise
  may use from lessonkit (what earlier exercises taught);
- :mod:`.edition` writes the *grading edition* of lessonkit: those functions and nothing else;
- :mod:`.runner` is the program that runs one notebook inside the sandbox (standalone: no lessonkit);
- :mod:`.sandbox` starts it under bubblewrap with limits and talks to it over a pipe.

:mod:`.grader` puts them together: expected values are computed and compared only in the grader's own
process; only a case's inputs go into the sandbox and only the learner's outputs come out.
"""
