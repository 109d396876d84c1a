"""``python -m lessonkit grade``: the options checked, the notebooks graded, the files written and the
summary printed (the parser is :mod:`lessonkit.course.cli`'s; grading itself is :mod:`.grader`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..exercises import EXERCISES
from ..i18n import set_language
from . import lms
from .grader import Limits, NotebookError, SandboxRefused, duplicates, grade_path, notebooks_under
from .reports import assignment_of, not_graded, to_json, write_csv, write_feedback
from .submissions import safe_text

__all__ = ["run"]


class _Refused(Exception):
    """A bad option: exit 2 with this message, before anything is graded."""


def run(args: argparse.Namespace) -> int:
    """Grade ``args.path`` as the parsed ``grade`` options say; the command's exit status."""
    set_language(args.lang)
    try:
        limits = _limits(args)
        roster = _roster(args)
        due, policy, manual = _class_options(args)
    except (_Refused, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.no_sandbox:
        print(
            "warning: --no-sandbox: the notebooks' code runs without isolation, with your rights; "
            "grade only notebooks you trust this way",
            file=sys.stderr,
        )
    resolved: list = []  # the Resolution, once grade_path has called _by_roster
    try:
        reports = _graded(args, limits, roster, resolved)
    except (NotebookError, SandboxRefused, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    resolution = resolved[0] if resolved else None
    lateness = due is not None or policy is not None or args.student_from == "canvas"
    if lateness:
        lms.apply_lateness(reports, due, policy)
    graded_on = assignment_of(reports)  # the graded functions, in the course's order
    _write_files(args, reports, graded_on, resolution, lateness, manual)
    if args.json:
        print(to_json(reports, args.path))
    else:
        _summary(args, reports, graded_on, resolution)
    return 0


def _limits(args) -> Limits:
    for flag, value in [
        ("--timeout", args.timeout),
        ("--memory", args.memory),
        ("--budget", args.budget),
        ("--output-limit", args.output_limit),
        ("--file-size", args.file_size),
        ("--processes", args.processes),
    ]:
        if not value > 0:
            raise _Refused(f"{flag} must be a positive number; got {value:g}")
    if args.jobs is not None and args.jobs < 1:
        raise _Refused(f"--jobs must be a positive integer; got {args.jobs}")
    return Limits(
        timeout=args.timeout,
        budget=args.budget,
        memory_mb=int(args.memory),
        output_mb=args.output_limit,
        file_size_mb=int(args.file_size),
        processes=args.processes,
    )


def _roster(args):
    if args.roster is None:
        return None
    from .roster import read_roster

    if not args.path.is_dir():
        raise _Refused(f"--roster needs a class folder; got {safe_text(args.path)}, which is not one")
    return read_roster(args.roster)


def _class_options(args) -> tuple:
    """(due date, late policy, manual marks) from their flags (None where not given)."""
    due = lms.parse_due(args.due) if args.due is not None else None
    policy = lms.parse_late_penalty(args.late_penalty) if args.late_penalty is not None else None
    manual = lms.read_manual(args.manual) if args.manual is not None else None
    if args.gradebook is not None and args.gradebook[0] not in lms.GRADEBOOKS:
        raise _Refused(f"gradebook must be 'canvas' or 'moodle'; got {safe_text(args.gradebook[0])!r}")
    return due, policy, manual


def _graded(args, limits: Limits, roster, resolved: list) -> list:
    """The reports, with a progress bar on a terminal for a folder (nothing when piped)."""
    from tqdm import tqdm

    bar = None
    if args.path.is_dir():
        bar = tqdm(
            total=len(notebooks_under(args.path)),
            unit="notebook",
            desc="grading",
            file=sys.stderr,
            disable=None,
        )
    try:
        return grade_path(
            args.path,
            timeout=args.timeout,
            seed=args.seed,
            limits=limits,
            sandbox=False if args.no_sandbox else None,
            jobs=args.jobs,
            student_from=args.student_from,
            progress=(lambda report: bar.update(1)) if bar is not None else None,
            assignment=args.assignment,
            resolve=None if roster is None else lambda found: _by_roster(found, roster, args.path, resolved),
        )
    finally:
        if bar is not None:
            bar.close()


def _by_roster(reports: list, roster, root: Path, resolved: list) -> list:
    """grade_path's ``resolve``: the reports by roster; the Resolution is kept in ``resolved``."""
    from .roster import resolve

    resolved.append(resolve(reports, roster, root))
    return resolved[-1].reports


def _write_files(args, reports: list, graded_on: list, resolution, lateness: bool, manual) -> None:
    """The CSV, feedback, gradebook and class report the flags ask for, each announced."""
    similar = None
    if args.report is not None:  # before the CSV: a flag is also a note in it
        from .classreport import flag_similar

        similar = flag_similar(reports, EXERCISES[graded_on[0]].notebook if len(graded_on) == 1 else None)
    wrote = []
    if args.csv is not None:
        write_csv(reports, args.csv, excel=args.excel, roster=resolution, lateness=lateness, manual=manual)
        wrote.append(f"wrote {args.csv}")
    if args.feedback_dir is not None:
        from .pages import write_feedback_html

        write_feedback_html(reports, write_feedback(reports, args.feedback_dir))
        wrote.append(f"wrote one feedback file per student in {args.feedback_dir}")
    if args.gradebook is not None:
        column = args.gradebook_column or (EXERCISES[graded_on[0]].notebook if graded_on else "lessonkit")
        lms.write_gradebook(reports, args.gradebook[0], args.gradebook[1], column, resolution, manual)
        wrote.append(f"wrote {args.gradebook[1]} ({args.gradebook[0].title()} gradebook)")
    if manual is not None:
        unmatched = lms.unmatched_marks(manual, reports, resolution)
        if unmatched:
            print(
                "warning: --manual: no submission or roster student for "
                + ", ".join(safe_text(s) for s in unmatched)
                + " (their marks are in no row)",
                file=sys.stderr,
            )
    if args.report is not None:
        from .classreport import write_report

        write_report(reports, args.report, similar, resolution=resolution)
        wrote.append(f"wrote {args.report} (class report)")
    if wrote and not args.json:
        print("\n".join(wrote))


def _summary(args, reports: list, graded_on: list, resolution) -> None:
    """Each report's text, then what the class run found: assignment, limits, who is missing."""
    if len(reports) == 1 and not args.path.is_dir():
        print(reports[0].text())
        return
    for r in reports:
        if resolution is None or not resolution.missing(r):  # those are listed below
            print(r.text())
            print()
    if graded_on:
        how = "--assignment" if args.assignment else "most notebooks are named after it or hold it"
        print(f"assignment: {EXERCISES[graded_on[0]].notebook} ({how})")
    if not args.no_sandbox:
        from . import cgroups

        why = cgroups.available()
        print(
            "limits: memory and processes of each sandbox enforced by the kernel (control groups)"
            if why is None
            else f"limits: memory bounded per process only ({why})"
        )
    missing = not_graded(reports)
    if missing:
        print(f"not graded ({len(missing)}, 0 points each): " + ", ".join(safe_text(r.path) for r in missing))
    if resolution is not None:
        _roster_summary(resolution)
    twice = [r for same in duplicates(reports) for r in same]  # the groups flag_duplicates noted
    if twice:
        print(
            f"one student, several submissions ({_count(len(twice), 'notebook')}; see their notes): "
            + ", ".join(safe_text(r.path) for r in twice)
        )
    without = len(resolution.without) if resolution is not None else 0
    print(
        f"total over {_count(len(reports) - without, 'notebook')}"
        + (f" and {_count(without, 'roster student')} without a submission" if without else "")
    )
    print(f"score: {sum(r.score for r in reports)}/{sum(r.max_score for r in reports)}")


def _roster_summary(resolution) -> None:
    print(resolution.summary())
    if resolution.without:
        print("no submission (0 points each): " + ", ".join(safe_text(r.student) for r in resolution.without))
    off = resolution.off_roster
    if off:
        print(
            f"not on the roster ({_count(len(off), 'notebook')}; see their notes): "
            + ", ".join(safe_text(r.path) for r in off)
        )


def _count(n: int, noun: str) -> str:
    """The count with its noun: "1 notebook", "2 notebooks" (the summary is in English)."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
