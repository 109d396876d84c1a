"""The student edition: ``python -m lessonkit release OUTDIR [--lang en|zh-Hans|zh-Hant|all]``.

What learners get, as nbgrader's release or ``otter assign`` makes it: the lessons and the exercises
(notebooks only: no Markdown sources, no jupytext pairing), the lessonkit package they run, a project
file to install it, a README for learners and a ``.gitignore``. No ``solutions/``, no ``tests/``
(attacks, planted bugs), no translation sources. OUTDIR is ready for ``git init`` (nbgitpuller) or
for a zip (an LMS). It must not exist yet, or be empty: a release never overwrites anything.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from . import PACKAGE

__all__ = ["LANGS", "release"]

LANGS = ("en", "zh-Hans", "zh-Hant")

_README = {
    "en": """# How a convolutional layer learns: the student edition

## Start
```
pip install .                      # once: lessonkit and what it needs
python -m lessonkit start          # copies exercises/ into my-work/ (never overwrites a file)
jupyter lab notebooks/00_start_here.ipynb
```

## Work
- Read the lessons in `notebooks/` in order (00 to 07): predict, then run each cell.
- Do the exercises in `my-work/` (your copy): fill in each function where it says so. The check cell
  right below it (`lessonkit.check(...)`) tests your function at once and names the likely mistake.

## Hand in
Hand in your notebook from `my-work/` (for example `my-work/02_bp_delta_map.ipynb`), as your
teacher asks: upload it to the course's page or Gradescope, keeping its file name. The grader runs it
on cases of its own; a notebook whose checks all pass gets full marks.
""",
    "zh-Hans": """# 卷积层如何学习：学生版

## 开始
```
pip install .                      # 只需一次：安装 lessonkit 及其依赖
python -m lessonkit start --lang zh-Hans   # 把练习复制到 my-work/（已有的文件不会被覆盖）
jupyter lab notebooks/zh-Hans/00_start_here.ipynb
```

## 学习
- 按顺序阅读 `notebooks/zh-Hans/` 里的课程（00 到 07）：先预测，再运行每个单元格。
- 在 `my-work/`（你自己的副本）里做练习：在标出的位置写出函数。紧接着的检查单元格
  （`lessonkit.check(...)`）会立刻测试你的函数，并指出可能的错误。

## 提交
按老师的要求提交 `my-work/` 里的 notebook（例如 `my-work/02_bp_delta_map.ipynb`），保留文件名。
评分程序会用它自己的用例运行；检查全部通过的 notebook 会得到满分。
""",
    "zh-Hant": """# 卷積層如何學習：學生版

## 開始
```
pip install .                      # 只需一次：安裝 lessonkit 及其相依套件
python -m lessonkit start --lang zh-Hant   # 把練習複製到 my-work/（已有的檔案不會被覆寫）
jupyter lab notebooks/zh-Hant/00_start_here.ipynb
```

## 學習
- 依序閱讀 `notebooks/zh-Hant/` 裡的課程（00 到 07）：先預測，再執行每個儲存格。
- 在 `my-work/`（你自己的副本）裡做練習：在標出的位置寫出函式。緊接著的檢查儲存格
  （`lessonkit.check(...)`）會立刻測試你的函式，並指出可能的錯誤。

## 繳交
依老師的要求繳交 `my-work/` 裡的 notebook（例如 `my-work/02_bp_delta_map.ipynb`），保留檔名。
評分程式會用它自己的測試案例執行；檢查全部通過的 notebook 會得到滿分。
""",
}


def _langs(lang: str) -> tuple:
    if lang == "all":
        return LANGS
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)} or 'all'; got {lang!r}")
    return (lang,)


def release(outdir: str | os.PathLike[str], lang: str = "all", root: Path | None = None) -> list:
    """Write the student edition into ``outdir`` (new or empty); return the files written.

    >>> import tempfile; from pathlib import Path
    >>> files = release(Path(tempfile.mkdtemp()) / "edition", lang="en")
    >>> sorted({p.parts[-2] for p in files if p.suffix == ".ipynb"})
    ['exercises', 'notebooks']
    """
    from .paths import course_root

    langs = _langs(lang)
    root = Path(root) if root is not None else course_root()
    out = Path(outdir)
    if out.is_symlink() or (out.exists() and (not out.is_dir() or any(out.iterdir()))):
        raise ValueError(
            f"outdir must be a new or empty folder (a release never overwrites); got {str(out)!r}"
        )
    written: list = []

    def put(src: Path, dest: Path) -> None:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
        written.append(dest)

    for kind in ("notebooks", "exercises"):
        for code in langs:
            sub = Path(kind) if code == "en" else Path(kind) / code
            notebooks = sorted((root / sub).glob("*.ipynb"))
            if not notebooks:
                raise ValueError(f"no {kind} notebooks for lang {code!r} under {str(root / sub)!r}")
            for nb in notebooks:
                put(nb, out / sub / nb.name)
    from .config import DEFAULT, course_file

    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc" and path != DEFAULT:
            put(path, out / "lessonkit" / path.relative_to(PACKAGE))
    put(course_file(), out / "lessonkit" / DEFAULT.relative_to(PACKAGE))  # the points in force (--course)
    put(root / "pyproject.toml", out / "pyproject.toml")
    readme = "\n".join(_README[c] for c in langs)
    (out / "README.md").write_text(readme, encoding="utf-8")
    (out / ".gitignore").write_text("my-work/\n.ipynb_checkpoints/\n__pycache__/\n", encoding="utf-8")
    written += [out / "README.md", out / ".gitignore"]
    return written
