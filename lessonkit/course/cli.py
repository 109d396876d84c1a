"""Command line: ``python -m lessonkit build-lessons | build-exercises | grade PATH | gradescope | start``.

- ``build-lessons [NAMES] [--force] [--check]`` builds notebooks/ and solutions/ from their MyST
  Markdown sources (syncing an edit made on either side), then regenerates exercises/, updates the
  translation catalogs and builds the Chinese editions (``<folder>/zh-Hans/``, ``<folder>/zh-Hant/``).

- ``build-exercises`` regenerates ``exercises/`` from ``solutions/`` (``--check``: only compare).
- ``grade PATH [--json] [--timeout S] [--csv FILE] [--seed N] [--no-sandbox] [limits]`` grades a notebook
  or a folder of them, each in its own bubblewrap sandbox. Exit 0 whenever it graded; 2 with a
  one-line error for a missing or unreadable notebook, or a folder that cannot be sandboxed.
  ``--roster FILE`` (a folder only) maps the submissions to a class list and gives every student a
  row (:mod:`lessonkit.course.grading.roster`); a bad roster is exit 2, before anything is graded.
- ``start [DIR] [--lang zh-Hans|zh-Hant]`` copies the exercises (in English, or the Chinese edition)
  into a workspace (default ``my-work/`` in the course folder) and never overwrites a file that exists.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from .paths import course_root

__all__ = ["main", "course_root"]


def _parser() -> argparse.ArgumentParser:
    from . import i18n

    parser = argparse.ArgumentParser(
        prog="python -m lessonkit", description="Exercises and grading of the course."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build-exercises", help="regenerate exercises/ from solutions/")
    build.add_argument("--solutions", type=Path, default=None, help="default: <course>/solutions")
    build.add_argument("--exercises", type=Path, default=None, help="default: <course>/exercises")
    build.add_argument("--check", action="store_true", help="do not write; exit 1 if exercises/ is stale")
    lessons = sub.add_parser(
        "build-lessons", help="build notebooks/ and solutions/ from their Markdown sources, then exercises/"
    )
    lessons.add_argument("names", nargs="*", help="only these (e.g. 03 or 02_bp_delta_map); default: all")
    lessons.add_argument("--force", action="store_true", help="run every notebook again, changed or not")
    lessons.add_argument("--check", action="store_true", help="do not write; exit 1 if a notebook is stale")
    grade = sub.add_parser("grade", help="grade a notebook or a folder of notebooks")
    grade.add_argument("path", type=Path)
    grade.add_argument("--json", action="store_true", help="print JSON instead of text")
    grade.add_argument(
        "--timeout", type=float, default=30.0, help="seconds per cell and per call (default 30)"
    )
    grade.add_argument("--csv", type=Path, default=None, help="also write one CSV row per notebook to FILE")
    grade.add_argument("--seed", type=int, default=None, help="seed of the hidden cases (default: random)")
    grade.add_argument(
        "--lang",
        choices=i18n.LANGUAGES,
        default=None,
        help="language of the feedback (default: from the locale, LANG=zh_CN.UTF-8 etc., else English)",
    )
    grade.add_argument(
        "--no-sandbox",
        action="store_true",
        help="grade without bubblewrap isolation (a folder is refused without it otherwise)",
    )
    grade.add_argument("--memory", type=float, default=2048, help="MB of memory per notebook (default 2048)")
    grade.add_argument(
        "--budget", type=float, default=600, help="wall-clock seconds per notebook (default 600)"
    )
    grade.add_argument(
        "--output-limit", type=float, default=1.0, help="MB printed or displayed per call (default 1)"
    )
    grade.add_argument(
        "--file-size", type=float, default=64, help="MB: largest file a notebook may write (default 64)"
    )
    grade.add_argument(
        "--processes", type=int, default=64, help="processes and threads per notebook (default 64)"
    )
    grade.add_argument(
        "-j", "--jobs", type=int, default=None, help="notebooks graded at once (default: the number of cores)"
    )
    grade.add_argument(
        "--student-from",
        choices=("file", "folder", "canvas", "moodle"),
        default="file",
        help="take each student's name from the file name (default), the folder holding it, or a Canvas "
        "(name_LATE_id_sub_file) or Moodle (Full Name_id_assignsubmission_file_...) download name",
    )
    grade.add_argument(
        "--due",
        default=None,
        help="due time, e.g. 2026-12-01T23:59 or 2026-12-01T23:59+08:00: a file whose time is later is "
        "late (a 'late' column; Canvas's LATE marker counts too)",
    )
    grade.add_argument(
        "--late-penalty",
        default=None,
        help="10%%/day, 5%%/hour, 20%% (once) or none (default): applied in its own 'penalty' column",
    )
    grade.add_argument(
        "--manual",
        type=Path,
        default=None,
        help="CSV of manual points: 'student', then a column per item (e.g. 'written (/5)'), optional "
        "'comment'; each item gets its own column and adds to 'final'",
    )
    grade.add_argument(
        "--gradebook",
        nargs=2,
        metavar=("LMS", "FILE"),
        default=None,
        help="also write the final scores as LMS (canvas or moodle) imports them, to FILE",
    )
    grade.add_argument(
        "--gradebook-column",
        default=None,
        help="the gradebook's assignment column (default: the assignment, e.g. 02_bp_delta_map; for "
        "an existing Canvas assignment give its header as Canvas exports it, 'Name (12345)')",
    )
    grade.add_argument(
        "--report",
        type=Path,
        default=None,
        help="write the class report (scores, common mistakes, slowest notebooks, similarity) to an "
        "HTML file",
    )
    grade.add_argument(
        "--assignment",
        default=None,
        help="grade every notebook on this exercise (e.g. 02_bp_delta_map, 02 or bp_delta_map), or 'each' "
        "for a folder of several exercises; default: the one most notebooks are named after",
    )
    grade.add_argument(
        "--excel", action="store_true", help="write the CSV as UTF-8 with a BOM, for spreadsheets"
    )
    grade.add_argument(
        "--feedback-dir",
        type=Path,
        default=None,
        help="write one feedback file per student here, as Markdown and as an HTML page",
    )
    grade.add_argument(
        "--roster",
        type=Path,
        default=None,
        help="CSV of the class: a 'student' column first, then any of id, file, folder, name, email, "
        "section; every "
        "student gets a row ('no submission': 0 points), submissions not on it are flagged",
    )
    course_help = "the course file with the points (default: $LESSONKIT_COURSE, else lessonkit's course.toml)"
    grade.add_argument("--course", type=Path, default=None, help=course_help)
    gs = sub.add_parser("gradescope", help="build a Gradescope autograder bundle for one exercise")
    gs.add_argument("--course", type=Path, default=None, help=course_help + "; the bundle carries it")
    gs.add_argument("exercise", help="e.g. 02_bp_delta_map, 02 or bp_delta_map")
    gs.add_argument(
        "-o", "--output", type=Path, default=Path("autograder.zip"), help="default: autograder.zip"
    )
    gs.add_argument(
        "--hidden-visibility",
        default="after_published",
        help="when students see the hidden groups' results: hidden, after_due_date, after_published "
        "(default) or visible",
    )
    gsr = sub.add_parser("gradescope-run", help="(inside Gradescope) grade /autograder/submission")
    gsr.add_argument(
        "--root", type=Path, default=None, help="default: $LESSONKIT_AUTOGRADER_ROOT or /autograder"
    )
    rel = sub.add_parser("release", help="write the student edition (no solutions, no tests) into OUTDIR")
    rel.add_argument("outdir", type=Path, help="a new or empty folder")
    rel.add_argument("--course", type=Path, default=None, help=course_help + "; the edition carries it")
    rel.add_argument("--lang", choices=(*i18n.LANGUAGES, "all"), default="all", help="default: all of them")
    link = sub.add_parser("hub-link", help="print the nbgitpuller link that gives each learner the edition")
    link.add_argument("repo", help="the student edition's git repository (push `release` output there)")
    link.add_argument("--hub", required=True, help="the hub's address, e.g. https://hub.example.edu")
    link.add_argument("--branch", default="main", help="default: main")
    link.add_argument("--folder", default="course", help="folder in each learner's home (default: course)")
    start = sub.add_parser("start", help="copy the exercises into your workspace (never overwrites)")
    start.add_argument(
        "dir",
        nargs="?",
        type=Path,
        default=None,
        help="default: my-work/ in the course folder (installed: in the current folder)",
    )
    start.add_argument(
        "--lang",
        choices=i18n.LANGUAGES,
        default="en",
        help="the exercises in English (default), Simplified or Traditional Chinese",
    )
    return parser


def main(argv: list | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    if getattr(args, "course", None) is not None:  # points from another course file (config.py)
        from .exercises import use_course_file

        try:
            use_course_file(args.course)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    if args.command == "build-exercises":
        return _build(args)
    if args.command == "build-lessons":
        return _build_lessons(args)
    if args.command == "grade":
        return _grade(args)
    if args.command == "gradescope":
        from .grading.gradescope import build_bundle

        try:
            path = build_bundle(args.exercise, args.output, args.hidden_visibility)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(f"wrote {path}: upload it as the autograder of a Gradescope programming assignment")
        return 0
    if args.command == "hub-link":
        from .hub import CONFIG, pull_link

        try:
            print(pull_link(args.hub, args.repo, args.branch, args.folder))
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(f"(the hub's configuration: {CONFIG})", file=sys.stderr)
        return 0
    if args.command == "release":
        from .release import release

        try:
            files = release(args.outdir, args.lang)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(f"student edition: {len(files)} files in {args.outdir} (no solutions, no tests)")
        return 0
    if args.command == "gradescope-run":
        from .grading.gradescope import run

        run(args.root)
        return 0
    return _start(args)


def _build(args) -> int:
    from .exercises_build import MarkerError, exercise_texts, write_all

    root = course_root()
    solutions = args.solutions or root / "solutions"
    exercises = args.exercises or root / "exercises"
    try:
        if args.check:
            wanted = exercise_texts(solutions, exercises)
            stale = [p for p, t in wanted.items() if not p.exists() or p.read_text(encoding="utf-8") != t]
            extra = [p for p in Path(exercises).glob("*.ipynb") if p not in wanted]
            for p in stale + extra:
                print(f"stale: {p}")
            return 1 if stale or extra else 0
        written, removed = write_all(solutions, exercises)
    except MarkerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for p in written:
        print(f"wrote {p}")
    for p in removed:
        print(f"removed {p}")
    print(f"exercises up to date: {len(exercise_texts(solutions, exercises))} notebooks in {exercises}")
    return 0


def _build_lessons(args) -> int:
    from .lessons_build import SyncConflict, build_all, sources, stale

    root = course_root()
    if args.check:
        bad = [(md, why) for md in sources(root) if (why := stale(md))]
        for md, why in bad:
            print(f"stale: {md.with_suffix('.ipynb')} ({why}); run: make lessons")
        return 1 if bad else 0
    try:
        built = build_all(root, force=args.force, only=args.names or None)
    except SyncConflict as err:
        print(f"make lessons stopped, nothing was written:\n{err}", file=sys.stderr)
        return 1
    for md, what in built:
        print(f"{md.with_suffix('.ipynb').relative_to(root)}: {what}")
    print("exercises/ regenerated from solutions/")
    from .translations import build_editions, problems, update_catalogs, update_message_catalogs

    for note in update_catalogs(root):
        print(note)
    counts = update_message_catalogs()
    if counts["added"] or counts["dropped"]:
        print(f"lessonkit/locale/zh-Hans.po: {counts['added']} new, {counts['dropped']} dropped")
    for note in build_editions(root, force=args.force, only=args.names or None):
        print(note)
    left = problems(root)
    if left:
        print(f"{len(left)} messages still to translate (missing or stale); see: make test")
    return 0


def _grade(args) -> int:
    from .grading.command import run

    return run(args)


def _start(args) -> int:
    root = course_root()
    source = root / "exercises" if args.lang == "en" else root / "exercises" / args.lang
    from .paths import workspace

    target = args.dir if args.dir is not None else workspace()
    notebooks = sorted(source.glob("*.ipynb"))
    if not notebooks:
        print(f"error: no exercise notebooks in {source}", file=sys.stderr)
        return 2
    target.mkdir(parents=True, exist_ok=True)
    for nb in notebooks:
        dest = target / nb.name
        if dest.exists():
            print(f"skipped {dest} (exists; your work is kept)")
        else:
            shutil.copyfile(nb, dest)
            print(f"copied  {dest}")
    print(f"Open {target} in JupyterLab and start with {notebooks[0].name}.")
    return 0
