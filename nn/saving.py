"""A network's sizes, activations and parameters as a human-readable JSON file.

Floats are written with ``repr`` precision, so a saved net loads back bit for bit.
The format::

    {"format": "backprop-engine MLP", "version": 1, "sizes": [2, 3, 2],
     "activations": ["sigmoid", "sigmoid"],
     "weights": [W^2 as rows, W^3 as rows], "biases": [b^2, b^3]}
"""

from __future__ import annotations

import json
import os
from typing import Any

FORMAT = "backprop-engine MLP"
VERSION = 1


def save(
    path: str | os.PathLike,
    sizes: list[int],
    activations: list[str],
    weights: list[list[list[float]]],
    biases: list[list[float]],
) -> None:
    """Write the file in one go: a half-written file never replaces a good one."""
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "sizes": sizes,
        "activations": activations,
        "weights": weights,
        "biases": biases,
    }
    tmp = f"{os.fspath(path)}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
    os.replace(tmp, path)


def load(path: str | os.PathLike) -> tuple[Any, Any, Any, Any]:
    """(sizes, activations, weights, biases) read from path; ValueError naming the file if it is not one."""
    with open(path, encoding="utf-8") as f:  # a missing file raises FileNotFoundError as it is
        text = f.read()
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}: not a saved MLP (invalid or truncated JSON: {e})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValueError(f'{path}: not a saved MLP (no "format": "{FORMAT}" field)')
    if doc.get("version") != VERSION:
        raise ValueError(
            f"{path}: saved MLP version {doc.get('version')!r} is not supported "
            f"(this is version {VERSION})"
        )
    missing = [k for k in ("sizes", "activations", "weights", "biases") if k not in doc]
    if missing:
        raise ValueError(f"{path}: saved MLP lacks {', '.join(missing)}")
    return doc["sizes"], doc["activations"], doc["weights"], doc["biases"]
