"""The class report: one HTML page that tells the teacher how the class did and where it went wrong.

``python -m lessonkit grade FOLDER --report report.html`` writes it: the score distribution per
graded function and per group of cases (drawn with matplotlib, inside the page), the most common
likely causes with how many notebooks show each, the slowest notebooks, every notebook not graded
with its reason, and the similarity section (:mod:`.similarity`). The page works offline (MathJax
from the package, beside it in ``mathjax/``). Flags never change points.
"""

from __future__ import annotations

import base64
import html
import io
import os
import statistics
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from ..i18n import _, chosen, language, speaking, tr
from .reports import assignment_of, not_graded
from .submissions import safe_text

if TYPE_CHECKING:
    from .roster import Resolution

__all__ = ["write_report", "report_html", "common_causes", "flag_similar"]

SLOWEST = 10


def _label(report) -> str:
    return safe_text(report.student or Path(report.path).stem, 120)


def common_causes(reports: list) -> list:
    """``(cause, notebooks, groups)`` for every likely cause named, most common first.

    Each notebook counts once per cause, however many of its groups name it.
    """
    per_cause: Counter = Counter()
    groups: dict = {}
    for r in reports:
        seen = set()
        for e in r.exercises:
            for g in e.groups:
                for cause in (_(c) for c in g.get("causes") or []):  # the grader's, in the report's words
                    seen.add(cause)
                    groups.setdefault(cause, set()).add(f"{e.name}: {g['name']}")
        per_cause.update(seen)
    return [(c, n, sorted(groups[c])) for c, n in per_cause.most_common()]


def flag_similar(reports: list, stem: str | None, root: str | os.PathLike[str] | None = None) -> list:
    """Compare the submissions' graded code with each other and with lessonkit's; flag each in ``flags``.

    Returns the :class:`.similarity.Similar` pairs, labelled by student. The exercise notebook is
    the boilerplate; the solution notebook, when the course folder has one, a reference.
    """
    import nbformat

    from ..paths import course_root
    from .similarity import reference_sources, similar_pairs

    graded = [r for r in reports if r.path and r.code]
    names = assignment_of(graded)
    base = Path(root) if root is not None else course_root()
    stub, solution = "", None
    if stem:
        from .similarity import graded_sources

        for folder, which in ((base / "exercises", "stub"), (base / "solutions", "solution")):
            nb_path = folder / f"{stem}.ipynb"
            if nb_path.is_file():
                nb = nbformat.read(nb_path, as_version=4)
                if which == "stub":
                    stub = graded_sources(nb, names)
                else:
                    solution = nb
    labels: dict = {}
    for r in graded:
        label = _label(r)
        while label in labels:
            label += "'"
        labels[label] = r
    pairs = similar_pairs(
        {k: r.code for k, r in labels.items()}, reference_sources(names, solution), stub=stub
    )
    for p in pairs:
        for mine, other, share in ((p.a, p.b, p.share_a), (p.b, p.a, p.share_b)):
            r = labels.get(mine)
            if r is None:
                continue
            with speaking(chosen() or language()):  # the teacher's flag: in the CSV, never in feedback
                r.flags.append(
                    tr(
                        "similar code: {share} % of its graded code is also in {other} (a flag for the "
                        "teacher; no points change)",
                        share=round(100 * share),
                        other=other,
                    )
                )
    return pairs


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return '<img alt="" src="data:image/png;base64,' + base64.b64encode(buf.getvalue()).decode() + '">'


def _distribution(reports: list, names: list) -> str:
    """One histogram of points per graded function, and the share of full marks per group."""
    from matplotlib.figure import Figure

    if not names:
        return ""
    fig = Figure(figsize=(min(4.0 * len(names), 12), 2.8))
    for i, name in enumerate(names, start=1):
        ax = fig.add_subplot(1, len(names), i)
        got = [e.points for r in reports for e in r.exercises if e.name == name]
        top = max((e.max_points for r in reports for e in r.exercises if e.name == name), default=1)
        ax.hist(got, bins=[b - 0.5 for b in range(top + 2)], color="#0072b2", edgecolor="white")
        ax.set_title(f"{name} (/{top})", fontsize=10)
        ax.set_xlabel(_("points"))
        ax.set_ylabel(_("notebooks"))
    groups: dict = {}
    for r in reports:
        for e in r.exercises:
            for g in e.groups:
                full, count = groups.get((e.name, g["name"]), (0, 0))
                groups[(e.name, g["name"])] = (full + (g["points"] == g["max_points"]), count + 1)
    out = _png(fig)
    if groups:
        fig = Figure(figsize=(8, 0.35 * len(groups) + 0.8))
        ax = fig.add_subplot(1, 1, 1)
        keys = list(groups)[::-1]
        shares = [100 * groups[k][0] / groups[k][1] for k in keys]
        ax.barh(range(len(keys)), shares, color="#009e73")
        ax.set_yticks(range(len(keys)), [f"{n}: {_(g)}" for n, g in keys], fontsize=8)
        ax.set_xlim(0, 100)
        ax.set_xlabel(_("notebooks with every case of the group right (%)"))
        out += "\n" + _png(fig)
    return out


def _h2(text: str) -> str:
    return "<h2>" + html.escape(text) + "</h2>"


def _p(text: str) -> str:
    return "<p>" + html.escape(text) + "</p>"


def _table(head: list, rows: list) -> str:
    cells = "".join(f"<th>{html.escape(str(h))}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


def _e(text) -> str:
    """Escaped text, its TeX-like fragments marked for MathJax (as the feedback pages do)."""
    from .pages import mark_tex

    return mark_tex(html.escape(safe_text(text, 2000)))


def report_html(
    reports: list,
    similar: list | None = None,
    mathjax: str | None = None,
    resolution: Resolution | None = None,
) -> str:
    """The class report's page (see the module docstring), in the teacher's language."""
    from .pages import page

    lang = chosen() or language()
    with speaking(lang):
        return page(_("Class report"), _body(reports, similar or [], resolution), mathjax, lang)


def _body(reports: list, similar: list, resolution) -> str:
    handed_in = [r for r in reports if r.path]
    names = assignment_of(reports)
    scores = [r.score for r in handed_in]
    top = max((r.max_score for r in reports), default=0)
    parts = ["<h1>" + html.escape(_("Class report")) + "</h1>"]
    if names:
        parts.append(_p(tr("Graded on: {names}", names=", ".join(names))))
    summary = [
        (_("notebooks graded"), len(handed_in)),
        (_("mean score"), f"{statistics.fmean(scores):.1f} / {top}" if scores else "-"),
        (_("median score"), f"{statistics.median(scores):g} / {top}" if scores else "-"),
        (_("full marks"), sum(r.score == r.max_score and r.max_score > 0 for r in handed_in)),
    ]
    if resolution is not None:
        summary.append((_("roster students without a submission"), len(resolution.without)))
    parts.append(
        _table([_("what"), _("how many")], [(html.escape(a), html.escape(str(b))) for a, b in summary])
    )
    parts += [_h2(_("Scores")), _distribution(handed_in, names)]
    causes = common_causes(handed_in)
    parts.append(_h2(_("Most common likely causes")))
    if causes:
        n = len(handed_in)
        rows = [
            (
                html.escape(tr("{count} of {total}", count=count, total=n)),
                _e(cause),
                html.escape("; ".join(groups)),
            )
            for cause, count, groups in causes
        ]
        parts.append(_table([_("notebooks"), _("likely cause"), _("groups")], rows))
    else:
        parts.append(_p(_("No notebook showed a known mistake.")))
    timed = sorted((r for r in handed_in if r.seconds is not None), key=lambda r: -r.seconds)[:SLOWEST]
    parts.append(_h2(_("Slowest notebooks")))
    parts.append(
        _table(
            [_("student"), _("notebook"), _("seconds")],
            [(_e(_label(r)), _e(Path(r.path).name), f"{r.seconds:.1f}") for r in timed],
        )
    )
    missing = not_graded(reports)
    parts.append(_h2(_("Not graded")))
    if missing:
        parts.append(
            _table(
                [_("student"), _("notebook"), _("why")],
                [(_e(_label(r)), _e(Path(r.path).name), _e("; ".join(r.notes))) for r in missing],
            )
        )
    else:
        parts.append(_p(_("Every notebook was graded.")))
    parts.append(_h2(_("Similar code")))
    parts.append(
        "<p class='lk-small'>"
        + html.escape(
            _(
                "Graded functions (and the functions they call) compared after every name is replaced by "
                "its kind, with copydetect's winnowing; the exercise's starting code does not count. A pair "
                "is listed when each has at least 80 % of its code in the other; a notebook is listed with "
                "lessonkit or the solution notebook when 80 % of its code is in them. A flag is for you to "
                "look at: no points change."
            )
        )
        + "</p>"
    )
    if similar:
        parts.append(
            _table(
                [
                    _("notebook"),
                    _("alike"),
                    _("share of the first in the second"),
                    _("share of the second in the first"),
                ],
                [(_e(p.a), _e(p.b), f"{100 * p.share_a:.0f} %", f"{100 * p.share_b:.0f} %") for p in similar],
            )
        )
    else:
        parts.append(_p(_("No two submissions are alike over the threshold.")))
    return "\n".join(parts)


def write_report(
    reports: list,
    target: str | os.PathLike[str],
    similar: list | None = None,
    resolution: Resolution | None = None,
) -> Path:
    """Write the class report to ``target`` (MathJax into ``mathjax/`` beside it); return the path."""
    from .pages import install_mathjax

    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    mathjax = install_mathjax(target.parent)
    target.write_text(report_html(reports, similar, mathjax, resolution), encoding="utf-8")
    return target
