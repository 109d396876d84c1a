"""zh-Hant from zh-Hans: OpenCC's s2twp with the course's phrase table first, and the mainland terms
a Taiwan reader should never meet."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def _phrases(root: Path) -> Path:
    return root / "translations" / "opencc" / "phrases.txt"


_CONVERTERS: dict = {}


def to_hant(text: str, root: str | os.PathLike[str] | None = None) -> str:
    """``text`` (zh-Hans) in Taiwan's Traditional usage: OpenCC's s2twp, the course's phrase table first.

    Examples
    --------
    >>> to_hant("误差项的计算，补0后互相关")
    '誤差項的計算，補0後互相關'
    """
    from .. import PACKAGE

    root = Path(root) if root is not None else PACKAGE.parent
    phrases = _phrases(root)
    key = (str(phrases), phrases.stat().st_mtime_ns if phrases.is_file() else 0)
    if key not in _CONVERTERS:
        _CONVERTERS.clear()
        _CONVERTERS[key] = _converter(phrases)
    return _CONVERTERS[key].convert(text)


def _converter(phrases: Path):
    """OpenCC's s2twp with the phrase table (a text dictionary) put first; OpenCC finds its own
    dictionaries only next to its config file, so the config is rewritten with their full paths."""
    import opencc

    share = Path(opencc._opencc_share_dir)
    config = json.loads((share / "s2twp.json").read_text(encoding="utf-8"))

    def absolute(node):
        if isinstance(node, dict):
            if node.get("type") == "ocd2":
                node["file"] = str(share / node["file"])
            for value in node.values():
                absolute(value)
        elif isinstance(node, list):
            for value in node:
                absolute(value)

    absolute(config)
    made = []
    if phrases.is_file():
        mine = {"type": "text", "file": str(phrases)}
        config["segmentation"]["dict"]["dicts"].insert(0, mine)
        config["conversion_chain"][0]["dict"]["dicts"].insert(0, mine)
        # the table's right-hand side is final: s2twp's Taiwan-phrase step maps each to itself
        values = {
            v
            for line in phrases.read_text(encoding="utf-8").splitlines()
            if "\t" in line and not line.startswith("#")
            for v in line.split("\t", 1)[1].split()
        }
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as keep:
            keep.write("".join(f"{v}\t{v}\n" for v in sorted(values)))
        made.append(keep.name)
        for step in config["conversion_chain"][1:]:
            step["dict"]["dicts"].insert(0, {"type": "text", "file": keep.name})
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump(config, f)
    made.append(f.name)
    try:
        return opencc.OpenCC(f.name)
    finally:
        for name in made:
            os.unlink(name)


def mainland_terms(root: str | os.PathLike[str] | None = None) -> dict:
    """Mainland word -> Taiwan word: ``translations/opencc/mainland-terms.txt``."""
    from ..paths import course_root

    path = (
        Path(root if root is not None else course_root()) / "translations" / "opencc" / "mainland-terms.txt"
    )
    lines = path.read_text(encoding="utf-8").splitlines()
    return dict(line.split("\t") for line in lines if line and not line.startswith("#"))
