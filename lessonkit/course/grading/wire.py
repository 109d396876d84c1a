"""What crosses the sandbox's pipe: the inputs sent (``.npy`` bytes), the values that come back, and
the text of a reply made safe to show in a report (the notebook wrote it)."""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np

__all__ = ["clean", "one_line", "encode", "decode", "Opaque"]


def clean(text: object, limit: int = 300) -> str:
    """Text from a notebook, safe for a report line: one line, control characters escaped, capped.

    Examples
    --------
    >>> clean("oops\\nscore: 10/10")
    'oops\\\\nscore: 10/10'
    """
    text = str(text)
    out = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)
    return out if len(out) <= limit else out[: limit - 3] + "..."


def one_line(text: object, limit: int = 200) -> str:
    return clean((str(text or "").strip().splitlines() or [""])[0], limit)


def encode(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        buf = io.BytesIO()
        np.save(buf, value, allow_pickle=False)
        return {"npy": base64.b64encode(buf.getvalue()).decode("ascii")}
    if isinstance(value, tuple):
        return {"tuple": [encode(v) for v in value]}
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    return value


class Opaque:
    """Stands for a returned value that was not a plain numpy array of numbers."""

    def __init__(self, type_name: str, text: str) -> None:
        self.type_name, self.text = clean(type_name, 60), clean(text, 200)

    def __repr__(self) -> str:
        return self.text or f"<{self.type_name}>"


def decode(value: Any) -> Any:
    """A value from the sandbox: a numpy array (from .npy bytes), a list of them, None or Opaque."""
    if isinstance(value, dict):
        if "npy" in value:
            arr = np.load(io.BytesIO(base64.b64decode(value["npy"])), allow_pickle=False)
            if type(arr) is not np.ndarray:
                raise ValueError("not an array")
            return arr
        if "seq" in value and isinstance(value["seq"], list):
            items = [decode(v) for v in value["seq"][:8]]
            return items + [None] * max(0, min(int(value.get("length", 0)), 100) - len(items))
        if "none" in value:
            return None
        if "type" in value:
            return Opaque(str(value["type"]), str(value.get("repr", "")))
    raise ValueError(f"unexpected value: {clean(str(value), 60)}")
