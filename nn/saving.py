"""A network's sizes, activations and parameters as a human-readable JSON file.

Floats are written with ``repr`` precision, so a saved net loads back bit for bit.
The format::

    {"format": "backprop-engine MLP", "version": 1, "sizes": [2, 3, 2],
     "activations": ["sigmoid", "sigmoid"],
     "weights": [W^2 as rows, W^3 as rows], "biases": [b^2, b^3]}

Loading is strict: every field must have exactly its type (numbers as JSON numbers, never
strings or booleans), so a file that loads is one that ``save`` could have written.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import secrets
import stat
from typing import Any

FORMAT = "backprop-engine MLP"
VERSION = 1


def _nested_numbers(x: object, depth: int) -> bool:
    """True if x is a list nested ``depth`` deep whose leaves are JSON numbers (not booleans)."""
    if depth == 0:
        return type(x) in (int, float)
    return isinstance(x, list) and all(_nested_numbers(item, depth - 1) for item in x)


def save(
    path: str | os.PathLike[str],
    sizes: list[int],
    activations: list[str],
    weights: list[list[list[float]]],
    biases: list[list[float]],
) -> None:
    """Write the file in one go: a failure at any point leaves the old file (or none) as it was.

    The text goes to a new temporary file beside the target, which then replaces it; a
    symlink is written through to its target, and an existing file keeps its mode.
    """
    numbers = [v for w in weights for row in w for v in row] + [v for b in biases for v in b]
    if not all(math.isfinite(v) for v in numbers):
        raise ValueError(
            f"{os.fspath(path)}: refusing to save a net whose parameters are not all finite"
        )
    target = os.path.realpath(path)
    if os.path.isdir(target):
        raise IsADirectoryError(f"{os.fspath(path)}: is a directory; give a file name to save to")
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = None  # a new file: the user's umask decides, as for open()
    text = json.dumps(
        {
            "format": FORMAT,
            "version": VERSION,
            "sizes": sizes,
            "activations": activations,
            "weights": weights,
            "biases": biases,
        },
        indent=1,
    )
    folder, name = os.path.split(target)
    tmp = os.path.join(folder, f".{name}.{secrets.token_hex(8)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as e:
        raise OSError(e.errno, f"cannot write beside it: {e.strerror}", os.fspath(path)) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def load(path: str | os.PathLike[str]) -> tuple[Any, Any, Any, Any]:
    """(sizes, activations, weights, biases) read from path; ValueError naming the file if it is not one."""
    with open(path, "rb") as f:  # a missing file raises FileNotFoundError, naming it
        raw = f.read()
    try:
        doc = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a saved MLP (not UTF-8 text)") from None
    except ValueError as e:  # JSONDecodeError, or an integer too long to convert
        raise ValueError(f"{path}: not a saved MLP (invalid or truncated JSON: {e})") from None
    except RecursionError:
        raise ValueError(f"{path}: not a saved MLP (JSON nested too deeply)") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValueError(f'{path}: not a saved MLP (no "format": "{FORMAT}" field)')
    version = doc.get("version")
    if type(version) is not int or version != VERSION:
        raise ValueError(
            f"{path}: saved MLP version {version!r} is not supported (this is version {VERSION})"
        )
    missing = [k for k in ("sizes", "activations", "weights", "biases") if k not in doc]
    if missing:
        raise ValueError(f"{path}: saved MLP lacks {', '.join(missing)}")
    sizes, activations = doc["sizes"], doc["activations"]
    fields_ok = {
        "sizes (a list of integers)": isinstance(sizes, list)
        and all(type(n) is int for n in sizes),
        "activations (a list of names)": isinstance(activations, list)
        and all(isinstance(a, str) for a in activations),
        "weights (a list of matrices of numbers)": _nested_numbers(doc["weights"], 3),
        "biases (a list of vectors of numbers)": _nested_numbers(doc["biases"], 2),
    }
    bad = [name for name, ok in fields_ok.items() if not ok]
    if bad:
        raise ValueError(f"{path}: saved MLP has a malformed field: {', '.join(bad)}")
    return sizes, activations, doc["weights"], doc["biases"]
