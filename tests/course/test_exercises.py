"""exercises/ is exactly what the generator makes of solutions/; graded cells follow the rules."""

from __future__ import annotations

import ast
import inspect
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import lessonkit as lk
from lessonkit.course.exercises import EXERCISES, NOTEBOOKS, exercises_of
from lessonkit.course.exercises_build import (
    BEGIN,
    END,
    MarkerError,
    build_notebook,
    exercise_texts,
    strip_solutions,
)

ROOT = Path(__file__).resolve().parents[2]
NAMES = [f"{n}.ipynb" for n in NOTEBOOKS]


def read(folder: str, name: str):
    return nbformat.read(ROOT / folder / name, as_version=4)


def graded_cell(nb, name: str):
    cells = [
        (i, c)
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and re.search(rf"^(def {name}\(|class {name}\b)", c.source, re.M)
    ]
    assert len(cells) == 1, name
    return cells[0]


def test_the_notebooks_are_the_four_named_ones():
    assert sorted(p.name for p in (ROOT / "solutions").glob("*.ipynb")) == NAMES
    assert sorted(p.name for p in (ROOT / "exercises").glob("*.ipynb")) == NAMES


def test_exercises_are_exactly_what_the_generator_makes():
    wanted = exercise_texts(ROOT / "solutions", ROOT / "exercises")
    assert sorted(wanted) == sorted((ROOT / "exercises").glob("*.ipynb"))
    for path, text in wanted.items():
        assert path.read_text(encoding="utf-8") == text, (
            f"{path} is stale: run python -m lessonkit build-exercises"
        )


def test_the_generator_is_deterministic():
    assert exercise_texts(ROOT / "solutions", ROOT / "exercises") == exercise_texts(
        ROOT / "solutions", ROOT / "exercises"
    )


def test_build_exercises_check_command_agrees():
    proc = subprocess.run(
        [sys.executable, "-m", "lessonkit", "build-exercises", "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize(
    "source, message",
    [
        (
            f"def f():\n    {BEGIN}\n    {BEGIN}\n    {END}",
            r"sol\.ipynb: cell 1: nested .* at line 3; the one at line 2",
        ),
        (f"def f():\n    {BEGIN}: hint\n    return 1", r"sol\.ipynb: cell 1: .* at line 2 is never closed"),
        (f"def f():\n    return 1\n    {END}", r'sol\.ipynb: cell 1: "### END SOLUTION" at line 3 has no'),
    ],
)
def test_bad_markers_are_errors_naming_file_and_cell(tmp_path, capsys, source, message):
    from lessonkit.course.cli import (
        main,  # in-process: test_build_exercises_check_command_agrees runs the program
    )

    folder = tmp_path / "solutions"
    folder.mkdir()
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("x"), nbformat.v4.new_code_cell(source)]
    )
    nbformat.write(nb, folder / "sol.ipynb")
    with pytest.raises(MarkerError, match=message):
        exercise_texts(folder, tmp_path / "exercises")
    code = main(["build-exercises", "--solutions", str(folder), "--exercises", str(tmp_path / "exercises")])
    assert code == 1 and re.search(message, capsys.readouterr().err)
    assert not (tmp_path / "exercises" / "sol.ipynb").exists()


def test_strip_keeps_indentation_and_the_hint():
    src = f"def f(x):\n    y = 1\n    {BEGIN}: add y\n    return x + y\n    {END}\n"
    assert strip_solutions(src) == 'def f(x):\n    y = 1\n    raise NotImplementedError("add y")\n'
    assert "write your code here" in strip_solutions(f"{BEGIN}\nx = 1\n{END}")


@pytest.mark.parametrize("name", list(EXERCISES))
def test_graded_function_cell(name):
    ex = EXERCISES[name]
    solution, exercise = read("solutions", f"{ex.notebook}.ipynb"), read("exercises", f"{ex.notebook}.ipynb")
    index, cell = graded_cell(solution, name)
    tree = ast.parse(cell.source)
    if isinstance(ex.reference, type):  # the lecture's Filter: a class, one stub per method
        assert len(tree.body) == 1 and isinstance(tree.body[0], ast.ClassDef), (
            "the class sits alone in its cell"
        )
        methods = [node for node in tree.body[0].body if isinstance(node, ast.FunctionDef)]
        reference_methods = [n for n, v in vars(ex.reference).items() if callable(v)]
        assert [m.name for m in methods] == reference_methods  # __init__, get_weights, get_bias, update
        init = methods[0]
        assert [a.arg for a in init.args.args][1:] == list(inspect.signature(ex.reference).parameters)
        assert cell.source.count(BEGIN) == cell.source.count(END) == len(methods)
        stub = exercise.cells[index]
        assert stub.source.count("raise NotImplementedError(") == len(methods) and BEGIN not in stub.source
        assert exercise.cells[index + 1].source.strip() == f'lessonkit.check("{name}", {name})'
        return
    assert len(tree.body) == 1 and isinstance(tree.body[0], ast.FunctionDef), (
        "the function sits alone in its cell"
    )
    func = tree.body[0]
    # exactly the signature of the function it mirrors
    params = inspect.signature(ex.reference).parameters
    assert [a.arg for a in func.args.args] == list(params)
    defaults = [ast.literal_eval(d) for d in func.args.defaults]
    assert defaults == [p.default for p in params.values() if p.default is not inspect.Parameter.empty]
    doc = ast.get_docstring(func)
    assert doc and "shape" in doc
    assert cell.source.count(BEGIN) == 1 and cell.source.count(END) == 1
    # the exercise: same cell index, the docstring kept, the body a stub with a hint
    stub = exercise.cells[index]
    assert stub.source.startswith(cell.source.split(BEGIN)[0].rstrip())
    hint = re.search(r'raise NotImplementedError\("(.+)"\)$', stub.source.strip()).group(1)
    assert len(hint) > 20 and BEGIN not in stub.source
    # the check cell comes right after it
    assert exercise.cells[index + 1].source.strip() == f'lessonkit.check("{name}", {name})'


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebooks_do_not_import_what_they_ask_for(notebook):
    """lessonkit may be used for what earlier exercises taught, not for the function being written."""
    own = {ex.name for ex in exercises_of(notebook)}
    for folder in ("solutions", "exercises"):
        nb = read(folder, f"{notebook}.ipynb")
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        for stmt in ast.walk(ast.parse(code)):
            if isinstance(stmt, ast.ImportFrom) and (stmt.module or "").startswith("lessonkit"):
                assert not own & {a.name for a in stmt.names}, (folder, notebook)
        for name in own:
            assert f"lessonkit.{name}(" not in code


@pytest.mark.parametrize("name", NAMES)
def test_exercise_notebooks_carry_no_outputs(name):
    nb = read("exercises", name)
    assert nb.metadata.kernelspec == {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    assert "widgets" not in nb.metadata
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def test_build_notebook_clears_outputs_and_widgets():
    nb = read("solutions", "02_bp_delta_map.ipynb")
    nb.metadata["widgets"] = {"state": {}}
    out = build_notebook(nb, "x.ipynb")
    assert "widgets" not in out.metadata and all(c.get("outputs", []) == [] for c in out.cells)
    assert any(c.outputs for c in nb.cells if c.cell_type == "code")  # the input is left alone


def test_start_copies_and_never_overwrites(tmp_path):
    work = tmp_path / "my-work"
    cmd = [sys.executable, "-m", "lessonkit", "start", str(work)]
    first = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert first.returncode == 0 and first.stdout.count("copied") == len(NOTEBOOKS)
    assert sorted(p.name for p in work.iterdir()) == NAMES
    mine = work / "02_bp_delta_map.ipynb"
    mine.write_text("my work")
    second = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert (
        second.returncode == 0
        and second.stdout.count("skipped") == len(NOTEBOOKS)
        and "copied" not in second.stdout
    )
    assert mine.read_text() == "my work"
    (work / "01_primitives.ipynb").unlink()
    third = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert third.stdout.count("copied") == 1 and mine.read_text() == "my work"


def test_my_work_is_git_ignored():
    assert "my-work/" in (ROOT / ".gitignore").read_text().split()


def test_an_exercises_groups_are_a_checked_declaration():
    from lessonkit.course.exercises import Exercise
    from lessonkit.course.exercises.pad import LEADING, TABLE, TWO_D

    ok = Exercise("pad", "01_primitives", lk.pad, TABLE, {TWO_D: 1, LEADING: 1})
    assert ok.max_points == 2
    with pytest.raises(ValueError, match=r"groups of exercise 'pad' must be the case table's groups"):
        Exercise("pad", "01_primitives", lk.pad, TABLE, {TWO_D: 1})
    with pytest.raises(ValueError, match=r"groups of exercise 'pad' must score positive integers; got"):
        Exercise("pad", "01_primitives", lk.pad, TABLE, {TWO_D: 1, LEADING: 0})
    with pytest.raises(ValueError, match=r"split of exercise 'pad' must have one entry per output"):
        Exercise("pad", "01_primitives", lk.pad, TABLE, {TWO_D: 1, LEADING: 1}, split=(None, None))


def test_every_exercise_module_declares_its_exercise_in_course_order():
    import importlib
    import pkgutil

    import lessonkit.course.exercises as package

    modules = [
        m.name for m in pkgutil.iter_modules(package.__path__) if m.name not in ("base", "steps")
    ]  # the machinery
    declared = {}
    for m in modules:  # one EXERCISE, or several related ones (pooling, im2col) in EXERCISES
        module = importlib.import_module(f"{package.__name__}.{m}")
        declared[m] = [ex.name for ex in getattr(module, "EXERCISES", None) or (module.EXERCISE,)]
    assert sorted(n for names in declared.values() for n in names) == sorted(EXERCISES)
    for (
        m,
        names,
    ) in declared.items():  # named after its exercise (Filter: filter.py), or several after their notebook
        if len(names) == 1:
            assert names[0].lower() == m, (m, names)
        else:
            assert all(EXERCISES[n].notebook.endswith(f"_{m}") for n in names), (m, names)
    order = [ex.notebook for ex in EXERCISES.values()]
    assert order == sorted(order), order


def test_write_texts_writes_what_differs_and_removes_notebooks_nobody_wants(tmp_path):
    """The one writer of exercises/ and of the Chinese editions' exercises/zh-*/ folders."""
    from lessonkit.course.exercises_build import write_texts

    keep, same, gone = tmp_path / "01_a.ipynb", tmp_path / "02_b.ipynb", tmp_path / "03_old.ipynb"
    same.write_text("b", encoding="utf-8")
    gone.write_text("old", encoding="utf-8")
    (tmp_path / "notes.md").write_text("mine", encoding="utf-8")
    written, removed = write_texts({keep: "a", same: "b"}, tmp_path)
    assert written == [keep] and removed == [gone]
    assert keep.read_text(encoding="utf-8") == "a" and not gone.exists()
    assert (tmp_path / "notes.md").read_text(encoding="utf-8") == "mine"
