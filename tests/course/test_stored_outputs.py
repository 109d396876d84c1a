"""No stored output of any notebook shows a path of the machine that built it.

A learner opens the notebooks as shipped: an output that names ``/work/...``, a home folder, a
temporary folder, a Windows drive or an installed package's ``site-packages`` tells them nothing and
leaks the build machine. Outputs must name files relative to the course folder (``my-work/...``).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("notebooks", "solutions", "exercises")
NOTEBOOKS = sorted(
    p
    for folder in FOLDERS
    for sub in ("", "zh-Hans", "zh-Hant")
    for p in (ROOT / folder / sub).glob("*.ipynb")
)

# Binary payloads (base64) may contain any run of letters and slashes: only text is scanned.
TEXT_MIME = re.compile(r"^text/|^application/(json|javascript|.*\+json)$|^image/svg\+xml$")
MACHINE_PATH = re.compile(
    r"(?<![\w.~/-])/(?:work|home|root|tmp|Users|mnt|opt|srv|private|var/folders)/"  # POSIX folders
    r"|\b[A-Za-z]:[\\/]+(?:Users|Windows|Program Files|ProgramData|Temp|tmp)\b"  # a Windows drive
    r"|\b(?:site|dist)-packages\b",  # an installed package's folder
    re.IGNORECASE,
)


def _own_paths() -> list[str]:
    """This checkout's and this user's absolute folders, whatever they are called."""
    paths = {str(ROOT), str(ROOT.resolve()), str(Path.home())}
    return sorted(p for p in paths if len(p) > 1)


def _output_texts(output) -> list[str]:
    if output.output_type == "stream":
        return [output.get("text", "")]
    if output.output_type == "error":
        return [output.get("ename", ""), output.get("evalue", ""), *output.get("traceback", [])]
    texts = []
    for mime, value in output.get("data", {}).items():
        if TEXT_MIME.search(mime):
            texts.append(value if isinstance(value, str) else str(value))
    return texts


def machine_paths(path: Path) -> list[str]:
    """One line per stored output line that shows a machine path: notebook, cell, line, the text."""
    nb = nbformat.read(path, as_version=4)
    own = _own_paths()
    name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            for text in _output_texts(output):
                for number, line in enumerate(text.splitlines(), 1):
                    if MACHINE_PATH.search(line) or any(p in line for p in own):
                        found.append(
                            f"{name}: cell {index} (id {cell.get('id', '?')}), line {number}: {line.strip()[:160]}"
                        )
    return found


def test_the_scan_sees_every_edition():
    names = {p.relative_to(ROOT).as_posix() for p in NOTEBOOKS}
    for folder in FOLDERS:
        for sub in ("", "zh-Hans/", "zh-Hant/"):
            assert any(
                n.startswith(f"{folder}/{sub}") and n.count("/") == 1 + sub.count("/") for n in names
            ), (
                folder,
                sub,
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_stored_output_shows_a_machine_path(path):
    found = machine_paths(path)
    assert not found, "stored outputs show this machine's paths:\n" + "\n".join(found)


def _planted(tmp_path: Path, outputs: list) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("A sentence about /work/ in prose is not an output."),
        nbformat.v4.new_code_cell("print('fine')", outputs=[nbformat.v4.new_output("stream", text="fine\n")]),
        nbformat.v4.new_code_cell("x = 1", outputs=outputs),
    ]
    path = tmp_path / "07_planted.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.mark.parametrize(
    "line",
    [
        "the notebook /work/main/my-work/02_bp_delta_map.ipynb does not exist",
        "saved to /home/learner/course/figure.png",
        "/tmp/pytest-of-root/x.csv",
        r"C:\Users\learner\course\my-work",
        '  File ".venv/lib/python3.12/site-packages/numpy/core.py", line 3',
        f"written to {ROOT}/notebooks",
    ],
)
def test_a_planted_machine_path_is_found_and_named(tmp_path, line):
    """The check can fail: one absolute path in one stored output names the notebook, cell and line."""
    path = _planted(tmp_path, [nbformat.v4.new_output("stream", text=f"first line\n{line}\n")])
    found = machine_paths(path)
    assert len(found) == 1, found
    assert "07_planted.ipynb: cell 2" in found[0] and "line 2:" in found[0]


def test_paths_in_rich_and_error_outputs_are_found_and_relative_paths_are_not(tmp_path):
    outputs = [
        nbformat.v4.new_output("display_data", data={"text/plain": "my-work/02_bp_delta_map.ipynb"}),
        nbformat.v4.new_output(
            "execute_result", data={"text/html": "<p>see /root/.cache/x</p>"}, execution_count=1
        ),
        nbformat.v4.new_output("error", ename="FileNotFoundError", evalue="/work/x", traceback=["..."]),
        nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo/tmp/work/AAA="}),
    ]
    found = machine_paths(_planted(tmp_path, outputs))
    assert len(found) == 2, found
    assert "/root/.cache" in found[0] and "/work/x" in found[1]
