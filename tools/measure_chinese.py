"""How Chinese the Chinese editions read: the two figures the README records.

Run ``python tools/measure_chinese.py`` after ``make lessons``. It prints, for the zh-Hans and zh-Hant
lessons, solutions and exercises, how many of the lines their outputs print are Chinese, how many
hold only code, numbers, symbols and allow-listed terms (``translations/english-terms.txt``), and
how many are English; then how many mainland terms (``translations/opencc/mainland-terms.txt``) the
zh-Hant a learner reads still holds. Goals: no English line, no mainland term.
"""

from __future__ import annotations

from pathlib import Path

from lessonkit.course import translations as tr

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    for lang in tr.EDITIONS:
        paths = sorted(
            p
            for folder in ("notebooks", "solutions", "exercises")
            for p in (ROOT / folder / lang).glob("*.ipynb")
        )
        found = tr.english_output_lines(paths, ROOT)
        lines, chinese, neutral, english = (
            found["lines"],
            found["chinese"],
            found["neutral"],
            found["english"],
        )
        print(
            f"{lang}: {len(paths)} notebooks print {lines} lines: {chinese} Chinese ({chinese / lines:.1%}), "
            f"{neutral} code/numbers/allow-listed only ({neutral / lines:.1%}), {len(english)} English"
        )
        for path, cell, line in english:
            print(f"  {path.relative_to(ROOT)} cell {cell}: {line}")
    uses = tr.mainland_term_uses(ROOT)
    print(f"zh-Hant: {len(uses)} mainland terms (of {len(tr.mainland_terms(ROOT))} listed)")
    for use in uses:
        print(f"  {use}")


if __name__ == "__main__":
    main()
